package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class FakeTokenTest {
  private static final String USDT = "0xdAC17F958D2ee523a2206206994597C13D831ec7";
  private static final String FAKE = "0x00000000000000000000000000000000000fa4e1";

  private static Event transfer(String token, String symbol) {
    return new Event(
        "t-" + symbol.hashCode(),
        "chain.transfer",
        Instant.parse("2026-11-26T06:00:00Z"),
        null,
        null,
        null,
        null,
        "eip155:1",
        token,
        new BigDecimal("5000000"),
        null,
        "0x00000000000000000000000000000000000000a1",
        "0x28c6c06298d514db089934071355e5743bf21d60",
        "0x" + "ab".repeat(32),
        Map.of("standard", "erc20", "symbol", symbol, "decimals", 6L));
  }

  @Test
  void officialSymbolsAndTheirLookAlikesOnOtherContractsAreFake() {
    for (String symbol : List.of("USDT", "𝐔𝐒𝐃𝐓", "UЅDТ", "usdt ")) {
      List<Alert> alerts = Detectors.run(new FakeToken(), List.of(transfer(FAKE, symbol)));
      assertThat(alerts)
          .as(symbol)
          .singleElement()
          .satisfies(a -> assertThat(a.title()).startsWith("Fake USDT"));
    }
  }

  @Test
  void theRealTokenAndUnrelatedSymbolsAreNot() {
    assertThat(Detectors.run(new FakeToken(), List.of(transfer(USDT, "USDT")))).isEmpty();
    assertThat(Detectors.run(new FakeToken(), List.of(transfer(FAKE, "PEPE")))).isEmpty();
    assertThat(Detectors.run(new FakeToken(), List.of(transfer(FAKE, "USDT2")))).isEmpty();
  }

  @Test
  void anotherChainsOfficialContractsComeFromConfiguration() {
    String arbitrumUsdc = "0xaf88d065e77c8cc2239327c5edb3a432268e5831";
    java.util.function.Function<String, Event> onArbitrum =
        token ->
            new Event(
                "a-" + token,
                "chain.transfer",
                Instant.parse("2026-11-26T06:00:00Z"),
                null,
                null,
                null,
                null,
                "eip155:42161",
                token,
                new BigDecimal("5000000"),
                null,
                "0x00000000000000000000000000000000000000a1",
                "0x28c6c06298d514db089934071355e5743bf21d60",
                "0x" + "cd".repeat(32),
                Map.of("standard", "erc20", "symbol", "USDC", "decimals", 6L));
    Event fake = onArbitrum.apply(FAKE);
    Event real = onArbitrum.apply(arbitrumUsdc);
    assertThat(Detectors.run(new FakeToken(), List.of(fake)))
        .as("no official list for that chain: nothing to compare with")
        .isEmpty();
    FakeToken configured = new FakeToken(Map.of("eip155:42161", Map.of("usdc", arbitrumUsdc)));
    assertThat(Detectors.run(configured, List.of(fake)))
        .singleElement()
        .satisfies(a -> assertThat(a.title()).startsWith("Fake USDC"));
    assertThat(Detectors.run(configured, List.of(real))).isEmpty();
    assertThat(Detectors.run(configured, List.of(transfer(FAKE, "USDT"))))
        .as("mainnet's built-in list still applies")
        .hasSize(1);
  }
}
