package dev.bulwark.engine.rule;

import static dev.bulwark.engine.rule.Rules.T0;
import static dev.bulwark.engine.rule.Rules.at;
import static dev.bulwark.engine.rule.Rules.run;
import static dev.bulwark.engine.rule.Rules.withdrawal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.event.Event;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class SequenceRuleTest {
  private static final String ATO =
      """
      id: ato.withdrawal-after-mfa-reset
      title: "{{key}}: MFA reset, new address {{b.addr}}, withdrawal of ${{e.amount_usd}}"
      severity: high
      sequence:
        by: account
        within: 30m
        steps:
          - where: e.type == "auth.mfa_changed"
          - where: e.type == "wallet.address_added"
            bind: {addr: e.to}
          - where: e.type == "wallet.withdrawal_requested" && e.to == b.addr && e.amount_usd > 1000.0
      """;

  private static Event addressAdded(long s, String id, String account, String to) {
    return new Event(
        id,
        "wallet.address_added",
        T0.plusSeconds(s),
        null,
        account,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        to,
        null,
        Map.of());
  }

  private static Engine ato() {
    return Rules.engine(Rules.compile(ATO));
  }

  @Test
  void theWithdrawalMustGoToTheAddressBoundInStepTwo() {
    List<Alert> alerts =
        run(
            ato(),
            at(0, "m", "auth.mfa_changed", "u1", null),
            addressAdded(60, "a", "u1", "0xattacker"),
            withdrawal(120, "w-elsewhere", "u1", "0xmine", 5000),
            withdrawal(180, "w", "u1", "0xattacker", 5000));
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.title())
                  .isEqualTo("u1: MFA reset, new address 0xattacker, withdrawal of $5000");
              assertThat(a.evidence().eventIds()).containsExactly("m", "a", "w");
              assertThat(a.time()).isEqualTo(T0.plusSeconds(180));
            });
  }

  @Test
  void stepsOutsideTheWindowOrForAnotherKeyDoNotMatch() {
    assertThat(
            run(
                ato(),
                at(0, "m", "auth.mfa_changed", "u1", null),
                addressAdded(60, "a", "u1", "0xattacker"),
                withdrawal(1801, "w", "u1", "0xattacker", 5000)))
        .as("31 minutes after the first step")
        .isEmpty();
    assertThat(
            run(
                ato(),
                at(0, "m", "auth.mfa_changed", "u1", null),
                addressAdded(60, "a", "u2", "0xattacker"),
                withdrawal(120, "w", "u2", "0xattacker", 5000)))
        .isEmpty();
  }

  @Test
  void stepsArrivingOutOfOrderWithinTheLatenessStillMatchOnce() {
    Engine engine = ato();
    List<Alert> alerts =
        run(
            engine,
            addressAdded(60, "a", "u1", "0xattacker"),
            withdrawal(120, "w", "u1", "0xattacker", 5000),
            at(0, "m-late", "auth.mfa_changed", "u1", null),
            at(130, "noise", "auth.mfa_changed", "u1", null));
    assertThat(alerts)
        .singleElement()
        .extracting(a -> a.evidence().eventIds())
        .isEqualTo(List.of("m-late", "a", "w"));
  }

  @Test
  void anAbsentStepFiresOnlyWhenNothingCameWithinItsTime() {
    Rule noLogin =
        Rules.compile(
            """
            id: wallet.deposit-without-login
            title: deposit for {{key}} and no login within 10m
            severity: low
            sequence:
              by: account
              within: 1h
              steps:
                - where: e.type == "wallet.deposit"
                - absent: e.type == "auth.login"
                  within: 10m
            """);
    Engine engine = Rules.engine(noLogin);
    List<Alert> alerts =
        run(
            engine,
            at(0, "d1", "wallet.deposit", "quiet", null),
            at(0, "d2", "wallet.deposit", "active", null),
            at(300, "l2", "auth.login", "active", null),
            at(1000, "tick", "wallet.deposit", "third", null));
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.title()).isEqualTo("deposit for quiet and no login within 10m");
              assertThat(a.time()).isEqualTo(T0.plusSeconds(600));
            });
    assertThat(engine.flush())
        .extracting(Alert::title)
        .containsExactly("deposit for third and no login within 10m");
  }

  @Test
  void laterStepsMayNotReadUnboundValuesAndAbsentMustBeLast() {
    var problems =
        org.assertj.core.api.Assertions.catchThrowableOfType(
                InvalidRuleException.class,
                () ->
                    Rules.compile(
                        """
                        id: x
                        title: t
                        severity: low
                        sequence:
                          within: 5m
                          steps:
                            - where: e.to == b.addr
                            - absent: e.type == "auth.login"
                              within: 1m
                            - where: e.type == "auth.login"
                        """))
            .problems();
    assertThat(problems)
        .extracting(p -> p.toString())
        .containsExactly(
            "r.yml:5:3: missing 'by' (the event field, or list of fields, to group by; e.g. by: account)",
            "r.yml:7:22: CEL: undeclared reference to 'b' (in container '')",
            "r.yml:8:7: an 'absent' step must be the last step, after at least one 'where' step");
  }
}
