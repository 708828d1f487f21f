package dev.bulwark.engine.detect;

import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * Per-key memory of detectors, in event time. Detectors address it by their own id and a key, so
 * two detectors never share entries. Entries expire: a detector says how long an entry is needed
 * ({@link #keepUntil}) and the engine drops it once the watermark has passed that. Detectors may
 * also ask to be called back when the watermark passes a time ({@link #schedule}), for "not
 * followed by" and "at most" conditions. One state serves one engine partition; in memory here, in
 * Kafka Streams state stores in the scale-out runner.
 */
public interface State {
  /** The entry of a detector for a key, made by {@code create} when there is none. */
  <T> T entry(String detector, String key, Supplier<T> create);

  /** Forgets an entry now. */
  void remove(String detector, String key);

  /** Keeps the entry at least until the watermark passes {@code until}; then it is dropped. */
  void keepUntil(String detector, String key, Instant until);

  /** Asks for {@link Detector#onTimer} with this key once the watermark reaches {@code due}. */
  void schedule(String detector, String key, Instant due);

  /**
   * The event time before which no more events are expected (the newest event time seen minus the
   * allowed lateness); {@link Instant#MIN} before the first event.
   */
  Instant watermark();

  /**
   * Moves the watermark forward (never back) and returns the timers now due, in due-time order.
   * Called by the engine, which then runs the timers and calls {@link #expire()}.
   */
  List<Timer> advance(Instant watermark);

  /** Drops the entries whose keep-until time the watermark has passed. */
  void expire();

  /** How many entries are held. */
  int size();

  /** Every entry and pending timer, for a snapshot. */
  Dump dump();

  /** Replaces this state's contents with a dump (entries the caller kept), for a restore. */
  void load(Dump dump);

  /** The contents of a state at one moment. */
  record Dump(Instant watermark, List<Entry> entries, List<Timer> timers) {
    public Dump {
      entries = List.copyOf(entries);
      timers = List.copyOf(timers);
    }
  }

  /** One entry of a dump. */
  record Entry(String detector, String key, Instant keepUntil, Object value) {}

  /** A timer that came due. */
  record Timer(String detector, String key, Instant due) {}

  /** A fresh in-memory state. */
  static State inMemory() {
    return new MemoryState();
  }
}
