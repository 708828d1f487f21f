package dev.bulwark.server.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.rule.Rule;
import dev.bulwark.engine.rule.RuleCompiler;
import dev.bulwark.server.alert.AlertStore;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.db.TestDatabases;
import dev.bulwark.server.ingest.EventStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Detection state survives a restart through snapshots, on H2 and PostgreSQL. */
final class DetectionPumpTest {
  private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");
  private static final Rule BRUTE =
      new RuleCompiler()
          .compile(
              "brute.yml",
              """
              id: auth.brute-force
              title: brute force on {{key}}
              severity: medium
              threshold: {where: 'e.type == "auth.login_failed"', by: account, window: 10m, at_least: 3}
              """);

  @TempDir Path dir;

  private static Event failure(String id, int minute, String account) {
    return new Event(
        id,
        "auth.login_failed",
        T0.plusSeconds(60L * minute),
        null,
        account,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        Map.of());
  }

  private static DetectionPump pump(Database db) {
    return new DetectionPump(
        db.jdbi(),
        new EventStore(db.jdbi(), Clock.systemUTC()),
        new AlertStore(db.jdbi(), Clock.systemUTC()),
        org -> List.of(BRUTE),
        Engine.DEFAULT_LATENESS,
        2,
        DetectionPump.Outbox.NONE,
        () -> {},
        new SimpleMeterRegistry(),
        Clock.systemUTC(),
        100);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aWindowOpenAtShutdownContinuesAfterARestart(TestDatabases.Kind kind) {
    try (Database db = Database.open(TestDatabases.storage(kind, dir))) {
      long acme = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation("acme").id();
      long globex = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation("globex").id();
      EventStore events = new EventStore(db.jdbi(), Clock.systemUTC());
      AlertStore alerts = new AlertStore(db.jdbi(), Clock.systemUTC());

      DetectionPump first = pump(db);
      events.append(acme, List.of(failure("a1", 0, "victim"), failure("a2", 1, "victim")));
      events.append(globex, List.of(failure("g1", 1, "victim")));
      first.drain();
      first.close(); // saves the snapshot

      DetectionPump second = pump(db);
      assertThat(second.position())
          .as("resumes from the snapshot, not from the start")
          .isEqualTo(events.lastSeq());
      events.append(acme, List.of(failure("a3", 2, "victim")));
      second.drain();
      assertThat(alerts.count(acme)).isEqualTo(1);
      assertThat(alerts.count(globex)).as("organisations never share a window").isZero();
      second.close();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void withoutAUsableSnapshotTheStateIsRebuiltFromTheLog(TestDatabases.Kind kind) {
    try (Database db = Database.open(TestDatabases.storage(kind, dir))) {
      long acme = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation("acme").id();
      EventStore events = new EventStore(db.jdbi(), Clock.systemUTC());
      DetectionPump first = pump(db);
      events.append(acme, List.of(failure("a1", 0, "victim"), failure("a2", 1, "victim")));
      first.drain();
      first.close();
      db.jdbi().useHandle(h -> h.execute("UPDATE detection_snapshots SET body = 'not json'"));

      DetectionPump second = pump(db);
      assertThat(second.position()).isZero();
      events.append(acme, List.of(failure("a3", 2, "victim")));
      second.drain();
      assertThat(new AlertStore(db.jdbi(), Clock.systemUTC()).count(acme)).isEqualTo(1);
      second.close();
    }
  }
}
