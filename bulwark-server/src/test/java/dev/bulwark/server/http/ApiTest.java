package dev.bulwark.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.server.App;
import dev.bulwark.server.auth.Role;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.db.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API against a real server on port 0 with a real H2 store. */
final class ApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RULE =
      """
      id: wallet.big-withdrawal
      title: Withdrawal over $100k to {{e.to}}
      severity: high
      entities: {victim: [account]}
      match:
        where: e.type == "wallet.withdrawal_requested" && e.amount_usd > 100000.0
      """;
  private static final String RULE_LOGIN =
      """
      id: auth.login-from-tor
      title: Login from a Tor exit
      severity: medium
      match:
        where: e.type == "auth.login" && e.attrs.tor == true
      """;

  @TempDir Path dir;
  private App app;
  private final HttpClient http = HttpClient.newHttpClient();
  private String admin;
  private String analyst;
  private String ingestOnly;
  private String otherOrg;

  @BeforeEach
  void start() throws IOException {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("big.yml"), RULE);
    Files.writeString(rules.resolve("login.yaml"), RULE_LOGIN);
    Config config =
        new Config(
            new Config.Server("127.0.0.1", 0, 64 * 1024),
            TestDatabases.h2(dir.resolve("data")),
            new Config.Rules(Optional.of(rules)),
            new Config.Ingest(1000, Duration.ofSeconds(10)),
            new Config.Detection(4, Duration.ofMinutes(5)),
            Config.Notify.defaults(),
            List.of());
    app = App.serve(config, Clock.systemUTC());
    admin = app.tokens().create("acme", Role.ADMIN, null).token();
    analyst = app.tokens().create("acme", Role.ANALYST, null).token();
    ingestOnly = app.tokens().create("acme", Role.INGEST, null).token();
    otherOrg = app.tokens().create("globex", Role.ADMIN, null).token();
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private record Reply(int status, String contentType, JsonNode body, HttpResponse<String> raw) {}

  private Reply send(HttpRequest.Builder b, String token) throws Exception {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = r.body().isEmpty() || r.body().startsWith("#") ? null : JSON.readTree(r.body());
    return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body, r);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.port() + path);
  }

  private Reply get(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET(), token);
  }

  private Reply post(String body, String contentType, String token) throws Exception {
    return send(
        HttpRequest.newBuilder(uri("/api/v1/events"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body)),
        token);
  }

  private static String withdrawal(String id, double usd, String time) {
    return """
        {"id":"%s","type":"wallet.withdrawal_requested","time":"%s","account":"u-1","amount_usd":%s,"to":"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}"""
        .formatted(id, time, usd);
  }

  private void awaitDetection() throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (app.pump().position() < app.events().lastSeq()) {
      assertThat(Instant.now()).as("detection caught up").isBefore(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void healthIsOpenAndEverythingElseNeedsAToken() throws Exception {
    Reply health = get("/health", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body().get("status").asText()).isEqualTo("ok");

    for (String path :
        List.of("/api/v1/alerts", "/api/v1/events/x", "/api/v1/status", "/metrics", "/api/v1/me")) {
      Reply r = get(path, null);
      assertThat(r.status()).as(path).isEqualTo(401);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(r.raw().headers().firstValue("WWW-Authenticate").orElseThrow())
          .contains("Bearer realm=\"bulwark\"");
      assertThat(r.body().get("detail").asText()).contains("Authorization: Bearer");
    }
    Reply bad = get("/api/v1/alerts", "bwk_not-a-real-token");
    assertThat(bad.status()).isEqualTo(401);
    assertThat(bad.body().get("detail").asText()).isEqualTo("invalid or revoked token");
    Reply basic =
        send(
            HttpRequest.newBuilder(uri("/api/v1/alerts"))
                .header("Authorization", "Basic Zm9vOmJhcg==")
                .GET(),
            null);
    assertThat(basic.status()).isEqualTo(401);
  }

  @Test
  void rolesLimitWhatATokenMayDo() throws Exception {
    assertThat(get("/api/v1/alerts", ingestOnly).status()).isEqualTo(403);
    assertThat(
            post(withdrawal("e1", 1, "2026-11-26T06:00:00Z"), "application/x-ndjson", analyst)
                .status())
        .isEqualTo(403);
    assertThat(
            post(withdrawal("e1", 1, "2026-11-26T06:00:00Z"), "application/x-ndjson", ingestOnly)
                .status())
        .isEqualTo(202);
    Reply me = get("/api/v1/me", ingestOnly);
    assertThat(me.body().get("organisation").asText()).isEqualTo("acme");
    assertThat(me.body().get("role").asText()).isEqualTo("ingest");
  }

  @Test
  void anEventTravelsFromIngestToAStoredAlertOnce() throws Exception {
    String batch =
        "["
            + withdrawal("w-1", 250_000, "2026-11-26T06:00:00Z")
            + ","
            + withdrawal("w-2", 50, "2026-11-26T06:01:00Z")
            + "]";
    Reply accepted = post(batch, "application/json", admin);
    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.body().toString())
        .as("answered after the commit, once detection saw the batch")
        .isEqualTo("{\"received\":2,\"accepted\":2,\"duplicates\":0,\"detected\":true}");
    assertThat(get("/api/v1/alerts", analyst).body().get("alerts"))
        .as("read your writes")
        .hasSize(1);

    Reply again = post(batch, "application/json", admin);
    assertThat(again.body().toString())
        .isEqualTo("{\"received\":2,\"accepted\":0,\"duplicates\":2,\"detected\":true}");
    awaitDetection();

    Reply alerts = get("/api/v1/alerts", analyst);
    assertThat(alerts.status()).isEqualTo(200);
    assertThat(alerts.body().get("alerts")).hasSize(1);
    JsonNode a = alerts.body().get("alerts").get(0);
    assertThat(a.get("rule").asText()).isEqualTo("wallet.big-withdrawal");
    assertThat(a.get("severity").asText()).isEqualTo("high");
    assertThat(a.get("title").asText())
        .isEqualTo("Withdrawal over $100k to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    assertThat(a.get("time").asText()).isEqualTo("2026-11-26T06:00:00Z");
    assertThat(a.get("evidence").get("event_ids").toString()).isEqualTo("[\"w-1\"]");
    assertThat(a.get("entities").get(0).toString())
        .isEqualTo("{\"kind\":\"account\",\"value\":\"u-1\",\"role\":\"victim\"}");
    assertThat(alerts.body().get("next_cursor").isNull()).isTrue();

    Reply one = get("/api/v1/alerts/" + a.get("id").asText(), analyst);
    assertThat(one.body().get("id").asText()).isEqualTo(a.get("id").asText());
    Reply event = get("/api/v1/events/w-1", analyst);
    assertThat(event.body().get("amount_usd").asDouble()).isEqualTo(250_000.0);

    Reply status = get("/api/v1/status", admin);
    assertThat(status.body().get("events").asLong()).isEqualTo(2);
    assertThat(status.body().get("alerts").asLong()).isEqualTo(1);
    assertThat(status.body().get("detection").get("lag").asLong()).isZero();
  }

  @Test
  void anotherOrganisationsDataIsNotFound() throws Exception {
    post(withdrawal("w-9", 900_000, "2026-11-26T06:00:00Z"), "application/x-ndjson", admin);
    awaitDetection();
    String alertId = get("/api/v1/alerts", admin).body().get("alerts").get(0).get("id").asText();

    assertThat(get("/api/v1/alerts/" + alertId, otherOrg).status()).isEqualTo(404);
    post(
        withdrawal("orders/2026/w-10", 100, "2026-11-26T06:00:00Z"), "application/x-ndjson", admin);
    assertThat(get("/api/v1/events/orders/2026/w-10", admin).body().get("id").asText())
        .as("an id with slashes is fetched by its path")
        .isEqualTo("orders/2026/w-10");
    assertThat(get("/api/v1/events/orders/2026/w-10", otherOrg).status()).isEqualTo(404);
    Reply missing = get("/api/v1/events/w-9", otherOrg);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.contentType()).startsWith("application/problem+json");
    assertThat(get("/api/v1/alerts", otherOrg).body().get("alerts")).isEmpty();
    assertThat(get("/api/v1/status", otherOrg).body().get("events").asLong()).isZero();
  }

  @Test
  void badJsonIsA400NamingLineAndColumnAndStoresNothing() throws Exception {
    Reply r = post("[{\"id\":\"a\",\n\"type\": nope}]", "application/json", admin);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.body().get("type").asText()).isEqualTo("urn:bulwark:problem:malformed-json");
    assertThat(r.body().get("errors").get(0).get("message").asText())
        .startsWith("malformed JSON at line 2, column");
    assertThat(app.events().lastSeq()).isZero();
  }

  @Test
  void wrongTypesAndMissingFieldsAreAllListedAndTheBatchIsRejectedWhole() throws Exception {
    String body =
        withdrawal("good", 5, "2026-11-26T06:00:00Z")
            + "\n{\"id\":\"bad\",\"type\":\"wallet.withdrawal_requested\",\"time\":\"nope\",\"amount_usd\":\"5\"}"
            + "\n{\"type\":\"auth.login\"}\n";
    Reply r = post(body, "application/x-ndjson", admin);
    assertThat(r.status()).isEqualTo(422);
    List<String> errors = new ArrayList<>();
    r.body()
        .get("errors")
        .forEach(e -> errors.add(e.get("location").asText() + ": " + e.get("message").asText()));
    assertThat(errors)
        .containsExactly(
            "$[1].time: not an ISO-8601 instant (e.g. 2026-11-26T06:00:00.123Z)",
            "$[1].amount_usd: expected a number, got string",
            "$[2].id: missing; every event needs id",
            "$[2].time: missing; every event needs time (an ISO-8601 instant in event time)");
    assertThat(r.body().get("detail").asText()).endsWith("nothing was stored");
    assertThat(app.events().lastSeq()).as("the valid first event was not stored either").isZero();
  }

  @Test
  void oversizedBodiesAndWrongMediaTypesAreRefused() throws Exception {
    StringBuilder big = new StringBuilder();
    for (int i = 0; big.length() < 70 * 1024; i++) {
      big.append(withdrawal("big-" + i, 1, "2026-11-26T06:00:00Z")).append('\n');
    }
    Reply tooLarge = post(big.toString(), "application/x-ndjson", admin);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.body().get("detail").asText()).contains("65536 bytes");
    assertThat(app.events().lastSeq()).isZero();

    Reply xml = post("<events/>", "application/xml", admin);
    assertThat(xml.status()).isEqualTo(415);
  }

  @Test
  void alertsFilterBySeverityRuleAndTimeAndPageWithACursor() throws Exception {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      body.append(withdrawal("w-" + i, 200_000, "2026-11-26T0" + i + ":00:00Z")).append('\n');
    }
    body.append(
        "{\"id\":\"l-1\",\"type\":\"auth.login\",\"time\":\"2026-11-26T03:30:00Z\",\"attrs\":{\"tor\":true}}\n");
    assertThat(post(body.toString(), "application/x-ndjson", admin).status()).isEqualTo(202);
    awaitDetection();

    assertThat(get("/api/v1/alerts?severity=medium", analyst).body().get("alerts")).hasSize(1);
    assertThat(get("/api/v1/alerts?min_severity=high", analyst).body().get("alerts")).hasSize(5);
    assertThat(get("/api/v1/alerts?rule=auth.login-from-tor", analyst).body().get("alerts"))
        .hasSize(1);
    JsonNode window =
        get("/api/v1/alerts?since=2026-11-26T01:00:00Z&until=2026-11-26T03:00:00Z", analyst)
            .body()
            .get("alerts");
    assertThat(window)
        .extracting(a -> a.get("time").asText())
        .containsExactly("2026-11-26T02:00:00Z", "2026-11-26T01:00:00Z");

    List<String> times = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page =
          get("/api/v1/alerts?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), analyst)
              .body();
      page.get("alerts").forEach(a -> times.add(a.get("time").asText()));
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
    } while (cursor != null);
    assertThat(times)
        .hasSize(6)
        .doesNotHaveDuplicates()
        .isSortedAccordingTo(java.util.Comparator.reverseOrder());

    Reply badSeverity = get("/api/v1/alerts?severity=urgent", analyst);
    assertThat(badSeverity.status()).isEqualTo(400);
    assertThat(badSeverity.body().get("errors").get(0).get("location").asText())
        .isEqualTo("severity");
    assertThat(get("/api/v1/alerts?limit=0", analyst).status()).isEqualTo(400);
    assertThat(get("/api/v1/alerts?since=yesterday", analyst).status()).isEqualTo(400);
    assertThat(get("/api/v1/alerts?cursor=garbage", analyst).status()).isEqualTo(400);
    assertThat(get("/api/v1/alerts?colour=red", analyst).status()).isEqualTo(400);
  }

  @Test
  void aRuleThatFailsOnOddDataIsCountedAndDetectionCarriesOn() throws Exception {
    // The login rule reads e.attrs.tor, which this login lacks: a CEL "no such key" error.
    String body =
        "{\"id\":\"l-2\",\"type\":\"auth.login\",\"time\":\"2026-11-26T03:30:00Z\"}\n"
            + withdrawal("w-after", 300_000, "2026-11-26T03:31:00Z");
    post(body, "application/x-ndjson", admin);
    awaitDetection();
    assertThat(get("/api/v1/alerts", analyst).body().get("alerts")).hasSize(1);
    JsonNode errors = get("/api/v1/status", admin).body().get("detection").get("rule_errors");
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).get("rule").asText()).isEqualTo("auth.login-from-tor");
    assertThat(errors.get(0).get("count").asLong()).isEqualTo(1);
    String metrics = send(HttpRequest.newBuilder(uri("/metrics")).GET(), admin).raw().body();
    assertThat(metrics).contains("bulwark_rule_errors_total{rule=\"auth.login-from-tor\"} 1.0");
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    post(withdrawal("m-1", 500_000, "2026-11-26T06:00:00Z"), "application/x-ndjson", admin);
    awaitDetection();
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/metrics")).GET(), analyst).raw();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("bulwark_events_accepted_total 1.0")
        .contains(
            "bulwark_alerts_raised_total{rule=\"wallet.big-withdrawal\",severity=\"high\"} 1.0")
        .contains("bulwark_detection_lag_events 0.0")
        .contains("jvm_memory_used_bytes");
    assertThat(get("/metrics", ingestOnly).status()).isEqualTo(403);
  }

  @Test
  void unknownRoutesAreProblemDocuments() throws Exception {
    Reply r = get("/api/v1/nope", admin);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.contentType()).startsWith("application/problem+json");
  }
}
