package dev.bulwark.bench;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.event.Event;
import dev.bulwark.server.App;
import dev.bulwark.server.alert.AlertQuery;
import dev.bulwark.server.auth.Role;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.config.Secret;
import dev.bulwark.server.db.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * From "an analyst at A shares an alert" to "B alerts on the attacker": two instances on this
 * machine, B pulling A's collection every {@code interval}. For each round A raises an alert on a
 * fresh address and shares it; the clock stops when B's detection, fed an event to that address as
 * soon as it can match, has stored the alert. Run with:
 *
 * <pre>
 * java -cp bulwark-bench/target/benchmarks.jar dev.bulwark.bench.FederationLatency 20 1s
 * </pre>
 */
public final class FederationLatency {
  private FederationLatency() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    Duration interval =
        args.length > 1
            ? dev.bulwark.engine.rule.Durations.parse(args[1]).orElseThrow()
            : Duration.ofSeconds(1);
    Path dir = Files.createTempDirectory("bulwark-federation-latency");
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        rules.resolve("drain.yml"),
        """
        id: bench.drain
        title: Large withdrawal to {{e.to}}
        severity: high
        entities: {attacker: [to], victim: [account]}
        match:
          where: e.type == "wallet.withdrawal_requested" && e.amount_usd > 100000.0
        """);
    try (App a =
        App.serve(config(dir.resolve("a"), Optional.of(rules), List.of()), Clock.systemUTC())) {
      long exchangeA = a.tokens().organisation("exchange-a").id();
      String bAtA = a.tokens().create("exchange-b", Role.PEER, null).token();
      a.stix()
          .createCollection(
              "0b0b0b0b-0000-4000-8000-000000000001", "Outbound", null, "outbound", exchangeA);
      a.stix()
          .grant(
              "0b0b0b0b-0000-4000-8000-000000000001",
              a.tokens().organisation("exchange-b").id(),
              true,
              false);
      Config.Peer peer =
          new Config.Peer(
              "exchange-a",
              "http://127.0.0.1:" + a.port() + "/taxii2/",
              new Secret(bAtA),
              "exchange-b",
              List.of(new Config.Link("outbound", "from-exchange-a")),
              List.of(),
              interval,
              Duration.ofSeconds(10));
      try (App b =
          App.serve(config(dir.resolve("b"), Optional.empty(), List.of(peer)), Clock.systemUTC())) {
        long exchangeB = b.tokens().organisation("exchange-b").id();
        String aAdmin = a.tokens().create("exchange-a", Role.ADMIN, null).token();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        Random random = new Random(7);
        List<Double> millis = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
          byte[] raw = new byte[20];
          random.nextBytes(raw);
          String attacker = "0x" + HexFormat.of().formatHex(raw);
          a.ingest().store(exchangeA, List.of(withdrawal("a-" + round, attacker)));
          a.pump().drain();
          Alert alert = a.alerts().list(exchangeA, AlertQuery.all(1)).alerts().get(0);
          int before = b.stixIntel().size(exchangeB);
          Instant shared = Instant.now();
          var response =
              http.send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              "http://127.0.0.1:%d/api/v1/alerts/%s/share"
                                  .formatted(a.port(), alert.id())))
                      .header("Authorization", "Bearer " + aAdmin)
                      .header("Content-Type", "application/json")
                      .POST(
                          java.net.http.HttpRequest.BodyPublishers.ofString(
                              "{\"collection\":\"outbound\"}"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() != 201) {
            throw new IllegalStateException(response.body());
          }
          while (b.stixIntel().size(exchangeB) == before) {
            Thread.sleep(2);
          }
          b.ingest().store(exchangeB, List.of(withdrawal("b-" + round, attacker)));
          long count = b.alerts().count(exchangeB);
          while (b.alerts().count(exchangeB) == count) {
            Thread.sleep(1);
          }
          millis.add(Duration.between(shared, Instant.now()).toNanos() / 1e6);
        }
        millis.sort(Double::compare);
        System.out.printf(
            "share at A -> alert at B, pull interval %s, %d rounds: median %.0f ms, p90 %.0f ms, max %.0f ms%n",
            interval,
            rounds,
            millis.get(millis.size() / 2),
            millis.get((int) Math.ceil(millis.size() * 0.9) - 1),
            millis.get(millis.size() - 1));
      }
    }
  }

  private static Event withdrawal(String id, String to) {
    return new Event(
        id,
        "wallet.withdrawal_requested",
        Instant.now(),
        null,
        "u-1",
        null,
        null,
        "eip155:1",
        "USDC",
        null,
        250_000.0,
        null,
        to,
        null,
        Map.of());
  }

  private static Config config(Path data, Optional<Path> rules, List<Config.Peer> peers) {
    return new Config(
        new Config.Server("127.0.0.1", 0, 16L * 1024 * 1024),
        TestDatabases.h2(data),
        new Config.Rules(rules),
        new Config.Ingest(1000, Duration.ofMillis(0)),
        new Config.Detection(2, Duration.ofMinutes(5)),
        Config.Notify.defaults(),
        List.of(),
        peers);
  }
}
