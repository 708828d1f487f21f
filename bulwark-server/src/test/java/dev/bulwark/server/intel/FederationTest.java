package dev.bulwark.server.intel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.server.App;
import dev.bulwark.server.auth.Role;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.config.Secret;
import dev.bulwark.server.db.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Bulwark instances on one machine as peers: an alert at A is shared as an indicator and a
 * sighting, B pulls it and alerts on the same address, B's sighting of A's indicator is pushed back
 * and shows on A's alert; B resumes after a restart without fetching or storing anything twice.
 */
final class FederationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RULE =
      """
      id: wallet.drain-to-fresh
      title: Large withdrawal to {{e.to}}
      severity: high
      entities: {attacker: [to], victim: [account]}
      match:
        where: e.type == "wallet.withdrawal_requested" && e.amount_usd > 100000.0
      """;
  private static final String ATTACKER = "0x7f367cc41522ce07553e823bf3be79a889debe1b";
  private static final String ATTACKER_2 = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private App a;
  private App b;

  @AfterEach
  void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  private Config config(String name, Optional<Path> rules, List<Config.Peer> peers) {
    return new Config(
        new Config.Server("127.0.0.1", 0, 1024 * 1024),
        TestDatabases.h2(dir.resolve(name)),
        new Config.Rules(rules),
        new Config.Ingest(1000, Duration.ofSeconds(10)),
        new Config.Detection(2, Duration.ofMinutes(5)),
        Config.Notify.defaults(),
        List.of(),
        peers);
  }

  private JsonNode call(App app, String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .header("Authorization", "Bearer " + token);
    if (body != null) {
      r.header(
          "Content-Type", path.endsWith("/events") ? "application/x-ndjson" : "application/json");
    }
    r.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as(method + " " + path + ": " + response.body())
        .isLessThan(300);
    return JSON.readTree(response.body());
  }

  private static String withdrawal(String id, String to) {
    return """
        {"id":"%s","type":"wallet.withdrawal_requested","time":"2026-11-26T06:00:00Z",\
        "account":"u-7","amount_usd":250000.0,"asset":"USDC","to":"%s"}"""
        .formatted(id, to);
  }

  private static JsonNode only(JsonNode alerts) {
    assertThat(alerts.get("alerts")).hasSize(1);
    return alerts.get("alerts").get(0);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as(what).isBefore(deadline);
      Thread.sleep(25);
    }
  }

  @Test
  void anAlertAtABecomesProtectionAtBAndBsSightingComesBack() throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("drain.yml"), RULE);
    a = App.serve(config("a", Optional.of(rules), List.of()), Clock.systemUTC());
    String aAdmin = a.tokens().create("exchange-a", Role.ADMIN, null).token();
    String bAtA = a.tokens().create("exchange-b", Role.PEER, "B's federation client").token();
    long exchangeA = a.tokens().organisation("exchange-a").id();
    a.stix()
        .createCollection(
            "7a0c2f0e-4a4b-4d52-9b1e-0a6f3a0d9c11", "Outbound", null, "outbound", exchangeA);
    a.stix()
        .grant(
            "7a0c2f0e-4a4b-4d52-9b1e-0a6f3a0d9c11",
            a.tokens().organisation("exchange-b").id(),
            true,
            true);

    // an alert at A, shared as an indicator and a sighting (TLP:AMBER by default)
    call(a, "POST", "/api/v1/events", withdrawal("a-1", ATTACKER), aAdmin);
    JsonNode alertA =
        only(call(a, "GET", "/api/v1/alerts?rule=wallet.drain-to-fresh", null, aAdmin));
    JsonNode shared =
        call(
            a,
            "POST",
            "/api/v1/alerts/" + alertA.get("id").asText() + "/share",
            "{\"collection\":\"outbound\"}",
            aAdmin);
    assertThat(shared.get("tlp").asText()).isEqualTo("TLP:AMBER");
    assertThat(shared.get("stored").asInt()).isEqualTo(3);
    String indicator = shared.get("indicators").get(0).asText();
    // again, from the CLI: nothing new
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream real = System.out;
    System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      assertThat(
              dev.bulwark.server.cli.Main.run(
                  "alerts",
                  "share",
                  alertA.get("id").asText(),
                  "--collection",
                  "outbound",
                  "--server",
                  "http://127.0.0.1:" + a.port(),
                  "--token",
                  aAdmin,
                  "--data",
                  dir.resolve("cli").toString()))
          .isZero();
    } finally {
      System.setOut(real);
    }
    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("into 7a0c2f0e-4a4b-4d52-9b1e-0a6f3a0d9c11 as TLP:AMBER: 0 new object(s)")
        .contains("indicator " + indicator);
    String objects =
        call(
                a,
                "GET",
                "/taxii2/bulwark/collections/outbound/objects/?match%5Btype%5D=indicator",
                null,
                aAdmin)
            .toString();
    assertThat(objects)
        .contains("[cryptocurrency-wallet:value = '" + ATTACKER + "']")
        .doesNotContain("u-7");

    // B federates with A: pulls A's outbound, pushes its own sightings back
    Config.Peer peer =
        new Config.Peer(
            "exchange-a",
            "http://127.0.0.1:" + a.port() + "/taxii2/",
            new Secret(bAtA),
            "exchange-b",
            List.of(new Config.Link("outbound", "from-exchange-a")),
            List.of(new Config.Link("outbound", "to-exchange-a")),
            Duration.ofMillis(100),
            Duration.ofSeconds(5));
    b = App.serve(config("b", Optional.empty(), List.of(peer)), Clock.systemUTC());
    String bAdmin = b.tokens().create("exchange-b", Role.ADMIN, null).token();
    long exchangeB = b.tokens().organisation("exchange-b").id();
    await("B indexed A's indicator", () -> b.stixIntel().size(exchangeB) == 1);

    // B's engine alerts on the same address, naming A's indicator
    call(b, "POST", "/api/v1/events", withdrawal("b-1", ATTACKER), bAdmin);
    JsonNode alertB =
        only(call(b, "GET", "/api/v1/alerts?rule=intel.indicator-match", null, bAdmin));
    assertThat(alertB.get("summary").asText())
        .contains(indicator)
        .contains("exchange-a via TAXII collection from-exchange-a");

    // B shares its alert: a sighting of A's indicator, pushed to A
    JsonNode sighting =
        call(
            b,
            "POST",
            "/api/v1/alerts/" + alertB.get("id").asText() + "/share",
            "{\"collection\":\"to-exchange-a\"}",
            bAdmin);
    assertThat(sighting.get("indicators")).isEmpty();
    assertThat(sighting.get("sightings")).hasSize(1);
    String aShares = "/api/v1/alerts/" + alertA.get("id").asText() + "/share";
    await(
        "B's sighting shows on A's alert",
        () -> {
          try {
            return call(a, "GET", aShares, null, aAdmin)
                .get("sightings")
                .toString()
                .contains("exchange-b");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    JsonNode sightings = call(a, "GET", aShares, null, aAdmin).get("sightings");
    assertThat(sightings).hasSize(2); // A's own and B's
    assertThat(sightings.findValuesAsText("of")).containsOnly(indicator);
    assertThat(sightings.findValuesAsText("by"))
        .containsExactlyInAnyOrder("exchange-a", "exchange-b");

    // B holds A's three objects once; its own sighting did not come back as A's
    String fromA = b.stix().collection("from-exchange-a", exchangeB).orElseThrow().id();
    assertThat(b.stix().after(fromA, 0, 100)).hasSize(3);

    // restart B: it resumes from its cursor and fetches only what is new
    b.close();
    b = null;
    call(a, "POST", "/api/v1/events", withdrawal("a-2", ATTACKER_2), aAdmin);
    JsonNode second = null;
    for (JsonNode alert :
        call(a, "GET", "/api/v1/alerts?rule=wallet.drain-to-fresh", null, aAdmin).get("alerts")) {
      if (!alert.get("id").asText().equals(alertA.get("id").asText())) {
        second = alert;
      }
    }
    assertThat(second).as("a second alert at A").isNotNull();
    call(
        a,
        "POST",
        "/api/v1/alerts/" + second.get("id").asText() + "/share",
        "{\"collection\":\"outbound\"}",
        aAdmin);
    b = App.serve(config("b", Optional.empty(), List.of(peer)), Clock.systemUTC());
    App restarted = b;
    await("B indexed the second indicator", () -> restarted.stixIntel().size(exchangeB) == 2);
    assertThat(b.stix().after(fromA, 0, 100)).hasSize(5);
    double received = b.counter("bulwark.federation.received");
    // new at A since B's cursor: the second indicator and sighting, and perhaps B's own identity
    // and sighting pushed there (if B had not fetched them back before it stopped); from scratch
    // it would be all seven
    assertThat(received).isBetween(2.0, 4.0);
  }

  @Test
  void relatedAddressesAreSharedOnlyWhenTheAnalystSaysSo() throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules-related"));
    Files.writeString(
        rules.resolve("big.yml"),
        """
        id: wallet.big-withdrawal
        title: Withdrawal over $100k
        severity: high
        entities: {victim: [account], related: [to]}
        match:
          where: e.type == "wallet.withdrawal_requested" && e.amount_usd > 100000.0
        """);
    a = App.serve(config("related", Optional.of(rules), List.of()), Clock.systemUTC());
    String admin = a.tokens().create("exchange-a", Role.ADMIN, null).token();
    a.stix()
        .createCollection(
            "7a0c2f0e-4a4b-4d52-9b1e-0a6f3a0d9c12",
            "Outbound",
            null,
            "outbound",
            a.tokens().organisation("exchange-a").id());
    call(a, "POST", "/api/v1/events", withdrawal("r-1", ATTACKER), admin);
    String id = only(call(a, "GET", "/api/v1/alerts", null, admin)).get("id").asText();
    HttpResponse<String> refused =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + a.port() + "/api/v1/alerts/" + id + "/share"))
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"collection\":\"outbound\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body()).contains("include_related");
    JsonNode shared =
        call(
            a,
            "POST",
            "/api/v1/alerts/" + id + "/share",
            "{\"collection\":\"outbound\",\"include_related\":true}",
            admin);
    assertThat(shared.get("indicators")).hasSize(1);
    assertThat(
            call(
                    a,
                    "GET",
                    "/taxii2/bulwark/collections/outbound/objects/?match%5Btype%5D=indicator",
                    null,
                    admin)
                .toString())
        .contains("judged malicious")
        .contains(ATTACKER);
  }
}
