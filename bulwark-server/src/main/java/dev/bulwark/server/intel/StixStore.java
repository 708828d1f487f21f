package dev.bulwark.server.intel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import dev.bulwark.engine.intel.StixValidator;
import dev.bulwark.engine.intel.Tlp;
import dev.bulwark.server.db.Database;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
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

  /** What adding did to one object: its id and version, and whether it was already there. */
  public record Outcome(String id, String version, boolean duplicate) {}

  /** What adding a bundle did: versions stored, versions already there, each object's outcome. */
  public record Added(int stored, int duplicates, Instant dateAdded, List<Outcome> outcomes) {}

  /** The collection does not exist. */
  public static final class NoSuchCollectionException extends BulwarkException {
    NoSuchCollectionException(String id) {
      super("no collection '%s'".formatted(id));
    }
  }

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
    return store(producerOrg, collection, bundle.path("objects"), java.util.Set.of());
  }

  /**
   * Validates and stores the objects of a TAXII envelope ({@code {"objects": [...]}}); a STIX
   * bundle is accepted too. Nothing is stored when any object is invalid.
   */
  public Added addEnvelope(long producerOrg, String collection, JsonNode envelope) {
    return addEnvelope(producerOrg, collection, envelope, java.util.Set.of());
  }

  /**
   * {@link #addEnvelope(long, String, JsonNode)}, naming {@code redRecipients} as recipients of
   * every TLP:RED version stored (federation: what a peer sent us as RED is for us).
   */
  public Added addEnvelope(
      long producerOrg, String collection, JsonNode envelope, java.util.Set<Long> redRecipients) {
    if (envelope != null && "bundle".equals(envelope.path("type").asText(null))) {
      List<Problem> problems = StixValidator.bundle(envelope);
      if (!problems.isEmpty()) {
        throw new ValidationException(
            "the bundle has %d problem(s); nothing was stored".formatted(problems.size()),
            problems);
      }
      return store(producerOrg, collection, envelope.path("objects"), redRecipients);
    }
    List<Problem> problems = new ArrayList<>();
    if (envelope == null || !envelope.isObject()) {
      problems.add(new Problem("$", "expected a TAXII envelope: {\"objects\": [ … ]}"));
    } else {
      JsonNode objects = envelope.get("objects");
      if (objects != null && !objects.isArray()) {
        problems.add(new Problem("$.objects", "expected an array of STIX objects"));
      } else if (objects != null) {
        for (int i = 0; i < objects.size(); i++) {
          problems.addAll(StixValidator.object(objects.get(i), "$.objects[" + i + "]"));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(
          "the envelope has %d problem(s); nothing was stored".formatted(problems.size()),
          problems);
    }
    return store(producerOrg, collection, envelope.path("objects"), redRecipients);
  }

  /**
   * Stores validated objects. Writers to one collection take turns (a row lock on the collection),
   * so every version gets a {@code date_added} after every earlier one, a microsecond apart at
   * least, and sequence order is commit order: a reader paging by {@code added_after} or by cursor
   * never skips a version committed later with an earlier position.
   */
  private Added store(
      long producerOrg, String collection, JsonNode objects, java.util.Set<Long> redRecipients) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Added added =
        jdbi.inTransaction(
            h -> {
              if (h.createQuery("SELECT id FROM stix_collections WHERE id = :c FOR UPDATE")
                  .bind("c", collection)
                  .mapTo(String.class)
                  .findOne()
                  .isEmpty()) {
                throw new NoSuchCollectionException(collection);
              }
              Instant last =
                  h.createQuery("SELECT MAX(date_added) FROM stix_objects WHERE collection_id = :c")
                      .bind("c", collection)
                      .mapTo(OffsetDateTime.class)
                      .findOne()
                      .map(OffsetDateTime::toInstant)
                      .orElse(Instant.EPOCH);
              Instant next = now.isAfter(last) ? now : last.plus(1, ChronoUnit.MICROS);
              int stored = 0;
              int duplicates = 0;
              List<Outcome> outcomes = new ArrayList<>();
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
                  outcomes.add(new Outcome(id, version, true));
                  continue;
                }
                Optional<Tlp> level = tlp(o);
                long seq =
                    h.createUpdate(
                            """
                    INSERT INTO stix_objects (collection_id, object_id, object_type, version, version_key,
                                              tlp, producer_org, date_added, body, sighting_of)
                    VALUES (:c, :id, :type, :v, :key, :tlp, :org, :added, :body, :sightingOf)
                    """)
                        .bind("sightingOf", o.path("sighting_of_ref").asText(null))
                        .bind("c", collection)
                        .bind("id", id)
                        .bind("type", o.get("type").asText())
                        .bind("v", version)
                        .bind("key", versionKey(version))
                        .bind("tlp", level.map(Tlp::name).orElse(null))
                        .bind("org", producerOrg)
                        .bind("added", Database.utc(next))
                        .bind("body", body(o))
                        .executeAndReturnGeneratedKeys("seq")
                        .mapTo(Long.class)
                        .one();
                if (level.equals(Optional.of(Tlp.RED))) {
                  for (long r : redRecipients) {
                    h.createUpdate(
                            "INSERT INTO stix_recipients (object_seq, org_id) VALUES (:s, :o)")
                        .bind("s", seq)
                        .bind("o", r)
                        .execute();
                  }
                }
                next = next.plus(1, ChronoUnit.MICROS);
                stored++;
                outcomes.add(new Outcome(id, version, false));
              }
              return new Added(stored, duplicates, now, List.copyOf(outcomes));
            });
    if (added.stored() > 0) {
      listeners.forEach(Runnable::run);
    }
    return added;
  }

  /** A collection and the caller's rights in it. */
  public record Collection(
      String id,
      String title,
      String description,
      Optional<String> alias,
      boolean canRead,
      boolean canWrite) {}

  /** Creates a collection owned by {@code ownerOrg}, which may read and write it. */
  public void createCollection(String id, String title, String description, long ownerOrg) {
    createCollection(id, title, description, null, ownerOrg);
  }

  /**
   * Creates a collection owned by {@code ownerOrg}, which may read and write it; {@code alias}
   * (optional) must be unique.
   */
  public void createCollection(
      String id, String title, String description, String alias, long ownerOrg) {
    jdbi.useTransaction(
        h -> {
          h.createUpdate(
                  "INSERT INTO stix_collections (id, title, description, alias, owner_org, created_at) VALUES (:id, :t, :d, :a, :o, :now)")
              .bind("id", id)
              .bind("t", title)
              .bind("d", description)
              .bind("a", alias)
              .bind("o", ownerOrg)
              .bind("now", Database.utc(clock.instant()))
              .execute();
          grant(h, id, ownerOrg, true, true);
        });
  }

  /** Gives (or changes) an organisation's rights in a collection. */
  public void grant(String collection, long org, boolean read, boolean write) {
    jdbi.useTransaction(
        h -> {
          if (h.createQuery("SELECT COUNT(*) FROM stix_collections WHERE id = :c")
                  .bind("c", collection)
                  .mapTo(Long.class)
                  .one()
              == 0) {
            throw new NoSuchCollectionException(collection);
          }
          grant(h, collection, org, read, write);
        });
  }

  private static void grant(
      org.jdbi.v3.core.Handle h, String collection, long org, boolean read, boolean write) {
    bump(h);
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

  private static final String COLLECTION_COLUMNS =
      """
      SELECT c.id, c.title, c.description, c.alias, g.can_read, g.can_write
      FROM stix_collections c JOIN stix_grants g ON g.collection_id = c.id
      WHERE g.org_id = :o AND (g.can_read OR g.can_write)
      """;

  /** The collections an organisation has any right in, by id. */
  public List<Collection> collections(long org) {
    return jdbi.withHandle(
        h ->
            h.createQuery(COLLECTION_COLUMNS + " ORDER BY c.id")
                .bind("o", org)
                .map(StixStore::collectionRow)
                .list());
  }

  /**
   * One collection by id or alias, if the organisation has any right in it (otherwise it does not
   * exist for that organisation).
   */
  public Optional<Collection> collection(String idOrAlias, long org) {
    return jdbi.withHandle(
        h ->
            h.createQuery(COLLECTION_COLUMNS + " AND (c.id = :c OR c.alias = :c) ORDER BY c.id")
                .bind("o", org)
                .bind("c", idOrAlias)
                .map(StixStore::collectionRow)
                .findFirst());
  }

  private static Collection collectionRow(
      java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
      throws java.sql.SQLException {
    return new Collection(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        Optional.ofNullable(rs.getString(4)),
        rs.getBoolean(5),
        rs.getBoolean(6));
  }

  /** Names organisations a TLP:RED version may reach besides its producer. */
  public void addRecipients(long seq, java.util.Set<Long> orgs) {
    jdbi.useTransaction(
        h -> {
          bump(h);
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
   * Which versions a query selects (TAXII {@code match[...]} and {@code added_after}). Versions are
   * {@link #versionKey version keys}; {@code first}/{@code last} are among the versions the reader
   * can see after {@code addedAfter}.
   */
  public record Filter(
      Optional<Instant> addedAfter,
      List<String> ids,
      List<String> types,
      boolean first,
      boolean last,
      boolean all,
      List<String> versions,
      boolean specVersionMatches) {

    public Filter {
      ids = List.copyOf(ids);
      types = List.copyOf(types);
      versions = List.copyOf(versions);
    }

    /** Every version, no other condition. */
    public static Filter everything() {
      return new Filter(
          Optional.empty(), List.of(), List.of(), false, false, true, List.of(), true);
    }

    /** The latest version of each object (the TAXII default). */
    public static Filter latest() {
      return new Filter(
          Optional.empty(), List.of(), List.of(), false, true, false, List.of(), true);
    }
  }

  /**
   * A version is visible to {@code :reader} when the reader produced it, it is unmarked, CLEAR,
   * GREEN or AMBER, or it is RED and names the reader as a recipient. AMBER+STRICT stays with its
   * producer. (The read grant is checked by the join in {@link #find}.)
   */
  private static String visibleTo(String a) {
    return """
        (%1$s.producer_org = :reader
         OR %1$s.tlp IS NULL
         OR %1$s.tlp IN ('CLEAR', 'GREEN', 'AMBER')
         OR (%1$s.tlp = 'RED' AND EXISTS (
               SELECT 1 FROM stix_recipients r WHERE r.object_seq = %1$s.seq AND r.org_id = :reader)))
        """
        .formatted(a);
  }

  /**
   * What {@code reader} may see of a collection after {@code afterSeq} that the filter selects,
   * oldest first, at most {@code limit}; {@code objectId} narrows it to one object. Nothing without
   * a read grant; TLP:RED only to its producer and named recipients; TLP:AMBER+STRICT only to its
   * producer; AMBER, GREEN, CLEAR and unmarked versions to every reader of the collection. The
   * rules are in the query, so a page (and a cursor after it) never holds what the reader may not
   * see.
   */
  public List<Stored> find(
      String collection,
      long reader,
      Filter f,
      Optional<String> objectId,
      long afterSeq,
      int limit) {
    StringBuilder sql =
        new StringBuilder(
            """
            SELECT o.seq, o.collection_id, o.object_id, o.object_type, o.version, o.tlp,
                   o.producer_org, o.date_added, o.body
            FROM stix_objects o
            JOIN stix_grants g
              ON g.collection_id = o.collection_id AND g.org_id = :reader AND g.can_read
            WHERE o.collection_id = :c AND o.seq > :after AND
            """);
    sql.append(visibleTo("o"));
    f.addedAfter().ifPresent(a -> sql.append(" AND o.date_added > :addedAfter"));
    objectId.ifPresent(id -> sql.append(" AND o.object_id = :objectId"));
    if (!f.ids().isEmpty()) {
      sql.append(" AND o.object_id IN (<ids>)");
    }
    if (!f.types().isEmpty()) {
      sql.append(" AND o.object_type IN (<types>)");
    }
    if (!f.specVersionMatches()) {
      sql.append(" AND 1 = 0"); // every stored object is STIX 2.1
    }
    if (!f.all()) {
      List<String> anyOf = new ArrayList<>();
      if (f.last()) {
        anyOf.add(extreme("MAX", f));
      }
      if (f.first()) {
        anyOf.add(extreme("MIN", f));
      }
      if (!f.versions().isEmpty()) {
        anyOf.add("o.version_key IN (<versions>)");
      }
      sql.append(anyOf.isEmpty() ? " AND 1 = 0" : " AND (" + String.join(" OR ", anyOf) + ")");
    }
    sql.append(" ORDER BY o.seq");
    return jdbi.withHandle(
        h -> {
          var q =
              h.createQuery(sql.toString())
                  .bind("c", collection)
                  .bind("reader", reader)
                  .bind("after", afterSeq);
          f.addedAfter().ifPresent(a -> q.bind("addedAfter", Database.utc(a)));
          objectId.ifPresent(id -> q.bind("objectId", id));
          if (!f.ids().isEmpty()) {
            q.bindList("ids", f.ids());
          }
          if (!f.types().isEmpty()) {
            q.bindList("types", f.types());
          }
          if (!f.all() && !f.versions().isEmpty()) {
            q.bindList("versions", f.versions());
          }
          return q.setMaxRows(limit).map(StixStore::stored).list();
        });
  }

  /** The condition "o is the reader's first (MIN) or last (MAX) visible version". */
  private static String extreme(String fn, Filter f) {
    return """
        o.version_key = (SELECT %s(v.version_key) FROM stix_objects v
                         WHERE v.collection_id = o.collection_id AND v.object_id = o.object_id
                           AND %s %s)
        """
        .formatted(
            fn, visibleTo("v"), f.addedAfter().isPresent() ? "AND v.date_added > :addedAfter" : "");
  }

  /** The sightings of these objects that {@code reader} may see, in any collection it reads. */
  public List<Stored> sightingsOf(List<String> ids, long reader) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT o.seq, o.collection_id, o.object_id, o.object_type, o.version, o.tlp,
                           o.producer_org, o.date_added, o.body
                    FROM stix_objects o
                    JOIN stix_grants g
                      ON g.collection_id = o.collection_id AND g.org_id = :reader AND g.can_read
                    WHERE o.sighting_of IN (<ids>) AND
                    """
                        + visibleTo("o")
                        + " ORDER BY o.seq")
                .bindList("ids", ids)
                .bind("reader", reader)
                .map(StixStore::stored)
                .list());
  }

  /** Every version {@code reader} may see after {@code afterSeq}: see {@link #find}. */
  public List<Stored> visible(String collection, long reader, long afterSeq, int limit) {
    return find(collection, reader, Filter.everything(), Optional.empty(), afterSeq, limit);
  }

  /**
   * Deletes versions of an object that {@code org} produced and the filter selects. Versions of
   * other producers are never deleted: when the filter selects any, nothing is deleted and the
   * answer says so.
   */
  public Deleted delete(String collection, long org, String objectId, Filter f) {
    List<Stored> selected = find(collection, org, f, Optional.of(objectId), 0, Integer.MAX_VALUE);
    if (selected.stream().anyMatch(s -> s.producerOrg() != org)) {
      return new Deleted(0, true);
    }
    jdbi.useTransaction(
        h -> {
          bump(h);
          for (Stored s : selected) {
            h.createUpdate("DELETE FROM stix_recipients WHERE object_seq = :s")
                .bind("s", s.seq())
                .execute();
            h.createUpdate("DELETE FROM stix_objects WHERE seq = :s").bind("s", s.seq()).execute();
          }
        });
    return new Deleted(selected.size(), false);
  }

  private static void bump(org.jdbi.v3.core.Handle h) {
    h.createUpdate("UPDATE stix_generation SET generation = generation + 1 WHERE id = 1").execute();
  }

  /**
   * A number that changes whenever visibility may have been taken away: a version deleted, a grant
   * or a recipient list changed. Additions do not change it; follow them by sequence number.
   */
  public long generation() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT generation FROM stix_generation WHERE id = 1")
                .mapTo(Long.class)
                .one());
  }

  /** An organisation that may read a collection, with the collection's alias if it has one. */
  public record Reader(String collection, Optional<String> alias, long org) {}

  /** Every (collection, organisation) read grant. */
  public List<Reader> readers() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT c.id, c.alias, g.org_id FROM stix_collections c
                    JOIN stix_grants g ON g.collection_id = c.id WHERE g.can_read ORDER BY c.id, g.org_id
                    """)
                .map(
                    (rs, ctx) ->
                        new Reader(
                            rs.getString(1), Optional.ofNullable(rs.getString(2)), rs.getLong(3)))
                .list());
  }

  /** Called after every add that stored something (for example to refresh what detection uses). */
  public void onAdded(Runnable listener) {
    listeners.add(listener);
  }

  private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** What a delete did: versions deleted; whether versions of another producer were selected. */
  public record Deleted(int count, boolean othersSelected) {}

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

  /** Keeps the status resource of an Add Objects request for the posting organisation. */
  public void saveStatus(String id, String collection, long org, String body) {
    Instant now = clock.instant();
    jdbi.useTransaction(
        h -> {
          h.createUpdate("DELETE FROM taxii_status WHERE created_at < :cutoff")
              .bind("cutoff", Database.utc(now.minus(STATUS_RETENTION)))
              .execute();
          h.createUpdate(
                  "INSERT INTO taxii_status (id, collection_id, org_id, created_at, body) VALUES (:id, :c, :o, :now, :b)")
              .bind("id", id)
              .bind("c", collection)
              .bind("o", org)
              .bind("now", Database.utc(now))
              .bind("b", body)
              .execute();
        });
  }

  /** A status resource, if {@code org} posted it within the retention period. */
  public Optional<String> status(String id, long org) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT body FROM taxii_status WHERE id = :id AND org_id = :o AND created_at >= :cutoff")
                .bind("id", id)
                .bind("o", org)
                .bind("cutoff", Database.utc(clock.instant().minus(STATUS_RETENTION)))
                .mapTo(String.class)
                .findOne());
  }

  /** How long status resources stay queryable (the interop document asks for 24 hours at least). */
  public static final java.time.Duration STATUS_RETENTION = java.time.Duration.ofDays(7);

  private static final DateTimeFormatter KEY =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  /**
   * A version as a sortable key: the instant in UTC with nine fractional digits, so that {@code
   * 09:00:00.1Z} and {@code 09:00:00.100Z} are one version and order is time order. Empty for
   * objects without a version; throws on text that is not a timestamp.
   */
  public static String versionKey(String version) {
    if (version.isEmpty()) {
      return "";
    }
    return KEY.format(Instant.parse(version));
  }

  /** {@link #versionKey} for request input: empty when the text is not an RFC 3339 timestamp. */
  public static Optional<String> parseVersionKey(String text) {
    try {
      return Optional.of(KEY.format(Instant.parse(text)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
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
