package dev.bulwark.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.event.Event;
import dev.bulwark.server.alert.AlertQuery;
import dev.bulwark.server.alert.AlertStore;
import dev.bulwark.server.auth.Caller;
import dev.bulwark.server.auth.Role;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.ingest.EventStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every store, on H2 and on PostgreSQL, with the same assertions. */
final class StoreTest {
  private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");
  private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

  @TempDir Path dir;

  private static Event event(String id, Instant time) {
    return new Event(
        id,
        "wallet.withdrawal_requested",
        time,
        "core",
        "u-1",
        "203.0.113.7",
        null,
        "eip155:1",
        "USDC",
        new BigDecimal("1234.000000000000000001"),
        1234.0,
        null,
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        null,
        Map.of("note", "x"));
  }

  private static Alert alert(String rule, String eventId, Severity severity, Instant time) {
    String key = rule + "|" + eventId;
    return new Alert(
        Alert.idFor(key),
        rule,
        severity,
        "title " + eventId,
        "summary",
        time,
        List.of(new Entity(Entity.Kind.ACCOUNT, "u-1", Entity.Role.VICTIM)),
        new Alert.Evidence(List.of(eventId), List.of()),
        List.of("t"),
        severity.defaultScore(),
        key);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void eventsAreStoredOnceAndReadBackExactly(TestDatabases.Kind kind) {
    try (Database db = Database.open(TestDatabases.storage(kind, dir))) {
      TokenStore tokens = new TokenStore(db.jdbi(), CLOCK);
      EventStore events = new EventStore(db.jdbi(), CLOCK);
      long acme = tokens.organisation("acme").id();
      long other = tokens.organisation("other").id();

      EventStore.Appended first =
          events.append(acme, List.of(event("a", T0), event("b", T0), event("a", T0)));
      assertThat(first.received()).isEqualTo(3);
      assertThat(first.accepted()).isEqualTo(2);
      assertThat(first.duplicates()).isEqualTo(1);

      EventStore.Appended again = events.append(acme, List.of(event("b", T0), event("c", T0)));
      assertThat(again.accepted()).isEqualTo(1);
      assertThat(again.duplicates()).isEqualTo(1);

      assertThat(events.append(other, List.of(event("a", T0))).accepted())
          .as("event ids are per organisation")
          .isEqualTo(1);

      assertThat(events.find(acme, "a")).contains(event("a", T0));
      assertThat(events.find(other, "b")).isEmpty();
      assertThat(events.count(acme)).isEqualTo(3);
      List<EventStore.Stored> log = events.readAfter(0, 10);
      assertThat(log).extracting(s -> s.event().id()).containsExactly("a", "b", "c", "a");
      assertThat(log).extracting(EventStore.Stored::orgId).containsExactly(acme, acme, acme, other);
      assertThat(events.readAfter(log.get(1).seq(), 1))
          .extracting(s -> s.event().id())
          .containsExactly("c");
      assertThat(events.lastSeq()).isEqualTo(log.get(3).seq());
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aFailedBatchStoresNothing(TestDatabases.Kind kind) {
    try (Database db = Database.open(TestDatabases.storage(kind, dir))) {
      EventStore events = new EventStore(db.jdbi(), CLOCK);
      long acme = new TokenStore(db.jdbi(), CLOCK).organisation("acme").id();
      Event tooLong =
          Event.of("x".repeat(201), "auth.login", T0); // longer than the column: the insert fails
      assertThatThrownBy(() -> events.append(acme, List.of(event("ok", T0), tooLong)))
          .isInstanceOf(RuntimeException.class);
      assertThat(events.count(acme)).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void alertsAreIdempotentFilteredAndPagedNewestFirst(TestDatabases.Kind kind) {
    try (Database db = Database.open(TestDatabases.storage(kind, dir))) {
      AlertStore alerts = new AlertStore(db.jdbi(), CLOCK);
      TokenStore tokens = new TokenStore(db.jdbi(), CLOCK);
      long acme = tokens.organisation("acme").id();
      long other = tokens.organisation("other").id();
      List<Alert> raised = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        Severity s = i % 2 == 0 ? Severity.HIGH : Severity.LOW;
        raised.add(
            alert(
                i < 5 ? "r1" : "r2",
                "e" + i,
                s,
                T0.plusSeconds(60L * (i / 2)))); // pairs share a time
      }
      assertThat(alerts.insert(acme, raised)).hasSize(7);
      assertThat(alerts.insert(acme, raised)).as("a replay stores nothing twice").isEmpty();
      alerts.insert(other, List.of(alert("r1", "secret", Severity.CRITICAL, T0)));

      assertThat(alerts.find(acme, raised.get(3).id())).contains(raised.get(3));
      assertThat(alerts.find(other, raised.get(3).id())).isEmpty();

      List<String> seen = new ArrayList<>();
      AlertQuery q = AlertQuery.all(3);
      for (int pages = 0; pages < 10; pages++) {
        AlertStore.Page page = alerts.list(acme, q);
        page.alerts().forEach(a -> seen.add(a.evidence().eventIds().get(0)));
        if (page.next().isEmpty()) {
          break;
        }
        q =
            new AlertQuery(
                Set.of(), Optional.empty(), Optional.empty(), Optional.empty(), 3, page.next());
      }
      assertThat(seen).hasSize(7).doesNotHaveDuplicates().doesNotContain("secret");
      List<Instant> times =
          seen.stream().map(id -> raised.get(Integer.parseInt(id.substring(1))).time()).toList();
      assertThat(times).isSortedAccordingTo(java.util.Comparator.reverseOrder());

      AlertStore.Page high =
          alerts.list(
              acme,
              new AlertQuery(
                  Set.of(Severity.HIGH),
                  Optional.of("r1"),
                  Optional.of(T0.plusSeconds(60)),
                  Optional.of(T0.plusSeconds(180)),
                  50,
                  Optional.empty()));
      assertThat(high.alerts())
          .extracting(a -> a.evidence().eventIds().get(0))
          .containsExactly("e4", "e2");
      assertThat(alerts.count(acme)).isEqualTo(7);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void tokensAuthenticateByHashOnly(TestDatabases.Kind kind) {
    try (Database db = Database.open(TestDatabases.storage(kind, dir))) {
      TokenStore tokens = new TokenStore(db.jdbi(), CLOCK);
      TokenStore.Created created = tokens.create("acme", Role.ANALYST, "soc laptop");
      assertThat(created.toString()).doesNotContain(created.token());
      assertThat(tokens.authenticate(created.token()))
          .contains(new Caller(created.id(), created.org().id(), "acme", Role.ANALYST));
      assertThat(tokens.authenticate(created.token() + "x")).isEmpty();
      assertThat(tokens.authenticate("not-a-token")).isEmpty();
      List<String> stored =
          db.jdbi()
              .withHandle(
                  h ->
                      h.createQuery("SELECT token_hash FROM api_tokens")
                          .mapTo(String.class)
                          .list());
      assertThat(stored)
          .singleElement()
          .asString()
          .hasSize(64)
          .doesNotContain(created.token().substring(4, 20));
      assertThatThrownBy(() -> tokens.create("bad/name", Role.ADMIN, null))
          .hasMessageContaining("invalid organisation name");
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void migrationsAreAppliedOnceAndReopeningKeepsData(TestDatabases.Kind kind) {
    var storage = TestDatabases.storage(kind, dir);
    try (Database db = Database.open(storage)) {
      assertThat(db.isPostgres()).isEqualTo(kind == TestDatabases.Kind.POSTGRES);
      new TokenStore(db.jdbi(), CLOCK).organisation("acme");
      assertThat(db.isHealthy()).isTrue();
    }
    try (Database db = Database.open(storage)) {
      int orgs =
          db.jdbi()
              .withHandle(
                  h ->
                      h.createQuery("SELECT COUNT(*) FROM organisations")
                          .mapTo(Integer.class)
                          .one());
      assertThat(orgs).isEqualTo(1);
    }
  }
}
