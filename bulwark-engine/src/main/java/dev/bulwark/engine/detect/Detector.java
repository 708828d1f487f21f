package dev.bulwark.engine.detect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Looks at one event at a time, in event time, and raises alerts. Detectors are rules compiled from
 * YAML or hand-written code; the engine does not care which. A detector keeps no mutable fields:
 * what it remembers lives in the {@link State} it is given, so one instance can serve many
 * partitions and its memory can be snapshotted.
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

  /**
   * Whether the detector reasons over windows of event time. Such a detector does not see events
   * that arrive later than the allowed lateness (they are counted instead); a stateless one sees
   * every event.
   */
  default boolean windowed() {
    return false;
  }

  /** The alerts this event raises, if any. May throw: the engine records it and carries on. */
  List<Alert> inspect(Event event, State state);

  /** Called when a timer the detector scheduled comes due (the watermark reached it). */
  default List<Alert> onTimer(String key, Instant due, State state) {
    return List.of();
  }

  /**
   * Where this detector's work on an event belongs when events are spread over partitions: the key
   * its state for the event is kept under (events of one key must meet one partition). The default
   * — the event id — suits detectors without state.
   */
  default String route(Event event) {
    return event.id();
  }

  /** The route of a state entry, so a snapshot can be spread over any number of partitions. */
  default String routeOfEntry(String key) {
    return key;
  }

  /**
   * What the detector's state means: a restore keeps a detector's entries only while this is
   * unchanged (a rule whose text changed starts afresh).
   */
  default String fingerprint() {
    return id();
  }

  /** One of this detector's state entries as JSON, for a snapshot. */
  default JsonNode saveEntry(String key, Object value) {
    throw new UnsupportedOperationException(id() + " keeps no state to snapshot");
  }

  /** The inverse of {@link #saveEntry}. */
  default Object loadEntry(String key, JsonNode json) {
    throw new UnsupportedOperationException(id() + " keeps no state to restore");
  }
}
