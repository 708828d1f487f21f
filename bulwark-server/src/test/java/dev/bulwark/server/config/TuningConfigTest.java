package dev.bulwark.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.pack.Pack;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tuning:}: the pack's detectors in code, tuned from the config file. */
final class TuningConfigTest {
  @TempDir Path dir;

  @Test
  void settingsAreReadByTheirTypesAndReachTheDetectors() throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("bulwark.yml"),
            """
            tuning:
              chain.key-compromise: {senders: 2, window: 3h}
              chain.flash-loan-exploit:
                medium_usd: 5000
            """);
    ConfigLoader.Loaded loaded = new ConfigLoader(Map.of()).load(Optional.of(f), Map.of());
    Map<String, Map<String, Object>> tuning = loaded.config().rules().tuning();
    assertThat(tuning.get("chain.key-compromise"))
        .containsEntry("senders", 2)
        .containsEntry("window", Duration.ofHours(3));
    assertThat(tuning.get("chain.flash-loan-exploit")).containsEntry("medium_usd", 5000.0);
    assertThat(String.join("\n", loaded.describe()))
        .contains("tuning chain.key-compromise: senders 2, window PT3H");

    // two wallets paying one fresh address: an alert only with the tuned pack
    Instant t = Instant.parse("2026-11-26T06:00:00Z");
    List<Event> two = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      two.add(
          new Event(
              "p" + i,
              "chain.transfer",
              t.plusSeconds(600L * i),
              null,
              null,
              null,
              null,
              "eip155:1",
              "ETH",
              new BigDecimal("5000000000000000000"),
              null,
              "0x%040x".formatted(0xa000 + i),
              "0x00000000000000000000000000000000000000ff",
              "0x%064x".formatted(i),
              Map.of("standard", "native")));
    }
    assertThat(alerts(Pack.detectors(), two)).isEmpty();
    assertThat(alerts(Pack.detectors(tuning), two))
        .singleElement()
        .satisfies(a -> assertThat(a.rule()).isEqualTo("chain.key-compromise"));
  }

  private static List<Alert> alerts(List<Detector> detectors, List<Event> events) {
    Engine engine = new Engine(detectors, State.inMemory());
    List<Alert> out = new ArrayList<>();
    events.forEach(e -> out.addAll(engine.process(e)));
    return out;
  }

  @Test
  void everyProblemNamesItsPlace() throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("bulwark.yml"),
            """
            tuning:
              chain.fake-token: {x: 1}
              chain.key-compromise: {sendrs: 2, window: soon, senders: 0}
              chain.rug-pull: {high_share: -1}
              chain.burst-drain: 5
            """);
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(Map.of()).load(Optional.of(f), Map.of()));
    assertThat(e.problems())
        .extracting(Problem::toString)
        .containsExactly(
            f
                + ":2:3 tuning.chain.fake-token: not a tunable detector; the tunable ones are api.automated-intrusion, ato.impossible-travel, chain.address-poisoning, chain.burst-drain, chain.flash-loan-exploit, chain.key-compromise, chain.mixer-funded-deployer, chain.price-manipulation, chain.reentrancy, chain.rug-pull",
            f
                + ":3:26 tuning.chain.key-compromise.sendrs: unknown setting; chain.key-compromise has critical_senders, drained_share, senders, window",
            f
                + ":3:45 tuning.chain.key-compromise.window: 'soon' is not a duration; write e.g. 6h or 30m",
            f + ":3:60 tuning.chain.key-compromise.senders: 0 is out of range 1..1000000000",
            f + ":4:32 tuning.chain.rug-pull.high_share: '-1' is not a positive number",
            f
                + ":5:22 tuning.chain.burst-drain: expected a mapping of its settings: factor, transfers, window");
  }
}
