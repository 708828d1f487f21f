package dev.bulwark.engine.detect;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** How often one detector has thrown, and the last failure, for metrics, logs and the API. */
public final class DetectorFailures {
  private final String detector;
  private final AtomicLong count = new AtomicLong();
  private final AtomicReference<Snapshot> last = new AtomicReference<>();

  DetectorFailures(String detector) {
    this.detector = detector;
  }

  void record(String eventId, RuntimeException e) {
    long n = count.incrementAndGet();
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    last.set(new Snapshot(detector, n, eventId, message));
  }

  Snapshot snapshot() {
    Snapshot s = last.get();
    return new Snapshot(detector, count.get(), s.lastEventId(), s.lastMessage());
  }

  /** Adds up the failures of several engines (partitions, organisations), per detector. */
  public static Map<String, Snapshot> sum(Iterable<Map<String, Snapshot>> parts) {
    Map<String, Snapshot> sum = new HashMap<>();
    for (Map<String, Snapshot> part : parts) {
      part.forEach(
          (id, f) ->
              sum.merge(
                  id,
                  f,
                  (a, b) ->
                      new Snapshot(id, a.count() + b.count(), b.lastEventId(), b.lastMessage())));
    }
    return sum;
  }

  /** The count of failures and the most recent one. */
  public record Snapshot(String detector, long count, String lastEventId, String lastMessage) {}
}
