package dev.bulwark.engine.detect;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Spreads detection over N partitions, each a single-threaded {@link Engine} with its own state.
 * Work on an event is routed per detector by {@link Detector#route}: all events of one key of one
 * rule meet one partition, in log order. The dispatcher keeps the one watermark of the whole stream
 * and hands it to every task, so whether an event is late, and when a timer fires relative to a
 * key's events, do not depend on N: the alerts are the same for any number of partitions (only
 * their order within a batch differs; {@link #process} returns them sorted).
 */
public final class PartitionedEngine implements AutoCloseable {
  private static final Comparator<Alert> ORDER =
      Comparator.comparing(Alert::time).thenComparing(Alert::id);

  private final Engine[] partitions;
  private final ExecutorService workers;
  private final boolean ownsWorkers;
  private final Engine router;
  private final Duration lateness;
  private Instant newest = Instant.MIN;
  private Instant watermark = Instant.MIN;

  /** One partition's work on one event. */
  private record Task(
      Event event, List<Detector> detectors, boolean late, Instant before, Instant after) {}

  public PartitionedEngine(List<? extends Detector> detectors, int partitions, Duration lateness) {
    this(detectors, partitions, lateness, null);
  }

  /**
   * @param shared threads to run partitions on (at least {@code partitions} of them), shared with
   *     other engines that never process at the same time; null to start this engine's own
   */
  public PartitionedEngine(
      List<? extends Detector> detectors,
      int partitions,
      Duration lateness,
      ExecutorService shared) {
    if (partitions < 1 || partitions > 256) {
      throw new IllegalArgumentException("partitions must be within 1..256, was " + partitions);
    }
    this.lateness = lateness;
    this.router = new Engine(detectors, State.inMemory(), lateness);
    this.partitions = new Engine[partitions];
    for (int i = 0; i < partitions; i++) {
      this.partitions[i] = new Engine(detectors, State.inMemory(), lateness);
    }
    this.ownsWorkers = shared == null && partitions > 1;
    this.workers =
        partitions == 1
            ? null
            : shared != null
                ? shared
                : Executors.newFixedThreadPool(
                    partitions,
                    r -> {
                      Thread t = new Thread(r, "bulwark-partition");
                      t.setDaemon(true);
                      return t;
                    });
  }

  public int partitions() {
    return partitions.length;
  }

  private int partitionOf(String detector, String route) {
    return Math.floorMod((detector + '\u0000' + route).hashCode(), partitions.length);
  }

  /** The alerts of a batch of events, in log order, sorted by time and id. */
  public List<Alert> process(List<Event> batch) {
    List<List<Task>> work = new ArrayList<>(partitions.length);
    for (int i = 0; i < partitions.length; i++) {
      work.add(new ArrayList<>());
    }
    for (Event e : batch) {
      boolean late = e.time().isBefore(watermark);
      if (late) {
        partitions[0].countLate();
      }
      Instant before = watermark;
      if (e.time().isAfter(newest)) {
        newest = e.time();
        watermark = newest.minus(lateness);
      }
      Map<Integer, List<Detector>> split = new HashMap<>();
      for (Detector d : router.candidatesFor(e)) {
        split.computeIfAbsent(partitionOf(d.id(), d.route(e)), k -> new ArrayList<>()).add(d);
      }
      Instant after = watermark;
      split.forEach((p, ds) -> work.get(p).add(new Task(e, ds, late, before, after)));
    }
    Instant end = watermark;
    List<Alert> alerts = new ArrayList<>();
    if (workers == null) {
      alerts.addAll(run(partitions[0], work.get(0), end));
    } else {
      List<Future<List<Alert>>> futures = new ArrayList<>();
      for (int i = 0; i < partitions.length; i++) {
        Engine engine = partitions[i];
        List<Task> tasks = work.get(i);
        futures.add(workers.submit(() -> run(engine, tasks, end)));
      }
      for (Future<List<Alert>> f : futures) {
        try {
          alerts.addAll(f.get());
        } catch (ExecutionException e) {
          throw new BulwarkException("a detection partition failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new BulwarkException("interrupted while detecting", e);
        }
      }
    }
    alerts.sort(ORDER);
    return alerts;
  }

  private static List<Alert> run(Engine engine, List<Task> tasks, Instant end) {
    List<Alert> out = new ArrayList<>();
    for (Task t : tasks) {
      out.addAll(engine.apply(t.event(), t.detectors(), t.late(), t.before(), t.after()));
    }
    out.addAll(engine.advanceTo(end));
    return out;
  }

  /** Ends a finite stream: every pending timer fires. */
  public List<Alert> flush() {
    List<Alert> alerts = new ArrayList<>();
    for (Engine e : partitions) {
      alerts.addAll(e.flush());
    }
    alerts.sort(ORDER);
    return alerts;
  }

  /** Failures so far, per detector, over all partitions. */
  public Map<String, DetectorFailures.Snapshot> failures() {
    List<Map<String, DetectorFailures.Snapshot>> parts = new ArrayList<>();
    for (Engine e : partitions) {
      parts.add(e.failures());
    }
    return DetectorFailures.sum(parts);
  }

  public long lateEvents() {
    return partitions[0].lateEvents();
  }

  /** Entries held over all partitions. */
  public int stateSize() {
    int n = 0;
    for (Engine e : partitions) {
      n += e.state().size();
    }
    return n;
  }

  /**
   * All partitions' state as one snapshot, in the same format as {@link Engine#snapshot()}: it can
   * be restored into any number of partitions.
   */
  public String snapshot() {
    List<State.Entry> entries = new ArrayList<>();
    List<State.Timer> timers = new ArrayList<>();
    for (Engine e : partitions) {
      State.Dump d = e.state().dump();
      entries.addAll(d.entries());
      timers.addAll(d.timers());
    }
    return Snapshots.write(
        newest, lateEvents(), new State.Dump(watermark, entries, timers), router.detectorsById());
  }

  /** Loads a snapshot, spreading its entries over this engine's partitions by their routes. */
  public void restore(String snapshot) {
    Map<String, Detector> byId = router.detectorsById();
    Snapshots.Restored r = Snapshots.read(snapshot, byId);
    List<List<State.Entry>> entries = new ArrayList<>();
    List<List<State.Timer>> timers = new ArrayList<>();
    for (int i = 0; i < partitions.length; i++) {
      entries.add(new ArrayList<>());
      timers.add(new ArrayList<>());
    }
    for (State.Entry e : r.dump().entries()) {
      entries.get(partitionOf(e.detector(), byId.get(e.detector()).routeOfEntry(e.key()))).add(e);
    }
    for (State.Timer t : r.dump().timers()) {
      timers.get(partitionOf(t.detector(), byId.get(t.detector()).routeOfEntry(t.key()))).add(t);
    }
    for (int i = 0; i < partitions.length; i++) {
      partitions[i]
          .state()
          .load(new State.Dump(r.dump().watermark(), entries.get(i), timers.get(i)));
      partitions[i].restoreClocks(r.newest(), i == 0 ? r.late() : 0);
    }
    newest = r.newest();
    watermark = r.dump().watermark();
  }

  @Override
  public void close() {
    if (ownsWorkers) {
      workers.shutdownNow();
    }
  }

  /** A pool for engines that share their partitions' threads. */
  public static ExecutorService threads(int partitions) {
    return Executors.newFixedThreadPool(
        partitions,
        r -> {
          Thread t = new Thread(r, "bulwark-partition");
          t.setDaemon(true);
          return t;
        });
  }
}
