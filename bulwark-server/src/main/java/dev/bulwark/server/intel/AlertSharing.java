package dev.bulwark.server.intel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.intel.Feeds;
import dev.bulwark.engine.intel.IntelDetector;
import dev.bulwark.engine.intel.Tlp;
import dev.bulwark.server.db.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Turns an alert into STIX for a collection: the organisation's {@code identity}, one {@code
 * indicator} per attacker wallet or IP (the same id whenever the organisation shares that value
 * again) and a {@code sighting} of it, all marked with the chosen TLP. An alert raised by a
 * member's indicator becomes a sighting of <em>that</em> indicator instead, so the member sees
 * where its intelligence hit. Nothing about the victim (accounts, event ids, amounts) is shared.
 * Sharing the same alert twice stores nothing new.
 */
public final class AlertSharing {
  static final DateTimeFormatter STIX_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final StixStore stix;
  private final Jdbi jdbi;
  private final Clock clock;

  public AlertSharing(StixStore stix, Jdbi jdbi, Clock clock) {
    this.stix = stix;
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** The collection is unknown to the organisation, or it may not write to it. */
  public static final class NoAccessException extends BulwarkException {
    public final boolean exists;

    NoAccessException(String message, boolean exists) {
      super(message);
      this.exists = exists;
    }
  }

  /** What sharing produced. */
  public record Shared(
      String collection,
      Tlp tlp,
      String identity,
      List<String> indicators,
      List<String> sightings,
      int stored) {}

  /**
   * Shares an alert of {@code org} (named {@code orgName}) into a collection it may write.
   *
   * @param recipients organisations a TLP:RED share may reach besides the sharer
   * @param valid how long a new indicator stays valid from the alert's time
   * @param includeRelated share the alert's related wallets and IPs too (an analyst's call: say a
   *     big withdrawal's destination found to be a drainer), not only its attackers
   */
  public Shared share(
      long org,
      String orgName,
      Alert alert,
      String collection,
      Tlp tlp,
      Set<Long> recipients,
      Duration valid,
      boolean includeRelated) {
    StixStore.Collection c = writable(stix, collection, org);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    String marking = tlp.id();
    List<JsonNode> objects = new ArrayList<>();
    String identityId = identityId(orgName);
    objects.add(identity(stix, c.id(), org, orgName, now, marking));
    List<String> indicators = new ArrayList<>();
    List<String> sightings = new ArrayList<>();
    List<String> sighted = new ArrayList<>();
    alert.tags().stream()
        .filter(t -> alert.rule().equals(IntelDetector.ID) && t.startsWith("indicator:"))
        .map(t -> t.substring("indicator:".length()))
        .forEach(sighted::add);
    if (sighted.isEmpty()) {
      for (Map.Entry<String, String> p : patterns(alert, includeRelated).entrySet()) {
        String pattern = p.getValue();
        String id = "indicator--" + Feeds.uuid5("indicator\n" + orgName + "\n" + pattern);
        indicators.add(id);
        sighted.add(id);
        objects.add(
            existing(stix, c.id(), org, id)
                .orElseGet(
                    () -> {
                      ObjectNode o = base("indicator", id, now, marking);
                      o.put("created_by_ref", identityId);
                      boolean attacker = !p.getKey().startsWith(RELATED);
                      String label = attacker ? p.getKey() : p.getKey().substring(RELATED.length());
                      o.put(
                          "name",
                          "%s %s (%s)"
                              .formatted(
                                  label,
                                  attacker ? "seen attacking" : "judged malicious",
                                  alert.rule()));
                      o.put(
                          "description",
                          (attacker
                                  ? "Named as the attacker by %s's Bulwark detection '%s' (severity %s)."
                                  : "Involved in %s's Bulwark detection '%s' (severity %s) and judged malicious by an analyst there.")
                              .formatted(orgName, alert.rule(), alert.severity().label()));
                      o.putArray("indicator_types").add("malicious-activity");
                      o.put("pattern", pattern);
                      o.put("pattern_type", "stix");
                      o.put("valid_from", STIX_TIME.format(alert.time()));
                      o.put("valid_until", STIX_TIME.format(alert.time().plus(valid)));
                      o.put("confidence", (int) Math.round(alert.score() * 100));
                      o.putArray("labels").add(alert.rule());
                      return o;
                    }));
      }
    }
    if (sighted.isEmpty()) {
      throw new ValidationException(
          "nothing to share",
          List.of(
              new Problem(
                  "$.entities",
                  ("alert %s names no attacker wallet or IP address to share as an indicator"
                          + (includeRelated
                              ? ""
                              : "; if you judged a related one malicious, share with include_related (CLI: --include-related)"))
                      .formatted(alert.id()))));
    }
    for (String of : sighted) {
      String id =
          "sighting--" + Feeds.uuid5("sighting\n" + orgName + "\n" + alert.id() + "\n" + of);
      sightings.add(id);
      objects.add(
          existing(stix, c.id(), org, id)
              .orElseGet(
                  () -> {
                    ObjectNode o = base("sighting", id, now, marking);
                    o.put("created_by_ref", identityId);
                    o.put("sighting_of_ref", of);
                    o.putArray("where_sighted_refs").add(identityId);
                    o.put("first_seen", STIX_TIME.format(alert.time()));
                    o.put("last_seen", STIX_TIME.format(alert.time()));
                    o.put("count", 1);
                    o.put("description", "Bulwark detection '%s'".formatted(alert.rule()));
                    return o;
                  }));
    }
    ObjectNode bundle = JsonNodeFactory.instance.objectNode();
    bundle.put("type", "bundle");
    bundle.put("id", "bundle--" + UUID.randomUUID());
    ArrayNode list = bundle.putArray("objects");
    objects.forEach(list::add);
    StixStore.Added added = stix.add(org, c.id(), bundle);
    if (tlp == Tlp.RED && !recipients.isEmpty()) {
      for (StixStore.Stored s :
          stix.find(
              c.id(), org, StixStore.Filter.everything(), Optional.empty(), 0, Integer.MAX_VALUE)) {
        if (s.producerOrg() == org
            && (sightings.contains(s.id())
                || indicators.contains(s.id())
                || s.id().equals(identityId))) {
          stix.addRecipients(s.seq(), recipients);
        }
      }
    }
    record(org, alert.id(), c.id(), sighted, sightings, tlp, now);
    return new Shared(c.id(), tlp, identityId, indicators, sightings, added.stored());
  }

  /** A collection the organisation may add to; otherwise why not. */
  static StixStore.Collection writable(StixStore stix, String collection, long org) {
    StixStore.Collection c =
        stix.collection(collection, org)
            .orElseThrow(
                () ->
                    new NoAccessException(
                        "no collection '%s' that your organisation may use; list them with GET /taxii2/bulwark/collections/"
                            .formatted(collection),
                        false));
    if (!c.canWrite()) {
      throw new NoAccessException(
          "your organisation may not add to collection '%s'".formatted(c.id()), true);
    }
    return c;
  }

  /** The organisation's identity object: the one already in the collection, or a new one. */
  static JsonNode identity(
      StixStore stix, String collection, long org, String orgName, Instant now, String marking) {
    String id = identityId(orgName);
    return existing(stix, collection, org, id)
        .orElseGet(
            () -> {
              ObjectNode o = base("identity", id, now, marking);
              o.put("name", orgName);
              o.put("identity_class", "organization");
              o.putArray("sectors").add("financial-services");
              return o;
            });
  }

  /** The STIX identity an organisation shares under: the same id on every instance. */
  public static String identityId(String orgName) {
    return "identity--" + Feeds.uuid5("identity\n" + orgName);
  }

  /** What an alert was shared as, with the sightings (anyone's) the organisation can see. */
  public record Sighting(
      String id, String of, String by, int count, String lastSeen, String collection) {}

  public record Shares(List<Map<String, String>> shares, List<Sighting> sightings) {}

  public Shares shares(long org, String alertId, java.util.function.LongFunction<String> orgName) {
    List<Map<String, String>> rows =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        "SELECT collection_id, indicator_id, sighting_id, tlp, shared_at FROM alert_shares WHERE alert_id = :a AND org_id = :o ORDER BY shared_at")
                    .bind("a", alertId)
                    .bind("o", org)
                    .map(
                        (rs, ctx) -> {
                          Map<String, String> m = new LinkedHashMap<>();
                          m.put("collection", rs.getString(1));
                          m.put("indicator", rs.getString(2));
                          m.put("sighting", rs.getString(3));
                          m.put("tlp", Tlp.valueOf(rs.getString(4)).label());
                          m.put(
                              "shared_at",
                              rs.getObject(5, java.time.OffsetDateTime.class)
                                  .toInstant()
                                  .toString());
                          return m;
                        })
                    .list());
    List<String> indicators = rows.stream().map(r -> r.get("indicator")).distinct().toList();
    List<Sighting> sightings = new ArrayList<>();
    for (StixStore.Stored s : stix.sightingsOf(indicators, org)) {
      try {
        JsonNode o = StixStore.parse(s.body());
        sightings.add(
            new Sighting(
                s.id(),
                o.path("sighting_of_ref").asText(),
                orgName.apply(s.producerOrg()),
                o.path("count").asInt(1),
                o.path("last_seen").asText(null),
                s.collection()));
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return new Shares(rows, sightings);
  }

  private void record(
      long org,
      String alertId,
      String collection,
      List<String> sighted,
      List<String> sightings,
      Tlp tlp,
      Instant now) {
    jdbi.useTransaction(
        h -> {
          for (int i = 0; i < sighted.size(); i++) {
            h.createUpdate(
                    "DELETE FROM alert_shares WHERE alert_id = :a AND org_id = :o AND collection_id = :c AND indicator_id = :i")
                .bind("a", alertId)
                .bind("o", org)
                .bind("c", collection)
                .bind("i", sighted.get(i))
                .execute();
            h.createUpdate(
                    """
                    INSERT INTO alert_shares (alert_id, org_id, collection_id, indicator_id, sighting_id, tlp, shared_at)
                    VALUES (:a, :o, :c, :i, :s, :tlp, :now)
                    """)
                .bind("a", alertId)
                .bind("o", org)
                .bind("c", collection)
                .bind("i", sighted.get(i))
                .bind("s", sightings.get(i))
                .bind("tlp", tlp.name())
                .bind("now", Database.utc(now))
                .execute();
          }
        });
  }

  /** The latest version of an object the organisation already shared in the collection. */
  static Optional<JsonNode> existing(StixStore stix, String collection, long org, String id) {
    return stix.find(collection, org, StixStore.Filter.latest(), Optional.of(id), 0, 1).stream()
        .filter(s -> s.producerOrg() == org)
        .findFirst()
        .map(
            s -> {
              try {
                return StixStore.parse(s.body());
              } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
              }
            });
  }

  static ObjectNode base(String type, String id, Instant now, String marking) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("type", type);
    o.put("spec_version", "2.1");
    o.put("id", id);
    o.put("created", STIX_TIME.format(now));
    o.put("modified", STIX_TIME.format(now));
    o.putArray("object_marking_refs").add(marking);
    return o;
  }

  /**
   * One STIX pattern per attacker wallet or IP of the alert, keyed by a label. Wallets are written
   * as {@code cryptocurrency-wallet:value} in lower case (the OpenCTI / SEAL-ISAC convention).
   */
  private static final String RELATED = "related:";

  private static String role(Entity e) {
    return e.role() == Entity.Role.RELATED ? RELATED : "";
  }

  static Map<String, String> patterns(Alert alert, boolean includeRelated) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Entity e : alert.entities()) {
      if (e.role() != Entity.Role.ATTACKER
          && !(includeRelated && e.role() == Entity.Role.RELATED)) {
        continue;
      }
      switch (e.kind()) {
        case ADDRESS, CONTRACT -> {
          String v = e.value().toLowerCase(Locale.ROOT);
          if (v.matches("0x[0-9a-f]{40}")) {
            out.put(role(e) + "Wallet " + v, "[cryptocurrency-wallet:value = '%s']".formatted(v));
          }
        }
        case IP -> {
          String v = e.value();
          out.put(
              role(e) + "IP " + v,
              "[%s:value = '%s']".formatted(v.contains(":") ? "ipv6-addr" : "ipv4-addr", v));
        }
        default -> {}
      }
    }
    return out;
  }
}
