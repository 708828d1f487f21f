package dev.bulwark.engine.detect;

import java.time.Duration;
import java.time.Instant;

/**
 * Per-key memory of detectors, in event time. In memory here; the Kafka runner keeps it in state
 * stores. Detectors address it by their own id and a key, so two detectors never share entries.
 */
public interface State {
  /** A sliding window of timestamps for one detector and key. */
  Window window(String detector, String key, Duration span);

  /** Drops every entry older than the window that needs it, as of {@code now} in event time. */
  void expire(Instant now);

  /** A fresh in-memory state. */
  static State inMemory() {
    return new MemoryState();
  }

  /** Timestamps within a sliding span ending at the newest one. */
  interface Window {
    /** Adds a timestamp and returns how many lie within the span ending at the newest one. */
    int add(Instant time);

    /** How many timestamps the window holds now. */
    int size();
  }
}
