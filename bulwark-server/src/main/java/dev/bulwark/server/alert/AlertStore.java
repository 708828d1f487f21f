package dev.bulwark.server.alert;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.AlertJson;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.server.db.Database;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/** Stored alerts. Every read is scoped to one organisation in the SQL itself. */
public final class AlertStore {
  private static final int MAX_TITLE = 1000;
  private final Jdbi jdbi;
  private final Clock clock;

  public AlertStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /**
   * One page of alerts, the cursor of the next page if there is one, and when those of the page
   * that were retracted (their chain events were orphaned by a reorganisation) were.
   */
  public record Page(
      List<Alert> alerts, Optional<AlertCursor> next, Map<String, java.time.Instant> retracted) {
    public Page(List<Alert> alerts, Optional<AlertCursor> next) {
      this(alerts, next, Map.of());
    }
  }

  /**
   * Inserts the alerts that are not stored yet (same organisation and id), within the caller's
   * transaction. Returns the ones inserted.
   */
  public List<Alert> insert(Handle h, long orgId, List<Alert> alerts) {
    if (alerts.isEmpty()) {
      return List.of();
    }
    Map<String, Alert> unique = new LinkedHashMap<>();
    alerts.forEach(a -> unique.putIfAbsent(a.id(), a));
    Set<String> existing =
        new HashSet<>(
            h.createQuery("SELECT alert_id FROM alerts WHERE org_id = :org AND alert_id IN (<ids>)")
                .bind("org", orgId)
                .bindList("ids", List.copyOf(unique.keySet()))
                .mapTo(String.class)
                .list());
    List<Alert> fresh = new ArrayList<>();
    PreparedBatch batch =
        h.prepareBatch(
            """
            INSERT INTO alerts (org_id, alert_id, rule_id, severity, severity_rank, title, alert_time,
                                created_at, dedup_key, body)
            VALUES (:org, :id, :rule, :severity, :rank, :title, :time, :created, :dedup, :body)
            """);
    OffsetDateTime now = Database.utc(clock.instant());
    for (Alert a : unique.values()) {
      if (existing.contains(a.id())) {
        continue;
      }
      fresh.add(a);
      batch
          .bind("org", orgId)
          .bind("id", a.id())
          .bind("rule", a.rule())
          .bind("severity", a.severity().label())
          .bind("rank", a.severity().rank())
          .bind(
              "title",
              a.title().length() > MAX_TITLE ? a.title().substring(0, MAX_TITLE) : a.title())
          .bind("time", Database.utc(a.time()))
          .bind("created", now)
          .bind("dedup", a.dedupKey())
          .bind("body", AlertJson.write(a))
          .add();
    }
    if (!fresh.isEmpty()) {
      batch.execute();
    }
    return fresh;
  }

  /** Inserts in a transaction of its own. */
  public List<Alert> insert(long orgId, List<Alert> alerts) {
    return jdbi.inTransaction(h -> insert(h, orgId, alerts));
  }

  public Optional<Alert> find(long orgId, String alertId) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT body FROM alerts WHERE org_id = :org AND alert_id = :id")
                .bind("org", orgId)
                .bind("id", alertId)
                .map((rs, ctx) -> AlertJson.read(rs.getString(1)))
                .findOne());
  }

  /** One page of an organisation's alerts, newest first. */
  public Page list(long orgId, AlertQuery q) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT alert_time, alert_id, body, retracted_at FROM alerts WHERE org_id = :org");
    if (!q.severities().isEmpty()) {
      sql.append(" AND severity IN (<severities>)");
    }
    q.rule().ifPresent(r -> sql.append(" AND rule_id = :rule"));
    q.since().ifPresent(t -> sql.append(" AND alert_time >= :since"));
    q.until().ifPresent(t -> sql.append(" AND alert_time < :until"));
    q.after()
        .ifPresent(
            c -> sql.append(" AND (alert_time < :ct OR (alert_time = :ct AND alert_id < :cid))"));
    sql.append(" ORDER BY alert_time DESC, alert_id DESC LIMIT :limit");
    record Row(AlertCursor position, Alert alert, OffsetDateTime retracted) {}
    List<Row> rows =
        jdbi.withHandle(
            h -> {
              Query query =
                  h.createQuery(sql.toString()).bind("org", orgId).bind("limit", q.limit() + 1);
              if (!q.severities().isEmpty()) {
                query.bindList(
                    "severities", q.severities().stream().map(Severity::label).sorted().toList());
              }
              q.rule().ifPresent(r -> query.bind("rule", r));
              q.since().ifPresent(t -> query.bind("since", Database.utc(t)));
              q.until().ifPresent(t -> query.bind("until", Database.utc(t)));
              q.after()
                  .ifPresent(
                      c -> query.bind("ct", Database.utc(c.time())).bind("cid", c.alertId()));
              return query
                  .map(
                      (rs, ctx) ->
                          new Row(
                              new AlertCursor(
                                  rs.getObject(1, OffsetDateTime.class).toInstant(),
                                  rs.getString(2)),
                              AlertJson.read(rs.getString(3)),
                              rs.getObject(4, OffsetDateTime.class)))
                  .list();
            });
    boolean more = rows.size() > q.limit();
    List<Row> page = more ? rows.subList(0, q.limit()) : rows;
    Optional<AlertCursor> next =
        more ? Optional.of(page.get(page.size() - 1).position()) : Optional.empty();
    Map<String, java.time.Instant> retracted = new java.util.HashMap<>();
    page.stream()
        .filter(r -> r.retracted() != null)
        .forEach(r -> retracted.put(r.alert().id(), r.retracted().toInstant()));
    return new Page(page.stream().map(Row::alert).toList(), next, retracted);
  }

  /** When an alert was retracted, if it was. */
  public Optional<java.time.Instant> retractedAt(long orgId, String alertId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT retracted_at FROM alerts WHERE org_id = :org AND alert_id = :id AND retracted_at IS NOT NULL")
                .bind("org", orgId)
                .bind("id", alertId)
                .map((rs, ctx) -> rs.getObject(1, OffsetDateTime.class).toInstant())
                .findOne());
  }

  /** How many alerts an organisation has. */
  public long count(long orgId) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT COUNT(*) FROM alerts WHERE org_id = :org")
                .bind("org", orgId)
                .mapTo(Long.class)
                .one());
  }
}
