package dev.bulwark.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} on a real server process: every event acknowledged with 202 survives, detection
 * resumes, and neither a restart nor a re-sent batch raises an alert twice.
 */
final class CrashTest {
  private static final Pattern LISTENING =
      Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EVENTS = 500;
  private static final int MATCHING = 100;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  private record Server(Process process, int port, Path errors) {}

  private Server start(Path data, Path rules) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "-Xmx256m",
            Main.class.getName(),
            "serve",
            "--port",
            "0",
            "--data",
            data.toString(),
            "--rules",
            rules.toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("BULWARK_"));
    Path errors = dir.resolve("server-" + System.nanoTime() + ".err");
    pb.redirectError(errors.toFile());
    Process p = pb.start();
    CompletableFuture<Integer> port =
        CompletableFuture.supplyAsync(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    return Integer.parseInt(m.group(1));
                  }
                }
                return -1;
              } catch (java.io.IOException e) {
                return -1;
              }
            });
    int bound = port.get(60, TimeUnit.SECONDS);
    assertThat(bound).as("the server started and printed its port").isPositive();
    return new Server(p, bound, errors);
  }

  private static void kill9(Server s) throws InterruptedException {
    s.process().destroyForcibly(); // SIGKILL: no shutdown hooks run
    assertThat(s.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  private HttpResponse<String> send(Server s, HttpRequest.Builder b, String token)
      throws Exception {
    return http.send(
        b.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String failure(String id, String time) {
    return "{\"id\":\"%s\",\"type\":\"auth.login_failed\",\"time\":\"2026-11-26T%sZ\",\"account\":\"victim\"}\n"
        .formatted(id, time);
  }

  private HttpResponse<String> post(Server s, String ndjson, String token) throws Exception {
    return send(
        s,
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/api/v1/events"))
            .header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofString(ndjson)),
        token);
  }

  private JsonNode statusWhenCaughtUp(Server s, String token) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (true) {
      JsonNode status =
          JSON.readTree(
              send(
                      s,
                      HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + s.port() + "/api/v1/status")),
                      token)
                  .body());
      if (status.get("detection").get("lag").asLong() == 0) {
        return status;
      }
      assertThat(Instant.now()).as("detection caught up after restart").isBefore(deadline);
      Thread.sleep(50);
    }
  }

  private String token(Path data) {
    PrintStream real = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(
              Main.run(
                  "token", "create", "--org", "acme", "--role", "admin", "--data", data.toString()))
          .isZero();
    } finally {
      System.setOut(real);
    }
    return out.toString(StandardCharsets.UTF_8).trim();
  }

  @Test
  void killNineRightAfterAcceptLosesNothingAndRestartsRaiseNoDuplicates() throws Exception {
    Path data = dir.resolve("data");
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        rules.resolve("big.yml"),
        """
        id: wallet.big-withdrawal
        title: big withdrawal
        severity: high
        match:
          where: e.type == "wallet.withdrawal_requested" && e.amount_usd > 1000.0
        """);
    Files.writeString(
        rules.resolve("brute.yml"),
        """
        id: auth.brute-force
        title: brute force on {{key}}
        severity: medium
        threshold: {where: 'e.type == "auth.login_failed"', by: account, window: 10m, at_least: 3}
        """);
    String token = token(data);
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < EVENTS; i++) {
      double usd = i % (EVENTS / MATCHING) == 0 ? 50_000 : 10;
      batch.append(
          "{\"id\":\"w-%d\",\"type\":\"wallet.withdrawal_requested\",\"time\":\"2026-11-26T06:00:00Z\",\"account\":\"u-%d\",\"amount_usd\":%s}\n"
              .formatted(i, i, usd));
    }

    // Two failed logins before the crash, the third after it: the window spans the restart.
    batch.append(failure("f1", "06:00:00")).append(failure("f2", "06:01:00"));
    Server first = start(data, rules);
    HttpResponse<String> accepted = post(first, batch.toString(), token);
    kill9(first);
    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(JSON.readTree(accepted.body()).get("accepted").asInt()).isEqualTo(EVENTS + 2);

    Server second = start(data, rules);
    JsonNode status = statusWhenCaughtUp(second, token);
    assertThat(status.get("events").asLong())
        .as("every acknowledged event survived kill -9")
        .isEqualTo(EVENTS + 2);
    assertThat(status.get("alerts").asLong()).isEqualTo(MATCHING);
    post(second, failure("f3", "06:02:00"), token);
    assertThat(statusWhenCaughtUp(second, token).get("alerts").asLong())
        .as("the window of the first two failures survived the crash")
        .isEqualTo(MATCHING + 1);

    HttpResponse<String> resent = post(second, batch.toString(), token);
    assertThat(JSON.readTree(resent.body()).get("duplicates").asInt()).isEqualTo(EVENTS + 2);
    assertThat(statusWhenCaughtUp(second, token).get("alerts").asLong()).isEqualTo(MATCHING + 1);
    kill9(second);

    Server third = start(data, rules);
    try {
      JsonNode after = statusWhenCaughtUp(third, token);
      assertThat(after.get("events").asLong()).isEqualTo(EVENTS + 3);
      assertThat(after.get("alerts").asLong())
          .as("no alert raised twice across restarts")
          .isEqualTo(MATCHING + 1);
      post(third, failure("f4", "06:03:00"), token);
      assertThat(statusWhenCaughtUp(third, token).get("alerts").asLong())
          .as("the brute-force window re-arms only after its events have left it")
          .isEqualTo(MATCHING + 1);
    } finally {
      third.process().destroy(); // SIGTERM: the shutdown hooks run
      third.process().waitFor(30, TimeUnit.SECONDS);
    }
    // warnings go to stderr, which the test keeps
    String log = java.nio.file.Files.readString(third.errors());
    assertThat(log)
        .as("a clean stop saves the detection snapshot (the database must outlive H2's exit hook)")
        .doesNotContain("could not save the detection snapshot");
  }
}
