package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class MixerFundedDeployerTest {
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
  private static final String FRESH = "0x00000000000000000000000000000000000000f1";
  private static final String ATTACK = "0x00000000000000000000000000000000000000a7";
  private static final String PROTOCOL = "0x00000000000000000000000000000000000000b0";
  private static final String POOL = "0x910cbd523d972eb0a6f4cae4618ad62622b39dbf";

  private static Event ev(
      String id,
      String type,
      long minutes,
      String from,
      String to,
      String tx,
      Map<String, Object> attrs) {
    return Detectors.chain(
        id,
        type,
        T.plusSeconds(minutes * 60),
        null,
        null,
        null,
        from,
        to,
        "0x" + tx.repeat(64 / tx.length()),
        attrs);
  }

  private static List<Alert> run(List<Event> events) {
    return Detectors.run(new MixerFundedDeployer(), events);
  }

  @Test
  void fundingDeploymentAndUseEscalate() {
    List<Alert> alerts =
        run(
            List.of(
                ev(
                    "w",
                    "chain.log",
                    0,
                    null,
                    FRESH,
                    "a1",
                    Map.of("kind", "tornado_withdrawal", "contract", POOL)),
                ev(
                    "c",
                    "chain.contract_created",
                    90,
                    FRESH,
                    ATTACK,
                    "a2",
                    Map.of("creator", FRESH, "nonce", 0L)),
                ev("c2", "chain.transaction", 90, FRESH, null, "a2", Map.of()),
                ev("x", "chain.transaction", 120, FRESH, ATTACK, "a3", Map.of()),
                ev("y", "chain.call", 120, ATTACK, PROTOCOL, "a3", Map.of("depth", 1L))));
    assertThat(alerts)
        .extracting(Alert::severity)
        .containsExactly(Severity.LOW, Severity.HIGH, Severity.CRITICAL);
    assertThat(alerts.get(2).title()).isEqualTo("Tornado-funded contract " + ATTACK + " in use");
  }

  @Test
  void anOrdinaryDeployerAndALateDeploymentAreQuiet() {
    assertThat(
            run(
                List.of(
                    ev(
                        "c",
                        "chain.contract_created",
                        0,
                        FRESH,
                        ATTACK,
                        "b1",
                        Map.of("creator", FRESH, "nonce", 0L)),
                    ev("x", "chain.transaction", 5, FRESH, ATTACK, "b2", Map.of()))))
        .as("never funded by the mixer")
        .isEmpty();
    assertThat(
            run(
                List.of(
                    ev(
                        "w",
                        "chain.log",
                        0,
                        null,
                        FRESH,
                        "c1",
                        Map.of("kind", "tornado_withdrawal")),
                    ev(
                        "c",
                        "chain.contract_created",
                        11 * 24 * 60,
                        FRESH,
                        ATTACK,
                        "c2",
                        Map.of("creator", FRESH)))))
        .extracting(Alert::severity)
        .as("a deployment 11 days after the funding is past the funding window")
        .containsExactly(Severity.LOW);
  }

  @Test
  void aFreshDeployersContractReachingForAWatchedProtocolIsHigh() {
    List<Alert> alerts =
        run(
            List.of(
                ev(
                    "d",
                    "chain.contract_created",
                    0,
                    FRESH,
                    ATTACK,
                    "d1",
                    Map.of("creator", FRESH, "nonce", 0L)),
                ev(
                    "u0",
                    "chain.call",
                    10,
                    ATTACK,
                    "0x00000000000000000000000000000000000000c9",
                    "e1",
                    Map.of("watched", "none")),
                ev("u1", "chain.call", 20, ATTACK, PROTOCOL, "e2", Map.of("watched", "to")),
                ev("u2", "chain.call", 30, ATTACK, PROTOCOL, "e3", Map.of("watched", "to"))));
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.HIGH);
              assertThat(a.evidence().eventIds()).containsExactly("u1");
            });
  }

  @Test
  void anExperiencedDeployerOrNoWatchListStaysQuiet() {
    assertThat(
            run(
                List.of(
                    ev(
                        "d",
                        "chain.contract_created",
                        0,
                        FRESH,
                        ATTACK,
                        "d1",
                        Map.of("creator", FRESH, "nonce", 57L)),
                    ev("u1", "chain.call", 20, ATTACK, PROTOCOL, "e2", Map.of("watched", "to")))))
        .as("its 58th transaction")
        .isEmpty();
    assertThat(
            run(
                List.of(
                    ev(
                        "d",
                        "chain.contract_created",
                        0,
                        FRESH,
                        ATTACK,
                        "d1",
                        Map.of("creator", FRESH, "nonce", 0L)),
                    ev("u1", "chain.call", 20, ATTACK, PROTOCOL, "e2", Map.of()))))
        .as("without a watch list nothing says the protocol is yours")
        .isEmpty();
  }
}
