package dev.bulwark.server.detect;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.DetectorFailures;
import dev.bulwark.engine.detect.PartitionedEngine;
import dev.bulwark.engine.event.Event;
import dev.bulwark.server.alert.AlertStore;
import dev.bulwark.server.ingest.EventStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the durable event log through the engine and stores the alerts. Driven by the log, not by
 * requests: alerts of a batch and the new checkpoint commit in one transaction, so a crash at any
 * point means the events after the checkpoint are simply read again on restart, and alert ids,
 * derived from dedup keys, keep a replay from storing anything twice.
 */
public final class DetectionPump implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DetectionPump.class);
  static final String CHECKPOINT = "detect";
  private static final Duration FAILURE_LOG_INTERVAL = Duration.ofMinutes(1);
  private static final Duration SNAPSHOT_INTERVAL = Duration.ofSeconds(30);

  private final EventStore events;
  private final AlertStore alerts;
  private final Jdbi jdbi;
  private final Checkpoints checkpoints;
  private final SnapshotStore snapshots;
  private long snapshotSeq;
  private Instant lastSnapshot = Instant.MIN;
  private final LongFunction<List<? extends Detector>> detectors;
  private final Duration lateness;
  private final int partitions;
  private final ExecutorService threads;
  private final Map<Long, PartitionedEngine> engines = new ConcurrentHashMap<>();
  private final MeterRegistry metrics;
  private final Outbox outbox;
  private final Runnable onQueued;

  /**
   * Where fresh alerts are queued for notification, inside the transaction that stores them (so a
   * crash loses no notification and a replay queues none twice).
   */
  public interface Outbox {
    int enqueue(Handle h, long orgId, List<Alert> fresh);

    /** No notifiers. */
    Outbox NONE = (h, org, fresh) -> 0;
  }

  private final Clock clock;
  private final int batchSize;
  private final AtomicLong position = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition progress = lock.newCondition();
  private final Set<String> failureMeters = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> failuresLogged = new HashMap<>();
  private Instant lastFailureLog = Instant.MIN;
  private boolean signalled;
  private volatile boolean running;
  private Thread thread;

  public DetectionPump(
      Jdbi jdbi,
      EventStore events,
      AlertStore alerts,
      LongFunction<List<? extends Detector>> detectors,
      Duration lateness,
      int partitions,
      Outbox outbox,
      Runnable onQueued,
      MeterRegistry metrics,
      Clock clock,
      int batchSize) {
    this.jdbi = jdbi;
    this.events = events;
    this.alerts = alerts;
    this.checkpoints = new Checkpoints(jdbi, clock);
    this.detectors = detectors;
    this.lateness = lateness;
    this.partitions = partitions;
    this.threads = partitions > 1 ? PartitionedEngine.threads(partitions) : null;
    this.outbox = outbox;
    this.onQueued = onQueued;
    this.metrics = metrics;
    this.clock = clock;
    this.batchSize = batchSize;
    this.snapshots = new SnapshotStore(jdbi, clock);
    this.position.set(restore());
    Gauge.builder("bulwark.detection.lag", this, p -> Math.max(0, events.lastSeq() - p.position()))
        .description("events stored but not yet through detection")
        .baseUnit("events")
        .register(metrics);
    FunctionCounter.builder("bulwark.events.late", this, DetectionPump::lateEvents)
        .description("events later than the allowed lateness: windowed rules skipped them")
        .register(metrics);
  }

  /**
   * Restores every organisation's engine from the last snapshot and returns the log position to
   * resume from: the snapshot's. The events between it and the checkpoint are processed again;
   * their alerts are already stored and, having the same ids, are not stored twice.
   */
  private long restore() {
    long checkpoint = checkpoints.get(CHECKPOINT);
    var saved = snapshots.load();
    long from = 0;
    if (saved.isPresent()) {
      try {
        saved.get().byOrg().forEach((org, text) -> engine(org).restore(text));
        from = saved.get().seq();
      } catch (RuntimeException e) {
        engines.clear();
        LOG.warn(
            "could not restore the detection snapshot ({}); rebuilding state from the whole event log",
            e.getMessage());
        from = 0;
      }
    }
    snapshotSeq = from;
    if (checkpoint > from) {
      LOG.info(
          "detection resumes from event {} (snapshot) and replays up to {} (checkpoint)",
          from,
          checkpoint);
    }
    return from;
  }

  /** Saves every engine's state at the current position, if it moved since the last snapshot. */
  public synchronized void snapshot() {
    long at = position.get();
    if (at == snapshotSeq && lastSnapshot != Instant.MIN) {
      return;
    }
    Map<Long, String> byOrg = new HashMap<>();
    engines.forEach((org, engine) -> byOrg.put(org, engine.snapshot()));
    snapshots.save(at, byOrg);
    snapshotSeq = at;
    lastSnapshot = clock.instant();
  }

  /** The sequence number of the last event through detection. */
  public long position() {
    return position.get();
  }

  /** Starts the background thread. */
  public void start() {
    running = true;
    thread = new Thread(this::loop, "bulwark-detect");
    thread.setDaemon(true);
    thread.start();
  }

  /** Tells the pump that new events were stored. Cheap; never blocks. */
  public void wake() {
    lock.lock();
    try {
      signalled = true;
      work.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    Duration backoff = Duration.ofMillis(100);
    while (running) {
      try {
        int n = runOnce();
        backoff = Duration.ofMillis(100);
        logFailures();
        if (Duration.between(lastSnapshot, clock.instant()).compareTo(SNAPSHOT_INTERVAL) >= 0
            || lastSnapshot == Instant.MIN) {
          snapshot();
        }
        if (n < batchSize) {
          awaitWork(Duration.ofSeconds(1));
        }
      } catch (RuntimeException e) {
        LOG.warn("detection paused: {}; retrying in {} ms", e.getMessage(), backoff.toMillis());
        awaitWork(backoff);
        backoff =
            backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
                ? Duration.ofSeconds(30)
                : backoff.multipliedBy(2);
      }
    }
  }

  private void awaitWork(Duration max) {
    lock.lock();
    try {
      if (!signalled && running) {
        work.await(max.toMillis(), TimeUnit.MILLISECONDS);
      }
      signalled = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs one batch of the log through the engine and commits its alerts with the checkpoint.
   *
   * @return how many events were processed
   */
  public synchronized int runOnce() {
    long from = position.get();
    List<EventStore.Stored> batch = events.readAfter(from, batchSize);
    if (batch.isEmpty()) {
      return 0;
    }
    Map<Long, List<Event>> eventsByOrg = new LinkedHashMap<>();
    for (EventStore.Stored s : batch) {
      eventsByOrg.computeIfAbsent(s.orgId(), k -> new ArrayList<>()).add(s.event());
    }
    Map<Long, List<Alert>> byOrg = new LinkedHashMap<>();
    eventsByOrg.forEach(
        (org, list) -> {
          List<Alert> raised = new ArrayList<>(engine(org).process(list));
          raised.addAll(correlator(org).observe(raised));
          if (!raised.isEmpty()) {
            byOrg.put(org, raised);
          }
        });
    long last = batch.get(batch.size() - 1).seq();
    int[] queued = {0};
    List<Alert> stored =
        jdbi.inTransaction(
            h -> {
              List<Alert> inserted = new ArrayList<>();
              byOrg.forEach(
                  (org, list) -> {
                    List<Alert> fresh = alerts.insert(h, org, list);
                    inserted.addAll(fresh);
                    queued[0] += outbox.enqueue(h, org, fresh);
                  });
              checkpoints.save(h, CHECKPOINT, last);
              return inserted;
            });
    // counted before the position moves, so whoever waits for the position sees them
    for (Alert a : stored) {
      Counter.builder("bulwark.alerts.raised")
          .tag("rule", a.rule())
          .tag("severity", a.severity().label())
          .register(metrics)
          .increment();
    }
    metrics.counter("bulwark.detection.events").increment(batch.size());
    position.set(last);
    if (queued[0] > 0) {
      onQueued.run();
    }
    lock.lock();
    try {
      progress.signalAll();
    } finally {
      lock.unlock();
    }
    return batch.size();
  }

  /**
   * Waits until detection has processed the log up to {@code seq}, at most {@code max}.
   *
   * @return whether it got there in time
   */
  public boolean awaitPosition(long seq, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    lock.lock();
    try {
      while (position.get() < seq) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !running) {
          return position.get() >= seq;
        }
        progress.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The engine of one organisation. Each has its own state and watermark, so one member's events
   * never count towards another's windows.
   */
  private static final int SEED_PAGES = 200;

  private final Map<Long, dev.bulwark.engine.pack.StageCorrelator> correlators =
      new ConcurrentHashMap<>();

  /**
   * The organisation's multi-stage correlator, seeded with its stage-tagged alerts of the last 11
   * days, read page by page (so a restart forgets nothing it needs, however busy the days were).
   */
  private dev.bulwark.engine.pack.StageCorrelator correlator(long orgId) {
    return correlators.computeIfAbsent(
        orgId,
        id -> {
          var c = new dev.bulwark.engine.pack.StageCorrelator();
          // every page of the last 11 days (up to SEED_PAGES pages), oldest first
          List<Alert> recent = new ArrayList<>();
          java.util.Optional<dev.bulwark.server.alert.AlertCursor> after =
              java.util.Optional.empty();
          for (int page = 0; page < SEED_PAGES; page++) {
            var p =
                alerts.list(
                    id,
                    new dev.bulwark.server.alert.AlertQuery(
                        java.util.EnumSet.allOf(dev.bulwark.engine.detect.Severity.class),
                        java.util.Optional.empty(),
                        java.util.Optional.of(clock.instant().minus(Duration.ofDays(11))),
                        java.util.Optional.empty(),
                        dev.bulwark.server.alert.AlertQuery.MAX_LIMIT,
                        after));
            for (Alert a : p.alerts()) {
              if (a.tags().stream().anyMatch(t -> t.startsWith("stage."))
                  || a.rule().equals(dev.bulwark.engine.pack.StageCorrelator.ID)) {
                recent.add(a);
              }
            }
            after = p.next();
            if (after.isEmpty()) {
              break;
            }
            if (page == SEED_PAGES - 1) {
              LOG.warn(
                  "organisation {}: more than {} alerts in 11 days; the correlator starts from the newest",
                  id,
                  SEED_PAGES * dev.bulwark.server.alert.AlertQuery.MAX_LIMIT);
            }
          }
          java.util.Collections.reverse(recent);
          c.observe(recent);
          return c;
        });
  }

  private PartitionedEngine engine(long orgId) {
    return engines.computeIfAbsent(
        orgId, id -> new PartitionedEngine(detectors.apply(id), partitions, lateness, threads));
  }

  /**
   * Applies a change of rules between two batches: the organisation's engine (or every engine, for
   * {@link RuleCatalog#ALL}) is rebuilt from a snapshot of the old one, so rules whose text did not
   * change keep their windows and sequences, and changed or new rules start empty.
   */
  public synchronized void reload(long org) {
    List<Long> orgs = org == RuleCatalog.ALL ? List.copyOf(engines.keySet()) : List.of(org);
    for (long o : orgs) {
      PartitionedEngine old = engines.get(o);
      if (old == null) {
        continue;
      }
      PartitionedEngine fresh =
          new PartitionedEngine(detectors.apply(o), partitions, lateness, threads);
      fresh.restore(old.snapshot());
      engines.put(o, fresh);
      old.close();
    }
  }

  /** Processes until the log is drained; for the CLI's {@code --local} ingest and for tests. */
  public void drain() {
    while (runOnce() > 0) {
      // keep going
    }
    logFailures();
  }

  /** Rule failures are counted on every event but logged at most once a minute per rule. */
  private void logFailures() {
    Map<String, DetectorFailures.Snapshot> failures = failures();
    failures.keySet().forEach(this::registerFailureMeter);
    Instant now = clock.instant();
    if (Duration.between(lastFailureLog, now).compareTo(FAILURE_LOG_INTERVAL) < 0
        && lastFailureLog != Instant.MIN) {
      return;
    }
    failures.forEach(
        (id, f) -> {
          long before = failuresLogged.getOrDefault(id, 0L);
          if (f.count() > before) {
            LOG.warn(
                "rule {} failed on {} event(s) (total {}); last on event {}: {}",
                id,
                f.count() - before,
                f.count(),
                f.lastEventId(),
                f.lastMessage());
            failuresLogged.put(id, f.count());
            lastFailureLog = now;
          }
        });
  }

  private void registerFailureMeter(String detector) {
    if (failureMeters.add(detector)) {
      FunctionCounter.builder(
              "bulwark.rule.errors",
              this,
              p -> {
                DetectorFailures.Snapshot s = p.failures().get(detector);
                return s == null ? 0 : s.count();
              })
          .tag("rule", detector)
          .description("evaluations of a rule that failed (e.g. a CEL error on odd data)")
          .register(metrics);
    }
  }

  /** Failures so far, per rule, summed over every organisation's engine, for the API. */
  public Map<String, DetectorFailures.Snapshot> failures() {
    return DetectorFailures.sum(
        engines.values().stream().map(PartitionedEngine::failures).toList());
  }

  /** Events that came later than the allowed lateness, over every organisation. */
  public long lateEvents() {
    return engines.values().stream().mapToLong(PartitionedEngine::lateEvents).sum();
  }

  /** Stops the thread after its current batch and saves a last snapshot. */
  @Override
  public void close() {
    running = false;
    wake();
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      snapshot();
    } catch (RuntimeException e) {
      LOG.warn("could not save the detection snapshot on shutdown: {}", e.getMessage());
    }
    if (threads != null) {
      threads.shutdownNow();
    }
  }
}
