package dev.bulwark.engine.detect;

import dev.bulwark.engine.event.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs every detector that could fire on an event and gathers the alerts. Detectors are indexed by
 * the event types they declare. A detector that throws does not stop the others: the failure is
 * counted per detector and kept for the API. One engine serves one partition (one thread).
 */
public final class Engine {
  private final List<Detector> all;
  private final List<Detector> wildcard = new ArrayList<>();
  private final Map<String, List<Detector>> byType = new HashMap<>();
  private final Map<String, List<Detector>> resolved = new HashMap<>();
  private final State state;
  private final Map<String, DetectorFailures> failures = new ConcurrentHashMap<>();

  public Engine(List<? extends Detector> detectors, State state) {
    this.state = Objects.requireNonNull(state, "state");
    this.all = List.copyOf(detectors);
    Map<String, Detector> seen = new HashMap<>();
    for (Detector d : detectors) {
      Detector clash = seen.putIfAbsent(d.id(), d);
      if (clash != null) {
        throw new IllegalArgumentException("two detectors share the id '" + d.id() + "'");
      }
      if (d.eventTypes().isEmpty()) {
        wildcard.add(d);
      } else {
        d.eventTypes().forEach(t -> byType.computeIfAbsent(t, k -> new ArrayList<>()).add(d));
      }
    }
  }

  /** The alerts raised by this event, in detector order. */
  public List<Alert> process(Event event) {
    List<Detector> candidates = resolved.computeIfAbsent(event.type(), this::candidates);
    List<Alert> alerts = new ArrayList<>(0);
    for (Detector d : candidates) {
      try {
        alerts.addAll(d.inspect(event, state));
      } catch (RuntimeException e) {
        failures.computeIfAbsent(d.id(), DetectorFailures::new).record(event, e);
      }
    }
    return alerts;
  }

  private List<Detector> candidates(String type) {
    List<Detector> list = new ArrayList<>(byType.getOrDefault(type, List.of()));
    list.addAll(wildcard);
    return List.copyOf(list);
  }

  /** Failures so far, per detector id. Safe to read from another thread. */
  public Map<String, DetectorFailures.Snapshot> failures() {
    Map<String, DetectorFailures.Snapshot> out = new HashMap<>();
    failures.forEach((id, f) -> out.put(id, f.snapshot()));
    return out;
  }

  /** How many detectors this engine runs. */
  public int size() {
    return all.size();
  }
}
