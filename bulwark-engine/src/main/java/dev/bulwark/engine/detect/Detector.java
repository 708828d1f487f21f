package dev.bulwark.engine.detect;

import dev.bulwark.engine.event.Event;
import java.util.List;
import java.util.Set;

/**
 * Looks at one event at a time, in event time, and raises alerts. Detectors are rules compiled from
 * YAML or hand-written code; the engine does not care which.
 */
public interface Detector {
  /** A stable dotted id such as {@code drain.burst}, used in alerts, logs and metrics. */
  String id();

  /**
   * The event types this detector can fire on; the engine only shows it those. Empty means every
   * type.
   */
  default Set<String> eventTypes() {
    return Set.of();
  }

  /** The alerts this event raises, if any. May throw: the engine records it and carries on. */
  List<Alert> inspect(Event event, State state);
}
