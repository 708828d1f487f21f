package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class BurstDrainTest {
  private static final Instant T = Instant.parse("2026-11-26T00:00:00Z");
  private static final String COLD = "0x00000000000000000000000000000000000c01d0";
  private static final String HOT = "0x28c6c06298d514db089934071355e5743bf21d60";
  private int seq;

  private Event out(String from, long seconds) {
    return new Event(
        "t" + (seq++),
        "chain.transfer",
        T.plusSeconds(seconds),
        null,
        null,
        null,
        null,
        "eip155:1",
        "ETH",
        BigDecimal.TEN,
        null,
        from,
        "0x%040x".formatted(0xf000 + seq),
        "0x" + "ab".repeat(32),
        Map.of("standard", "native"));
  }

  @Test
  void aColdWalletSuddenlySendingTwelveTransfers() {
    List<Event> events = new ArrayList<>();
    events.add(out(COLD, 0)); // one transfer a day ago: the wallet's history
    for (int i = 0; i < 12; i++) {
      events.add(out(COLD, 86_400 + i * 30));
    }
    List<Alert> alerts = Detectors.run(new BurstDrain(), events);
    assertThat(alerts)
        .singleElement()
        .satisfies(a -> assertThat(a.title()).startsWith("Burst of 10 transfers out of " + COLD));
  }

  @Test
  void aHotWalletPayingOutAllDayAtItsUsualPace() {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      events.add(out(HOT, i * 12L + (i % 7))); // about 50 per ten minutes, all day
    }
    assertThat(Detectors.run(new BurstDrain(), events)).isEmpty();
  }
}
