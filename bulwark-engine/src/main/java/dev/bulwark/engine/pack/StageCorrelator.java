package dev.bulwark.engine.pack;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Multi-stage correlation: alerts tagged with a kill-chain stage ({@code stage.funding}, {@code
 * stage.preparation}, {@code stage.exploitation}, {@code stage.laundering}) are grouped by their
 * attacker <em>cluster</em>. When one cluster has reached three stages — exploitation, preparation
 * and laundering within 24 hours of each other, funding up to 10 days before — one critical,
 * incident-grade alert names the stages, the alerts behind them and the cluster's addresses. One
 * per cluster. (The four-stage framing is the one Forta's attack detector and Hypernative
 * describe.)
 *
 * <p>A cluster is the attacker addresses (and contracts, IPs) that alerts name together: the
 * Tornado-funded address and the contract it deployed, a flash-loan exploit's sender and its attack
 * contract. Each alert naming several attackers joins their clusters, so the funding of one address
 * and the exploitation by its contract add up.
 */
public final class StageCorrelator {
  public static final String ID = "correlation.multi-stage";
  private static final Duration WINDOW = Duration.ofHours(24);
  private static final Duration FUNDING = Duration.ofDays(10);
  private static final List<String> ORDER =
      List.of("funding", "preparation", "exploitation", "laundering");
  private static final int CLUSTERS = 100_000;
  private static final int MEMBERS = 64;

  private record Seen(
      String stage, Instant time, String alertId, String rule, List<String> events) {}

  /** A cluster: its addresses (first = the one it is named by), the stages seen, whether raised. */
  private static final class Cluster {
    final Set<String> members = new LinkedHashSet<>();
    final List<Seen> seen = new ArrayList<>();
    boolean raised;
  }

  /** Address → its cluster (every member of a cluster maps to the same object). */
  private final Map<String, Cluster> clusters = new LinkedHashMap<>();

  private int distinct;

  /** Feeds alerts (new ones, or recent stored ones at start-up); returns correlation alerts. */
  public synchronized List<Alert> observe(List<Alert> alerts) {
    List<Alert> out = new ArrayList<>();
    for (Alert a : alerts) {
      Entity first = null;
      Cluster cluster = null;
      for (Entity e : a.entities()) {
        if (e.role() == Entity.Role.ATTACKER) {
          first = first == null ? e : first;
          cluster = join(cluster, e.value().toLowerCase(Locale.ROOT));
        }
      }
      if (cluster == null) {
        continue;
      }
      if (a.rule().equals(ID)) {
        cluster.raised = true;
        continue;
      }
      String stage = stage(a);
      if (stage == null) {
        continue;
      }
      if (cluster.seen.stream().noneMatch(s -> s.alertId().equals(a.id()))) {
        cluster.seen.add(new Seen(stage, a.time(), a.id(), a.rule(), a.evidence().eventIds()));
      }
      if (!cluster.raised) {
        Alert incident = incident(first, cluster, a.time());
        if (incident != null) {
          cluster.raised = true;
          out.add(incident);
        }
      }
    }
    return out;
  }

  /** Puts {@code address} into {@code into} (null: its own cluster), merging clusters. */
  private Cluster join(Cluster into, String address) {
    Cluster mine = clusters.get(address);
    if (mine == null) {
      mine = new Cluster();
      mine.members.add(address);
      clusters.put(address, mine);
      if (++distinct > CLUSTERS) {
        forgetOldest();
      }
    }
    if (into == null || into == mine) {
      return mine;
    }
    if (into.members.size() + mine.members.size() > MEMBERS) {
      return into; // a hub (a router, a relayer) would glue unrelated attackers together
    }
    for (String m : mine.members) {
      into.members.add(m);
      clusters.put(m, into);
    }
    for (Seen s : mine.seen) {
      if (into.seen.stream().noneMatch(x -> x.alertId().equals(s.alertId()))) {
        into.seen.add(s);
      }
    }
    into.raised |= mine.raised;
    distinct--;
    return into;
  }

  private void forgetOldest() {
    Cluster oldest = clusters.values().iterator().next();
    oldest.members.forEach(clusters::remove);
    distinct--;
  }

  private static String stage(Alert a) {
    for (String t : a.tags()) {
      if (t.startsWith("stage.") && ORDER.contains(t.substring(6))) {
        return t.substring(6);
      }
    }
    return null;
  }

  /** The incident, when the stages the cluster reached around {@code now} are three or more. */
  private static Alert incident(Entity who, Cluster cluster, Instant now) {
    String attacker = who.value();
    Map<String, Seen> stages = new LinkedHashMap<>();
    for (Seen s : cluster.seen) {
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
    String root = cluster.members.iterator().next();
    String dedup = ID + "|" + root;
    List<String> tags = new ArrayList<>(List.of("incident", "correlation"));
    ordered.forEach(s -> tags.add("stage." + s));
    List<Entity> entities = new ArrayList<>();
    entities.add(new Entity(who.kind(), attacker, Entity.Role.ATTACKER));
    for (String m : cluster.members) {
      if (!m.equalsIgnoreCase(attacker)) {
        entities.add(new Entity(Entity.Kind.ADDRESS, m, Entity.Role.ATTACKER));
      }
    }
    String others =
        cluster.members.size() > 1
            ? " and %d linked address%s"
                .formatted(cluster.members.size() - 1, cluster.members.size() > 2 ? "es" : "")
            : "";
    return new Alert(
        Alert.idFor(dedup),
        ID,
        Severity.CRITICAL,
        "Multi-stage attack by %s%s: %s".formatted(attacker, others, String.join(" → ", ordered)),
        "One attacker%s reached %d stages of an attack: %s. Treat it as an incident."
            .formatted(
                cluster.members.size() > 1
                    ? " (" + String.join(", ", cluster.members) + ", named together by the alerts)"
                    : "",
                ordered.size(),
                String.join("; ", parts)),
        now,
        entities,
        new Alert.Evidence(List.copyOf(events), List.of()),
        tags,
        Severity.CRITICAL.defaultScore(),
        dedup);
  }
}
