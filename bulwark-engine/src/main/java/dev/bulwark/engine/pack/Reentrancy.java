package dev.bulwark.engine.pack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Re-entrancy: within one transaction's call trace, the same contract entered again while an
 * earlier call into it is still on the stack, three times or more. The trace arrives as {@code
 * chain.call} events whose ids end in the frame's path ({@code :trace:0.1.0}); the transaction's
 * own call ({@code chain.transaction}) is the root. Counting only the calls on one path from the
 * root — not siblings — keeps a router that calls one token many times in a row quiet. Severity
 * grows with the depth of re-entry (3 medium, 5 high, 7 critical; the levels of the Forta
 * re-entrancy heuristic, reimplemented here), one alert per level reached.
 */
public final class Reentrancy implements Detector {
  public static final String ID = "chain.reentrancy";

  /**
   * The settings an operator may tune ({@code tuning:} in the config file), with their defaults.
   */
  public static final Map<String, Object> DEFAULTS =
      Map.of("medium_entries", 3, "high_entries", 5, "critical_entries", 7);

  private final int[] levels;

  public Reentrancy() {
    this(Map.of());
  }

  /** With some settings changed; see {@link #DEFAULTS}. */
  public Reentrancy(Map<String, Object> tuning) {
    Tuning t = new Tuning(ID, DEFAULTS, tuning);
    this.levels =
        new int[] {
          t.integer("medium_entries"), t.integer("high_entries"), t.integer("critical_entries")
        };
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration KEEP = Duration.ofMinutes(30);
  private static final Severity[] SEVERITIES = {Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL};

  /** One transaction's frames: path → callee (lower case), the origin, levels already raised. */
  static final class Frames {
    final Map<String, String> callees = new HashMap<>();
    String origin;
    final Map<String, Integer> raised = new HashMap<>();
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Set<String> eventTypes() {
    return Set.of("chain.transaction", "chain.call");
  }

  @Override
  public String route(Event e) {
    return e.tx() == null ? e.id() : e.tx();
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    if (e.tx() == null || e.to() == null) {
      return List.of();
    }
    Frames f = state.entry(ID, e.tx(), Frames::new);
    state.keepUntil(ID, e.tx(), e.time().plus(KEEP));
    String callee = e.to().toLowerCase(Locale.ROOT);
    if (e.type().equals("chain.transaction")) {
      f.callees.put("", callee);
      f.origin = e.from();
      return List.of();
    }
    if ("delegatecall".equals(e.attrs().get("call_type"))) {
      return List.of(); // runs in the caller's context: the proxy already counts
    }
    int at = e.id().lastIndexOf(":trace:");
    if (at < 0) {
      return List.of();
    }
    String path = e.id().substring(at + ":trace:".length());
    f.callees.put(path, callee);
    int count = callee.equals(f.callees.get("")) ? 1 : 0;
    for (String p = path; !p.isEmpty(); p = parent(p)) {
      if (callee.equals(f.callees.get(p))) {
        count++;
      }
    }
    List<Alert> out = new ArrayList<>(0);
    int done = f.raised.getOrDefault(callee, 0);
    for (int level = done; level < levels.length && count >= levels[level]; level++) {
      f.raised.put(callee, level + 1);
      Severity s = SEVERITIES[level];
      String dedup = ID + "|" + e.tx() + "|" + callee + "|" + levels[level];
      List<Entity> entities = new ArrayList<>();
      // the contract the transaction called, re-entered through its own callbacks, is as often
      // the attacker's contract (ping-pong with the vault) as the victim: it is only related
      boolean root = callee.equals(f.callees.get(""));
      entities.add(
          new Entity(
              Entity.Kind.CONTRACT, e.to(), root ? Entity.Role.RELATED : Entity.Role.VICTIM));
      if (f.origin != null) {
        entities.add(new Entity(Entity.Kind.ADDRESS, f.origin, Entity.Role.ATTACKER));
      }
      out.add(
          new Alert(
              Alert.idFor(dedup),
              ID,
              s,
              "%s re-entered %d times in one transaction".formatted(e.to(), count),
              "Transaction %s entered %s %d times on one call path (frame %s, depth %s) while earlier calls into it were still running: the shape of a re-entrancy exploit."
                  .formatted(e.tx(), e.to(), count, path, e.attrs().get("depth")),
              e.time(),
              entities,
              Alert.Evidence.of(e),
              List.of("defi", "reentrancy", "stage.exploitation", "swc-107"),
              s.defaultScore(),
              dedup));
    }
    return out;
  }

  /** The parent frame's path ({@code 0.1.0} → {@code 0.1}; a top frame's parent is the root). */
  static String parent(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }

  @Override
  public JsonNode saveEntry(String key, Object value) {
    Frames f = (Frames) value;
    ObjectNode n = JSON.createObjectNode();
    ObjectNode callees = n.putObject("callees");
    f.callees.forEach(callees::put);
    if (f.origin != null) {
      n.put("origin", f.origin);
    }
    ObjectNode raised = n.putObject("raised");
    f.raised.forEach(raised::put);
    return n;
  }

  @Override
  public Object loadEntry(String key, JsonNode json) {
    Frames f = new Frames();
    json.path("callees")
        .fields()
        .forEachRemaining(x -> f.callees.put(x.getKey(), x.getValue().asText()));
    f.origin = json.path("origin").asText(null);
    json.path("raised")
        .fields()
        .forEachRemaining(x -> f.raised.put(x.getKey(), x.getValue().asInt()));
    return f;
  }
}
