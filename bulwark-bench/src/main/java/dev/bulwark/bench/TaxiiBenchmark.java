package dev.bulwark.bench;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The TAXII server over HTTP on a real server with an H2 store: objects served per second by {@code
 * GET objects} in pages of 1000 (a client walking a 20 000-object collection with {@code next}),
 * and objects ingested per second by {@code POST objects} in envelopes of 1000 indicators.
 */
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 20)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class TaxiiBenchmark {
  static final String TAXII = "application/taxii+json;version=2.1";
  static final int PAGE = 1000;
  static final int PRELOAD = 20_000;

  Path dir;
  App app;
  String token;
  String objects;
  final HttpClient http = HttpClient.newHttpClient();
  String next;
  long counter = 1_000_000;

  static String indicator(long n) {
    return """
        {"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d",\
        "created":"2026-11-26T09:00:00.000Z","modified":"2026-11-26T09:00:00.000Z",\
        "name":"drainer wallet %d","pattern":"[cryptocurrency-wallet:value = '0x%040x']",\
        "pattern_type":"stix","valid_from":"2026-11-26T09:00:00Z","confidence":80,\
        "object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}"""
        .formatted(n, n, n);
  }

  String envelope() {
    List<String> list = new ArrayList<>(PAGE);
    for (int i = 0; i < PAGE; i++) {
      list.add(indicator(counter++));
    }
    return "{\"objects\":[" + String.join(",", list) + "]}";
  }

  @Setup(Level.Trial)
  public void start() throws Exception {
    dir = Files.createTempDirectory("bulwark-taxii-bench");
    app =
        App.serve(
            new Config(
                new Config.Server("127.0.0.1", 0, 64L * 1024 * 1024),
                TestDatabases.h2(dir.resolve("data")),
                new Config.Rules(Optional.empty()),
                new Config.Ingest(1000, Duration.ofSeconds(10)),
                new Config.Detection(2, Duration.ofMinutes(5)),
                Config.Notify.defaults(),
                List.of()),
            Clock.systemUTC());
    token = app.tokens().create("bench", Role.ANALYST, null).token();
    long org = app.tokens().organisation("bench").id();
    app.stix()
        .createCollection("5b2f7c1e-0000-4000-8000-000000000001", "bench", null, "bench", org);
    objects = "http://127.0.0.1:" + app.port() + "/taxii2/bulwark/collections/bench/objects/";
    for (long i = 0; i < PRELOAD / PAGE; i++) {
      post(envelope());
    }
  }

  void post(String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(objects))
                .header("Authorization", "Bearer " + token)
                .header("Accept", TAXII)
                .header("Content-Type", TAXII)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IllegalStateException(r.body());
    }
  }

  @Benchmark
  @OperationsPerInvocation(PAGE)
  public int serveObjects() throws Exception {
    String url = objects + "?limit=" + PAGE + (next == null ? "" : "&next=" + next);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Accept", TAXII)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String body = r.body();
    int at = body.indexOf("\"next\":\"");
    next = at < 0 ? null : body.substring(at + 8, body.indexOf('"', at + 8));
    return body.length();
  }

  @Benchmark
  @OperationsPerInvocation(PAGE)
  public void ingestObjects() throws Exception {
    post(envelope());
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    app.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
