package dev.bulwark.engine.rule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Address;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Stopping an engine anywhere, snapshotting it and restoring the snapshot into a new engine gives
 * exactly the alerts of an engine that never stopped. Seeded random streams; the seed is in the
 * failure message.
 */
final class SnapshotPropertyTest {
  static final List<String> RULES =
      List.of(
          """
          id: t.count
          title: "{{count}} failures for {{key}}"
          severity: medium
          escalate: 30m
          threshold: {where: 'e.type == "auth.login_failed"', by: account, window: 2m, at_least: 3}
          """,
          """
          id: t.sum
          title: "{{key}} moved {{sum}}"
          severity: high
          suppress: {window: 10m}
          escalate: 1h
          threshold: {where: 'e.type == "wallet.withdrawal_requested"', by: account, window: 5m, sum: amount_usd, at_least: 2500}
          """,
          """
          id: t.quiet
          title: "{{key}} went quiet"
          severity: low
          threshold: {where: 'e.type == "wallet.deposit"', by: account, window: 3m, at_most: 1}
          """,
          """
          id: s.ato
          title: "ato {{key}} to {{b.dest}}"
          severity: high
          sequence:
            by: account
            within: 10m
            steps:
              - where: e.type == "auth.mfa_changed"
              - where: e.type == "wallet.address_added"
                bind: {dest: e.to}
              - where: e.type == "wallet.withdrawal_requested" && e.to == b.dest
          """,
          """
          id: s.silent
          title: "{{key}} reset and never logged in"
          severity: low
          sequence:
            by: account
            within: 1h
            steps:
              - where: e.type == "auth.password_reset"
              - absent: e.type == "auth.login"
                within: 4m
          """,
          """
          id: a.z
          title: "{{key}} unusual {{value}}"
          severity: medium
          anomaly: {where: 'e.type == "wallet.withdrawal_requested"', by: account, value: e.amount_usd, threshold: 3, min_samples: 5}
          """);
  private static final String[] TYPES = {
    "auth.login_failed",
    "auth.login",
    "auth.mfa_changed",
    "auth.password_reset",
    "wallet.address_added",
    "wallet.withdrawal_requested",
    "wallet.deposit"
  };
  // As ingest stores them: checksummed (a restored event is re-parsed and must compare equal).
  private static final String[] ADDRESSES = {
    Address.parse("0x" + "a".repeat(40)).checksummed(),
    Address.parse("0x" + "b".repeat(40)).checksummed(),
    Address.parse("0x" + "c".repeat(40)).checksummed()
  };

  static List<Rule> rules() {
    RuleCompiler c = new RuleCompiler();
    List<Rule> out = new ArrayList<>();
    for (int i = 0; i < RULES.size(); i++) {
      out.add(c.compile("r" + i + ".yml", RULES.get(i)));
    }
    return out;
  }

  /** A stream over a few accounts, mostly in order, some events up to 3 minutes late. */
  static List<Event> stream(long seed, int n) {
    Random r = new Random(seed);
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      t = t.plusSeconds(r.nextInt(20));
      Instant at = r.nextInt(10) == 0 ? t.minusSeconds(r.nextInt(180)) : t;
      String type = TYPES[r.nextInt(TYPES.length)];
      double usd = r.nextInt(8) == 0 ? 2000 + r.nextInt(5000) : 50 + r.nextInt(100);
      events.add(
          new Event(
              "e" + i,
              type,
              at,
              null,
              "u" + r.nextInt(4),
              null,
              null,
              null,
              null,
              null,
              type.startsWith("wallet.withdrawal") ? usd : null,
              null,
              ADDRESSES[r.nextInt(ADDRESSES.length)],
              null,
              Map.of()));
    }
    return events;
  }

  static List<String> ids(List<Alert> alerts) {
    return alerts.stream().map(a -> a.id() + " " + a.title()).toList();
  }

  @Test
  void restoringASnapshotContinuesExactlyWhereTheEngineStopped() {
    List<Rule> rules = rules();
    for (long seed = 1; seed <= 25; seed++) {
      List<Event> events = stream(seed, 400);
      Engine whole = new Engine(rules, State.inMemory(), Duration.ofMinutes(5));
      List<Alert> expected = new ArrayList<>();
      events.forEach(e -> expected.addAll(whole.process(e)));
      expected.addAll(whole.flush());

      int cut = 1 + new Random(seed * 31).nextInt(events.size() - 1);
      Engine first = new Engine(rules, State.inMemory(), Duration.ofMinutes(5));
      List<Alert> actual = new ArrayList<>();
      events.subList(0, cut).forEach(e -> actual.addAll(first.process(e)));
      String snapshot = first.snapshot();
      Engine second = new Engine(rules(), State.inMemory(), Duration.ofMinutes(5));
      second.restore(snapshot);
      events.subList(cut, events.size()).forEach(e -> actual.addAll(second.process(e)));
      actual.addAll(second.flush());

      assertThat(ids(actual)).as("seed %d, cut at %d", seed, cut).isEqualTo(ids(expected));
      assertThat(expected).as("seed %d raises alerts at all", seed).isNotEmpty();
    }
  }

  @Test
  void aRuleWhoseTextChangedStartsAfresh() {
    Rule before = new RuleCompiler().compile("r.yml", RULES.get(0));
    Engine first = new Engine(List.of(before), State.inMemory(), Duration.ofMinutes(5));
    first.process(Rules.at(0, "f1", "auth.login_failed", "u1", null));
    first.process(Rules.at(1, "f2", "auth.login_failed", "u1", null));
    String snapshot = first.snapshot();

    Engine same =
        new Engine(
            List.of(new RuleCompiler().compile("r.yml", RULES.get(0))),
            State.inMemory(),
            Duration.ofMinutes(5));
    same.restore(snapshot);
    assertThat(same.process(Rules.at(2, "f3", "auth.login_failed", "u1", null))).hasSize(1);

    Rule changed =
        new RuleCompiler().compile("r.yml", RULES.get(0).replace("at_least: 3", "at_least: 3 "));
    Engine edited = new Engine(List.of(changed), State.inMemory(), Duration.ofMinutes(5));
    edited.restore(snapshot);
    assertThat(edited.process(Rules.at(2, "f3", "auth.login_failed", "u1", null))).isEmpty();
  }
}
