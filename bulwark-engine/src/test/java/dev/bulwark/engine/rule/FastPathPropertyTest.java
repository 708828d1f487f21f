package dev.bulwark.engine.rule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.event.Event;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The plain-Java fast path agrees with the CEL interpreter — on values and on errors — for random
 * expressions over random events with fields missing. The seed is in the failure message.
 */
final class FastPathPropertyTest {
  private static final String[] FIELDS = {
    "e.type",
    "e.account",
    "e.ip",
    "e.amount_usd",
    "e.attrs.n",
    "e.attrs.tor",
    "e.attrs.name",
    "b.x",
    "b.n"
  };
  private static final String[] CONSTANTS = {
    "\"auth.login\"",
    "\"u1\"",
    "\"10.0.0.1\"",
    "5",
    "5.0",
    "7.5",
    "-3",
    "0",
    "true",
    "false",
    "\"\"",
    "\"u\""
  };
  private static final String[] OPS = {"==", "!=", "<", "<=", ">", ">="};

  private static String operand(Random r) {
    return r.nextBoolean()
        ? FIELDS[r.nextInt(FIELDS.length)]
        : CONSTANTS[r.nextInt(CONSTANTS.length)];
  }

  private static String expr(Random r, int depth) {
    int choice = depth > 2 ? r.nextInt(4) : r.nextInt(8);
    return switch (choice) {
      case 0, 1 -> operand(r) + " " + OPS[r.nextInt(OPS.length)] + " " + operand(r);
      case 2 -> "has(" + FIELDS[r.nextInt(7)] + ")";
      case 3 ->
          FIELDS[r.nextInt(FIELDS.length)]
              + " in ["
              + CONSTANTS[r.nextInt(CONSTANTS.length)]
              + ", "
              + CONSTANTS[r.nextInt(CONSTANTS.length)]
              + "]";
      case 4 -> "(" + expr(r, depth + 1) + ") && (" + expr(r, depth + 1) + ")";
      case 5 -> "(" + expr(r, depth + 1) + ") || (" + expr(r, depth + 1) + ")";
      case 6 -> "!(" + expr(r, depth + 1) + ")";
      default -> FIELDS[r.nextInt(3) + 1] + ".startsWith(\"u\")";
    };
  }

  private static Event event(Random r) {
    Map<String, Object> attrs = new LinkedHashMap<>();
    if (r.nextBoolean()) {
      attrs.put(
          "n",
          r.nextBoolean()
              ? (Object) (long) (r.nextInt(11) - 3)
              : (Object) (r.nextInt(11) - 3 + 0.5));
    }
    if (r.nextBoolean()) {
      attrs.put("tor", r.nextBoolean());
    }
    if (r.nextBoolean()) {
      attrs.put("name", r.nextBoolean() ? "u1" : "x");
    }
    return new Event(
        "id",
        r.nextBoolean() ? "auth.login" : "wallet.deposit",
        Instant.EPOCH,
        null,
        r.nextBoolean() ? "u1" : (r.nextBoolean() ? "v2" : null),
        r.nextBoolean() ? "10.0.0.1" : null,
        null,
        null,
        null,
        null,
        r.nextBoolean() ? (double) (r.nextInt(11) - 3) : null,
        null,
        null,
        null,
        attrs);
  }

  @Test
  void theFastPathAgreesWithCel() {
    int compared = 0;
    int errors = 0;
    for (long seed = 1; seed <= 400; seed++) {
      Random r = new Random(seed);
      String text = expr(r, 0);
      Condition.Compiled compiled = Condition.compile(text, Condition.Env.STEP);
      if (compiled.condition() == null) {
        continue; // a type error the checker caught: nothing to run
      }
      Condition c = compiled.condition();
      assertThat(c.fast()).as("seed %d: %s is in the fast subset", seed, text).isTrue();
      for (int i = 0; i < 25; i++) {
        Event e = event(r);
        Map<String, Object> bound = new HashMap<>();
        if (r.nextBoolean()) {
          bound.put("x", r.nextBoolean() ? "u1" : "zz");
        }
        if (r.nextBoolean()) {
          bound.put("n", (long) r.nextInt(10));
        }
        Object celValue;
        try {
          celValue = c.cel(e, bound);
        } catch (Condition.ConditionException ex) {
          celValue = FastPath.ERROR;
          errors++;
        }
        Object fastValue = FastPath.of(Condition.compileAst(text)).orElseThrow().eval(e, bound);
        assertThat(fastValue)
            .as("seed %d: %s on %s with b=%s", seed, text, e, bound)
            .isEqualTo(celValue);
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(2000);
    assertThat(errors).as("errors were exercised").isGreaterThan(100);
  }
}
