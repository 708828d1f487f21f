package dev.bulwark.engine.rule;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.event.Event;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.List;
import java.util.Map;

/**
 * A CEL boolean expression over the event {@code e}, compiled once. Evaluation errors (a missing
 * field, a type mismatch on odd data) surface as {@link ConditionException} for the engine to
 * count; they never pass as a match.
 */
final class Condition {
  private static final CelOptions OPTIONS =
      CelOptions.current()
          .enableHeterogeneousNumericComparisons(true)
          .comprehensionMaxIterations(10_000)
          .build();
  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("e", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .setResultType(SimpleType.BOOL)
          .build();
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  private final String text;
  private final CelRuntime.Program program;

  private Condition(String text, CelRuntime.Program program) {
    this.text = text;
    this.program = program;
  }

  /** One compile error, at a 1-based line and column within the expression text. */
  record Issue(int line, int column, String message) {}

  /** The compiled condition, or every compile error. */
  record Compiled(Condition condition, List<Issue> issues) {}

  static Compiled compile(String text) {
    CelValidationResult result = COMPILER.compile(text);
    if (result.hasError()) {
      return new Compiled(null, result.getErrors().stream().map(Condition::issue).toList());
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      return new Compiled(new Condition(text, RUNTIME.createProgram(ast)), List.of());
    } catch (CelValidationException | CelEvaluationException e) {
      return new Compiled(null, List.of(new Issue(1, 1, e.getMessage())));
    }
  }

  private static Issue issue(CelIssue i) {
    var at = i.getSourceLocation();
    int line = Math.max(1, at.getLine());
    int column = Math.max(0, at.getColumn()) + 1;
    return new Issue(line, column, i.getMessage());
  }

  boolean test(Event event) {
    Object result;
    try {
      result = program.eval(Map.of("e", event.asMap()));
    } catch (CelEvaluationException e) {
      throw new ConditionException(e.getMessage(), e);
    }
    if (result instanceof Boolean b) {
      return b;
    }
    throw new ConditionException("condition did not yield a bool: " + result, null);
  }

  @Override
  public String toString() {
    return text;
  }

  /** Evaluating a condition failed on this event. */
  static final class ConditionException extends BulwarkException {
    ConditionException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
