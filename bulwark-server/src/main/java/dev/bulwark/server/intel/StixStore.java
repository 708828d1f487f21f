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
                .map(
                    (rs, ctx) ->
                        new Stored(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            Optional.ofNullable(rs.getString(6)).map(Tlp::valueOf),
                            rs.getLong(7),
                            rs.getObject(8, OffsetDateTime.class).toInstant(),
                            rs.getString(9)))
                .list());
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
