package dev.bulwark.server.intel;

import dev.bulwark.engine.intel.Indicator;
import dev.bulwark.server.db.Database;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Feed indicators. A feed is replaced whole: what a newer copy no longer lists is delisted. */
public final class IntelStore {
  private final Jdbi jdbi;
  private final Clock clock;

  public IntelStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** What replacing a feed did. */
  public record Replaced(int listed, int added, int delisted) {}

  Replaced replaceFeed(String feed, List<Indicator> indicators) {
    return jdbi.inTransaction(
        h -> {
          Set<String> before =
              new HashSet<>(
                  h.createQuery("SELECT id FROM indicators WHERE feed = :feed")
                      .bind("feed", feed)
                      .mapTo(String.class)
                      .list());
          h.createUpdate("DELETE FROM indicators WHERE feed = :feed").bind("feed", feed).execute();
          PreparedBatch batch =
              h.prepareBatch(
                  """
                  INSERT INTO indicators (id, feed, name, source, confidence, valid_from, valid_until, pattern, updated_at)
                  VALUES (:id, :feed, :name, :source, :confidence, :from, :until, :pattern, :now)
                  """);
          OffsetDateTime now = Database.utc(clock.instant());
          Set<String> after = new HashSet<>();
          for (Indicator i : indicators) {
            after.add(i.id());
            batch
                .bind("id", i.id())
                .bind("feed", feed)
                .bind("name", i.name().length() > 1000 ? i.name().substring(0, 1000) : i.name())
                .bind("source", i.source())
                .bind("confidence", i.confidence())
                .bind("from", Database.utc(i.validFrom()))
                .bind("until", i.validUntil().map(Database::utc).orElse(null))
                .bind("pattern", i.pattern())
                .bind("now", now)
                .add();
          }
          if (!indicators.isEmpty()) {
            batch.execute();
          }
          int added = (int) after.stream().filter(id -> !before.contains(id)).count();
          int delisted = (int) before.stream().filter(id -> !after.contains(id)).count();
          return new Replaced(after.size(), added, delisted);
        });
  }

  /** How many values a feed lists now. */
  public long count(String feed) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT COUNT(*) FROM indicators WHERE feed = :f")
                .bind("f", feed)
                .mapTo(Long.class)
                .one());
  }

  List<Indicator> all() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM indicators")
                .map(
                    (rs, ctx) ->
                        new Indicator(
                            rs.getString("id"),
                            rs.getString("name"),
                            rs.getString("source"),
                            rs.getInt("confidence"),
                            rs.getObject("valid_from", OffsetDateTime.class).toInstant(),
                            Optional.ofNullable(rs.getObject("valid_until", OffsetDateTime.class))
                                .map(OffsetDateTime::toInstant),
                            rs.getString("pattern")))
                .list());
  }

  /** Changes whenever any feed is replaced; cheap to poll. */
  String version() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT COUNT(*) || '/' || COALESCE(CAST(MAX(updated_at) AS VARCHAR(40)), '-') FROM indicators")
                .mapTo(String.class)
                .one());
  }
}
