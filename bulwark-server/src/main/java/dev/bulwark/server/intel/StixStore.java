package dev.bulwark.server.intel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import dev.bulwark.engine.intel.StixValidator;
import dev.bulwark.engine.intel.Tlp;
import dev.bulwark.server.db.Database;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * STIX 2.1 objects by collection, one row per version ({@code modified}; {@code created} or none
 * for objects without it), in the order they were added. A bundle is validated whole first: one bad
 * object stores nothing. A version already stored is a duplicate, not an error, so a peer sending
 * the same bundle twice changes nothing.
 */
public final class StixStore {
  /**
   * Reads STIX JSON keeping every value as written: decimals stay decimals with their digits
   * ({@code 2.50} is not {@code 2.5}), so a stored object serialises to the same values.
   */
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .configure(
              com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES,
              false)
          .setNodeFactory(
              com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

  /** Parses a bundle for {@link #add}, keeping values exactly as sent. */
  public static JsonNode parse(String json) throws java.io.IOException {
    return JSON.readTree(json);
  }

  private final Jdbi jdbi;
  private final Clock clock;

  public StixStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** What adding a bundle did: versions stored, versions already there. */
  public record Added(int stored, int duplicates, Instant dateAdded) {}

  /** One stored version. {@code tlp} is empty when the object carries no TLP marking. */
  public record Stored(
      long seq,
      String collection,
      String id,
      String type,
      String version,
      Optional<Tlp> tlp,
      long producerOrg,
      Instant dateAdded,
      String body) {}

  /**
   * Validates and stores a bundle's objects for {@code producerOrg}; throws a {@link
   * ValidationException} listing every problem (with JSON paths) and stores nothing when any object
   * is invalid.
   */
  public Added add(long producerOrg, String collection, JsonNode bundle) {
    List<Problem> problems = StixValidator.bundle(bundle);
    if (!problems.isEmpty()) {
      throw new ValidationException(
          "the bundle has %d problem(s); nothing was stored".formatted(problems.size()), problems);
    }
    JsonNode objects = bundle.path("objects");
    Instant now = clock.instant();
    OffsetDateTime added = Database.utc(now);
    return jdbi.inTransaction(
        h -> {
          int stored = 0;
          int duplicates = 0;
          for (JsonNode o : objects) {
            String id = o.get("id").asText();
            String version = version(o);
            boolean exists =
                h.createQuery(
                            "SELECT COUNT(*) FROM stix_objects WHERE collection_id = :c AND object_id = :id AND version = :v")
                        .bind("c", collection)
                        .bind("id", id)
                        .bind("v", version)
                        .mapTo(Long.class)
                        .one()
                    > 0;
            if (exists) {
              duplicates++;
              continue;
            }
            h.createUpdate(
                    """
                    INSERT INTO stix_objects (collection_id, object_id, object_type, version, tlp, producer_org, date_added, body)
                    VALUES (:c, :id, :type, :v, :tlp, :org, :added, :body)
                    """)
                .bind("c", collection)
                .bind("id", id)
                .bind("type", o.get("type").asText())
                .bind("v", version)
                .bind("tlp", tlp(o).map(Tlp::name).orElse(null))
                .bind("org", producerOrg)
                .bind("added", added)
                .bind("body", body(o))
                .execute();
            stored++;
          }
          return new Added(stored, duplicates, now);
        });
  }

  /** A collection and the caller's rights in it. */
  public record Collection(
      String id, String title, String description, boolean canRead, boolean canWrite) {}

  /** Creates a collection owned by {@code ownerOrg}, which may read and write it. */
  public void createCollection(String id, String title, String description, long ownerOrg) {
    jdbi.useTransaction(
        h -> {
          h.createUpdate(
                  "INSERT INTO stix_collections (id, title, description, owner_org, created_at) VALUES (:id, :t, :d, :o, :now)")
              .bind("id", id)
              .bind("t", title)
              .bind("d", description)
              .bind("o", ownerOrg)
              .bind("now", Database.utc(clock.instant()))
              .execute();
          grant(h, id, ownerOrg, true, true);
        });
  }

  /** Gives (or changes) an organisation's rights in a collection. */
  public void grant(String collection, long org, boolean read, boolean write) {
    jdbi.useTransaction(h -> grant(h, collection, org, read, write));
  }

  private static void grant(
      org.jdbi.v3.core.Handle h, String collection, long org, boolean read, boolean write) {
    h.createUpdate("DELETE FROM stix_grants WHERE collection_id = :c AND org_id = :o")
        .bind("c", collection)
        .bind("o", org)
        .execute();
    h.createUpdate(
            "INSERT INTO stix_grants (collection_id, org_id, can_read, can_write) VALUES (:c, :o, :r, :w)")
        .bind("c", collection)
        .bind("o", org)
        .bind("r", read)
        .bind("w", write)
        .execute();
  }

  /** The collections an organisation has any right in, by id. */
  public List<Collection> collections(long org) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT c.id, c.title, c.description, g.can_read, g.can_write
                    FROM stix_collections c JOIN stix_grants g ON g.collection_id = c.id
                    WHERE g.org_id = :o AND (g.can_read OR g.can_write) ORDER BY c.id
                    """)
                .bind("o", org)
                .map(
                    (rs, ctx) ->
                        new Collection(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getBoolean(4),
                            rs.getBoolean(5)))
                .list());
  }

  /** Names organisations a TLP:RED version may reach besides its producer. */
  public void addRecipients(long seq, java.util.Set<Long> orgs) {
    jdbi.useTransaction(
        h -> {
          for (long o : orgs) {
            h.createUpdate("DELETE FROM stix_recipients WHERE object_seq = :s AND org_id = :o")
                .bind("s", seq)
                .bind("o", o)
                .execute();
            h.createUpdate("INSERT INTO stix_recipients (object_seq, org_id) VALUES (:s, :o)")
                .bind("s", seq)
                .bind("o", o)
                .execute();
          }
        });
  }

  /**
   * What {@code reader} may see of a collection after {@code afterSeq}, oldest first, at most
   * {@code limit}: nothing without a read grant; TLP:RED only to its producer and named recipients;
   * TLP:AMBER+STRICT only to its producer; AMBER, GREEN, CLEAR and unmarked objects to every reader
   * of the collection. The filter is in the query, so a page (and the cursor after it) never holds
   * what the reader may not see.
   */
  public List<Stored> visible(String collection, long reader, long afterSeq, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT o.seq, o.collection_id, o.object_id, o.object_type, o.version, o.tlp,
                           o.producer_org, o.date_added, o.body
                    FROM stix_objects o
                    JOIN stix_grants g
                      ON g.collection_id = o.collection_id AND g.org_id = :reader AND g.can_read
                    WHERE o.collection_id = :c AND o.seq > :after
                      AND (o.producer_org = :reader
                           OR o.tlp IS NULL
                           OR o.tlp IN ('CLEAR', 'GREEN', 'AMBER')
                           OR (o.tlp = 'RED' AND EXISTS (
                                 SELECT 1 FROM stix_recipients r
                                 WHERE r.object_seq = o.seq AND r.org_id = :reader)))
                    ORDER BY o.seq
                    """)
                .bind("c", collection)
                .bind("reader", reader)
                .bind("after", afterSeq)
                .setMaxRows(limit)
                .map(StixStore::stored)
                .list());
  }

  /**
   * The versions of a collection added after {@code afterSeq}, oldest first, at most {@code limit}.
   */
  public List<Stored> after(String collection, long afterSeq, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT seq, collection_id, object_id, object_type, version, tlp, producer_org, date_added, body
                    FROM stix_objects WHERE collection_id = :c AND seq > :after ORDER BY seq
                    """)
                .bind("c", collection)
                .bind("after", afterSeq)
                .setMaxRows(limit)
                .map(StixStore::stored)
                .list());
  }

  private static Stored stored(
      java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
      throws java.sql.SQLException {
    return new Stored(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        Optional.ofNullable(rs.getString(6)).map(Tlp::valueOf),
        rs.getLong(7),
        rs.getObject(8, OffsetDateTime.class).toInstant(),
        rs.getString(9));
  }

  /** The version key: {@code modified}, else {@code created}, else empty (observables). */
  static String version(JsonNode o) {
    if (o.path("modified").isTextual()) {
      return o.get("modified").asText();
    }
    return o.path("created").isTextual() ? o.get("created").asText() : "";
  }

  private static Optional<Tlp> tlp(JsonNode o) {
    List<String> refs = new ArrayList<>();
    o.path("object_marking_refs").forEach(r -> refs.add(r.asText()));
    if (o.path("type").asText().equals("marking-definition")) {
      return Optional.empty(); // a marking is not itself marked by being one
    }
    return Tlp.of(refs);
  }

  private static String body(JsonNode o) {
    try {
      // the object as parsed: property order and values as sent (numbers and strings unchanged)
      return JSON.writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
