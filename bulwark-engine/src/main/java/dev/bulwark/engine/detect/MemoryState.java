package dev.bulwark.engine.detect;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Supplier;

/** {@link State} in hash maps and priority queues; one per engine partition, not thread-safe. */
final class MemoryState implements State {
  private record Key(String detector, String key) {}

  private static final class Slot {
    Object value;
    Instant keepUntil = Instant.MIN;
  }

  private record Expiry(Instant at, Key key) {}

  private static final Comparator<Expiry> BY_TIME =
      Comparator.comparing(Expiry::at)
          .thenComparing(e -> e.key().detector())
          .thenComparing(e -> e.key().key());
  private static final Comparator<Timer> TIMER_ORDER =
      Comparator.comparing(Timer::due).thenComparing(Timer::detector).thenComparing(Timer::key);

  private final Map<Key, Slot> slots = new HashMap<>();
  private final PriorityQueue<Expiry> expiries = new PriorityQueue<>(BY_TIME);
  private final PriorityQueue<Timer> timers = new PriorityQueue<>(TIMER_ORDER);
  private Instant watermark = Instant.MIN;

  @Override
  public <T> T entry(String detector, String key, Supplier<T> create) {
    Slot slot =
        slots.computeIfAbsent(
            new Key(detector, Objects.requireNonNull(key, "key")), k -> new Slot());
    if (slot.value == null) {
      slot.value = create.get();
    }
    @SuppressWarnings("unchecked")
    T value = (T) slot.value;
    return value;
  }

  @Override
  public void remove(String detector, String key) {
    slots.remove(new Key(detector, key));
  }

  @Override
  public void keepUntil(String detector, String key, Instant until) {
    Slot slot = slots.get(new Key(detector, key));
    if (slot != null && until.isAfter(slot.keepUntil)) {
      slot.keepUntil = until;
      expiries.add(new Expiry(until, new Key(detector, key)));
    }
  }

  @Override
  public void schedule(String detector, String key, Instant due) {
    timers.add(new Timer(detector, key, due));
  }

  @Override
  public Instant watermark() {
    return watermark;
  }

  @Override
  public List<Timer> advance(Instant to) {
    if (to.isAfter(watermark)) {
      watermark = to;
    }
    List<Timer> due = new ArrayList<>();
    while (!timers.isEmpty() && !timers.peek().due().isAfter(watermark)) {
      Timer t = timers.poll();
      if (due.isEmpty() || !due.get(due.size() - 1).equals(t)) {
        due.add(t);
      }
    }
    return due;
  }

  @Override
  public void expire() {
    while (!expiries.isEmpty() && expiries.peek().at().isBefore(watermark)) {
      Expiry e = expiries.poll();
      Slot slot = slots.get(e.key());
      // Only the newest keepUntil of a slot counts; older queue entries are stale.
      if (slot != null && !slot.keepUntil.isAfter(e.at())) {
        slots.remove(e.key());
      }
    }
  }

  @Override
  public int size() {
    return slots.size();
  }

  @Override
  public Dump dump() {
    List<Entry> entries = new ArrayList<>(slots.size());
    slots.forEach(
        (k, slot) -> {
          if (slot.value != null) {
            entries.add(new Entry(k.detector(), k.key(), slot.keepUntil, slot.value));
          }
        });
    entries.sort(Comparator.comparing(Entry::detector).thenComparing(Entry::key));
    List<Timer> pending = new ArrayList<>(timers);
    pending.sort(TIMER_ORDER);
    return new Dump(watermark, entries, pending);
  }

  @Override
  public void load(Dump dump) {
    slots.clear();
    expiries.clear();
    timers.clear();
    watermark = dump.watermark();
    for (Entry e : dump.entries()) {
      Slot slot = new Slot();
      slot.value = e.value();
      slots.put(new Key(e.detector(), e.key()), slot);
      keepUntil(e.detector(), e.key(), e.keepUntil());
    }
    timers.addAll(dump.timers());
  }
}
