package dev.bulwark.server.detect;

import dev.bulwark.server.db.Database;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The detection engines' state snapshots: one per organisation, all taken at the same log position
 * and replaced together in one transaction, so a restore never mixes two moments.
 */
final class SnapshotStore {
  private static final int CHUNK = 400_000;
  private static final String NAME = "detect";
  private final Jdbi jdbi;
  private final Clock clock;

  SnapshotStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** The snapshots and the log position they were taken at. */
  record Saved(long seq, Map<Long, String> byOrg) {}

  void save(long seq, Map<Long, String> byOrg) {
    jdbi.useTransaction(
        h -> {
          h.createUpdate("DELETE FROM detection_snapshots").execute();
          PreparedBatch batch =
              h.prepareBatch(
                  "INSERT INTO detection_snapshots (org_id, chunk, body) VALUES (:org, :chunk, :body)");
          boolean any = false;
          for (Map.Entry<Long, String> e : byOrg.entrySet()) {
            String text = e.getValue();
            for (int i = 0, chunk = 0; i < text.length(); i += CHUNK, chunk++) {
              batch
                  .bind("org", e.getKey())
                  .bind("chunk", chunk)
                  .bind("body", text.substring(i, Math.min(text.length(), i + CHUNK)))
                  .add();
              any = true;
            }
          }
          if (any) {
            batch.execute();
          }
          var now = Database.utc(clock.instant());
          int updated =
              h.createUpdate(
                      "UPDATE detection_snapshot_position SET last_seq = :seq, taken_at = :now WHERE name = :name")
                  .bind("seq", seq)
                  .bind("now", now)
                  .bind("name", NAME)
                  .execute();
          if (updated == 0) {
            h.createUpdate(
                    "INSERT INTO detection_snapshot_position (name, last_seq, taken_at) VALUES (:name, :seq, :now)")
                .bind("seq", seq)
                .bind("now", now)
                .bind("name", NAME)
                .execute();
          }
        });
  }

  Optional<Saved> load() {
    return jdbi.inTransaction(
        h -> {
          Optional<Long> seq =
              h.createQuery("SELECT last_seq FROM detection_snapshot_position WHERE name = :name")
                  .bind("name", NAME)
                  .mapTo(Long.class)
                  .findOne();
          if (seq.isEmpty()) {
            return Optional.empty();
          }
          Map<Long, StringBuilder> texts = new HashMap<>();
          List<Map<String, Object>> rows =
              h.createQuery(
                      "SELECT org_id, chunk, body FROM detection_snapshots ORDER BY org_id, chunk")
                  .mapToMap()
                  .list();
          for (Map<String, Object> r : rows) {
            long org = ((Number) r.get("org_id")).longValue();
            texts.computeIfAbsent(org, k -> new StringBuilder()).append((String) r.get("body"));
          }
          Map<Long, String> byOrg = new HashMap<>();
          texts.forEach((org, text) -> byOrg.put(org, text.toString()));
          return Optional.of(new Saved(seq.get(), byOrg));
        });
  }
}
