package dev.bulwark.engine.detect;

import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs every detector that could fire on an event and gathers the alerts. Detectors are indexed by
 * the event types they declare. Event time drives everything: the watermark is the newest event
 * time seen minus the allowed lateness; an event older than the watermark is too late for windowed
 * detectors (counted, and still shown to stateless ones), and timers fire as the watermark passes
 * them. A detector that throws does not stop the others: the failure is counted per detector and
 * kept for the API. One engine serves one partition (one thread).
 */
public final class Engine {
  /** The allowed lateness when none is configured. */
  public static final Duration DEFAULT_LATENESS = Duration.ofMinutes(5);

  private final List<Detector> all;
  private final Map<String, Detector> byId = new HashMap<>();
  private final List<Detector> wildcard = new ArrayList<>();
  private final Map<String, List<Detector>> byType = new HashMap<>();
  private final Map<String, List<Detector>> resolved = new HashMap<>();
  private final State state;
  private final Duration lateness;
  private final Map<String, DetectorFailures> failures = new ConcurrentHashMap<>();
  private final AtomicLong late = new AtomicLong();
  private Instant newest = Instant.MIN;

  public Engine(List<? extends Detector> detectors, State state) {
    this(detectors, state, DEFAULT_LATENESS);
  }

  public Engine(List<? extends Detector> detectors, State state, Duration lateness) {
    this.state = Objects.requireNonNull(state, "state");
    if (lateness.isNegative()) {
      throw new IllegalArgumentException("allowed lateness must not be negative, was " + lateness);
    }
    this.lateness = lateness;
    this.all = List.copyOf(detectors);
    for (Detector d : detectors) {
      Detector clash = byId.putIfAbsent(d.id(), d);
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

  /** The alerts raised by this event (and by timers its time made due), in detector order. */
  public List<Alert> process(Event event) {
    List<Detector> candidates = candidatesFor(event);
    boolean tooLate = event.time().isBefore(state.watermark());
    if (tooLate) {
      late.incrementAndGet();
    }
    List<Alert> alerts = inspect(event, candidates, tooLate);
    if (event.time().isAfter(newest)) {
      newest = event.time();
      alerts.addAll(advance(newest.minus(lateness)));
    }
    return alerts;
  }

  /** The detectors an event of its type meets, in detector order. */
  List<Detector> candidatesFor(Event event) {
    return resolved.computeIfAbsent(event.type(), this::candidates);
  }

  /**
   * One partition's share of an event, with the watermark decided by the dispatcher over the whole
   * stream: timers due by the watermark before the event fire first, then the detectors inspect it,
   * then the watermark moves on.
   */
  List<Alert> apply(
      Event event, List<Detector> detectors, boolean tooLate, Instant before, Instant after) {
    List<Alert> alerts = advance(before);
    alerts.addAll(inspect(event, detectors, tooLate));
    alerts.addAll(advance(after));
    return alerts;
  }

  List<Alert> advanceTo(Instant watermark) {
    return advance(watermark);
  }

  private List<Alert> inspect(Event event, List<Detector> candidates, boolean tooLate) {
    List<Alert> alerts = new ArrayList<>(0);
    for (Detector d : candidates) {
      if (tooLate && d.windowed()) {
        continue;
      }
      try {
        alerts.addAll(d.inspect(event, state));
      } catch (RuntimeException e) {
        failures.computeIfAbsent(d.id(), DetectorFailures::new).record(event.id(), e);
      }
    }
    return alerts;
  }

  /**
   * Moves the watermark to the end of time, firing every pending timer: for the end of a finite
   * stream (rule tests, replays), never for a live one.
   */
  public List<Alert> flush() {
    return advance(Instant.MAX);
  }

  private List<Alert> advance(Instant watermark) {
    List<Alert> alerts = new ArrayList<>(0);
    if (!watermark.isAfter(state.watermark())) {
      return alerts;
    }
    for (State.Timer t : state.advance(watermark)) {
      Detector d = byId.get(t.detector());
      if (d == null) {
        continue; // the detector was removed since it scheduled the timer
      }
      try {
        alerts.addAll(d.onTimer(t.key(), t.due(), state));
      } catch (RuntimeException e) {
        failures.computeIfAbsent(d.id(), DetectorFailures::new).record("timer:" + t.key(), e);
      }
    }
    state.expire();
    return alerts;
  }

  private List<Detector> candidates(String type) {
    List<Detector> list = new ArrayList<>(byType.getOrDefault(type, List.of()));
    list.addAll(wildcard);
    list.sort((a, b) -> Integer.compare(all.indexOf(a), all.indexOf(b)));
    return List.copyOf(list);
  }

  /** Failures so far, per detector id. Safe to read from another thread. */
  public Map<String, DetectorFailures.Snapshot> failures() {
    Map<String, DetectorFailures.Snapshot> out = new HashMap<>();
    failures.forEach((id, f) -> out.put(id, f.snapshot()));
    return out;
  }

  /** Events that arrived later than the allowed lateness, so windowed detectors skipped them. */
  public long lateEvents() {
    return late.get();
  }

  /** The current watermark. */
  public Instant watermark() {
    return state.watermark();
  }

  /** How many detectors this engine runs. */
  public int size() {
    return all.size();
  }

  Map<String, Detector> detectorsById() {
    return byId;
  }

  Instant newest() {
    return newest;
  }

  void restoreClocks(Instant newest, long late) {
    this.newest = newest;
    this.late.set(late);
  }

  void countLate() {
    late.incrementAndGet();
  }

  /** The engine's state and clocks as JSON text, for a snapshot taken between two events. */
  public String snapshot() {
    return Snapshots.write(newest, late.get(), state.dump(), byId);
  }

  /**
   * Loads a snapshot taken by an engine with (possibly) other detectors: entries of detectors that
   * are gone, or whose fingerprint changed, are left out.
   */
  public void restore(String snapshot) {
    Snapshots.Restored r = Snapshots.read(snapshot, byId);
    state.load(r.dump());
    newest = r.newest();
    late.set(r.late());
  }

  /** The state this engine keeps (for metrics and snapshots). */
  public State state() {
    return state;
  }
}
