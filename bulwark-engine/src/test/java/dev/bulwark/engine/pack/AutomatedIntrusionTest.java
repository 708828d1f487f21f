package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.event.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class AutomatedIntrusionTest {
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
  private int seq;

  private Event request(long millis, String path, int status, Map<String, Object> more) {
    Map<String, Object> attrs =
        new HashMap<>(Map.of("path", path, "status", status, "method", "GET"));
    attrs.putAll(more);
    return Detectors.platform(
        "r" + (seq++),
        "api.request",
        T.plusMillis(millis),
        (String) more.getOrDefault("account", null),
        "203.0.113.9",
        attrs);
  }

  private static List<Alert> run(List<Event> events) {
    return Detectors.run(new AutomatedIntrusion(), events);
  }

  @Test
  void anAgentEnumeratingOrdersEveryTwoHundredMillisecondsIsCaughtAndExplained() {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      events.add(
          request(
              i * 200L,
              "/api/v1/orders/" + (1000 + i),
              i % 3 == 0 ? 404 : 200,
              Map.of("account", "u-5", "user_agent", "python-requests/2.32")));
    }
    List<Alert> alerts = run(events);
    // two signals first (enumeration and a scripted browser session), then a third (timing)
    assertThat(alerts).extracting(Alert::severity).containsExactly(Severity.MEDIUM, Severity.HIGH);
    assertThat(alerts.get(0).summary()).contains("enumeration: ").contains("headless: ");
    assertThat(alerts.get(1).summary())
        .contains("regular: ")
        .contains("enumeration: 30 distinct ids from 1000 to 1029")
        .contains("headless: ");
  }

  @Test
  void probingManyEndpointsWithErrorsPlusABurst() {
    List<Event> events = new ArrayList<>();
    String[] paths = {
      "/admin", "/api/v1/users", "/api/v1/debug", "/.env", "/api/v2/withdraw", "/graphql"
    };
    for (int i = 0; i < 24; i++) {
      events.add(
          request(
              i * 40L,
              paths[i % paths.length] + "?x=" + i,
              i % 2 == 0 ? 404 : 403,
              Map.of("key_id", "key-33")));
    }
    List<Alert> alerts = run(events);
    assertThat(alerts)
        .singleElement()
        .satisfies(a -> assertThat(a.summary()).contains("probing: ").contains("burst: "));
  }

  @Test
  void aBusyHonestTradingBotIsQuiet() {
    // a market maker's API key: regular, fast, scripted, all 200s on a few endpoints
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      events.add(
          request(
              i * 50L,
              i % 2 == 0 ? "/api/v1/orderbook/BTC-USDT" : "/api/v1/orders",
              200,
              Map.of("key_id", "mm-1", "user_agent", "okhttp/4.12")));
    }
    assertThat(run(events)).isEmpty();
  }

  @Test
  void aPersonClickingAroundIsQuiet() {
    Random random = new Random(3);
    List<Event> events = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < 60; i++) {
      t += 800 + random.nextInt(20_000);
      events.add(
          request(
              t,
              "/api/v1/orders/" + (500 + random.nextInt(5)),
              i % 15 == 0 ? 404 : 200,
              Map.of("account", "u-6", "user_agent", "Mozilla/5.0 (Macintosh) Safari/605")));
    }
    assertThat(run(events)).isEmpty();
  }
}
