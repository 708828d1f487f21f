package dev.bulwark.engine.detect;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/** {@link State} in a hash map; one instance per engine partition, so not thread-safe. */
final class MemoryState implements State {
  private final Map<WindowKey, MemoryWindow> windows = new HashMap<>();

  private record WindowKey(String detector, String key) {}

  @Override
  public Window window(String detector, String key, Duration span) {
    Objects.requireNonNull(detector, "detector");
    Objects.requireNonNull(key, "key");
    if (span.isNegative() || span.isZero()) {
      throw new IllegalArgumentException("a window span must be positive, was " + span);
    }
    return windows.computeIfAbsent(new WindowKey(detector, key), k -> new MemoryWindow(span));
  }

  @Override
  public void expire(Instant now) {
    windows.values().removeIf(w -> w.evictBefore(now.minus(w.span)) == 0);
  }

  int keys() {
    return windows.size();
  }

  /** Keeps timestamps ordered, so out-of-order arrivals still count where they belong. */
  private static final class MemoryWindow implements Window {
    private final Duration span;
    private final PriorityQueue<Instant> times = new PriorityQueue<>();
    private Instant newest = Instant.MIN;

    MemoryWindow(Duration span) {
      this.span = span;
    }

    @Override
    public int add(Instant time) {
      times.add(time);
      if (time.isAfter(newest)) {
        newest = time;
      }
      // The window is (newest - span, newest]: an entry exactly span old has left it.
      return evictBefore(newest.minus(span).plusNanos(1));
    }

    int evictBefore(Instant cutoff) {
      while (!times.isEmpty() && times.peek().isBefore(cutoff)) {
        times.poll();
      }
      return times.size();
    }

    @Override
    public int size() {
      return times.size();
    }
  }
}
