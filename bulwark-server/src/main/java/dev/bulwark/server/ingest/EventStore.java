package dev.bulwark.server.ingest;

import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventJson;
import dev.bulwark.engine.event.EventParser;
import dev.bulwark.server.db.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The durable event log. Appends are idempotent per (organisation, event id) and atomic per batch.
 * Appends are serialised in this process so that sequence numbers become visible in order — the
 * detection pump reads by sequence and must never skip one that commits late.
 */
public final class EventStore {
  private static final int IN_CHUNK = 500;
  private final Jdbi jdbi;
  private final Clock clock;
  private final EventParser reader = new EventParser(1);
  private final ReentrantLock appendLock = new ReentrantLock();

  public EventStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /**
   * What an append did: how many events arrived, how many were new, how many already stored, and
   * the log's last sequence number once they were — detection has seen the batch when it reaches
   * that.
   */
  public record Appended(int received, int accepted, int duplicates, long lastSeq) {}

  /** An event as stored, with its place in the log and its organisation. */
  public record Stored(long seq, long orgId, Event event) {}

  /** Stores the new events of the batch in one transaction; events already stored are skipped. */
  public Appended append(long orgId, List<Event> events) {
    Map<String, Event> unique = new LinkedHashMap<>();
    for (Event e : events) {
      unique.putIfAbsent(e.id(), e);
    }
    appendLock.lock();
    try {
      return jdbi.inTransaction(
          h -> {
            Set<String> existing = existingIds(h, orgId, unique.keySet());
            List<Event> fresh = new ArrayList<>();
            unique.forEach(
                (id, e) -> {
                  if (!existing.contains(id)) {
                    fresh.add(e);
                  }
                });
            insert(h, orgId, fresh);
            long lastSeq =
                h.createQuery("SELECT COALESCE(MAX(seq), 0) FROM events").mapTo(Long.class).one();
            return new Appended(events.size(), fresh.size(), events.size() - fresh.size(), lastSeq);
          });
    } finally {
      appendLock.unlock();
    }
  }

  private static Set<String> existingIds(Handle h, long orgId, Set<String> ids) {
    Set<String> found = new HashSet<>();
    List<String> all = new ArrayList<>(ids);
    for (int i = 0; i < all.size(); i += IN_CHUNK) {
      List<String> chunk = all.subList(i, Math.min(all.size(), i + IN_CHUNK));
      found.addAll(
          h.createQuery("SELECT event_id FROM events WHERE org_id = :org AND event_id IN (<ids>)")
              .bind("org", orgId)
              .bindList("ids", chunk)
              .mapTo(String.class)
              .list());
    }
    return found;
  }

  private void insert(Handle h, long orgId, List<Event> fresh) {
    if (fresh.isEmpty()) {
      return;
    }
    PreparedBatch batch =
        h.prepareBatch(
            """
            INSERT INTO events (org_id, event_id, event_type, event_time, received_at, body)
            VALUES (:org, :id, :type, :time, :received, :body)
            """);
    var received = Database.utc(clock.instant());
    for (Event e : fresh) {
      batch
          .bind("org", orgId)
          .bind("id", e.id())
          .bind("type", e.type())
          .bind("time", Database.utc(e.time()))
          .bind("received", received)
          .bind("body", EventJson.write(e))
          .add();
    }
    batch.execute();
  }

  /** Up to {@code limit} events after sequence number {@code after}, in log order. */
  public List<Stored> readAfter(long after, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT seq, org_id, body FROM events WHERE seq > :after ORDER BY seq LIMIT :limit")
                .bind("after", after)
                .bind("limit", limit)
                .map(
                    (rs, ctx) ->
                        new Stored(rs.getLong(1), rs.getLong(2), reader.parseOne(rs.getString(3))))
                .list());
  }

  /** One event of an organisation. */
  public Optional<Event> find(long orgId, String eventId) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT body FROM events WHERE org_id = :org AND event_id = :id")
                .bind("org", orgId)
                .bind("id", eventId)
                .map((rs, ctx) -> reader.parseOne(rs.getString(1)))
                .findOne());
  }

  /** How many events an organisation has stored. */
  public long count(long orgId) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT COUNT(*) FROM events WHERE org_id = :org")
                .bind("org", orgId)
                .mapTo(Long.class)
                .one());
  }

  /** The newest sequence number in the log, 0 when empty. */
  public long lastSeq() {
    return jdbi.withHandle(
        h -> h.createQuery("SELECT COALESCE(MAX(seq), 0) FROM events").mapTo(Long.class).one());
  }
}
