package dev.bulwark.server.intel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.intel.Feeds;
import dev.bulwark.engine.intel.Tlp;
import dev.bulwark.engine.rule.Rule;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.detect.RuleCatalog;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Best practices shared between members: detection rules published as STIX indicators ({@code
 * pattern_type: bulwark-rule} with the rule's YAML, or {@code sigma}), documents as STIX {@code
 * note} or {@code report}; and subscriptions that load the Bulwark rules published in a collection
 * as <em>disabled drafts</em> for an organisation to review and enable.
 */
public final class Publishing {
  private static final Logger LOG = LoggerFactory.getLogger(Publishing.class);
  public static final String RULE_PATTERN_TYPE = "bulwark-rule";

  private final StixStore stix;
  private final RuleCatalog catalog;
  private final Jdbi jdbi;
  private final Clock clock;

  public Publishing(StixStore stix, RuleCatalog catalog, Jdbi jdbi, Clock clock) {
    this.stix = stix;
    this.catalog = catalog;
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** What was published: the object ids and how many versions were new. */
  public record Published(String collection, List<String> ids, int stored) {}

  /** Publishes one of the organisation's rules (file or API) to a collection. */
  public Published publishRule(
      long org, String orgName, String ruleId, String collection, Tlp tlp) {
    Rule rule =
        catalog
            .find(org, ruleId)
            .map(RuleCatalog.View::rule)
            .orElseThrow(() -> new RuleCatalog.NoSuchRuleException(ruleId));
    StixStore.Collection c = AlertSharing.writable(stix, collection, org);
    Instant now = now();
    String id =
        "indicator--" + Feeds.uuid5("rule\n" + orgName + "\n" + rule.id() + "\n" + rule.text());
    ObjectNode o = AlertSharing.base("indicator", id, now, tlp.id());
    o.put("created_by_ref", AlertSharing.identityId(orgName));
    o.put("name", rule.title());
    o.put(
        "description",
        "Bulwark detection rule %s (severity %s), published by %s"
            .formatted(rule.id(), rule.severity().label(), orgName));
    o.putArray("indicator_types").add("malicious-activity");
    o.put("pattern", rule.text());
    o.put("pattern_type", RULE_PATTERN_TYPE);
    o.put("valid_from", AlertSharing.STIX_TIME.format(now));
    o.putArray("labels").add("detection-rule").add(rule.id());
    return publish(org, orgName, c, tlp, now, List.of(o));
  }

  /**
   * Publishes a document or a Sigma rule.
   *
   * @param kind {@code note}, {@code report} or {@code sigma}
   */
  public Published publishDocument(
      long org,
      String orgName,
      String kind,
      String title,
      String content,
      List<String> labels,
      String collection,
      Tlp tlp) {
    StixStore.Collection c = AlertSharing.writable(stix, collection, org);
    Instant now = now();
    String identity = AlertSharing.identityId(orgName);
    String type = kind.equals("sigma") ? "indicator" : kind;
    ObjectNode o = AlertSharing.base(type, type + "--" + UUID.randomUUID(), now, tlp.id());
    o.put("created_by_ref", identity);
    switch (kind) {
      case "note" -> {
        o.put("abstract", title);
        o.put("content", content);
        o.putArray("authors").add(orgName);
        o.putArray("object_refs").add(identity);
      }
      case "report" -> {
        o.put("name", title);
        o.put("description", content);
        o.put("published", AlertSharing.STIX_TIME.format(now));
        o.putArray("report_types").add("threat-report");
        o.putArray("object_refs").add(identity);
      }
      case "sigma" -> {
        o.put("name", title);
        o.put("pattern", content);
        o.put("pattern_type", "sigma");
        o.put("valid_from", AlertSharing.STIX_TIME.format(now));
        o.putArray("indicator_types").add("malicious-activity");
      }
      default -> throw new IllegalArgumentException("kind: " + kind);
    }
    if (!labels.isEmpty()) {
      ArrayNode l = o.putArray("labels");
      labels.forEach(l::add);
    }
    return publish(org, orgName, c, tlp, now, List.of(o));
  }

  private Published publish(
      long org,
      String orgName,
      StixStore.Collection c,
      Tlp tlp,
      Instant now,
      List<ObjectNode> objects) {
    ObjectNode bundle = JsonNodeFactory.instance.objectNode();
    bundle.put("type", "bundle");
    bundle.put("id", "bundle--" + UUID.randomUUID());
    ArrayNode list = bundle.putArray("objects");
    list.add(AlertSharing.identity(stix, c.id(), org, orgName, now, tlp.id()));
    objects.forEach(list::add);
    StixStore.Added added = stix.add(org, c.id(), bundle);
    return new Published(
        c.id(), objects.stream().map(o -> o.get("id").asText()).toList(), added.stored());
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /** Loads the Bulwark rules published in a collection the organisation reads, as drafts. */
  public void subscribe(String collection, long org) {
    StixStore.Collection c =
        stix.collection(collection, org)
            .filter(StixStore.Collection::canRead)
            .orElseThrow(
                () ->
                    new AlertSharing.NoAccessException(
                        "no collection '%s' that your organisation may read".formatted(collection),
                        false));
    jdbi.useTransaction(
        h -> {
          h.createUpdate("DELETE FROM rule_subscriptions WHERE collection_id = :c AND org_id = :o")
              .bind("c", c.id())
              .bind("o", org)
              .execute();
          h.createUpdate(
                  "INSERT INTO rule_subscriptions (collection_id, org_id, position, created_at) VALUES (:c, :o, 0, :now)")
              .bind("c", c.id())
              .bind("o", org)
              .bind("now", Database.utc(clock.instant()))
              .execute();
        });
  }

  /** A rule loaded as a draft, or skipped because the organisation has one with its id. */
  public record Draft(long org, String ruleId, String from, boolean loaded, String reason) {}

  /**
   * Looks at what subscribed collections gained and loads each new {@code bulwark-rule} indicator
   * as a disabled rule of the subscriber. A rule whose id the organisation already uses is not
   * touched (logged); a rule that does not compile is skipped (logged).
   */
  public synchronized List<Draft> loadDrafts() {
    record Sub(String collection, long org, long position) {}
    List<Sub> subs =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT collection_id, org_id, position FROM rule_subscriptions")
                    .map((rs, ctx) -> new Sub(rs.getString(1), rs.getLong(2), rs.getLong(3)))
                    .list());
    StixStore.Filter indicators =
        new StixStore.Filter(
            Optional.empty(), List.of(), List.of("indicator"), false, false, true, List.of(), true);
    List<Draft> out = new ArrayList<>();
    for (Sub s : subs) {
      long position = s.position();
      for (StixStore.Stored row :
          stix.find(s.collection(), s.org(), indicators, Optional.empty(), position, 1000)) {
        position = row.seq();
        if (row.producerOrg() == s.org()) {
          continue; // our own rules
        }
        try {
          JsonNode o = StixStore.parse(row.body());
          if (!RULE_PATTERN_TYPE.equals(o.path("pattern_type").asText())
              || o.path("revoked").asBoolean(false)) {
            continue;
          }
          out.add(draft(s.org(), o.get("pattern").asText(), row.id()));
        } catch (IOException | BulwarkException e) {
          LOG.warn("published rule {} not loaded: {}", row.id(), e.getMessage());
          out.add(new Draft(s.org(), "?", row.id(), false, e.getMessage()));
        }
      }
      long last = position;
      jdbi.useHandle(
          h ->
              h.createUpdate(
                      "UPDATE rule_subscriptions SET position = :p WHERE collection_id = :c AND org_id = :o")
                  .bind("p", last)
                  .bind("c", s.collection())
                  .bind("o", s.org())
                  .execute());
    }
    return out;
  }

  private Draft draft(long org, String text, String from) {
    String id = ruleId(text);
    if (catalog.find(org, id).isPresent()) {
      LOG.info(
          "published rule {} from {} not loaded: the organisation has a rule with that id",
          id,
          from);
      return new Draft(org, id, from, false, "a rule with this id exists");
    }
    catalog.put(org, id, text, Optional.of(false));
    LOG.info("published rule {} from {} loaded as a disabled draft", id, from);
    return new Draft(org, id, from, true, "loaded disabled for review");
  }

  /** The {@code id:} of a rule's YAML text (the compiler checks the rest). */
  static String ruleId(String text) {
    for (String line : text.split("\\R")) {
      String t = line.strip();
      if (line.startsWith("id:")) {
        String id = t.substring(3).strip();
        if (id.length() > 1 && (id.startsWith("\"") || id.startsWith("'"))) {
          id = id.substring(1, id.length() - 1);
        }
        return id;
      }
    }
    throw new BulwarkException("the published rule has no top-level id:");
  }
}
