package dev.bulwark.engine.rule;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An inline example of a rule file: events, and the alerts they must raise — a number, or a list of
 * alerts whose given fields ({@code severity}, {@code title}, {@code summary}) must match exactly,
 * in order.
 */
public record RuleTest(
    String name, List<Event> events, int expectedCount, List<Map<String, String>> expected) {
  public RuleTest {
    events = List.copyOf(events);
    expected = List.copyOf(expected);
  }

  /** How one test went. */
  public record Outcome(String rule, String test, boolean passed, String detail) {}

  /**
   * Runs the events through a fresh engine holding only this rule, then ends the stream (so pending
   * "absent" and "at most" windows close), and compares.
   */
  public Outcome run(Rule rule) {
    Engine engine = new Engine(List.of(rule), State.inMemory());
    List<Alert> alerts = new ArrayList<>();
    for (Event e : events) {
      alerts.addAll(engine.process(e));
    }
    alerts.addAll(engine.flush());
    if (!engine.failures().isEmpty()) {
      var f = engine.failures().get(rule.id());
      return new Outcome(
          rule.id(),
          name,
          false,
          "the rule failed on event %s: %s".formatted(f.lastEventId(), f.lastMessage()));
    }
    if (alerts.size() != expectedCount) {
      String titles = alerts.stream().map(a -> "'" + a.title() + "'").toList().toString();
      return new Outcome(
          rule.id(),
          name,
          false,
          "expected %d alert(s), got %d %s".formatted(expectedCount, alerts.size(), titles));
    }
    for (int i = 0; i < expected.size(); i++) {
      Alert a = alerts.get(i);
      for (Map.Entry<String, String> want : expected.get(i).entrySet()) {
        String got =
            switch (want.getKey()) {
              case "severity" -> a.severity().label();
              case "title" -> a.title();
              case "summary" -> a.summary();
              default -> throw new IllegalStateException("unchecked field " + want.getKey());
            };
        if (!got.equals(want.getValue())) {
          return new Outcome(
              rule.id(),
              name,
              false,
              "alert %d: %s is '%s', expected '%s'"
                  .formatted(i + 1, want.getKey(), got, want.getValue()));
        }
      }
    }
    return new Outcome(rule.id(), name, true, alerts.size() + " alert(s) as expected");
  }
}
