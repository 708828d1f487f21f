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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A compiled {@code sequence:} rule: ordered steps for one key, the last no later than {@code
 * within} after the first. A step may bind values ({@code bind: {addr: e.to}}) that later steps
 * read as {@code b.addr}. An optional final {@code absent:} step means "and then no matching event
 * within T": it fires once the watermark has passed that time.
 *
 * <p>Matching is skip-till-next-match: an event advances the oldest partial match it fits, or else
 * starts a new one. Events are taken in event-time order: one that arrives out of order (within the
 * allowed lateness) makes the key's partial matches be rebuilt from its time-ordered buffer, and
 * matches already alerted on are not alerted again.
 */
public final class SequenceRule extends Rule {
  private static final int MAX_RUNS = 64;
  private static final int MAX_BUFFER = 10_000;

  record Step(Condition where, Map<String, Condition> bind) {}

  record Absent(Condition where, Duration within) {}

  private final KeyFn by;
  private final Duration within;
  private final List<Step> steps;
  private final Optional<Absent> absent;
  private final Set<String> types;

  SequenceRule(Meta meta, KeyFn by, Duration within, List<Step> steps, Optional<Absent> absent) {
    super(meta);
    this.by = by;
    this.within = within;
    this.steps = List.copyOf(steps);
    this.absent = absent;
    Set<String> all = new HashSet<>();
    boolean known = true;
    for (Step s : steps) {
      known &= !s.where().eventTypes().isEmpty();
      all.addAll(s.where().eventTypes());
    }
    if (absent.isPresent()) {
      known &= !absent.get().where().eventTypes().isEmpty();
      all.addAll(absent.get().where().eventTypes());
    }
    this.types = known ? Set.copyOf(all) : Set.of();
  }

  @Override
  Optional<KeyFn> groupBy() {
    return Optional.of(by);
  }

  @Override
  public String kind() {
    return "sequence";
  }

  @Override
  public Set<String> eventTypes() {
    return types;
  }

  @Override
  public boolean windowed() {
    return true;
  }

  /** A partial match. */
  static final class Run {
    int next;
    Instant start;
    Instant deadline;
    final List<Event> matched = new ArrayList<>(4);
    final Map<String, Object> bound = new HashMap<>(4);
    Instant doneAt;
  }

  /** One key's buffer of recent events, partial matches, and the matches already alerted on. */
  static final class Track {
    final List<Event> buffer = new ArrayList<>();
    final List<Run> runs = new ArrayList<>();
    final Map<String, Instant> raised = new HashMap<>();
    Instant last;
  }

  private Duration reach() {
    return within.plus(absent.map(Absent::within).orElse(Duration.ZERO));
  }

  /**
   * Whether any step (or the absent condition) could match the event. A condition that reads bound
   * values fails without them and counts as "could": only events no step can ever use are left out
   * of the key's buffer.
   */
  private boolean relevant(Event e) {
    for (Step s : steps) {
      if (couldMatch(s.where(), e)) {
        return true;
      }
    }
    return absent.isPresent() && couldMatch(absent.get().where(), e);
  }

  private static boolean couldMatch(Condition c, Event e) {
    try {
      return c.test(e, Map.of());
    } catch (RuntimeException unknownWithoutBindings) {
      return true;
    }
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    String key = by.of(e);
    if (key == null || !relevant(e)) {
      return List.of();
    }
    Track t = state.entry(id(), key, Track::new);
    boolean inOrder = t.last == null || !e.time().isBefore(t.last);
    int i = t.buffer.size();
    while (i > 0 && t.buffer.get(i - 1).time().isAfter(e.time())) {
      i--;
    }
    t.buffer.add(i, e);
    if (t.buffer.size() > MAX_BUFFER) {
      t.buffer.remove(0);
    }
    if (!state.watermark().equals(Instant.MIN)) {
      Instant cutoff = state.watermark().minus(reach());
      int drop = 0;
      while (drop < t.buffer.size() && t.buffer.get(drop).time().isBefore(cutoff)) {
        drop++; // the buffer is in time order: what is too old is at its front
      }
      t.buffer.subList(0, drop).clear();
      if (t.raised.size() > 16) {
        t.raised.values().removeIf(x -> x.isBefore(cutoff));
      }
    }
    List<Alert> out = new ArrayList<>(0);
    if (inOrder) {
      advance(t, e, key, state, out);
    } else {
      t.runs.clear();
      for (Event x : List.copyOf(t.buffer)) {
        advance(t, x, key, state, out);
      }
    }
    if (t.last == null || e.time().isAfter(t.last)) {
      t.last = e.time();
    }
    state.keepUntil(id(), key, t.last.plus(reach()));
    return out;
  }

  private void advance(Track t, Event e, String key, State state, List<Alert> out) {
    boolean consumed = false;
    for (Iterator<Run> it = t.runs.iterator(); it.hasNext(); ) {
      Run run = it.next();
      if (run.doneAt != null) {
        Absent a = absent.orElseThrow();
        if (!e.time().isBefore(run.doneAt)
            && !e.time().isAfter(run.doneAt.plus(a.within()))
            && a.where().test(e, run.bound)) {
          it.remove(); // what had to stay absent happened
        }
        continue;
      }
      if (e.time().isAfter(run.deadline)) {
        it.remove();
        continue;
      }
      Event previous = run.matched.get(run.matched.size() - 1);
      if (!consumed
          && !e.time().isBefore(previous.time())
          && steps.get(run.next).where().test(e, run.bound)) {
        consumed = true;
        take(run, steps.get(run.next), e);
        if (run.next == steps.size()) {
          if (absent.isPresent()) {
            run.doneAt = e.time();
            state.schedule(id(), key, e.time().plus(absent.get().within()));
          } else {
            it.remove();
            complete(t, run, key, e.time(), state, out);
          }
        }
      }
    }
    if (!consumed && steps.get(0).where().test(e, Map.of())) {
      Run run = new Run();
      run.start = e.time();
      run.deadline = e.time().plus(within);
      take(run, steps.get(0), e);
      if (run.next == steps.size()) {
        if (absent.isPresent()) {
          run.doneAt = e.time();
          state.schedule(id(), key, e.time().plus(absent.get().within()));
        } else {
          complete(t, run, key, e.time(), state, out);
          return;
        }
      }
      t.runs.add(run);
      if (t.runs.size() > MAX_RUNS) {
        t.runs.remove(0);
      }
    }
  }

  private static void take(Run run, Step step, Event e) {
    run.matched.add(e);
    step.bind().forEach((name, expr) -> run.bound.put(name, expr.value(e, run.bound)));
    run.next++;
  }

  private void complete(Track t, Run run, String key, Instant time, State state, List<Alert> out) {
    String identity =
        key + "|" + run.matched.stream().map(Event::id).collect(Collectors.joining(","));
    if (t.raised.putIfAbsent(identity, time) != null) {
      return; // rebuilt after a late event: already alerted on
    }
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put("key", key);
    vars.put("count", (long) run.matched.size());
    vars.put("window", RuleCompiler.describe(within));
    Event trigger = run.matched.get(run.matched.size() - 1);
    fire(state, trigger, key, identity, time, vars, run.bound, run.matched).ifPresent(out::add);
  }

  @Override
  JsonNode saveOwn(Object value) {
    Track t = (Track) value;
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("last", time(t.last));
    ArrayNode buffer = n.putArray("buffer");
    t.buffer.forEach(e -> buffer.add(eventJson(e)));
    ArrayNode runs = n.putArray("runs");
    for (Run r : t.runs) {
      ObjectNode o = runs.addObject();
      o.put("next", r.next);
      o.put("start", time(r.start));
      o.put("done_at", time(r.doneAt));
      o.set("bound", EventJson.fromPlain(r.bound));
      ArrayNode matched = o.putArray("matched");
      r.matched.forEach(e -> matched.add(eventJson(e)));
    }
    ObjectNode raised = n.putObject("raised");
    t.raised.forEach((id, at) -> raised.put(id, at.toString()));
    return n;
  }

  @Override
  Object loadOwn(JsonNode json) {
    Track t = new Track();
    t.last = time(json.get("last"));
    json.path("buffer").forEach(e -> t.buffer.add(event(e)));
    for (JsonNode o : json.path("runs")) {
      Run r = new Run();
      r.next = o.path("next").asInt();
      r.start = time(o.get("start"));
      r.deadline = r.start.plus(within);
      r.doneAt = time(o.get("done_at"));
      o.path("matched").forEach(e -> r.matched.add(event(e)));
      @SuppressWarnings("unchecked")
      Map<String, Object> bound = (Map<String, Object>) EventJson.toPlain(o.path("bound"));
      r.bound.putAll(bound);
      t.runs.add(r);
    }
    json.path("raised")
        .fields()
        .forEachRemaining(f -> t.raised.put(f.getKey(), Instant.parse(f.getValue().asText())));
    return t;
  }

  @Override
  public List<Alert> onTimer(String key, Instant due, State state) {
    Track t = state.entry(id(), key, Track::new);
    Duration quiet = absent.orElseThrow().within();
    List<Alert> out = new ArrayList<>(0);
    for (Iterator<Run> it = t.runs.iterator(); it.hasNext(); ) {
      Run run = it.next();
      if (run.doneAt != null && !run.doneAt.plus(quiet).isAfter(due)) {
        it.remove();
        complete(t, run, key, run.doneAt.plus(quiet), state, out);
      }
    }
    return out;
  }
}
