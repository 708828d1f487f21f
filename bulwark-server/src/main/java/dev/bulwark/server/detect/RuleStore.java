package dev.bulwark.server.detect;

import dev.bulwark.server.db.Database;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Rules organisations manage through the API, and their overrides of file rules. */
public final class RuleStore {
  private final Jdbi jdbi;
  private final Clock clock;

  public RuleStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  private static final org.jdbi.v3.core.mapper.RowMapper<Row> ROW =
      (rs, ctx) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4));

  /** One row: a rule's text (null for an override of a file rule) and whether it is enabled. */
  public record Row(long orgId, String ruleId, String text, boolean enabled) {}

  List<Row> all() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT org_id, rule_id, text, enabled FROM org_rules ORDER BY org_id, rule_id")
                .map(
                    (rs, ctx) ->
                        new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)))
                .list());
  }

  Optional<Row> find(long orgId, String ruleId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT org_id, rule_id, text, enabled FROM org_rules WHERE org_id = :org AND rule_id = :id")
                .bind("org", orgId)
                .bind("id", ruleId)
                .map(
                    (rs, ctx) ->
                        new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)))
                .findOne());
  }

  /** Creates or replaces a row; returns whether it was new. */
  boolean put(Row row) {
    return jdbi.inTransaction(
        h -> {
          var now = Database.utc(clock.instant());
          int updated =
              h.createUpdate(
                      "UPDATE org_rules SET text = :text, enabled = :enabled, updated_at = :now WHERE org_id = :org AND rule_id = :id")
                  .bind("text", row.text())
                  .bind("enabled", row.enabled())
                  .bind("now", now)
                  .bind("org", row.orgId())
                  .bind("id", row.ruleId())
                  .execute();
          if (updated == 0) {
            h.createUpdate(
                    "INSERT INTO org_rules (org_id, rule_id, text, enabled, updated_at) VALUES (:org, :id, :text, :enabled, :now)")
                .bind("text", row.text())
                .bind("enabled", row.enabled())
                .bind("now", now)
                .bind("org", row.orgId())
                .bind("id", row.ruleId())
                .execute();
          }
          return updated == 0;
        });
  }

  boolean delete(long orgId, String ruleId) {
    return jdbi.withHandle(
        h ->
            h.createUpdate("DELETE FROM org_rules WHERE org_id = :org AND rule_id = :id")
                    .bind("org", orgId)
                    .bind("id", ruleId)
                    .execute()
                > 0);
  }
}
