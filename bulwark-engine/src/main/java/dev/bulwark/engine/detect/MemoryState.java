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

/**
 * {@link State} in hash maps and priority queues; one per engine partition, not thread-safe.
 * Entries are held per detector (one map each, so keys of different detectors never collide), and
 * each entry has at most one place in the expiry queue: when it comes up but was kept longer
 * meanwhile, it is queued again rather than queued on every update.
 */
final class MemoryState implements State {
  private static final class Slot {
    final String detector;
    final String key;
    Object value;
    Instant keepUntil = Instant.MIN;
    boolean queued;

    Slot(String detector, String key) {
      this.detector = detector;
      this.key = key;
    }
  }

  private record Expiry(Instant at, Slot slot) {}

  private static final Comparator<Expiry> BY_TIME = Comparator.comparing(Expiry::at);
  private static final Comparator<Timer> TIMER_ORDER =
      Comparator.comparing(Timer::due).thenComparing(Timer::detector).thenComparing(Timer::key);

  private final Map<String, Map<String, Slot>> slots = new HashMap<>();
  private final PriorityQueue<Expiry> expiries = new PriorityQueue<>(BY_TIME);
  private final PriorityQueue<Timer> timers = new PriorityQueue<>(TIMER_ORDER);
  private Instant watermark = Instant.MIN;
  private int size;

  private Slot slot(String detector, String key) {
    Map<String, Slot> byKey = slots.computeIfAbsent(detector, d -> new HashMap<>());
    Slot slot = byKey.get(Objects.requireNonNull(key, "key"));
    if (slot == null) {
      slot = new Slot(detector, key);
      byKey.put(key, slot);
      size++;
    }
    last = slot;
    return slot;
  }

  /** The slot used last: a rule reads an entry, then extends its life, for the same key. */
  private Slot last;

  private Slot find(String detector, String key) {
    Slot l = last;
    if (l != null && l.detector.equals(detector) && l.key.equals(key)) {
      return l;
    }
    Map<String, Slot> byKey = slots.get(detector);
    return byKey == null ? null : byKey.get(key);
  }

  @Override
  public <T> T entry(String detector, String key, Supplier<T> create) {
    Slot slot = slot(detector, key);
    if (slot.value == null) {
      slot.value = create.get();
    }
    @SuppressWarnings("unchecked")
    T value = (T) slot.value;
    return value;
  }

  @Override
  public void remove(String detector, String key) {
    Map<String, Slot> byKey = slots.get(detector);
    if (byKey != null && byKey.remove(key) != null) {
      size--;
    }
    last = null;
  }

  @Override
  public void keepUntil(String detector, String key, Instant until) {
    Slot slot = find(detector, key);
    if (slot != null && until.isAfter(slot.keepUntil)) {
      slot.keepUntil = until;
      if (!slot.queued) {
        slot.queued = true;
        expiries.add(new Expiry(until, slot));
      }
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
      Slot slot = expiries.poll().slot();
      if (find(slot.detector, slot.key) != slot) {
        continue; // removed or replaced meanwhile
      }
      if (slot.keepUntil.isBefore(watermark)) {
        remove(slot.detector, slot.key);
      } else {
        expiries.add(new Expiry(slot.keepUntil, slot)); // kept longer since it was queued
      }
    }
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Dump dump() {
    List<Entry> entries = new ArrayList<>(size);
    slots.forEach(
        (detector, byKey) ->
            byKey.forEach(
                (key, slot) -> {
                  if (slot.value != null) {
                    entries.add(new Entry(detector, key, slot.keepUntil, slot.value));
                  }
                }));
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
    size = 0;
    last = null;
    watermark = dump.watermark();
    for (Entry e : dump.entries()) {
      slot(e.detector(), e.key()).value = e.value();
      keepUntil(e.detector(), e.key(), e.keepUntil());
    }
    timers.addAll(dump.timers());
  }
}
