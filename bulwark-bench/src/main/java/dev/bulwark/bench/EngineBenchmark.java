package dev.bulwark.bench;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventParser;
import dev.bulwark.engine.rule.RuleCompiler;
import java.nio.charset.StandardCharsets;
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
 * Throughput of the foundation's hot paths: validating a batch of events, and running events
 * through N {@code match} rules (one thread, one partition). Run with:
 *
 * <pre>
 * ./mvnw -q -pl bulwark-bench -am package -DskipTests && java -jar bulwark-bench/target/benchmarks.jar EngineBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineBenchmark {
  private static final int BATCH = 1000;
  private static final String[] TYPES = {
    "auth.login",
    "auth.login_failed",
    "wallet.withdrawal_requested",
    "wallet.deposit",
    "api.request",
    "admin.action"
  };

  @Param({"10", "100"})
  public int rules;

  private Engine engine;
  private List<Event> events;
  private byte[] ndjson;
  private final EventParser parser = new EventParser(BATCH);

  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(42);
    RuleCompiler compiler = new RuleCompiler();
    List<Detector> detectors = new ArrayList<>();
    for (int i = 0; i < rules; i++) {
      String type = TYPES[i % TYPES.length];
      detectors.add(
          compiler.compile(
              "r" + i + ".yml",
              """
              id: bench.rule-%d
              title: rule %d on {{e.account}}
              severity: medium
              match:
                where: e.type == "%s" && has(e.amount_usd) && e.amount_usd > %d.0
              """
                  .formatted(i, i, type, 1000 + random.nextInt(1_000_000))));
    }
    engine = new Engine(detectors, dev.bulwark.engine.detect.State.inMemory());
    events = new ArrayList<>(BATCH);
    StringBuilder text = new StringBuilder();
    Instant t0 = Instant.parse("2026-11-26T00:00:00Z");
    for (int i = 0; i < BATCH; i++) {
      Event e =
          new Event(
              "e-" + i,
              TYPES[random.nextInt(TYPES.length)],
              t0.plusMillis(i),
              "bench",
              "u-" + random.nextInt(10_000),
              "203.0.113." + random.nextInt(255),
              null,
              null,
              "USDC",
              null,
              random.nextDouble() * 2_000_000,
              null,
              null,
              null,
              Map.of("user_agent", "bench"));
      events.add(e);
      text.append(dev.bulwark.engine.event.EventJson.write(e)).append('\n');
    }
    ndjson = text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Events per second through {@code rules} match rules. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void detect(Blackhole bh) {
    for (Event e : events) {
      List<Alert> alerts = engine.process(e);
      bh.consume(alerts);
    }
  }

  /** Events per second parsed and validated from NDJSON. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void parse(Blackhole bh) {
    bh.consume(parser.parse(ndjson));
  }
}
