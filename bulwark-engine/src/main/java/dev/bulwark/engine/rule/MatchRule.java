package dev.bulwark.engine.rule;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A compiled {@code match:} rule: one event, one CEL condition, one alert per matching event. */
public final class MatchRule extends Rule {
  private final Condition where;

  MatchRule(Meta meta, Condition where) {
    super(meta);
    this.where = where;
  }

  @Override
  Optional<KeyFn> groupBy() {
    return Optional.empty();
  }

  @Override
  public String kind() {
    return "match";
  }

  /** Only the event types its condition can match; empty (any type) when that is not evident. */
  @Override
  public Set<String> eventTypes() {
    return where.eventTypes();
  }

  /** The condition as written. */
  public String where() {
    return where.toString();
  }

  @Override
  public List<Alert> inspect(Event event, State state) {
    if (!where.test(event)) {
      return List.of();
    }
    return fire(state, event, null, event.id(), event.time(), Map.of(), Map.of(), List.of(event))
        .map(List::of)
        .orElse(List.of());
  }
}
