package dev.bulwark.engine.rule;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A compiled {@code match:} rule: one event, one CEL condition, one alert per matching event. */
public final class MatchRule implements Detector {
  private final String id;
  private final String source;
  private final Severity severity;
  private final String titleText;
  private final Template title;
  private final Template summary;
  private final List<String> tags;
  private final Map<Entity.Role, List<String>> entities;
  private final Condition where;
  private final boolean enabled;

  MatchRule(
      String id,
      String source,
      Severity severity,
      String titleText,
      Template title,
      Template summary,
      List<String> tags,
      Map<Entity.Role, List<String>> entities,
      Condition where,
      boolean enabled) {
    this.id = id;
    this.source = source;
    this.severity = severity;
    this.titleText = titleText;
    this.title = title;
    this.summary = summary;
    this.tags = List.copyOf(tags);
    this.entities = Map.copyOf(entities);
    this.where = where;
    this.enabled = enabled;
  }

  @Override
  public String id() {
    return id;
  }

  /** Only the event types its condition can match; empty (any type) when that is not evident. */
  @Override
  public Set<String> eventTypes() {
    return where.eventTypes();
  }

  /** Where the rule came from: a file path, or {@code db:<id>}. */
  public String source() {
    return source;
  }

  public Severity severity() {
    return severity;
  }

  /** The title template as written. */
  public String title() {
    return titleText;
  }

  public boolean enabled() {
    return enabled;
  }

  /** The condition as written. */
  public String where() {
    return where.toString();
  }

  @Override
  public List<Alert> inspect(Event event, State state) {
    if (!where.test(event)) {
      return List.of();
    }
    String dedupKey = id + "|" + event.id();
    return List.of(
        new Alert(
            Alert.idFor(dedupKey),
            id,
            severity,
            title.render(event),
            summary == null ? "" : summary.render(event),
            event.time(),
            entitiesOf(event),
            Alert.Evidence.of(event),
            tags,
            severity.defaultScore(),
            dedupKey));
  }

  private List<Entity> entitiesOf(Event event) {
    Map<String, Object> fields = event.asMap();
    List<Entity> out = new ArrayList<>();
    if (entities.isEmpty()) {
      for (String field : List.of("account", "ip", "device", "from", "to")) {
        add(out, field, fields.get(field), Entity.Role.RELATED);
      }
      return out;
    }
    for (Entity.Role role : Entity.Role.values()) {
      for (String field : entities.getOrDefault(role, List.of())) {
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
