package dev.bulwark.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.AlertJson;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.server.config.Secret;
import dev.bulwark.server.db.Database;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Notifiers and the outbox of deliveries. Every read is scoped to an organisation. */
public final class NotifierStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Jdbi jdbi;
  private final Clock clock;
  private final Map<Long, List<Notifier>> cache = new ConcurrentHashMap<>();

  public NotifierStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** A delivery: one alert for one notifier, and how its sending went so far. */
  public record Delivery(
      long id,
      long orgId,
      String notifierId,
      String alertId,
      String body,
      String status,
      int attempts,
      Instant nextAttempt,
      String lastError) {}

  void create(Notifier n) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    """
                    INSERT INTO notifiers (id, org_id, name, kind, min_severity, rule_filter, target, secret, created_at)
                    VALUES (:id, :org, :name, :kind, :min, :rules, :target, :secret, :now)
                    """)
                .bind("id", n.id())
                .bind("org", n.orgId())
                .bind("name", n.name())
                .bind("kind", n.channel().kind())
                .bind("min", n.minSeverity().label())
                .bind("rules", String.join(",", n.rules()))
                .bind("target", target(n.channel()))
                .bind("secret", n.secret().map(Secret::reveal).orElse(null))
                .bind("now", Database.utc(clock.instant()))
                .execute());
    cache.remove(n.orgId());
  }

  boolean delete(long orgId, String id) {
    boolean gone =
        jdbi.withHandle(
            h ->
                h.createUpdate("DELETE FROM notifiers WHERE org_id = :org AND id = :id")
                        .bind("org", orgId)
                        .bind("id", id)
                        .execute()
                    > 0);
    cache.remove(orgId);
    return gone;
  }

  /** An organisation's notifiers (cached; every change through this store refreshes it). */
  public List<Notifier> list(long orgId) {
    return cache.computeIfAbsent(
        orgId,
        org ->
            jdbi.withHandle(
                h ->
                    h.createQuery(
                            "SELECT * FROM notifiers WHERE org_id = :org ORDER BY created_at, id")
                        .bind("org", org)
                        .map((rs, ctx) -> notifier(rs))
                        .list()));
  }

  Optional<Notifier> find(long orgId, String id) {
    return list(orgId).stream().filter(n -> n.id().equals(id)).findFirst();
  }

  Optional<Notifier> findAny(String id) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM notifiers WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> notifier(rs))
                .findOne());
  }

  /**
   * Queues the alerts for every notifier of the organisation that wants them, in the caller's
   * transaction (the one storing the alerts).
   *
   * @return how many deliveries were queued
   */
  public int enqueue(Handle h, long orgId, List<Alert> alerts) {
    List<Notifier> notifiers = list(orgId);
    if (notifiers.isEmpty() || alerts.isEmpty()) {
      return 0;
    }
    PreparedBatch batch =
        h.prepareBatch(
            """
            INSERT INTO deliveries (org_id, notifier_id, alert_id, body, status, attempts, next_attempt_at, updated_at)
            VALUES (:org, :notifier, :alert, :body, 'pending', 0, :now, :now)
            """);
    OffsetDateTime now = Database.utc(clock.instant());
    int n = 0;
    for (Alert a : alerts) {
      for (Notifier notifier : notifiers) {
        if (notifier.wants(a)) {
          batch
              .bind("org", orgId)
              .bind("notifier", notifier.id())
              .bind("alert", a.id())
              .bind("body", AlertJson.write(a))
              .bind("now", now)
              .add();
          n++;
        }
      }
    }
    if (n > 0) {
      batch.execute();
    }
    return n;
  }

  /** Pending deliveries whose time has come, oldest first, leaving out those in flight. */
  List<Delivery> due(int limit, Set<Long> inFlight) {
    return jdbi.withHandle(
        h ->
            h
                .createQuery(
                    "SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :limit")
                .bind("now", Database.utc(clock.instant()))
                .bind("limit", limit + inFlight.size())
                .map((rs, ctx) -> delivery(rs))
                .list()
                .stream()
                .filter(d -> !inFlight.contains(d.id()))
                .limit(limit)
                .toList());
  }

  void delivered(long id, int attempts) {
    update(id, "delivered", attempts, clock.instant(), null);
  }

  void retry(long id, int attempts, Instant next, String error) {
    update(id, "pending", attempts, next, error);
  }

  void dead(long id, int attempts, String error) {
    update(id, "dead", attempts, clock.instant(), error);
  }

  private void update(long id, String status, int attempts, Instant next, String error) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE deliveries SET status = :status, attempts = :attempts, next_attempt_at = :next, last_error = :error, updated_at = :now WHERE id = :id")
                .bind("status", status)
                .bind("attempts", attempts)
                .bind("next", Database.utc(next))
                .bind(
                    "error",
                    error == null ? null : error.length() > 1000 ? error.substring(0, 1000) : error)
                .bind("now", Database.utc(clock.instant()))
                .bind("id", id)
                .execute());
  }

  /** An organisation's deliveries for one notifier, newest first, optionally of one status. */
  List<Delivery> deliveries(long orgId, String notifierId, Optional<String> status, int limit) {
    return jdbi.withHandle(
        h -> {
          var q =
              h.createQuery(
                      "SELECT * FROM deliveries WHERE org_id = :org AND notifier_id = :n"
                          + (status.isPresent() ? " AND status = :status" : "")
                          + " ORDER BY id DESC LIMIT :limit")
                  .bind("org", orgId)
                  .bind("n", notifierId)
                  .bind("limit", limit);
          status.ifPresent(s -> q.bind("status", s));
          return q.map((rs, ctx) -> delivery(rs)).list();
        });
  }

  private static Delivery delivery(ResultSet rs) throws SQLException {
    return new Delivery(
        rs.getLong("id"),
        rs.getLong("org_id"),
        rs.getString("notifier_id"),
        rs.getString("alert_id"),
        rs.getString("body"),
        rs.getString("status"),
        rs.getInt("attempts"),
        rs.getObject("next_attempt_at", OffsetDateTime.class).toInstant(),
        rs.getString("last_error"));
  }

  private static Notifier notifier(ResultSet rs) throws SQLException {
    String filter = rs.getString("rule_filter");
    Set<String> rules =
        filter.isEmpty() ? Set.of() : new HashSet<>(Arrays.asList(filter.split(",")));
    String secret = rs.getString("secret");
    return new Notifier(
        rs.getString("id"),
        rs.getLong("org_id"),
        rs.getString("name"),
        channel(rs.getString("kind"), rs.getString("target")),
        Severity.parse(rs.getString("min_severity")),
        rules,
        Optional.ofNullable(secret).map(Secret::new));
  }

  static String target(Channel c) {
    ObjectNode o = JSON.createObjectNode();
    if (c instanceof Channel.Webhook w) {
      o.put("url", w.url().toString());
    } else if (c instanceof Channel.Slack s) {
      o.put("url", s.url().toString());
    } else if (c instanceof Channel.Email e) {
      o.put("host", e.host())
          .put("port", e.port())
          .put("from", e.from())
          .put("username", e.username())
          .put("starttls", e.starttls());
      e.to().forEach(o.putArray("to")::add);
    }
    return o.toString();
  }

  static Channel channel(String kind, String target) {
    JsonNode o;
    try {
      o = JSON.readTree(target);
    } catch (JsonProcessingException e) {
      throw new BulwarkException("unreadable notifier target", e);
    }
    return switch (kind) {
      case "webhook" -> new Channel.Webhook(URI.create(o.path("url").asText()));
      case "slack" -> new Channel.Slack(URI.create(o.path("url").asText()));
      default -> {
        List<String> to = new ArrayList<>();
        o.path("to").forEach(t -> to.add(t.asText()));
        yield new Channel.Email(
            o.path("host").asText(),
            o.path("port").asInt(),
            o.path("from").asText(),
            to,
            o.path("username").isNull() ? null : o.path("username").asText(null),
            o.path("starttls").asBoolean());
      }
    };
  }
}
