package dev.bulwark.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.server.App;
import dev.bulwark.server.auth.Role;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.db.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process: exit codes, output, and the local and remote paths of ingest and alerts. */
final class CliTest {
  private static final String RULE =
      """
      id: wallet.big-withdrawal
      title: Withdrawal over $100k by {{e.account}}
      severity: high
      match:
        where: e.type == "wallet.withdrawal_requested" && e.amount_usd > 100000.0
      """;

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream realOut;
  private PrintStream realErr;
  private Path config;
  private Path events;

  @BeforeEach
  void setUp() throws Exception {
    realOut = System.out;
    realErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("big.yml"), RULE);
    config =
        Files.writeString(
            dir.resolve("bulwark.yml"),
            "storage:\n  data_dir: %s\nrules:\n  dir: %s\n".formatted(dir.resolve("data"), rules));
    events =
        Files.writeString(
            dir.resolve("events.jsonl"),
            """
            {"id":"w-1","type":"wallet.withdrawal_requested","time":"2026-11-26T06:00:00Z","account":"u-7","amount_usd":250000.0}

            {"id":"w-2","type":"wallet.withdrawal_requested","time":"2026-11-26T06:05:00Z","account":"u-8","amount_usd":10.0}
            {"id":"l-1","type":"auth.login","time":"2026-11-26T06:06:00Z","account":"u-8"}
            """);
  }

  @AfterEach
  void tearDown() {
    System.setOut(realOut);
    System.setErr(realErr);
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    return Main.run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void versionAndHelpExitZeroAndBadUsageExitsTwo() {
    assertThat(run("version")).isZero();
    assertThat(out()).startsWith("bulwark ");
    for (String cmd : new String[] {"serve", "ingest", "alerts", "version"}) {
      assertThat(run(cmd, "--help")).as(cmd).isZero();
      assertThat(out()).contains("Usage: bulwark " + cmd);
    }
    assertThat(run("token", "create", "--help")).isZero();
    assertThat(run("config", "check", "--help")).isZero();
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(run("serve", "--port", "eighty")).isEqualTo(2);
    assertThat(err()).contains("--port");
  }

  @Test
  void configCheckPrintsEffectiveValuesOrEveryProblem() throws Exception {
    assertThat(run("config", "check", "--config", config.toString(), "--data", "/srv/bulwark"))
        .isZero();
    assertThat(out())
        .contains("storage.data_dir:")
        .contains("/srv/bulwark  # flag")
        .contains("rules.dir:");
    Path bad = Files.writeString(dir.resolve("bad.yml"), "server:\n  port: -1\nfoo: 1\n");
    assertThat(run("config", "check", "--config", bad.toString())).isEqualTo(2);
    assertThat(err())
        .contains("2 problems")
        .contains("foo: unknown key")
        .contains("server.port: -1 is out of range");
  }

  @Test
  void rulesPackListsThePackWithTheSettingsInForce() throws Exception {
    Path tuned =
        Files.writeString(
            dir.resolve("tuned.yml"),
            "tuning:\n  chain.key-compromise: {senders: 4, window: 3h}\n");
    assertThat(run("rules", "pack", "--config", tuned.toString())).isZero();
    assertThat(out())
        .contains("chain.large-outflow")
        .containsPattern(
            "chain\\.key-compromise +critical_senders=10 drained_share=0.01 senders=4\\* window=3h\\*")
        .containsPattern(
            "chain\\.rug-pull +critical_share=0.9 high_share=0.5 medium_share=0.2 young=30d");
    Path bad =
        Files.writeString(
            dir.resolve("bad-tuning.yml"), "tuning:\n  chain.key-compromise: {senders: x}\n");
    assertThat(run("rules", "pack", "--config", bad.toString())).isEqualTo(2);
    assertThat(err()).contains("tuning.chain.key-compromise.senders: 'x' is not a whole number");
  }

  @Test
  void tokenCreatePrintsTheTokenOnceAndRejectsABadRole() {
    assertThat(
            run(
                "token",
                "create",
                "--org",
                "acme",
                "--role",
                "wizard",
                "--config",
                config.toString()))
        .isEqualTo(2);
    assertThat(err()).contains("unknown role 'wizard'");
    assertThat(
            run(
                "token",
                "create",
                "--org",
                "acme",
                "--role",
                "analyst",
                "--config",
                config.toString()))
        .isZero();
    assertThat(out().trim()).startsWith("bwk_").hasSizeGreaterThan(40);
    assertThat(err()).contains("not shown again");
  }

  @Test
  void localIngestRaisesAlertsAndALocalListingShowsThem() {
    assertThat(
            run(
                "ingest",
                events.toString(),
                "--local",
                "--org",
                "acme",
                "--config",
                config.toString()))
        .isZero();
    assertThat(out())
        .contains("ingested 3 events into 'acme': 3 new, 0 duplicates; 1 alerts raised");
    assertThat(
            run(
                "ingest",
                events.toString(),
                "--local",
                "--org",
                "acme",
                "--config",
                config.toString()))
        .isZero();
    assertThat(out()).contains("0 new, 3 duplicates; 0 alerts raised");
    assertThat(run("alerts", "--local", "--org", "acme", "--config", config.toString())).isZero();
    assertThat(out().lines().toList())
        .hasSize(2)
        .satisfies(
            lines -> {
              assertThat(lines.get(0))
                  .startsWith("TIME")
                  .contains("SEVERITY")
                  .contains("RULE")
                  .contains("TITLE");
              assertThat(lines.get(1))
                  .startsWith(
                      "2026-11-26T06:00:00Z  high      wallet.big-withdrawal  Withdrawal over $100k by u-7");
            });
    assertThat(
            run(
                "alerts",
                "--local",
                "--org",
                "acme",
                "--severity",
                "low",
                "--config",
                config.toString()))
        .isZero();
    assertThat(out()).isEqualTo("no alerts\n");
  }

  @Test
  void aBadLineAnywhereMeansNothingIsIngested() throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad.jsonl"),
            """
            {"id":"ok","type":"auth.login","time":"2026-11-26T06:00:00Z"}
            {"id":"bad","type":"auth.login","time":"later"}
            not json
            """);
    assertThat(
            run(
                "ingest",
                bad.toString(),
                "--local",
                "--org",
                "acme",
                "--config",
                config.toString()))
        .isEqualTo(2);
    assertThat(err())
        .contains(bad + ":2 $.time: not an ISO-8601 instant")
        .contains(bad + ":3 $: malformed JSON at line 1, column");
    assertThat(
            run(
                "ingest",
                events.toString(),
                "--local",
                "--org",
                "acme",
                "--config",
                config.toString()))
        .isZero();
    assertThat(out()).as("nothing of the bad file was stored").contains("3 new, 0 duplicates");
  }

  @Test
  void remoteIngestAndAlertsTalkToARunningServer() throws Exception {
    Config serverConfig =
        new Config(
            new Config.Server("127.0.0.1", 0, 1 << 20),
            TestDatabases.h2(dir.resolve("server-data")),
            new Config.Rules(Optional.of(dir.resolve("rules"))),
            new Config.Ingest(1000, java.time.Duration.ZERO),
            Config.Detection.defaults(),
            Config.Notify.defaults(),
            List.of());
    try (App app = App.serve(serverConfig, Clock.systemUTC())) {
      String token = app.tokens().create("acme", Role.ADMIN, null).token();
      String url = "http://127.0.0.1:" + app.port();
      assertThat(
              run("ingest", events.toString(), "--server", url, "--token", token, "--batch", "2"))
          .isZero();
      assertThat(out()).contains("ingested 3 events: 3 new, 0 duplicates");
      app.pump().drain();
      assertThat(run("alerts", "--server", url, "--token", token, "--json")).isZero();
      assertThat(out()).contains("\"rule\" : \"wallet.big-withdrawal\"");
      assertThat(run("alerts", "--server", url, "--token", "bwk_wrong")).isEqualTo(1);
      assertThat(err()).contains("HTTP 401: invalid or revoked token");
    }
    assertThat(run("alerts", "--server", "http://127.0.0.1:1", "--token", "bwk_x")).isEqualTo(1);
    assertThat(err()).contains("cannot reach the server");
  }

  @Test
  void theShippedExampleRulesCompileAndPassTheirTests() {
    Path shipped = Path.of("..", "rules");
    assertThat(run("rules", "check", shipped.toString())).isZero();
    assertThat(out()).contains("rule(s) OK in").contains("match");
    assertThat(run("rules", "test", shipped.toString())).isZero();
    assertThat(out()).contains(" 0 failed").doesNotContain("FAIL");
    Path pack = Path.of("src", "main", "resources", "pack");
    assertThat(run("rules", "check", pack.toString())).isZero();
    assertThat(out()).contains("match").contains("sequence").contains("threshold");
    assertThat(run("rules", "test", pack.toString())).isZero();
    assertThat(out()).contains(" 0 failed").doesNotContain("FAIL");
  }

  @Test
  void rulesTestExitsOneOnAFailureAndRulesCheckTwoOnABadFile() throws Exception {
    Path dir = Files.createDirectories(this.dir.resolve("more-rules"));
    Files.writeString(
        dir.resolve("tor.yml"),
        """
        id: auth.tor
        title: Tor login by {{e.account}}
        severity: medium
        match:
          where: e.type == "auth.login" && e.ip.startsWith("185.220.")
        tests:
          - name: wrongly expects silence
            events:
              - {id: a, type: auth.login, time: "2026-01-01T00:00:00Z", account: u1, ip: 185.220.101.1}
            expect: 0
        """);
    assertThat(run("rules", "test", dir.toString())).isEqualTo(1);
    assertThat(out())
        .contains("auth.tor")
        .contains("FAIL")
        .contains("expected 0 alert(s), got 1")
        .contains("0 passed, 1 failed");

    Files.writeString(
        dir.resolve("bad.yml"),
        "id: bad\ntitle: t\nseverity: low\nthreshold:\n  where: e.nope > 1\n");
    assertThat(run("rules", "check", dir.toString())).isEqualTo(2);
    assertThat(err())
        .contains(dir.resolve("bad.yml") + ":5:12: CEL: no event has the field 'nope'")
        .contains("missing 'by'")
        .contains("missing 'window'");
  }
}
