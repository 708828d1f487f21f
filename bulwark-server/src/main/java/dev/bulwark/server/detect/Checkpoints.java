package dev.bulwark.server.detect;

import dev.bulwark.server.db.Database;
import java.time.Clock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** How far each consumer of the event log has come, saved in the consumer's own transaction. */
final class Checkpoints {
  private final Jdbi jdbi;
  private final Clock clock;

  Checkpoints(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  long get(String name) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT last_seq FROM checkpoints WHERE name = :name")
                .bind("name", name)
                .mapTo(Long.class)
                .findOne()
                .orElse(0L));
  }

  void save(Handle h, String name, long seq) {
    var now = Database.utc(clock.instant());
    int updated =
        h.createUpdate(
                "UPDATE checkpoints SET last_seq = :seq, updated_at = :now WHERE name = :name")
            .bind("seq", seq)
            .bind("now", now)
            .bind("name", name)
            .execute();
    if (updated == 0) {
      h.createUpdate(
              "INSERT INTO checkpoints (name, last_seq, updated_at) VALUES (:name, :seq, :now)")
          .bind("seq", seq)
          .bind("now", now)
          .bind("name", name)
          .execute();
    }
  }
}
