package dev.bulwark.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.server.App;
import dev.bulwark.server.auth.Role;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.db.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules managed through the API, applied without a restart, keeping unchanged rules' state. */
final class RulesApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FILE_RULE =
      """
      id: file.tor
      title: Tor login
      severity: medium
      match: {where: 'e.type == "auth.login" && e.ip.startsWith("185.220.")'}
      """;
  private static final String BRUTE =
      """
      id: my.brute
      title: brute force on {{key}}
      severity: high
      threshold: {where: 'e.type == "auth.login_failed"', by: account, window: 10m, at_least: 3}
      """;
  private static final String BIG =
      """
      id: my.big
      title: big withdrawal
      severity: high
      match: {where: 'e.type == "wallet.withdrawal_requested" && e.amount_usd > 1000.0'}
      """;

  @TempDir Path dir;
  private App app;
  private String admin;
  private String analyst;
  private String other;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    start(false);
  }

  /** A server with the rules directory, and the built-in pack when {@code pack}. */
  private void start(boolean pack) throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("tor.yml"), FILE_RULE);
    app =
        App.serve(
            new Config(
                new Config.Server("127.0.0.1", 0, 1 << 20),
                TestDatabases.h2(dir.resolve(pack ? "data-pack" : "data")),
                new Config.Rules(Optional.of(rules), pack),
                new Config.Ingest(1000, Duration.ofSeconds(10)),
                new Config.Detection(2, Duration.ofMinutes(5)),
                Config.Notify.defaults(),
                List.of()),
            Clock.systemUTC());
    admin = app.tokens().create("acme", Role.ADMIN, null).token();
    analyst = app.tokens().create("acme", Role.ANALYST, null).token();
    other = app.tokens().create("globex", Role.ADMIN, null).token();
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private HttpResponse<String> send(
      String method, String path, String body, String type, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .header("Authorization", "Bearer " + token)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> putRule(String id, String yaml, String token) throws Exception {
    return send("PUT", "/api/v1/rules/" + id, yaml, "application/yaml", token);
  }

  private void post(String ndjson) throws Exception {
    post(ndjson, admin);
  }

  private void post(String ndjson, String token) throws Exception {
    HttpResponse<String> r = send("POST", "/api/v1/events", ndjson, "application/x-ndjson", token);
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(JSON.readTree(r.body()).get("detected").asBoolean()).isTrue();
  }

  private static String failure(String id, int minute) {
    return "{\"id\":\"%s\",\"type\":\"auth.login_failed\",\"time\":\"2026-11-26T06:%02d:00Z\",\"account\":\"victim\"}\n"
        .formatted(id, minute);
  }

  private long alerts(String rule) throws Exception {
    return alerts(rule, admin);
  }

  private long alerts(String rule, String token) throws Exception {
    return JSON.readTree(send("GET", "/api/v1/alerts?rule=" + rule, null, null, token).body())
        .get("alerts")
        .size();
  }

  @Test
  void aRuleCreatedThroughTheApiRunsAtOnceAndOnlyForItsOrganisation() throws Exception {
    HttpResponse<String> created = putRule("my.big", BIG, admin);
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(JSON.readTree(created.body()).get("origin").asText()).isEqualTo("api");
    post(
        "{\"id\":\"w1\",\"type\":\"wallet.withdrawal_requested\",\"time\":\"2026-11-26T06:00:00Z\",\"amount_usd\":5000.0}\n");
    assertThat(alerts("my.big")).isEqualTo(1);

    JsonNode list =
        JSON.readTree(send("GET", "/api/v1/rules", null, null, analyst).body()).get("rules");
    assertThat(list)
        .extracting(r -> r.get("id").asText() + "/" + r.get("origin").asText())
        .containsExactly("file.tor/file", "my.big/api");
    assertThat(
            JSON.readTree(send("GET", "/api/v1/rules/my.big", null, null, analyst).body())
                .get("text")
                .asText())
        .isEqualTo(BIG);
    assertThat(send("GET", "/api/v1/rules/my.big", null, null, other).statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(send("GET", "/api/v1/rules", null, null, other).body()).get("rules"))
        .hasSize(1);
    assertThat(putRule("my.big", BIG, analyst).statusCode())
        .as("analysts read, admins write")
        .isEqualTo(403);
  }

  @Test
  void updatingOneRuleKeepsTheWindowsOfTheOthersAndChangingARuleResetsItsOwn() throws Exception {
    putRule("my.brute", BRUTE, admin);
    putRule("my.big", BIG, admin);
    post(failure("f1", 0) + failure("f2", 1));
    assertThat(putRule("my.big", BIG.replace("1000.0", "2000.0"), admin).statusCode())
        .isEqualTo(200);
    post(failure("f3", 2));
    assertThat(alerts("my.brute"))
        .as("my.brute's window survived the change to my.big")
        .isEqualTo(1);

    post(failure("g1", 20) + failure("g2", 21));
    assertThat(
            putRule("my.brute", BRUTE.replace("brute force on", "brute-force attack on"), admin)
                .statusCode())
        .isEqualTo(200);
    post(failure("g3", 22));
    assertThat(alerts("my.brute")).as("the edited rule started afresh").isEqualTo(1);
  }

  @Test
  void disablingEnablingAndDeletingApplyImmediately() throws Exception {
    assertThat(send("POST", "/api/v1/rules/file.tor/disable", null, null, admin).statusCode())
        .isEqualTo(200);
    post(
        "{\"id\":\"l1\",\"type\":\"auth.login\",\"time\":\"2026-11-26T06:00:00Z\",\"ip\":\"185.220.101.1\"}\n");
    assertThat(alerts("file.tor")).isZero();
    assertThat(send("POST", "/api/v1/rules/file.tor/enable", null, null, admin).statusCode())
        .isEqualTo(200);
    post(
        "{\"id\":\"l2\",\"type\":\"auth.login\",\"time\":\"2026-11-26T06:01:00Z\",\"ip\":\"185.220.101.1\"}\n");
    assertThat(alerts("file.tor")).isEqualTo(1);

    assertThat(send("DELETE", "/api/v1/rules/file.tor", null, null, admin).statusCode())
        .isEqualTo(409);
    putRule("my.big", BIG, admin);
    assertThat(send("DELETE", "/api/v1/rules/my.big", null, null, admin).statusCode())
        .isEqualTo(204);
    assertThat(send("GET", "/api/v1/rules/my.big", null, null, admin).statusCode()).isEqualTo(404);
    assertThat(send("DELETE", "/api/v1/rules/my.big", null, null, admin).statusCode())
        .isEqualTo(404);
  }

  /** Three wallets paying one never-seen address: the key-compromise shape. */
  private static String drained(String prefix, String sink) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 3; i++) {
      b.append(
          ("{\"id\":\"%s%d\",\"type\":\"chain.transfer\",\"time\":\"2026-11-26T06:0%d:00Z\","
                  + "\"chain\":\"eip155:1\",\"asset\":\"ETH\",\"amount\":\"5000000000000000000\","
                  + "\"from\":\"0x%040x\",\"to\":\"%s\",\"tx\":\"0x%064x\",\"attrs\":{\"standard\":\"native\"}}\n")
              .formatted(prefix, i, i, 0xa000 + i, sink, prefix.hashCode() * 10L + i & 0xffffffL));
    }
    return b.toString();
  }

  @Test
  void aBuiltInDetectorIsListedAndCanBeSwitchedOffForOneOrganisation() throws Exception {
    app.close();
    start(true);
    JsonNode list =
        JSON.readTree(send("GET", "/api/v1/rules", null, null, analyst).body()).get("rules");
    assertThat(list)
        .anySatisfy(
            r -> {
              assertThat(r.get("id").asText()).isEqualTo("chain.key-compromise");
              assertThat(r.get("kind").asText()).isEqualTo("code");
              assertThat(r.get("origin").asText()).isEqualTo("built-in");
              assertThat(r.get("enabled").asBoolean()).isTrue();
            });
    HttpResponse<String> off =
        send("POST", "/api/v1/rules/chain.key-compromise/disable", null, null, admin);
    assertThat(off.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(off.body()).get("enabled").asBoolean()).isFalse();

    String sink = "0x00000000000000000000000000000000000000ff";
    post(drained("a", sink), admin);
    post(drained("a", sink), other);
    assertThat(alerts("chain.key-compromise", admin)).as("off for acme").isZero();
    assertThat(alerts("chain.key-compromise", other)).as("still on for globex").isEqualTo(1);

    assertThat(
            send("POST", "/api/v1/rules/chain.key-compromise/enable", null, null, admin)
                .statusCode())
        .isEqualTo(200);
    post(drained("b", "0x00000000000000000000000000000000000000fe"), admin);
    assertThat(alerts("chain.key-compromise", admin)).as("on again").isEqualTo(1);
    assertThat(send("DELETE", "/api/v1/rules/chain.key-compromise", null, null, admin).statusCode())
        .isEqualTo(409);
    assertThat(
            putRule(
                    "chain.key-compromise",
                    BIG.replace("id: my.big", "id: chain.key-compromise"),
                    admin)
                .statusCode())
        .as("a built-in's id is taken")
        .isEqualTo(409);
  }

  @Test
  void anInvalidRuleIsRejectedWithEveryProblemAndChangesNothing() throws Exception {
    HttpResponse<String> bad =
        putRule(
            "my.bad",
            "id: my.bad\ntitle: t\nseverity: huge\nmatch: {where: 'e.nope == 1'}\n",
            admin);
    assertThat(bad.statusCode()).isEqualTo(422);
    JsonNode errors = JSON.readTree(bad.body()).get("errors");
    assertThat(errors)
        .extracting(e -> e.get("location").asText())
        .containsExactly("api:my.bad:3:11", "api:my.bad:4:19");
    assertThat(send("GET", "/api/v1/rules/my.bad", null, null, admin).statusCode()).isEqualTo(404);

    assertThat(putRule("file.tor", FILE_RULE, admin).statusCode())
        .as("ids of file rules are taken")
        .isEqualTo(409);
    HttpResponse<String> mismatch = putRule("my.other", BIG, admin);
    assertThat(mismatch.statusCode()).isEqualTo(422);
    assertThat(mismatch.body())
        .contains("the rule's id is 'my.big' but it is stored as 'my.other'");
    assertThat(send("PUT", "/api/v1/rules/my.big", BIG, "application/json", admin).statusCode())
        .isEqualTo(415);
  }

  @Test
  void editingARuleFileAppliesWithoutARestart() throws Exception {
    Path file = dir.resolve("rules").resolve("big.yml");
    Files.writeString(file, BIG.replace("my.big", "file.big"));
    Thread.sleep(10); // a distinct modification time
    var watcher =
        new dev.bulwark.server.detect.RuleWatcher(
            dir.resolve("rules"), Duration.ofHours(1), app.catalog()::setFileRules);
    watcher.close(); // its first look happened at construction; check by hand below
    Files.writeString(file, BIG.replace("my.big", "file.big").replace("1000.0", "100.0"));
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    watcher.check();
    post(
        "{\"id\":\"w9\",\"type\":\"wallet.withdrawal_requested\",\"time\":\"2026-11-26T06:00:00Z\",\"amount_usd\":500.0}\n");
    assertThat(alerts("file.big")).isEqualTo(1);
  }
}
