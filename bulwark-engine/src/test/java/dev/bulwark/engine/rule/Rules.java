package dev.bulwark.engine.rule;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test helpers: compile a rule from YAML and run events through an engine holding only it. */
final class Rules {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private Rules() {}

  static Rule compile(String yaml) {
    return new RuleCompiler().compile("r.yml", yaml);
  }

  /** An engine with the rule, 5 minutes of allowed lateness. */
  static Engine engine(Rule rule) {
    return new Engine(List.of(rule), State.inMemory(), Duration.ofMinutes(5));
  }

  static List<Alert> run(Engine engine, Event... events) {
    List<Alert> out = new ArrayList<>();
    for (Event e : events) {
      out.addAll(engine.process(e));
    }
    return out;
  }

  static Event at(long seconds, String id, String type, String account, String ip) {
    return new Event(
        id,
        type,
        T0.plusSeconds(seconds),
        null,
        account,
        ip,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        Map.of());
  }

  static Event withdrawal(long seconds, String id, String account, String to, double usd) {
    return new Event(
        id,
        "wallet.withdrawal_requested",
        T0.plusSeconds(seconds),
        null,
        account,
        null,
        null,
        null,
        "USDC",
        null,
        usd,
        null,
        to,
        null,
        Map.of());
  }
}
