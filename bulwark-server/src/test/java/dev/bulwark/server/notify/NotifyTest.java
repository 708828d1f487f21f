package dev.bulwark.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.bulwark.server.App;
import dev.bulwark.server.auth.Role;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.config.Secret;
import dev.bulwark.server.db.TestDatabases;
import io.javalin.Javalin;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Notifiers against real receivers: an HTTP server on port 0 and GreenMail's SMTP server. */
final class NotifyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private App app;
  private String admin;
  private Javalin receiver;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile int failWith = 503;
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private final HttpClient http = HttpClient.newHttpClient();

  private record Received(Map<String, String> headers, byte[] body) {}

  @BeforeEach
  void start() throws Exception {
    receiver =
        Javalin.create(
                c -> {
                  c.startup.showJavalinBanner = false;
                  c.routes.post(
                      "/hook",
                      ctx -> {
                        hold.await(30, TimeUnit.SECONDS);
                        if (failuresLeft.getAndDecrement() > 0) {
                          ctx.status(failWith);
                          return;
                        }
                        received.add(new Received(ctx.headerMap(), ctx.bodyAsBytes()));
                        ctx.status(204);
                      });
                })
            .start("127.0.0.1", 0);
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        rules.resolve("big.yml"),
        """
        id: wallet.big
        title: big withdrawal by {{e.account}}
        severity: high
        match: {where: 'e.type == "wallet.withdrawal_requested" && e.amount_usd > 1000.0'}
        """);
    Files.writeString(
        rules.resolve("login.yml"),
        """
        id: auth.login
        title: login by {{e.account}}
        severity: low
        match: {where: 'e.type == "auth.login"'}
        """);
    app =
        App.serve(
            new Config(
                new Config.Server("127.0.0.1", 0, 1 << 20),
                TestDatabases.h2(dir.resolve("data")),
                new Config.Rules(Optional.of(rules)),
                new Config.Ingest(1000, Duration.ofSeconds(10)),
                new Config.Detection(1, Duration.ofMinutes(5)),
                new Config.Notify(true, Duration.ofMillis(20), 3, Duration.ofSeconds(5)),
                List.of()),
            Clock.systemUTC());
    admin = app.tokens().create("acme", Role.ADMIN, null).token();
  }

  @AfterEach
  void stop() {
    hold.countDown();
    app.close();
    receiver.stop();
  }

  private HttpResponse<String> api(String method, String path, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .header("Authorization", "Bearer " + admin)
            .header("Content-Type", "application/json")
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode createNotifier(String json) throws Exception {
    HttpResponse<String> r = api("POST", "/api/v1/notifiers", json);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body());
  }

  private void withdraw(String id, double usd) throws Exception {
    HttpResponse<String> r =
        api(
            "POST",
            "/api/v1/events",
            "[{\"id\":\"%s\",\"type\":\"wallet.withdrawal_requested\",\"time\":\"2026-11-26T06:00:00Z\",\"account\":\"u-1\",\"amount_usd\":%s}]"
                .formatted(id, usd));
    assertThat(r.statusCode()).isEqualTo(202);
  }

  private String hookUrl() {
    return "http://127.0.0.1:" + receiver.port() + "/hook";
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as(what).isBefore(deadline);
      Thread.sleep(20);
    }
  }

  private JsonNode deliveries(String notifier, String status) throws Exception {
    return JSON.readTree(
            api("GET", "/api/v1/notifiers/" + notifier + "/deliveries?status=" + status, null)
                .body())
        .get("deliveries");
  }

  @Test
  void aWebhookIsSignedAndRetriedUntilTheReceiverAccepts() throws Exception {
    JsonNode n =
        createNotifier(
            "{\"kind\":\"webhook\",\"name\":\"soc\",\"url\":\"%s\",\"min_severity\":\"high\"}"
                .formatted(hookUrl()));
    String secret = n.get("signing_secret").asText();
    assertThat(secret).startsWith("whsec_");
    assertThat(api("GET", "/api/v1/notifiers", null).body()).doesNotContain(secret);

    failuresLeft.set(2);
    withdraw("w1", 5000);
    await("delivered", () -> received.size() == 1);
    Received r = received.get(0);
    String timestamp = r.headers().get("X-Bulwark-Timestamp");
    String expected = "sha256=" + Sender.sign(new Secret(secret), timestamp, r.body());
    assertThat(r.headers().get("X-Bulwark-Signature")).isEqualTo(expected);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("alert").get("title").asText()).isEqualTo("big withdrawal by u-1");
    assertThat(body.get("delivery_id").asText()).isEqualTo(r.headers().get("X-Bulwark-Delivery"));
    await(
        "recorded as delivered",
        () -> {
          try {
            return deliveries(n.get("id").asText(), "delivered").size() == 1;
          } catch (Exception e) {
            return false;
          }
        });
    assertThat(deliveries(n.get("id").asText(), "delivered").get(0).get("attempts").asInt())
        .isEqualTo(3);
  }

  @Test
  void afterTheLastAttemptADeliveryIsADeadLetterWithTheReason() throws Exception {
    JsonNode n = createNotifier("{\"kind\":\"webhook\",\"url\":\"%s\"}".formatted(hookUrl()));
    failWith = 500;
    failuresLeft.set(1000);
    withdraw("w1", 5000);
    String id = n.get("id").asText();
    await(
        "dead letter",
        () -> {
          try {
            return deliveries(id, "dead").size() == 1;
          } catch (Exception e) {
            return false;
          }
        });
    JsonNode dead = deliveries(id, "dead").get(0);
    assertThat(dead.get("attempts").asInt()).isEqualTo(3);
    assertThat(dead.get("last_error").asText()).isEqualTo("the receiver answered HTTP 500");
    assertThat(received).isEmpty();
  }

  @Test
  void aHangingReceiverDoesNotHoldDetectionUp() throws Exception {
    createNotifier("{\"kind\":\"webhook\",\"url\":\"%s\"}".formatted(hookUrl()));
    hold = new CountDownLatch(1);
    withdraw("w1", 5000);
    withdraw("w2", 6000);
    JsonNode alerts = JSON.readTree(api("GET", "/api/v1/alerts", null).body()).get("alerts");
    assertThat(alerts).as("both alerts stored while the receiver still hangs").hasSize(2);
    assertThat(received).isEmpty();
    hold.countDown();
    await("both delivered once the receiver answers", () -> received.size() == 2);
  }

  @Test
  void severityFloorAndRuleFilterChooseWhatIsSent() throws Exception {
    createNotifier(
        "{\"kind\":\"webhook\",\"url\":\"%s\",\"min_severity\":\"info\",\"rules\":[\"auth.login\"]}"
            .formatted(hookUrl()));
    withdraw("w1", 5000);
    api(
        "POST",
        "/api/v1/events",
        "[{\"id\":\"l1\",\"type\":\"auth.login\",\"time\":\"2026-11-26T06:00:00Z\",\"account\":\"u-2\"}]");
    await("the login alert", () -> received.size() == 1);
    assertThat(JSON.readTree(received.get(0).body()).get("alert").get("rule").asText())
        .isEqualTo("auth.login");
    Thread.sleep(200); // nothing else may follow; no timing is asserted, only absence
    assertThat(received).hasSize(1);
  }

  @Test
  void slackGetsAReadableTextAndItsUrlIsNeverShownBack() throws Exception {
    createNotifier("{\"kind\":\"slack\",\"url\":\"%s\"}".formatted(hookUrl()));
    assertThat(api("GET", "/api/v1/notifiers", null).body())
        .doesNotContain("/hook")
        .contains("\"url\":\"****\"");
    withdraw("w1", 5000);
    await("slack message", () -> received.size() == 1);
    assertThat(JSON.readTree(received.get(0).body()).get("text").asText())
        .startsWith("*[HIGH] big withdrawal by u-1*");
  }

  @Test
  void emailGoesThroughARealSmtpServer() throws Exception {
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    try {
      createNotifier(
          "{\"kind\":\"email\",\"smtp_host\":\"127.0.0.1\",\"smtp_port\":%d,\"from\":\"bulwark@example.org\",\"to\":[\"soc@example.org\"],\"starttls\":false}"
              .formatted(smtp.getSmtp().getPort()));
      withdraw("w1", 5000);
      assertThat(smtp.waitForIncomingEmail(30_000, 1)).isTrue();
      MimeMessage m = smtp.getReceivedMessages()[0];
      assertThat(m.getSubject()).isEqualTo("[Bulwark HIGH] big withdrawal by u-1");
      assertThat(new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .contains("Rule: wallet.big");
    } finally {
      smtp.stop();
    }
  }

  @Test
  void anInvalidNotifierIsRejectedWithEveryProblem() throws Exception {
    HttpResponse<String> r =
        api(
            "POST",
            "/api/v1/notifiers",
            "{\"kind\":\"email\",\"to\":[\"nobody\"],\"colour\":1,\"min_severity\":\"loud\"}");
    assertThat(r.statusCode()).isEqualTo(422);
    JsonNode errors = JSON.readTree(r.body()).get("errors");
    assertThat(errors)
        .extracting(e -> e.get("location").asText())
        .containsExactly("$.colour", "$.min_severity", "$.smtp_host", "$.from", "$.to[0]");
    assertThat(api("POST", "/api/v1/notifiers", "{\"kind\":\"pager\"}").statusCode())
        .isEqualTo(422);
  }
}
