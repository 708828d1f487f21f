package dev.bulwark.bench;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventJson;
import dev.bulwark.engine.event.EventParser;
import dev.bulwark.engine.rule.RuleCompiler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The engine on one thread with a mix of rules — 40 % match, 40 % threshold (count, sum, distinct),
 * 20 % two-step sequences — over a stream of six event types, 10 000 accounts and 250 IPs, one
 * event per millisecond of event time. Run with:
 *
 * <pre>
 * ./mvnw -q -pl bulwark-bench -am package -DskipTests -Djacoco.skip=true
 * java -jar bulwark-bench/target/benchmarks.jar EngineBenchmark
 * </pre>
 */
@State(Scope.Thread)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class EngineBenchmark {
  private static final int STREAM = 100_000;
  private static final String[] TYPES = {
    "auth.login",
    "auth.login_failed",
    "wallet.withdrawal_requested",
    "wallet.deposit",
    "api.request",
    "admin.action"
  };

  @Param({"100", "1000"})
  public int rules;

  /** {@code mixed}: 40 % match, 40 % threshold, 20 % sequence; {@code match}: match rules only. */
  @Param({"mixed", "match"})
  public String mix;

  private Engine engine;
  private List<Event> events;
  private int next;
  private byte[] ndjson;
  private final EventParser parser = new EventParser(1000);

  static List<Detector> rules(int n, Random random, boolean matchOnly) {
    RuleCompiler compiler = new RuleCompiler();
    List<Detector> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String type = TYPES[i % TYPES.length];
      String other = TYPES[(i + 1) % TYPES.length];
      int kind = matchOnly ? 0 : i % 10;
      String body;
      if (kind < 4) {
        body =
            "match:\n  where: e.type == \"%s\" && has(e.amount_usd) && e.amount_usd > %d.0\n"
                .formatted(type, 900_000 + random.nextInt(200_000));
      } else if (kind < 8) {
        String measure =
            switch (kind) {
              case 4, 5 -> "at_least: 50";
              case 6 -> "sum: amount_usd\n  at_least: 5000000";
              default -> "distinct: account\n  at_least: 30";
            };
        String by = kind == 7 ? "ip" : "account";
        body =
            "threshold:\n  where: e.type == \"%s\"\n  by: %s\n  window: 5m\n  %s\n"
                .formatted(type, by, measure);
      } else {
        body =
            ("sequence:\n  by: account\n  within: 10m\n  steps:\n    - where: e.type == \"%s\"\n"
                    + "    - where: e.type == \"%s\" && has(e.amount_usd) && e.amount_usd > %d.0\n")
                .formatted(type, other, 500_000 + random.nextInt(500_000));
      }
      out.add(
          compiler.compile(
              "r" + i + ".yml",
              "id: bench.r%d\ntitle: rule %d on {{e.account}}\nseverity: medium\n%s"
                  .formatted(i, i, body)));
    }
    return out;
  }

  static List<Event> stream(int n, Random random) {
    List<Event> events = new ArrayList<>(n);
    Instant t0 = Instant.parse("2026-11-26T00:00:00Z");
    for (int i = 0; i < n; i++) {
      events.add(
          new Event(
              "e-" + i,
              TYPES[random.nextInt(TYPES.length)],
              t0.plusMillis(i),
              "bench",
              "u-" + random.nextInt(10_000),
              "203.0.113." + random.nextInt(250),
              null,
              null,
              "USDC",
              null,
              random.nextDouble() * 1_000_000,
              null,
              null,
              null,
              Map.of("user_agent", "bench")));
    }
    return events;
  }

  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(42);
    engine =
        new Engine(
            rules(rules, random, mix.equals("match")),
            dev.bulwark.engine.detect.State.inMemory(),
            Duration.ofMinutes(5));
    events = stream(STREAM, random);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      text.append(EventJson.write(events.get(i))).append('\n');
    }
    ndjson = text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Events per second through the rules. The stream loops; event time keeps moving forward. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(1000)
  public void detect(Blackhole bh) {
    for (int i = 0; i < 1000; i++) {
      bh.consume(engine.process(nextEvent()));
    }
  }

  /** The time one event adds, as a distribution (JMH prints p50, p99, p99.9). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public List<Alert> latency() {
    return engine.process(nextEvent());
  }

  private Event nextEvent() {
    Event e = events.get(next % STREAM);
    int lap = next / STREAM;
    next++;
    return lap == 0 ? e : shifted(e, lap);
  }

  private static Event shifted(Event e, int lap) {
    return new Event(
        e.id() + "-" + lap,
        e.type(),
        e.time().plusMillis((long) lap * STREAM),
        e.source(),
        e.account(),
        e.ip(),
        e.device(),
        e.chain(),
        e.asset(),
        e.amount(),
        e.amountUsd(),
        e.from(),
        e.to(),
        e.tx(),
        e.attrs());
  }

  /** Events per second parsed and validated from NDJSON. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(1000)
  public void parse(Blackhole bh) {
    bh.consume(parser.parse(ndjson));
  }
}
