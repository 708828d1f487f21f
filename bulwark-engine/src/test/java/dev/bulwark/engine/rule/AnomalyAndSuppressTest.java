package dev.bulwark.engine.rule;

import static dev.bulwark.engine.rule.Rules.at;
import static dev.bulwark.engine.rule.Rules.run;
import static dev.bulwark.engine.rule.Rules.withdrawal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Engine;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class AnomalyAndSuppressTest {
  @Test
  void aWithdrawalFarAboveTheAccountsBaselineIsAnomalous() {
    Rule rule =
        Rules.compile(
            """
            id: wallet.unusual-amount
            title: "{{key}} withdrew ${{value}}, {{score}} standard deviations above its mean of ${{mean}}"
            severity: medium
            anomaly:
              where: e.type == "wallet.withdrawal_requested"
              by: account
              value: e.amount_usd
              threshold: 4
              min_samples: 20
            """);
    Engine engine = Rules.engine(rule);
    Random random = new Random(7);
    int quietAlerts = 0;
    for (int i = 0; i < 40; i++) {
      quietAlerts +=
          run(engine, withdrawal(i * 60L, "w" + i, "u1", "0xa", 100 + random.nextGaussian() * 5))
              .size();
    }
    assertThat(quietAlerts).isZero();
    List<Alert> spike = run(engine, withdrawal(3000, "spike", "u1", "0xa", 1000));
    assertThat(spike)
        .singleElement()
        .extracting(Alert::title)
        .asString()
        .startsWith("u1 withdrew $1000, ")
        .contains("standard deviations above its mean of $");
    assertThat(run(engine, withdrawal(3001, "first", "u2", "0xa", 1000)))
        .as("no baseline yet")
        .isEmpty();
  }

  @Test
  void suppressionHoldsRepeatsBackForItsWindowPerKey() {
    Rule rule =
        Rules.compile(
            """
            id: auth.tor-login
            title: login from Tor by {{e.account}}
            severity: medium
            suppress: {window: 1h, key: account}
            match:
              where: e.type == "auth.login" && e.ip.startsWith("185.220.")
            """);
    List<Alert> alerts =
        run(
            Rules.engine(rule),
            at(0, "l1", "auth.login", "u1", "185.220.101.1"),
            at(60, "l2", "auth.login", "u1", "185.220.101.2"),
            at(120, "l3", "auth.login", "u2", "185.220.101.3"),
            at(3599, "l4", "auth.login", "u1", "185.220.101.4"),
            at(3600, "l5", "auth.login", "u1", "185.220.101.5"));
    assertThat(alerts)
        .extracting(a -> a.evidence().eventIds().get(0))
        .containsExactly("l1", "l3", "l5");
  }

  @Test
  void repeatsForTheSameKeyEscalateOneLevelEachUpToCritical() {
    Rule rule =
        Rules.compile(
            """
            id: auth.brute
            title: brute force on {{key}}
            severity: medium
            escalate: 24h
            threshold: {where: 'e.type == "auth.login_failed"', by: account, window: 5m, at_least: 3}
            """);
    Engine engine = Rules.engine(rule);
    List<String> severities = new java.util.ArrayList<>();
    long[] bursts = {0, 600, 1200, 1800};
    for (long start : bursts) {
      for (int i = 0; i < 3; i++) {
        run(engine, at(start + i, "u1-" + start + "-" + i, "auth.login_failed", "u1", null))
            .forEach(a -> severities.add(a.severity().label()));
      }
    }
    assertThat(severities).containsExactly("medium", "high", "critical", "critical");
    List<Alert> other =
        run(
            engine,
            at(1900, "o1", "auth.login_failed", "u2", null),
            at(1901, "o2", "auth.login_failed", "u2", null),
            at(1902, "o3", "auth.login_failed", "u2", null));
    assertThat(other).singleElement().extracting(a -> a.severity().label()).isEqualTo("medium");
    long dayLater = 1800 + 24 * 3600 + 1;
    List<Alert> later = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      later.addAll(run(engine, at(dayLater + i, "late-" + i, "auth.login_failed", "u1", null)));
    }
    assertThat(later)
        .singleElement()
        .extracting(a -> a.severity().label())
        .as("a quiet day resets it")
        .isEqualTo("medium");
  }

  @Test
  void aMatchRuleNeedsASuppressKeyToEscalate() {
    var problems =
        org.assertj.core.api.Assertions.catchThrowableOfType(
                InvalidRuleException.class,
                () ->
                    Rules.compile(
                        "id: x\ntitle: t\nseverity: low\nescalate: 1h\nmatch: {where: 'true'}\n"))
            .problems();
    assertThat(problems)
        .singleElement()
        .extracting(Object::toString)
        .asString()
        .startsWith("r.yml:4:1: a match rule escalates per key");
  }

  @Test
  void inlineTestsPassAndFailWithAReason() {
    Rule rule =
        Rules.compile(
            """
            id: auth.tor-login
            title: login from Tor by {{e.account}}
            severity: medium
            match:
              where: e.type == "auth.login" && e.ip.startsWith("185.220.")
            tests:
              - name: a Tor exit logs in
                events:
                  - {id: a, type: auth.login, time: 2026-01-01T00:00:00Z, account: u1, ip: 185.220.101.1}
                expect:
                  - {severity: medium, title: login from Tor by u1}
              - name: an office login is quiet
                events:
                  - {id: b, type: auth.login, time: 2026-01-01T00:00:00Z, account: u1, ip: 203.0.113.5}
                expect: 0
              - name: a wrong expectation
                events:
                  - {id: c, type: auth.login, time: 2026-01-01T00:00:00Z, account: u2, ip: 185.220.101.1}
                expect:
                  - {title: login from Tor by u1}
            """);
    List<RuleTest.Outcome> outcomes = rule.tests().stream().map(t -> t.run(rule)).toList();
    assertThat(outcomes).extracting(RuleTest.Outcome::passed).containsExactly(true, true, false);
    assertThat(outcomes.get(2).detail())
        .isEqualTo("alert 1: title is 'login from Tor by u2', expected 'login from Tor by u1'");
  }

  @Test
  void badTestEventsAreReportedWithTheirPosition() {
    var problems =
        org.assertj.core.api.Assertions.catchThrowableOfType(
                InvalidRuleException.class,
                () ->
                    Rules.compile(
                        """
                        id: x
                        title: t
                        severity: low
                        match: {where: "true"}
                        tests:
                          - events:
                              - {id: a, type: auth.login, time: yesterday}
                            expect: lots
                        """))
            .problems();
    assertThat(problems)
        .extracting(Object::toString)
        .containsExactly(
            "r.yml:7:9: test event $.time: not an ISO-8601 instant (e.g. 2026-11-26T06:00:00.123Z)",
            "r.yml:8:13: 'expect' is a number of alerts (0 or more) or a list of alerts");
  }
}
