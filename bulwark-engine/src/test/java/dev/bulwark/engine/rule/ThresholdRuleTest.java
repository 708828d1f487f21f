package dev.bulwark.engine.rule;

import static dev.bulwark.engine.rule.Rules.T0;
import static dev.bulwark.engine.rule.Rules.at;
import static dev.bulwark.engine.rule.Rules.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ThresholdRuleTest {
  private static final String FAILURES =
      """
      id: auth.brute-force
      title: "{{count}} failed logins for {{key}} within {{window}}"
      severity: medium
      threshold:
        where: e.type == "auth.login_failed"
        by: account
        window: 5m
        at_least: 3
      """;

  private static Engine engine() {
    return Rules.engine(Rules.compile(FAILURES));
  }

  @Test
  void thirdFailureWithinTheWindowFiresOnceWithTheCountInTheTitle() {
    List<Alert> alerts =
        run(
            engine(),
            at(0, "f1", "auth.login_failed", "u1", null),
            at(100, "f2", "auth.login_failed", "u1", null),
            at(200, "other", "auth.login_failed", "u2", null),
            at(299, "f3", "auth.login_failed", "u1", null));
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.title()).isEqualTo("3 failed logins for u1 within 5m");
              assertThat(a.time()).isEqualTo(T0.plusSeconds(299));
              assertThat(a.evidence().eventIds()).containsExactly("f1", "f2", "f3");
            });
  }

  @Test
  void theWindowExcludesAnEventExactlyOneWindowOld() {
    // (t - 5m, t]: the failure at 0s has left the window ending at 300s.
    assertThat(
            run(
                engine(),
                at(0, "f1", "auth.login_failed", "u1", null),
                at(150, "f2", "auth.login_failed", "u1", null),
                at(300, "f3", "auth.login_failed", "u1", null)))
        .isEmpty();
  }

  @Test
  void aSustainedBurstFiresOncePerFullWindow() {
    Engine engine = engine();
    int alerts = 0;
    for (int i = 0; i < 10; i++) { // one failure a second: 10 in 10 s
      alerts += run(engine, at(i, "f" + i, "auth.login_failed", "u1", null)).size();
    }
    assertThat(alerts).isEqualTo(1);
    List<Alert> later =
        run(
            engine,
            at(303, "g1", "auth.login_failed", "u1", null),
            at(304, "g2", "auth.login_failed", "u1", null),
            at(305, "g3", "auth.login_failed", "u1", null));
    assertThat(later).as("re-armed once the first window's events had all left").hasSize(1);
  }

  @Test
  void aLateEventIsPlacedWhereItBelongs() {
    List<Alert> alerts =
        run(
            engine(),
            at(100, "f2", "auth.login_failed", "u1", null),
            at(200, "f3", "auth.login_failed", "u1", null),
            at(50, "f1-late", "auth.login_failed", "u1", null));
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.time()).isEqualTo(T0.plusSeconds(200));
              assertThat(a.evidence().eventIds()).containsExactly("f1-late", "f2", "f3");
            });
  }

  @Test
  void anEventLaterThanTheAllowedLatenessIsCountedNotUsed() {
    Engine engine = engine();
    List<Alert> alerts =
        run(
            engine,
            at(1000, "f2", "auth.login_failed", "u1", null),
            at(1001, "f3", "auth.login_failed", "u1", null),
            at(600, "f1-too-late", "auth.login_failed", "u1", null));
    assertThat(alerts).isEmpty();
    assertThat(engine.lateEvents()).isEqualTo(1);
  }

  @Test
  void sumAndDistinctMeasures() {
    Rule sum =
        Rules.compile(
            """
            id: wallet.outflow
            title: "{{key}} withdrew ${{sum}} within {{window}}"
            severity: high
            threshold:
              where: e.type == "wallet.withdrawal_requested"
              by: account
              window: 1h
              sum: amount_usd
              at_least: 10000
            """);
    List<Alert> big =
        run(
            Rules.engine(sum),
            Rules.withdrawal(0, "w1", "u1", "0xabc", 4000),
            Rules.withdrawal(60, "w2", "u1", "0xabc", 5000),
            Rules.withdrawal(120, "w3", "u1", "0xabc", 1500));
    assertThat(big)
        .singleElement()
        .extracting(Alert::title)
        .isEqualTo("u1 withdrew $10500 within 1h");

    Rule spray =
        Rules.compile(
            """
            id: auth.spray
            title: "{{distinct}} accounts tried from {{key}}"
            severity: high
            threshold:
              where: e.type == "auth.login_failed"
              by: ip
              window: 5m
              distinct: account
              at_least: 3
            """);
    List<Alert> sprayed =
        run(
            Rules.engine(spray),
            at(0, "a", "auth.login_failed", "u1", "198.51.100.9"),
            at(1, "b", "auth.login_failed", "u1", "198.51.100.9"),
            at(2, "c", "auth.login_failed", "u2", "198.51.100.9"),
            at(3, "d", "auth.login_failed", "u3", "198.51.100.9"));
    assertThat(sprayed)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.title()).isEqualTo("3 accounts tried from 198.51.100.9");
              assertThat(a.evidence().eventIds()).containsExactly("a", "b", "c", "d");
            });
  }

  @Test
  void atMostFiresWhenAWindowClosesQuiet() {
    Rule quiet =
        Rules.compile(
            """
            id: wallet.deposit-then-silence
            title: only {{count}} event(s) for {{key}} in {{window}}
            severity: low
            threshold:
              where: e.type in ["wallet.deposit", "auth.login"]
              by: account
              window: 10m
              at_most: 1
            """);
    Engine engine = Rules.engine(quiet);
    List<Alert> alerts =
        run(
            engine,
            at(0, "d1", "wallet.deposit", "busy", null),
            at(300, "l1", "auth.login", "busy", null),
            at(60, "d2", "wallet.deposit", "idle", null),
            at(2000, "x", "wallet.deposit", "someone-else", null));
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.title()).isEqualTo("only 1 event(s) for idle in 10m");
              assertThat(a.time()).isEqualTo(T0.plusSeconds(660));
            });
    assertThat(engine.flush())
        .as("the last key's window closes at the end of the stream")
        .hasSize(1);
  }

  @Test
  void stateIsForgottenOnceTheWatermarkPassesTheWindow() {
    Engine engine = engine();
    for (int i = 0; i < 100; i++) {
      run(engine, at(i, "f" + i, "auth.login_failed", "user-" + i, null));
    }
    assertThat(engine.state().size()).isEqualTo(100);
    run(engine, at(2000, "late-enough", "auth.login_failed", "u-last", null));
    assertThat(engine.state().size()).isEqualTo(1);
  }
}
