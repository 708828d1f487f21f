package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class KeyCompromiseTest {
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
  private static final String SINK = "0x00000000000000000000000000000000000000ff";
  private static final String HOT = "0x28c6c06298d514db089934071355e5743bf21d60";
  private int seq;

  private Event transfer(String from, String to, int minutes) {
    return new Event(
        "t" + (seq++),
        "chain.transfer",
        T.plusSeconds(minutes * 60L),
        null,
        null,
        null,
        null,
        "eip155:1",
        "ETH",
        new BigDecimal("5000000000000000000"),
        null,
        from,
        to,
        "0x" + "ab".repeat(32),
        Map.of("standard", "native"));
  }

  private static String wallet(int i) {
    return "0x%040x".formatted(0xa000 + i);
  }

  @Test
  void severalWalletsPayingOneFreshAddressWithinHours() {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      events.add(transfer(wallet(i), SINK, i * 20));
    }
    List<Alert> alerts = Detectors.run(new KeyCompromise(), events);
    assertThat(alerts)
        .extracting(Alert::severity)
        .containsExactly(Severity.HIGH, Severity.CRITICAL);
    assertThat(alerts.get(0).title())
        .isEqualTo("3 wallets paid fresh address " + SINK + " within 6 h");
  }

  @Test
  void sweepsIntoTheHotWalletAndOneSenderRepeatingAreQuiet() {
    List<Event> events = new ArrayList<>();
    events.add(transfer(HOT, wallet(99), 0)); // the hot wallet pays a customer: it sends
    for (int i = 0; i < 20; i++) {
      events.add(transfer(wallet(i), HOT, 10 + i)); // deposit addresses swept into it
    }
    for (int i = 0; i < 5; i++) {
      events.add(transfer(wallet(50), SINK, 40 + i)); // one sender, five times
    }
    events.add(transfer(wallet(51), SINK, 8 * 60)); // a second sender, hours later
    events.add(transfer(wallet(52), SINK, 15 * 60)); // a third, outside six hours of the first
    assertThat(Detectors.run(new KeyCompromise(), events)).isEmpty();
  }

  @Test
  void threeWalletsLeftDrainedAreCriticalAtOnce() {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(
          transfer(wallet(i), SINK, i * 20)
              .withAttr("sender_balance_after", i == 0 ? "0" : "20000000000000000")); // 0.02 ETH
    }
    List<Alert> alerts = Detectors.run(new KeyCompromise(), events);
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(a.summary()).contains("3 of them left drained");
            });
    List<Event> rich = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rich.add(
          transfer(wallet(10 + i), SINK, i * 20)
              .withAttr("sender_balance_after", "95000000000000000000")); // 95 ETH left
    }
    assertThat(Detectors.run(new KeyCompromise(), rich))
        .singleElement()
        .as("wallets that kept most of their funds: high, not critical")
        .satisfies(a -> assertThat(a.severity()).isEqualTo(Severity.HIGH));
  }
}
