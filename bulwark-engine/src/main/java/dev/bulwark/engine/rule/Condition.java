package dev.bulwark.engine.rule;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventFields;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSource;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A CEL expression over the event {@code e} (and, in sequence steps, the values {@code b} bound by
 * earlier steps), compiled once. A condition yields a bool; a value expression (bind, anomaly
 * value) yields anything. Evaluation errors (a missing field, a type mismatch on odd data) surface
 * as {@link ConditionException} for the engine to count; they never pass as a match.
 */
final class Condition {
  private static final CelOptions OPTIONS =
      CelOptions.current()
          .enableHeterogeneousNumericComparisons(true)
          .comprehensionMaxIterations(10_000)
          .build();
  private static final CelType MAP = MapType.create(SimpleType.STRING, SimpleType.DYN);
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
  private static final Map<String, CelCompiler> COMPILERS = new HashMap<>();

  /** What an expression may see and must yield. */
  enum Env {
    /** A condition over {@code e}. */
    CONDITION(false, SimpleType.BOOL),
    /** A condition over {@code e} and bound values {@code b}. */
    STEP(true, SimpleType.BOOL),
    /** A value over {@code e} and {@code b}. */
    VALUE(true, SimpleType.DYN);

    final boolean bindings;
    final CelType result;

    Env(boolean bindings, CelType result) {
      this.bindings = bindings;
      this.result = result;
    }

    synchronized CelCompiler compiler() {
      return COMPILERS.computeIfAbsent(
          name(),
          k -> {
            var b =
                CelCompilerFactory.standardCelCompilerBuilder()
                    .setOptions(OPTIONS)
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .addVar("e", MAP)
                    .setResultType(result);
            if (bindings) {
              b.addVar("b", MAP);
            }
            return b.build();
          });
    }
  }

  private final String text;
  private final CelRuntime.Program program;
  private final FastPath fast;
  private final Set<String> eventTypes;

  private Condition(
      String text, CelRuntime.Program program, FastPath fast, Set<String> eventTypes) {
    this.text = text;
    this.program = program;
    this.fast = fast;
    this.eventTypes = eventTypes;
  }

  /** Whether the plain-Java fast path evaluates this expression (CEL does otherwise). */
  boolean fast() {
    return fast != null;
  }

  /** One compile error, at a 1-based line and column within the expression text. */
  record Issue(int line, int column, String message) {}

  /** The compiled expression, or every compile error. */
  record Compiled(Condition condition, List<Issue> issues) {}

  /** The checked AST of a valid STEP expression, for tests of the fast path. */
  static dev.cel.common.ast.CelExpr compileAst(String text) {
    try {
      return Env.STEP.compiler().compile(text).getAst().getExpr();
    } catch (CelValidationException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Compiled compile(String text) {
    return compile(text, Env.CONDITION);
  }

  static Compiled compile(String text, Env env) {
    CelValidationResult result = env.compiler().compile(text);
    if (result.hasError()) {
      return new Compiled(null, result.getErrors().stream().map(Condition::issue).toList());
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      List<Issue> unknownFields = new ArrayList<>();
      checkFields(ast.getExpr(), ast.getSource(), unknownFields);
      if (!unknownFields.isEmpty()) {
        return new Compiled(null, unknownFields);
      }
      Set<String> types = typesOf(ast.getExpr()).orElse(Set.of());
      FastPath fast = FastPath.of(ast.getExpr()).orElse(null);
      return new Compiled(new Condition(text, RUNTIME.createProgram(ast), fast, types), List.of());
    } catch (CelValidationException | CelEvaluationException e) {
      return new Compiled(null, List.of(new Issue(1, 1, e.getMessage())));
    }
  }

  /**
   * The event types for which the condition can be true, read off its structure ({@code e.type ==
   * "x"}, {@code e.type in [...]}, combined through {@code &&} and {@code ||}); empty when it
   * cannot tell, meaning any type. The engine uses it so an event meets only the rules that could
   * fire.
   */
  Set<String> eventTypes() {
    return eventTypes;
  }

  boolean test(Event event) {
    return test(event, Map.of());
  }

  boolean test(Event event, Map<String, Object> bound) {
    Object result = value(event, bound);
    if (result instanceof Boolean b) {
      return b;
    }
    throw new ConditionException("condition did not yield a bool: " + result, null);
  }

  Object value(Event event, Map<String, Object> bound) {
    if (fast != null) {
      Object v = fast.eval(event, bound);
      if (v != FastPath.ERROR) {
        return v;
      }
      // An error: CEL evaluates it again, for its precise message.
    }
    return cel(event, bound);
  }

  /** The CEL interpreter's value, for tests comparing it with the fast path. */
  Object cel(Event event, Map<String, Object> bound) {
    try {
      return program.eval(Map.of("e", event.asMap(), "b", bound));
    } catch (CelEvaluationException e) {
      throw new ConditionException(e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return text;
  }

  /** Reports {@code e.<field>} where no event has that field (custom data is under attrs). */
  private static void checkFields(CelExpr expr, CelSource source, List<Issue> issues) {
    switch (expr.getKind()) {
      case SELECT -> {
        CelExpr operand = expr.select().operand();
        if (operand.getKind() == CelExpr.ExprKind.Kind.IDENT
            && operand.ident().name().equals("e")
            && !EventFields.ALL.contains(expr.select().field())) {
          var at =
              Optional.ofNullable(source.getPositionsMap().get(expr.id()))
                  .flatMap(source::getOffsetLocation);
          issues.add(
              new Issue(
                  at.map(l -> l.getLine()).orElse(1),
                  at.map(l -> l.getColumn() + 2).orElse(1), // CEL places a select at its dot
                  "no event has the field '%s'; event fields are %s, and source-specific data is under e.attrs"
                      .formatted(expr.select().field(), String.join(", ", EventFields.ALL))));
        }
        checkFields(operand, source, issues);
      }
      case CALL -> {
        expr.call().target().ifPresent(t -> checkFields(t, source, issues));
        expr.call().args().forEach(a -> checkFields(a, source, issues));
      }
      case LIST -> expr.list().elements().forEach(a -> checkFields(a, source, issues));
      case COMPREHENSION -> {
        var c = expr.comprehension();
        for (CelExpr part :
            List.of(c.iterRange(), c.accuInit(), c.loopCondition(), c.loopStep(), c.result())) {
          checkFields(part, source, issues);
        }
      }
      default -> {
        // constants, identifiers, maps and structs hold no event field reads worth checking
      }
    }
  }

  private static Optional<Set<String>> typesOf(CelExpr expr) {
    if (expr.getKind() != CelExpr.ExprKind.Kind.CALL) {
      return Optional.empty();
    }
    CelExpr.CelCall call = expr.call();
    List<CelExpr> args = call.args();
    switch (call.function()) {
      case "_&&_" -> {
        Optional<Set<String>> a = typesOf(args.get(0));
        Optional<Set<String>> b = typesOf(args.get(1));
        if (a.isPresent() && b.isPresent()) {
          Set<String> both = new HashSet<>(a.get());
          both.retainAll(b.get());
          return Optional.of(both);
        }
        return a.isPresent() ? a : b;
      }
      case "_||_" -> {
        Optional<Set<String>> a = typesOf(args.get(0));
        Optional<Set<String>> b = typesOf(args.get(1));
        if (a.isEmpty() || b.isEmpty()) {
          return Optional.empty();
        }
        Set<String> either = new HashSet<>(a.get());
        either.addAll(b.get());
        return Optional.of(either);
      }
      case "_==_" -> {
        if (isEventType(args.get(0))) {
          return stringConstant(args.get(1)).map(Set::of);
        }
        if (isEventType(args.get(1))) {
          return stringConstant(args.get(0)).map(Set::of);
        }
        return Optional.empty();
      }
      case "@in" -> {
        if (!isEventType(args.get(0)) || args.get(1).getKind() != CelExpr.ExprKind.Kind.LIST) {
          return Optional.empty();
        }
        Set<String> types = new HashSet<>();
        for (CelExpr element : args.get(1).list().elements()) {
          Optional<String> t = stringConstant(element);
          if (t.isEmpty()) {
            return Optional.empty();
          }
          types.add(t.get());
        }
        return Optional.of(types);
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static boolean isEventType(CelExpr expr) {
    return expr.getKind() == CelExpr.ExprKind.Kind.SELECT
        && expr.select().field().equals("type")
        && expr.select().operand().getKind() == CelExpr.ExprKind.Kind.IDENT
        && expr.select().operand().ident().name().equals("e");
  }

  private static Optional<String> stringConstant(CelExpr expr) {
    if (expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT
        && expr.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
      return Optional.of(expr.constant().stringValue());
    }
    return Optional.empty();
  }

  private static Issue issue(CelIssue i) {
    var at = i.getSourceLocation();
    int line = Math.max(1, at.getLine());
    int column = Math.max(0, at.getColumn()) + 1;
    return new Issue(line, column, i.getMessage());
  }

  /** Evaluating an expression failed on this event. */
  static final class ConditionException extends BulwarkException {
    ConditionException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
