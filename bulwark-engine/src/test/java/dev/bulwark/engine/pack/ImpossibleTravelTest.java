package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ImpossibleTravelTest {
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");

  private static Event login(
      String id, int minutes, double lat, double lon, Map<String, Object> more) {
    Map<String, Object> attrs = new java.util.HashMap<>(Map.of("lat", lat, "lon", lon));
    attrs.putAll(more);
    return Detectors.platform(
        id, "auth.login", T.plusSeconds(minutes * 60L), "u-1", "203.0.113." + id.length(), attrs);
  }

  private static List<Alert> run(Event... events) {
    return Detectors.run(new ImpossibleTravel(), List.of(events));
  }

  @Test
  void londonThenSingaporeWithinAnHourIsImpossible() {
    List<Alert> alerts =
        run(login("a", 0, 51.5, -0.12, Map.of()), login("bb", 50, 1.35, 103.82, Map.of()));
    assertThat(alerts)
        .singleElement()
        .satisfies(a -> assertThat(a.title()).startsWith("Impossible travel for u-1: 108"));
  }

  @Test
  void flightsVpnsAndShortHopsAreNot() {
    assertThat(
            run(login("a", 0, 51.5, -0.12, Map.of()), login("bb", 14 * 60, 1.35, 103.82, Map.of())))
        .as("London to Singapore in 14 h is a flight")
        .isEmpty();
    assertThat(run(login("a", 0, 51.5, -0.12, Map.of()), login("bb", 10, 48.85, 2.35, Map.of())))
        .as("London to Paris (340 km) is under the distance floor")
        .isEmpty();
    assertThat(
            run(
                login("a", 0, 51.5, -0.12, Map.of()),
                login("bb", 10, 1.35, 103.82, Map.of("vpn", true))))
        .as("a login through a known VPN is not compared")
        .isEmpty();
  }

  @Test
  void haversine() {
    assertThat(ImpossibleTravel.km(51.5, -0.12, 48.85, 2.35)).isCloseTo(343, within(5.0));
  }
}
