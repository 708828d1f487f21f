package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RugPullTest {
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
  private static final String DEPLOYER = "0x00000000000000000000000000000000000de901";
  private static final String LP = "0x00000000000000000000000000000000000001b0";
  private static final String TOKEN = "0x0000000000000000000000000000000000003001";
  private static final String WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2";
  private static final String POOL = "0x0000000000000000000000000000000000000a11";
  private static final String ROUTER = "0x7a250d5630b4cf539739df2c5dacb4c659f2488d";
  private int seq;

  private Event event(
      String type,
      Instant time,
      String tx,
      String from,
      String to,
      String asset,
      long amount,
      Map<String, Object> attrs) {
    return Detectors.chain(
        "r" + seq++,
        type,
        time,
        asset,
        asset == null ? null : BigDecimal.valueOf(amount),
        null,
        from,
        to,
        "0x" + tx.repeat(64 / tx.length()),
        attrs);
  }

  private Event created(Instant time, String creator, String contract) {
    return event(
        "chain.contract_created",
        time,
        "c0",
        creator,
        contract,
        null,
        0,
        Map.of("creator", creator));
  }

  /** One liquidity removal: {@code who} sends it, the pool pays {@code to} and keeps the rest. */
  private List<Event> removal(
      Instant time, String tx, String who, String to, long taken, long left) {
    return List.of(
        event("chain.transaction", time, tx, who, ROUTER, null, 0, Map.of()),
        event("chain.transfer", time, tx, POOL, to, TOKEN, taken, Map.of("standard", "erc20")),
        event(
            "chain.transfer", time, tx, POOL, to, WETH, taken / 1000, Map.of("standard", "erc20")),
        event(
            "chain.log",
            time,
            tx,
            null,
            POOL,
            null,
            0,
            Map.of(
                "kind",
                "uniswap_v2_sync",
                "contract",
                POOL,
                "args",
                Map.of("reserve0", String.valueOf(left), "reserve1", String.valueOf(left / 1000)))),
        event(
            "chain.log",
            time,
            tx,
            ROUTER,
            to,
            null,
            0,
            Map.of(
                "kind",
                "uniswap_v2_burn",
                "contract",
                POOL,
                "args",
                Map.of(
                    "sender",
                    ROUTER,
                    "amount0",
                    String.valueOf(taken),
                    "amount1",
                    String.valueOf(taken / 1000),
                    "to",
                    to))));
  }

  private List<Alert> run(Instant born, List<Event> later) {
    List<Event> all = new ArrayList<>();
    all.add(created(born, DEPLOYER, TOKEN));
    all.addAll(later);
    return Detectors.run(new RugPull(), all);
  }

  @Test
  void theDeployerOfADayOldTokenTakingNinetyFivePercentIsCritical() {
    List<Alert> alerts =
        run(
            T.minus(Duration.ofHours(20)),
            removal(T, "a1", DEPLOYER, DEPLOYER, 95_000_000, 5_000_000));
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(a.title())
                  .isEqualTo("Rug pull: the deployer of " + TOKEN + " removed 95% of pool " + POOL);
              assertThat(a.summary()).contains("20 hours ago");
              assertThat(a.entities())
                  .contains(new Entity(Entity.Kind.ADDRESS, DEPLOYER, Entity.Role.ATTACKER));
            });
  }

  @Test
  void theSeverityFollowsTheShareRemoved() {
    assertThat(run(T.minus(Duration.ofDays(3)), removal(T, "b1", DEPLOYER, DEPLOYER, 60, 40)))
        .singleElement()
        .satisfies(a -> assertThat(a.severity()).isEqualTo(Severity.HIGH));
    assertThat(
            run(T.minus(Duration.ofDays(3)), removal(T, "b2", DEPLOYER, DEPLOYER, 30_000, 70_000)))
        .singleElement()
        .satisfies(a -> assertThat(a.severity()).isEqualTo(Severity.MEDIUM));
    assertThat(
            run(T.minus(Duration.ofDays(3)), removal(T, "b3", DEPLOYER, DEPLOYER, 10_000, 90_000)))
        .as("a tenth is housekeeping")
        .isEmpty();
  }

  @Test
  void anotherProviderLeavingOrTheDeployerOfAnOldTokenIsNotARugPull() {
    assertThat(run(T.minus(Duration.ofDays(1)), removal(T, "c1", LP, LP, 95_000, 5_000)))
        .as("an ordinary liquidity provider")
        .isEmpty();
    assertThat(
            run(T.minus(Duration.ofDays(60)), removal(T, "c2", DEPLOYER, DEPLOYER, 95_000, 5_000)))
        .as("a token two months old")
        .isEmpty();
  }

  @Test
  void theDeployerSendingTheRemovalToAnotherWalletStillCounts() {
    assertThat(run(T.minus(Duration.ofDays(2)), removal(T, "d1", DEPLOYER, LP, 95_000, 5_000)))
        .singleElement()
        .satisfies(a -> assertThat(a.summary()).contains("to " + LP));
  }
}
