package dev.bulwark.engine.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventJson;
import dev.bulwark.engine.event.EventParser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A compiled rule of any kind. It holds what every kind shares — id, severity, templates, tags,
 * entities, suppression, inline tests — and turns a firing into an {@link Alert}. Rules keep no
 * mutable fields; their memory lives in the {@link State}.
 */
public abstract sealed class Rule implements Detector
    permits MatchRule, ThresholdRule, SequenceRule, AnomalyRule {
  private static final int MAX_EVIDENCE = 100;

  /** Suppress repeats: one alert per {@code key} (default: the rule's grouping key) per window. */
  record Suppress(Duration window, Optional<KeyFn> key) {}

  /** A severity that applies when its condition holds for the firing event. */
  record SeverityIf(Condition when, Severity severity) {}

  /** What every kind of rule shares. */
  record Meta(
      String id,
      String source,
      String text,
      Severity severity,
      List<SeverityIf> severityIf,
      String titleText,
      Template title,
      Template summary,
      List<String> tags,
      Map<Entity.Role, List<String>> entities,
      Optional<Suppress> suppress,
      Optional<Duration> escalate,
      boolean enabled,
      List<RuleTest> tests) {}

  final Meta meta;

  Rule(Meta meta) {
    this.meta = meta;
  }

  @Override
  public String id() {
    return meta.id();
  }

  /** {@code match}, {@code threshold}, {@code sequence} or {@code anomaly}. */
  public abstract String kind();

  /** Where the rule came from: a file path, or {@code db:<id>}. */
  public String source() {
    return meta.source();
  }

  /** The rule's text as written; a reload keeps the state of rules whose text is unchanged. */
  public String text() {
    return meta.text();
  }

  public Severity severity() {
    return meta.severity();
  }

  /** The title template as written. */
  public String title() {
    return meta.titleText();
  }

  public boolean enabled() {
    return meta.enabled();
  }

  /** The inline examples of the rule file. */
  public List<RuleTest> tests() {
    return meta.tests();
  }

  /**
   * An alert for a firing, unless suppression holds it back.
   *
   * @param trigger the event the templates and entities read
   * @param group the rule's grouping key (null for match rules)
   * @param identity what makes this firing distinct (its events), for the alert id
   */
  Optional<Alert> fire(
      State state,
      Event trigger,
      String group,
      String identity,
      Instant time,
      Map<String, Object> vars,
      Map<String, Object> bound,
      List<Event> evidence) {
    String repeatKey = meta.suppress().flatMap(Suppress::key).map(k -> k.of(trigger)).orElse(group);
    if (meta.suppress().isPresent()) {
      Suppress s = meta.suppress().get();
      String key = repeatKey;
      if (key != null) {
        Suppression held = state.entry(id(), SUPPRESS + key, Suppression::new);
        if (held.last != null
            && !time.isBefore(held.last)
            && time.isBefore(held.last.plus(s.window()))) {
          held.suppressed++;
          return Optional.empty();
        }
        held.last = time;
        state.keepUntil(id(), SUPPRESS + key, time.plus(s.window()));
      }
    }
    Severity severity = severityOf(trigger, bound);
    if (meta.escalate().isPresent() && repeatKey != null) {
      Escalation e = state.entry(id(), ESCALATE + repeatKey, Escalation::new);
      if (e.last != null
          && !time.isBefore(e.last)
          && time.isBefore(e.last.plus(meta.escalate().get()))) {
        severity = Severity.values()[Math.min(Severity.CRITICAL.rank(), e.level.rank() + 1)];
      }
      e.last = time;
      e.level = severity;
      state.keepUntil(id(), ESCALATE + repeatKey, time.plus(meta.escalate().get()));
    }
    String dedupKey = id() + "|" + identity;
    List<String> ids = new ArrayList<>();
    LinkedHashSet<String> txs = new LinkedHashSet<>();
    for (Event e : evidence) {
      if (ids.size() < MAX_EVIDENCE) {
        ids.add(e.id());
      }
      if (e.tx() != null && txs.size() < MAX_EVIDENCE) {
        txs.add(e.tx());
      }
    }
    return Optional.of(
        new Alert(
            Alert.idFor(dedupKey),
            id(),
            severity,
            meta.title().render(trigger, vars, bound),
            meta.summary() == null ? "" : meta.summary().render(trigger, vars, bound),
            time,
            entitiesOf(trigger),
            new Alert.Evidence(ids, List.copyOf(txs)),
            meta.tags(),
            severity.defaultScore(),
            dedupKey));
  }

  /**
   * The severity of a firing: the first {@code severity_if} whose condition holds for the trigger,
   * else the rule's. A condition that fails at run time (an absent field) does not hold.
   */
  private Severity severityOf(Event trigger, Map<String, Object> bound) {
    for (SeverityIf s : meta.severityIf()) {
      try {
        if (s.when().test(trigger, bound)) {
          return s.severity();
        }
      } catch (RuntimeException e) {
        // not applicable to this event: the next one, or the rule's severity
      }
    }
    return meta.severity();
  }

  /** Per suppression key: when the last alert went out, and how many were held back since. */
  static final class Suppression {
    Instant last;
    long suppressed;
  }

  private static final String SUPPRESS = "suppress\u0000";
  private static final String ESCALATE = "escalate\u0000";

  /** Per key: when the rule last fired for it, and at which severity. */
  static final class Escalation {
    Instant last;
    Severity level;
  }

  private static final EventParser EVENTS = new EventParser(1);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The key this kind groups events by, if any. */
  abstract Optional<KeyFn> groupBy();

  /**
   * A rule whose suppression key differs from its grouping key keeps state under two unrelated
   * keys; it runs on one partition so that both stay whole.
   */
  private boolean pinned() {
    Optional<KeyFn> suppressKey = meta.suppress().flatMap(Suppress::key);
    return suppressKey.isPresent() && groupBy().isPresent() && !suppressKey.equals(groupBy());
  }

  @Override
  public String route(Event event) {
    if (pinned()) {
      return "*";
    }
    Optional<KeyFn> by = groupBy().or(() -> meta.suppress().flatMap(Suppress::key));
    String key = by.map(k -> k.of(event)).orElse(null);
    return key == null ? "#" + event.id() : key;
  }

  @Override
  public String routeOfEntry(String key) {
    if (pinned()) {
      return "*";
    }
    int marker = key.indexOf('\u0000');
    return marker >= 0 ? key.substring(marker + 1) : key;
  }

  /** The id and a hash of the text: a restore drops the state of a rule whose text changed. */
  @Override
  public String fingerprint() {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(meta.text().getBytes(StandardCharsets.UTF_8));
      return id() + "@" + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public final JsonNode saveEntry(String key, Object value) {
    if (key.startsWith(ESCALATE) && value instanceof Escalation e) {
      ObjectNode n = JSON.objectNode();
      n.put("last", e.last.toString());
      n.put("level", e.level.label());
      return n;
    }
    if (key.startsWith(SUPPRESS) && value instanceof Suppression s) {
      ObjectNode n = JSON.objectNode();
      n.put("last", s.last == null ? null : s.last.toString());
      n.put("suppressed", s.suppressed);
      return n;
    }
    return saveOwn(value);
  }

  @Override
  public final Object loadEntry(String key, JsonNode json) {
    if (key.startsWith(ESCALATE)) {
      Escalation e = new Escalation();
      e.last = Instant.parse(json.get("last").asText());
      e.level = Severity.parse(json.get("level").asText());
      return e;
    }
    if (key.startsWith(SUPPRESS)) {
      Suppression s = new Suppression();
      s.last = json.hasNonNull("last") ? Instant.parse(json.get("last").asText()) : null;
      s.suppressed = json.path("suppressed").asLong();
      return s;
    }
    return loadOwn(json);
  }

  /** This kind's own state entry as JSON; kinds without state never get here. */
  JsonNode saveOwn(Object value) {
    throw new UnsupportedOperationException(kind() + " rules keep no state of their own");
  }

  Object loadOwn(JsonNode json) {
    throw new UnsupportedOperationException(kind() + " rules keep no state of their own");
  }

  static JsonNode eventJson(Event e) {
    return EventJson.toNode(e);
  }

  static Event event(JsonNode json) {
    return EVENTS.parseOne(json.toString());
  }

  static String time(Instant t) {
    return t == null ? null : t.toString();
  }

  static Instant time(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? null : Instant.parse(n.asText());
  }

  private List<Entity> entitiesOf(Event event) {
    Map<String, Object> fields = event.asMap();
    List<Entity> out = new ArrayList<>();
    if (meta.entities().isEmpty()) {
      for (String field : List.of("account", "ip", "device", "from", "to")) {
        add(out, field, fields.get(field), Entity.Role.RELATED);
      }
      return out;
    }
    for (Entity.Role role : Entity.Role.values()) {
      for (String field : meta.entities().getOrDefault(role, List.of())) {
        add(out, field, fields.get(field), role);
      }
    }
    return out;
  }

  private static void add(List<Entity> out, String field, Object value, Entity.Role role) {
    if (value == null) {
      return;
    }
    Entity.Kind kind =
        switch (field) {
          case "account" -> Entity.Kind.ACCOUNT;
          case "ip" -> Entity.Kind.IP;
          case "device" -> Entity.Kind.DEVICE;
          default -> Entity.Kind.ADDRESS;
        };
    out.add(new Entity(kind, value.toString(), role));
  }
}
