package dev.bulwark.engine.intel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class OneHopExposureTest {
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
  private static final String LAZARUS = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";
  private static final String MULE = "0x00000000000000000000000000000000000000m1".replace("m", "a");
  private static final String OTHER = "0x00000000000000000000000000000000000000b2";

  private static Event transfer(String id, String from, String to, int minutes) {
    return new Event(
        id,
        "chain.transfer",
        T.plusSeconds(minutes * 60L),
        null,
        null,
        null,
        null,
        "eip155:1",
        "ETH",
        BigDecimal.TEN,
        null,
        from,
        to,
        "0x" + "cd".repeat(32),
        Map.of("standard", "native"));
  }

  private static Event deposit(String id, String from, int minutes) {
    return new Event(
        id,
        "wallet.deposit",
        T.plusSeconds(minutes * 60L),
        null,
        "u-1",
        null,
        null,
        "eip155:1",
        "ETH",
        null,
        30_000.0,
        from,
        null,
        null,
        Map.of());
  }

  private static List<Alert> run(Event... events) {
    IndicatorIndex index = new IndicatorIndex();
    index.put(
        new Indicator(
            "indicator--l",
            "Lazarus",
            "feed:ofac",
            100,
            Instant.EPOCH,
            Optional.empty(),
            "[cryptocurrency-wallet:value = '" + LAZARUS + "']"));
    Engine engine = new Engine(List.of(new OneHopExposure(() -> List.of(index))), State.inMemory());
    List<Alert> out = new ArrayList<>();
    for (Event e : events) {
      out.addAll(engine.process(e));
    }
    return out;
  }

  @Test
  void aDepositFromAnAddressFundedByLazarusIsIndirectExposure() {
    List<Alert> alerts = run(transfer("t1", LAZARUS, MULE, 0), deposit("d1", MULE, 60));
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.title())
                  .isEqualTo("wallet.deposit touches " + MULE + ", one hop from listed " + LAZARUS);
              assertThat(a.tags()).contains("indicator:indicator--l");
            });
  }

  @Test
  void anAddressNeverFundedByAListedOneIsQuiet() {
    assertThat(run(transfer("t1", OTHER, MULE, 0), deposit("d1", MULE, 60))).isEmpty();
    assertThat(run(deposit("d0", MULE, 0), transfer("t1", LAZARUS, MULE, 10)))
        .as("the deposit came before the funding")
        .isEmpty();
  }
}
