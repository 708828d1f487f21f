package dev.bulwark.engine.pack;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Multi-stage correlation: alerts tagged with a kill-chain stage ({@code stage.funding}, {@code
 * stage.preparation}, {@code stage.exploitation}, {@code stage.laundering}) are grouped by their
 * attacker (address, contract or IP). When one attacker has reached three stages — exploitation,
 * preparation and laundering within 24 hours of each other, funding up to 10 days before — one
 * critical, incident-grade alert names the stages and the alerts behind them. One per attacker.
 * (The four-stage framing is the one Forta's attack detector and Hypernative describe.)
 */
public final class StageCorrelator {
  public static final String ID = "correlation.multi-stage";
  private static final Duration WINDOW = Duration.ofHours(24);
  private static final Duration FUNDING = Duration.ofDays(10);
  private static final List<String> ORDER =
      List.of("funding", "preparation", "exploitation", "laundering");
  private static final int ATTACKERS = 100_000;

  private record Seen(
      String stage, Instant time, String alertId, String rule, List<String> events) {}

  private final Map<String, List<Seen>> byAttacker = new LinkedHashMap<>();
  private final Set<String> raised = new HashSet<>();

  /** Feeds alerts (new ones, or recent stored ones at start-up); returns correlation alerts. */
  public synchronized List<Alert> observe(List<Alert> alerts) {
    List<Alert> out = new ArrayList<>();
    for (Alert a : alerts) {
      if (a.rule().equals(ID)) {
        for (Entity e : a.entities()) {
          raised.add(e.value().toLowerCase(Locale.ROOT));
        }
        continue;
      }
      String stage = stage(a);
      if (stage == null) {
        continue;
      }
      for (Entity e : a.entities()) {
        if (e.role() != Entity.Role.ATTACKER) {
          continue;
        }
        String attacker = e.value().toLowerCase(Locale.ROOT);
        List<Seen> seen = byAttacker.computeIfAbsent(attacker, k -> new ArrayList<>());
        if (seen.stream().noneMatch(s -> s.alertId().equals(a.id()))) {
          seen.add(new Seen(stage, a.time(), a.id(), a.rule(), a.evidence().eventIds()));
        }
        while (byAttacker.size() > ATTACKERS) {
          byAttacker.remove(byAttacker.keySet().iterator().next());
        }
        if (!raised.contains(attacker)) {
          Alert incident = incident(e, seen, a.time());
          if (incident != null) {
            raised.add(attacker);
            out.add(incident);
          }
        }
      }
    }
    return out;
  }

  private static String stage(Alert a) {
    for (String t : a.tags()) {
      if (t.startsWith("stage.") && ORDER.contains(t.substring(6))) {
        return t.substring(6);
      }
    }
    return null;
  }

  /** The incident, when the stages seen around {@code now} are three or more. */
  private static Alert incident(Entity who, List<Seen> seen, Instant now) {
    String attacker = who.value();
    Map<String, Seen> stages = new LinkedHashMap<>();
    for (Seen s : seen) {
      Duration reach = s.stage().equals("funding") ? FUNDING : WINDOW;
      if (!s.time().isBefore(now.minus(reach)) && !s.time().isAfter(now.plus(WINDOW))) {
        stages.putIfAbsent(s.stage(), s);
      }
    }
    if (stages.size() < 3) {
      return null;
    }
    List<String> ordered = ORDER.stream().filter(stages::containsKey).toList();
    Set<String> events = new LinkedHashSet<>();
    List<String> parts = new ArrayList<>();
    for (String stage : ordered) {
      Seen s = stages.get(stage);
      events.addAll(s.events());
      parts.add("%s: %s at %s (%s)".formatted(stage, s.rule(), s.time(), s.alertId()));
    }
    String dedup = ID + "|" + attacker.toLowerCase(Locale.ROOT);
    List<String> tags = new ArrayList<>(List.of("incident", "correlation"));
    ordered.forEach(s -> tags.add("stage." + s));
    return new Alert(
        Alert.idFor(dedup),
        ID,
        Severity.CRITICAL,
        "Multi-stage attack by %s: %s".formatted(attacker, String.join(" → ", ordered)),
        "One attacker reached %d stages of an attack: %s. Treat it as an incident."
            .formatted(ordered.size(), String.join("; ", parts)),
        now,
        List.of(new Entity(who.kind(), attacker, Entity.Role.ATTACKER)),
        new Alert.Evidence(List.copyOf(events), List.of()),
        tags,
        Severity.CRITICAL.defaultScore(),
        dedup);
  }
}
