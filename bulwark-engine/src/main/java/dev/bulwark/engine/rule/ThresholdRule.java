package dev.bulwark.engine.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A compiled {@code threshold:} rule: a count, a sum of a numeric field, or the number of distinct
 * values of a field, over a sliding window of event time, per key.
 *
 * <p>{@code at_least N}: fires at the event whose window (the events with a time in {@code (t -
 * window, t]}) reaches N; it then re-arms once every event of that window has left it, so a
 * sustained burst raises one alert per full window, not one per event. Events arriving out of order
 * (within the allowed lateness) are placed by their time, and every window they fall into is
 * checked.
 *
 * <p>{@code at_most N}: a window opens at a key's first event, {@code [t, t + window)}; when the
 * watermark passes its end, the rule fires if the window held at most N. The next event opens the
 * next window.
 */
public final class ThresholdRule extends Rule {
  /** What is measured over the window. */
  enum Measure {
    COUNT,
    SUM,
    DISTINCT
  }

  private static final int MAX_POINTS = 100_000;

  private final Condition where;
  private final KeyFn by;
  private final Duration window;
  private final Measure measure;
  private final String field;
  private final Double atLeast;
  private final Double atMost;

  ThresholdRule(
      Meta meta,
      Condition where,
      KeyFn by,
      Duration window,
      Measure measure,
      String field,
      Double atLeast,
      Double atMost) {
    super(meta);
    this.where = where;
    this.by = by;
    this.window = window;
    this.measure = measure;
    this.field = field;
    this.atLeast = atLeast;
    this.atMost = atMost;
  }

  @Override
  Optional<KeyFn> groupBy() {
    return Optional.of(by);
  }

  @Override
  public String kind() {
    return "threshold";
  }

  @Override
  public Set<String> eventTypes() {
    return where.eventTypes();
  }

  @Override
  public boolean windowed() {
    return true;
  }

  private record Point(Instant time, Event event, double number, Object distinct) {}

  /**
   * One key's events within reach of a window, in time order, with the running measure of the
   * window that ends at the newest one ({@code lo} is its first point). In-order arrivals update
   * the measure in O(1); an out-of-order one recomputes it.
   */
  static final class Points {
    final List<Point> points = new ArrayList<>();
    Instant rearmAfter = Instant.MIN;
    Instant openStart;
    int lo;
    long count;
    double sum;
    final Map<Object, Integer> distinct = new HashMap<>();

    void add(Point p) {
      count++;
      sum += p.number();
      if (p.distinct() != null) {
        distinct.merge(p.distinct(), 1, Integer::sum);
      }
    }

    void drop(Point p) {
      count--;
      sum -= p.number();
      if (p.distinct() != null) {
        distinct.computeIfPresent(p.distinct(), (k, n) -> n == 1 ? null : n - 1);
      }
    }

    /** Slides the window's start so that it ends at the newest point. */
    void slide(Duration window) {
      Instant end = points.get(points.size() - 1).time();
      Instant start = end.minus(window);
      while (lo < points.size() && !points.get(lo).time().isAfter(start)) {
        drop(points.get(lo));
        lo++;
      }
    }

    void recompute(Duration window) {
      lo = 0;
      count = 0;
      sum = 0;
      distinct.clear();
      points.forEach(this::add);
      slide(window);
    }
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    if (!where.test(e)) {
      return List.of();
    }
    String key = by.of(e);
    if (key == null) {
      return List.of();
    }
    Point p;
    switch (measure) {
      case SUM -> {
        Object v = KeyFn.value(e, field);
        if (!(v instanceof Number n)) {
          return List.of(); // no value to add; the condition should have required it
        }
        p = new Point(e.time(), e, n.doubleValue(), null);
      }
      case DISTINCT -> {
        Object v = KeyFn.value(e, field);
        if (v == null) {
          return List.of();
        }
        p = new Point(e.time(), e, 0, v);
      }
      default -> p = new Point(e.time(), e, 1, null);
    }
    Points ps = state.entry(id(), key, Points::new);
    boolean inOrder =
        ps.points.isEmpty() || !p.time().isBefore(ps.points.get(ps.points.size() - 1).time());
    if (inOrder) {
      ps.points.add(p);
      ps.add(p);
      ps.slide(window);
    } else {
      int i = ps.points.size();
      while (i > 0 && ps.points.get(i - 1).time().isAfter(p.time())) {
        i--;
      }
      ps.points.add(i, p);
      ps.recompute(window);
    }
    prune(
        ps, state.watermark().equals(Instant.MIN) ? Instant.MIN : state.watermark().minus(window));
    Instant newest = ps.points.get(ps.points.size() - 1).time();
    state.keepUntil(id(), key, newest.plus(window));
    if (atLeast != null) {
      return inOrder ? atLeastAtNewest(ps, key, state) : atLeast(ps, p, key, state);
    }
    if (ps.openStart == null) {
      ps.openStart = p.time();
      state.schedule(id(), key, p.time().plus(window));
    }
    return List.of();
  }

  /** Drops points no window can need any more, once they are many (amortised O(1)). */
  private static void prune(Points ps, Instant cutoff) {
    int drop = 0;
    while (drop < ps.lo
        && ps.points.get(drop).time().isBefore(cutoff)
        && (ps.openStart == null || ps.points.get(drop).time().isBefore(ps.openStart))) {
      drop++;
    }
    if (drop > 0 && (drop >= 64 || drop * 2 >= ps.points.size())) {
      ps.points.subList(0, drop).clear();
      ps.lo -= drop;
    }
    if (ps.points.size() > MAX_POINTS) {
      ps.drop(ps.points.get(0));
      ps.points.remove(0); // a key this hot is bounded; its oldest point goes first
      ps.lo = Math.max(0, ps.lo - 1);
    }
  }

  private double current(Points ps) {
    return switch (measure) {
      case COUNT -> ps.count;
      case SUM -> ps.sum;
      case DISTINCT -> ps.distinct.size();
    };
  }

  /** The in-order case: only the window ending at the new point can have reached the limit. */
  private List<Alert> atLeastAtNewest(Points ps, String key, State state) {
    List<Point> pts = ps.points;
    Point trigger = pts.get(pts.size() - 1);
    Instant start = trigger.time().minus(window);
    double value = current(ps);
    if (value < atLeast || start.isBefore(ps.rearmAfter)) {
      return List.of();
    }
    ps.rearmAfter = trigger.time();
    List<Point> in = pts.subList(ps.lo, pts.size());
    return fire(
            state,
            trigger.event(),
            key,
            key + "|" + in.get(0).event().id() + "|" + trigger.event().id(),
            trigger.time(),
            vars(key, in.size(), value),
            Map.of(),
            in.stream().map(Point::event).toList())
        .map(List::of)
        .orElse(List.of());
  }

  private List<Alert> atLeast(Points ps, Point added, String key, State state) {
    List<Point> pts = ps.points;
    int first = 0;
    while (pts.get(first) != added) {
      first++;
    }
    for (int end = first; end < pts.size(); end++) {
      Instant endTime = pts.get(end).time();
      if (!endTime.isBefore(added.time().plus(window))) {
        break;
      }
      while (end + 1 < pts.size() && pts.get(end + 1).time().equals(endTime)) {
        end++; // a window ends after every event of its last instant
      }
      Instant start = endTime.minus(window);
      if (start.isBefore(ps.rearmAfter)) {
        continue;
      }
      int from = end;
      while (from > 0 && pts.get(from - 1).time().isAfter(start)) {
        from--;
      }
      List<Point> in = pts.subList(from, end + 1);
      double value = measure(in);
      if (value >= atLeast) {
        ps.rearmAfter = endTime;
        Point trigger = pts.get(end);
        return fire(
                state,
                trigger.event(),
                key,
                key + "|" + in.get(0).event().id() + "|" + trigger.event().id(),
                endTime,
                vars(key, in.size(), value),
                Map.of(),
                in.stream().map(Point::event).toList())
            .map(List::of)
            .orElse(List.of());
      }
    }
    return List.of();
  }

  @Override
  public List<Alert> onTimer(String key, Instant due, State state) {
    Points ps = state.entry(id(), key, Points::new);
    if (ps.openStart == null || !ps.openStart.plus(window).equals(due)) {
      return List.of(); // a stale timer
    }
    Instant start = ps.openStart;
    List<Point> in =
        ps.points.stream()
            .filter(p -> !p.time().isBefore(start) && p.time().isBefore(due))
            .toList();
    double value = measure(in);
    List<Alert> out = new ArrayList<>(0);
    if (value <= atMost && !in.isEmpty()) {
      fire(
              state,
              in.get(0).event(),
              key,
              key + "|" + in.get(0).event().id() + "|" + due,
              due,
              vars(key, in.size(), value),
              Map.of(),
              in.stream().map(Point::event).toList())
          .ifPresent(out::add);
    }
    ps.openStart = null;
    Optional<Point> next = ps.points.stream().filter(p -> !p.time().isBefore(due)).findFirst();
    ps.points.removeIf(p -> p.time().isBefore(due));
    if (!ps.points.isEmpty()) {
      ps.recompute(window);
    } else {
      ps.lo = 0;
      ps.count = 0;
      ps.sum = 0;
      ps.distinct.clear();
    }
    if (next.isPresent()) {
      ps.openStart = next.get().time();
      state.schedule(id(), key, ps.openStart.plus(window));
    }
    return out;
  }

  @Override
  JsonNode saveOwn(Object value) {
    Points ps = (Points) value;
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("rearm_after", time(ps.rearmAfter));
    n.put("open_start", time(ps.openStart));
    ArrayNode points = n.putArray("points");
    for (Point p : ps.points) {
      ObjectNode o = points.addObject();
      o.put("number", p.number());
      o.set("distinct", EventJson.fromPlain(p.distinct()));
      o.set("event", eventJson(p.event()));
    }
    return n;
  }

  @Override
  Object loadOwn(JsonNode json) {
    Points ps = new Points();
    ps.rearmAfter = time(json.get("rearm_after"));
    ps.openStart = time(json.get("open_start"));
    for (JsonNode o : json.path("points")) {
      Event e = event(o.get("event"));
      Object distinct = o.path("distinct").isNull() ? null : EventJson.toPlain(o.get("distinct"));
      ps.points.add(new Point(e.time(), e, o.path("number").asDouble(), distinct));
    }
    if (!ps.points.isEmpty()) {
      ps.recompute(window);
    }
    return ps;
  }

  private double measure(List<Point> in) {
    return switch (measure) {
      case COUNT -> in.size();
      case SUM -> in.stream().mapToDouble(Point::number).sum();
      case DISTINCT -> {
        Set<Object> seen = new HashSet<>();
        in.forEach(p -> seen.add(p.distinct()));
        yield seen.size();
      }
    };
  }

  private Map<String, Object> vars(String key, int count, double value) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("key", key);
    v.put("count", (long) count);
    v.put("value", value);
    if (measure != Measure.COUNT) {
      v.put(measure == Measure.SUM ? "sum" : "distinct", value);
    }
    v.put("window", RuleCompiler.describe(window));
    return v;
  }
}
