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
import java.time.Duration;
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

  private static dev.bulwark.engine.detect.Alert stageAlert(
      String id, String tag, Instant time, String attacker) {
    return new dev.bulwark.engine.detect.Alert(
        dev.bulwark.engine.detect.Alert.idFor(id),
        "test." + id,
        dev.bulwark.engine.detect.Severity.LOW,
        id,
        id,
        time,
        List.of(
            new dev.bulwark.engine.detect.Entity(
                dev.bulwark.engine.detect.Entity.Kind.ADDRESS,
                attacker,
                dev.bulwark.engine.detect.Entity.Role.ATTACKER)),
        new dev.bulwark.engine.detect.Alert.Evidence(List.of("ev-" + id), List.of()),
        tag == null ? List.of() : List.of("stage." + tag),
        0.3,
        id);
  }

  @org.junit.jupiter.api.Test
  void theCorrelatorRemembersStagesBehindMoreThanAThousandNewerAlerts() {
    try (Database db = Database.open(TestDatabases.storage(TestDatabases.Kind.H2, dir))) {
      long acme = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation("acme").id();
      AlertStore alerts = new AlertStore(db.jdbi(), Clock.systemUTC());
      EventStore events = new EventStore(db.jdbi(), Clock.systemUTC());
      Instant now = Instant.now();
      String attacker = "0x00000000000000000000000000000000000000a7";
      alerts.insert(
          acme,
          List.of(
              stageAlert("funding", "funding", now.minus(Duration.ofHours(3)), attacker),
              stageAlert("preparation", "preparation", now.minus(Duration.ofHours(2)), attacker)));
      List<dev.bulwark.engine.detect.Alert> noise = new java.util.ArrayList<>();
      for (int i = 0; i < 1200; i++) {
        noise.add(
            stageAlert(
                "noise-" + i,
                null,
                now.minus(Duration.ofMinutes(90)).plusSeconds(i),
                "0x%040x".formatted(i)));
      }
      alerts.insert(acme, noise);
      Rule exploit =
          new RuleCompiler()
              .compile(
                  "x.yml",
                  """
                  id: test.exploit
                  title: exploit by {{e.from}}
                  severity: high
                  tags: [stage.exploitation]
                  entities: {attacker: [from]}
                  match: {where: 'e.type == "test.exploit"'}
                  """);
      DetectionPump pump =
          new DetectionPump(
              db.jdbi(),
              events,
              alerts,
              org -> List.of(exploit),
              Engine.DEFAULT_LATENESS,
              1,
              DetectionPump.Outbox.NONE,
              () -> {},
              new SimpleMeterRegistry(),
              Clock.systemUTC(),
              100);
      events.append(
          acme,
          List.of(
              new Event(
                  "x1",
                  "test.exploit",
                  now.minus(Duration.ofMinutes(5)),
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  attacker,
                  null,
                  null,
                  Map.of())));
      pump.drain();
      pump.close();
      assertThat(
              alerts
                  .list(
                      acme,
                      new dev.bulwark.server.alert.AlertQuery(
                          java.util.Set.of(),
                          java.util.Optional.of(dev.bulwark.engine.pack.StageCorrelator.ID),
                          java.util.Optional.empty(),
                          java.util.Optional.empty(),
                          10,
                          java.util.Optional.empty()))
                  .alerts())
          .as("funding and preparation were read from the second page of the last 11 days")
          .singleElement()
          .satisfies(a -> assertThat(a.title()).contains("funding → preparation → exploitation"));
    }
  }
}
