package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class PriceSwingTest {
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
  private static final String POOL = "0x0d4a11d5eeaac28ec3f61d100daf4d40471f1852";
  private int seq;

  private Event sync(String tx, long r0, long r1) {
    return Detectors.chain(
        "s" + (seq++),
        "chain.log",
        T.plusSeconds(seq),
        null,
        null,
        null,
        null,
        POOL,
        "0x" + tx.repeat(64 / tx.length()),
        Map.of(
            "kind",
            "uniswap_v2_sync",
            "contract",
            POOL,
            "args",
            Map.of("reserve0", String.valueOf(r0), "reserve1", String.valueOf(r1))));
  }

  @Test
  void pushExploitRestoreWithinOneTransactionIsCaught() {
    List<Alert> alerts =
        Detectors.run(
            new PriceSwing(),
            List.of(
                sync("a1", 1_000_000, 2_000_000_000L), // price 2000
                sync("b2", 3_000_000, 700_000_000L), // pushed to ~233 within tx b2
                sync("b2", 1_000_000, 2_010_000_000L))); // restored at the end of b2
    assertThat(alerts).singleElement().satisfies(a -> assertThat(a.title()).contains("-88%"));
  }

  @Test
  void ordinarySwapsMoveThePriceALittle() {
    assertThat(
            Detectors.run(
                new PriceSwing(),
                List.of(
                    sync("a1", 1_000_000, 2_000_000_000L),
                    sync("c3", 1_010_000, 1_980_000_000L),
                    sync("d4", 1_050_000, 1_905_000_000L))))
        .isEmpty();
  }

  private Event v3Swap(String tx, java.math.BigInteger sqrtPriceX96) {
    return Detectors.chain(
        "v" + (seq++),
        "chain.log",
        T.plusSeconds(seq),
        null,
        null,
        null,
        null,
        POOL,
        "0x" + tx.repeat(64 / tx.length()),
        Map.of(
            "kind",
            "uniswap_v3_swap",
            "contract",
            POOL,
            "args",
            Map.of("sqrtPriceX96", sqrtPriceX96.toString(), "tick", 0L)));
  }

  @Test
  void aUniswapV3PoolIsReadFromSqrtPriceX96() {
    java.math.BigInteger q96 = java.math.BigInteger.TWO.pow(96);
    List<Alert> alerts =
        Detectors.run(
            new PriceSwing(),
            List.of(
                v3Swap("c1", q96.multiply(java.math.BigInteger.valueOf(40))), // price 1600
                v3Swap("d2", q96.multiply(java.math.BigInteger.valueOf(41))), // 1681: +5 %
                v3Swap("e3", q96.multiply(java.math.BigInteger.valueOf(60))))); // 3600 vs 1681
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.title()).contains("+114%");
              assertThat(a.evidence().txHashes()).containsExactly("0x" + "e3".repeat(32));
            });
  }
}
