package dev.bulwark.engine.rule;

import dev.bulwark.engine.event.Event;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evaluates the common shapes of rule conditions in plain Java: comparisons of event fields and
 * bound values with constants, {@code &&}, {@code ||}, {@code !}, {@code in [...]}, {@code has()},
 * {@code startsWith}, {@code endsWith}, {@code contains}. It keeps CEL's semantics exactly —
 * including errors, which {@code &&} and {@code ||} absorb when the other side decides — and a
 * property test checks it against the CEL interpreter. Anything else stays with CEL.
 */
final class FastPath {
  /** The result of an expression that failed (CEL's error value). */
  static final Object ERROR = new Object();

  private interface Node {
    Object eval(Event e, Map<String, Object> fields, Map<String, Object> bound);
  }

  private final Node root;

  private FastPath(Node root) {
    this.root = root;
  }

  /** A fast evaluator for the expression, or empty when it uses something outside the subset. */
  static Optional<FastPath> of(CelExpr expr) {
    return node(expr).map(FastPath::new);
  }

  /**
   * The expression's value, or {@link #ERROR} where CEL would yield an error (the caller then asks
   * CEL itself, for its precise message).
   */
  Object eval(Event event, Map<String, Object> bound) {
    return root.eval(event, null, bound);
  }

  private static Optional<Node> node(CelExpr expr) {
    switch (expr.getKind()) {
      case CONSTANT -> {
        CelConstant c = expr.constant();
        Object v =
            switch (c.getKind()) {
              case STRING_VALUE -> c.stringValue();
              case INT64_VALUE -> c.int64Value();
              case DOUBLE_VALUE -> c.doubleValue();
              case BOOLEAN_VALUE -> c.booleanValue();
              default -> null;
            };
        if (v == null) {
          return Optional.empty();
        }
        return Optional.of((e, f, b) -> v);
      }
      case SELECT -> {
        return select(expr.select());
      }
      case CALL -> {
        return call(expr.call());
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static Optional<Node> select(CelExpr.CelSelect s) {
    CelExpr operand = s.operand();
    String field = s.field();
    boolean test = s.testOnly();
    if (operand.getKind() == CelExpr.ExprKind.Kind.IDENT) {
      String var = operand.ident().name();
      if (var.equals("e")) {
        java.util.function.Function<Event, Object> get = accessor(field);
        return Optional.of(
            test
                ? (e, f, b) -> get.apply(e) != null
                : (e, f, b) -> {
                  Object v = get.apply(e);
                  return v == null ? ERROR : v;
                });
      }
      if (var.equals("b")) {
        return Optional.of(
            test
                ? (e, f, b) -> b.containsKey(field)
                : (e, f, b) -> {
                  Object v = b.get(field);
                  return v == null ? ERROR : plain(v);
                });
      }
      return Optional.empty();
    }
    // e.attrs.key
    if (operand.getKind() == CelExpr.ExprKind.Kind.SELECT
        && !operand.select().testOnly()
        && operand.select().field().equals("attrs")
        && operand.select().operand().getKind() == CelExpr.ExprKind.Kind.IDENT
        && operand.select().operand().ident().name().equals("e")) {
      return Optional.of(
          test
              ? (e, f, b) -> e.attrs().containsKey(field)
              : (e, f, b) -> {
                Object v = e.attrs().get(field);
                return v == null ? ERROR : plain(v);
              });
    }
    return Optional.empty();
  }

  /** Reads one event field as CEL sees it; {@code attrs} itself is not comparable. */
  private static java.util.function.Function<Event, Object> accessor(String field) {
    return field.equals("attrs") ? e -> new Opaque(e.attrs()) : e -> e.field(field);
  }

  /** Values as CEL sees them: only the types the fast path can compare; others are not plain. */
  private static Object plain(Object v) {
    if (v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean) {
      return v;
    }
    if (v instanceof Integer i) {
      return (long) i;
    }
    return new Opaque(v);
  }

  /** A value the fast path does not compare (a list, a map); any use of it is an error. */
  private record Opaque(Object value) {}

  private static Optional<Node> call(CelExpr.CelCall c) {
    if (c.function().equals("@in") && c.args().size() == 2) {
      return in(c.args().get(0), c.args().get(1));
    }
    List<Node> args = new ArrayList<>();
    for (CelExpr a : c.args()) {
      Optional<Node> n = node(a);
      if (n.isEmpty()) {
        return Optional.empty();
      }
      args.add(n.get());
    }
    if (c.target().isPresent()) {
      Optional<Node> target = node(c.target().get());
      if (target.isEmpty() || args.size() != 1) {
        return Optional.empty();
      }
      Node t = target.get();
      Node arg = args.get(0);
      return switch (c.function()) {
        case "startsWith" -> Optional.of(strings(t, arg, String::startsWith));
        case "endsWith" -> Optional.of(strings(t, arg, String::endsWith));
        case "contains" -> Optional.of(strings(t, arg, String::contains));
        default -> Optional.empty();
      };
    }
    return switch (c.function()) {
      case "_&&_" -> {
        Node l = args.get(0);
        Node r = args.get(1);
        yield Optional.of(
            (e, f, b) -> {
              Object a = l.eval(e, f, b);
              if (a == Boolean.FALSE) {
                return false;
              }
              Object z = r.eval(e, f, b);
              if (z == Boolean.FALSE) {
                return false;
              }
              if (a == ERROR || z == ERROR || !(a instanceof Boolean) || !(z instanceof Boolean)) {
                return ERROR;
              }
              return true;
            });
      }
      case "_||_" -> {
        Node l = args.get(0);
        Node r = args.get(1);
        yield Optional.of(
            (e, f, b) -> {
              Object a = l.eval(e, f, b);
              if (a == Boolean.TRUE) {
                return true;
              }
              Object z = r.eval(e, f, b);
              if (z == Boolean.TRUE) {
                return true;
              }
              if (a == ERROR || z == ERROR || !(a instanceof Boolean) || !(z instanceof Boolean)) {
                return ERROR;
              }
              return false;
            });
      }
      case "!_" -> {
        Node x = args.get(0);
        yield Optional.of(
            (e, f, b) -> {
              Object v = x.eval(e, f, b);
              return v instanceof Boolean bool ? !bool : ERROR;
            });
      }
      case "_==_" -> Optional.of(equality(args.get(0), args.get(1), false));
      case "_!=_" -> Optional.of(equality(args.get(0), args.get(1), true));
      case "_<_" -> Optional.of(order(args.get(0), args.get(1), c2 -> c2 < 0));
      case "_<=_" -> Optional.of(order(args.get(0), args.get(1), c2 -> c2 <= 0));
      case "_>_" -> Optional.of(order(args.get(0), args.get(1), c2 -> c2 > 0));
      case "_>=_" -> Optional.of(order(args.get(0), args.get(1), c2 -> c2 >= 0));
      default -> Optional.empty();
    };
  }

  private static Optional<Node> in(CelExpr element, CelExpr list) {
    Optional<Node> x = node(element);
    if (x.isEmpty() || list.getKind() != CelExpr.ExprKind.Kind.LIST) {
      return Optional.empty();
    }
    List<Node> items = new ArrayList<>();
    for (CelExpr item : list.list().elements()) {
      if (item.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
        return Optional.empty();
      }
      Optional<Node> n = node(item);
      if (n.isEmpty()) {
        return Optional.empty();
      }
      items.add(n.get());
    }
    Node value = x.get();
    List<Node> eqs = items.stream().map(i -> equality(value, i, false)).toList();
    return Optional.of(
        (e, f, b) -> {
          if (value.eval(e, f, b) == ERROR) {
            return ERROR;
          }
          for (Node eq : eqs) {
            if (eq.eval(e, f, b) == Boolean.TRUE) {
              return true;
            }
          }
          return false;
        });
  }

  private interface StringTest {
    boolean test(String a, String b);
  }

  private static Node strings(Node target, Node arg, StringTest op) {
    return (e, f, b) -> {
      Object t = target.eval(e, f, b);
      Object a = arg.eval(e, f, b);
      if (t instanceof String s && a instanceof String x) {
        return op.test(s, x);
      }
      return ERROR;
    };
  }

  private static Node equality(Node left, Node right, boolean negate) {
    return (e, f, b) -> {
      Object l = left.eval(e, f, b);
      Object r = right.eval(e, f, b);
      if (l == ERROR || r == ERROR || l instanceof Opaque || r instanceof Opaque) {
        return ERROR;
      }
      boolean eq;
      if (l instanceof Number a && r instanceof Number z) {
        eq = numericCompare(a, z) == 0 && !isNaN(a) && !isNaN(z);
      } else {
        eq = l.equals(r);
      }
      return negate != eq;
    };
  }

  private interface Verdict {
    boolean of(int comparison);
  }

  private static Node order(Node left, Node right, Verdict verdict) {
    return (e, f, b) -> {
      Object l = left.eval(e, f, b);
      Object r = right.eval(e, f, b);
      if (l instanceof Number a && r instanceof Number z) {
        if (isNaN(a) || isNaN(z)) {
          return false;
        }
        return verdict.of(numericCompare(a, z));
      }
      if (l instanceof String a && r instanceof String z) {
        return verdict.of(Integer.signum(a.compareTo(z)));
      }
      if (l instanceof Boolean a && r instanceof Boolean z) {
        return verdict.of(Boolean.compare(a, z));
      }
      return ERROR;
    };
  }

  private static boolean isNaN(Number n) {
    return n instanceof Double d && d.isNaN();
  }

  private static int numericCompare(Number a, Number b) {
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (a instanceof Long x && b instanceof Double y) {
      return -compareDoubleLong(y, x);
    }
    if (a instanceof Double x && b instanceof Long y) {
      return compareDoubleLong(x, y);
    }
    return Double.compare(a.doubleValue(), b.doubleValue()) < 0
        ? -1
        : a.doubleValue() == b.doubleValue() ? 0 : 1;
  }

  /** Compares a double with a long exactly, as CEL's heterogeneous comparison does. */
  private static int compareDoubleLong(double d, long l) {
    if (d < -9.223372036854776E18) {
      return -1;
    }
    if (d >= 9.223372036854776E18) {
      return 1;
    }
    long truncated = (long) d;
    if (truncated != l) {
      return Long.compare(truncated, l) < 0 ? -1 : 1;
    }
    double fraction = d - truncated;
    return fraction > 0 ? 1 : fraction < 0 ? -1 : 0;
  }
}
