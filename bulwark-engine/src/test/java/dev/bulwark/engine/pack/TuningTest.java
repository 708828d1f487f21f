package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class TuningTest {
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
  private static final String SINK = "0x00000000000000000000000000000000000000ff";

  private static Event paid(int wallet, int minutes) {
    return Detectors.chain(
        "t" + wallet,
        "chain.transfer",
        T.plusSeconds(minutes * 60L),
        "ETH",
        new BigDecimal("5000000000000000000"),
        null,
        "0x%040x".formatted(0xa000 + wallet),
        SINK,
        "0x" + "ab".repeat(32),
        Map.of("standard", "native"));
  }

  @Test
  void aTunedDetectorUsesItsSettings() {
    List<Event> two = List.of(paid(1, 0), paid(2, 30));
    assertThat(Detectors.run(new KeyCompromise(), two)).as("three senders by default").isEmpty();
    assertThat(Detectors.run(new KeyCompromise(Map.of("senders", 2)), two)).hasSize(1);
    assertThat(
            Detectors.run(
                new KeyCompromise(Map.of("senders", 2, "window", Duration.ofMinutes(10))), two))
        .as("the second payment came after the tuned window")
        .isEmpty();
  }

  @Test
  void unknownSettingsWrongTypesAndUntunableDetectorsAreClearErrors() {
    assertThatThrownBy(() -> new KeyCompromise(Map.of("sendrs", 2)))
        .hasMessage(
            "chain.key-compromise has no setting 'sendrs'; it has critical_senders, drained_share, senders, window");
    assertThatThrownBy(() -> new KeyCompromise(Map.of("window", 6)))
        .hasMessage("chain.key-compromise's window must be a duration such as 6h, not 6");
    assertThatThrownBy(() -> Pack.detectors(Map.of("chain.fake-token", Map.of("x", 1))))
        .hasMessageStartingWith("'chain.fake-token' has no settings; the tunable detectors are ");
    assertThat(Pack.settings().get("chain.flash-loan-exploit"))
        .containsEntry("medium_usd", 1_000.0)
        .containsEntry("share", 0.013);
  }
}
