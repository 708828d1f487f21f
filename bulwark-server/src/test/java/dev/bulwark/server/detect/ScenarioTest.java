package dev.bulwark.server.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.PartitionedEngine;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventParser;
import dev.bulwark.engine.intel.Indicator;
import dev.bulwark.engine.intel.IndicatorIndex;
import dev.bulwark.engine.intel.IntelDetector;
import dev.bulwark.engine.intel.OneHopExposure;
import dev.bulwark.engine.pack.Pack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenarios for the whole built-in pack: each folder under {@code scenarios/} holds {@code
 * events.jsonl} (events as the API takes them, validated by the same parser) and {@code
 * expected.json} (the alerts, by rule and severity, that the pack must raise — no more, no fewer).
 * The benign look-alikes the pack is tuned against live here: Permit2 trading, an exchange's hot
 * wallet, MEV bots, a busy honest API client.
 */
final class ScenarioTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROOT = Path.of("src", "test", "resources", "scenarios");

  static Stream<String> scenarios() throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT)) {
      return dirs
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void theWholePackRaisesExactlyTheExpectedAlerts(String name) throws IOException {
    Path dir = ROOT.resolve(name);
    List<Event> events =
        new EventParser(1_000_000).parse(Files.readAllBytes(dir.resolve("events.jsonl")));
    JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
    List<Detector> detectors = new ArrayList<>(new RuleLoader().loadPack());
    detectors.addAll(Pack.detectors());
    IndicatorIndex index = new IndicatorIndex();
    Path indicators = dir.resolve("indicators.json");
    if (Files.exists(indicators)) { // [{id, name, source, confidence, pattern, valid_until?}]
      for (JsonNode i : JSON.readTree(indicators.toFile())) {
        index.put(
            new Indicator(
                i.get("id").asText(),
                i.get("name").asText(),
                i.get("source").asText(),
                i.get("confidence").asInt(),
                Instant.EPOCH,
                i.has("valid_until")
                    ? Optional.of(Instant.parse(i.get("valid_until").asText()))
                    : Optional.empty(),
                i.get("pattern").asText()));
      }
    }
    detectors.add(new IntelDetector(index));
    detectors.add(new OneHopExposure(() -> List.of(index)));
    List<String> raised = new ArrayList<>();
    try (PartitionedEngine engine = new PartitionedEngine(detectors, 2, Duration.ofMinutes(5))) {
      for (int i = 0; i < events.size(); i += 500) {
        for (Alert a : engine.process(events.subList(i, Math.min(events.size(), i + 500)))) {
          raised.add(a.rule() + "/" + a.severity().label() + "  " + a.title());
        }
      }
      for (Alert a :
          engine.flush()) { // the end of the replay: timers due, last transactions judged
        raised.add(a.rule() + "/" + a.severity().label() + "  " + a.title());
      }
    }
    List<String> wanted = new ArrayList<>();
    expected
        .path("alerts")
        .forEach(a -> wanted.add(a.get("rule").asText() + "/" + a.get("severity").asText()));
    assertThat(raised.stream().map(r -> r.split(" {2}")[0]).sorted().toList())
        .as("%s: %s%nraised: %s", name, expected.path("about").asText(), raised)
        .isEqualTo(wanted.stream().sorted().toList());
  }
}
