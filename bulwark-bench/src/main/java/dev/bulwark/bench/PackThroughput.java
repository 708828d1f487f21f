package dev.bulwark.bench;

import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.PartitionedEngine;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.intel.Feeds;
import dev.bulwark.engine.intel.IndicatorIndex;
import dev.bulwark.engine.intel.IntelDetector;
import dev.bulwark.engine.pack.Pack;
import dev.bulwark.server.demo.DemoDay;
import dev.bulwark.server.detect.RuleLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The built-in pack's detection throughput with the full intel index loaded: every pack rule and
 * detector plus the intel detector over one million address indicators, on the demo day's events
 * (engine only: no storage, no HTTP), in batches of 500 as the detection pump runs them. Run with:
 *
 * <pre>
 * java -Xmx4g -cp bulwark-bench/target/benchmarks.jar dev.bulwark.bench.PackThroughput 2 5
 * </pre>
 *
 * (arguments: partitions, rounds; the first round warms up and is not counted).
 */
public final class PackThroughput {
  private PackThroughput() {}

  public static void main(String[] args) {
    int partitions = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    IndicatorIndex index = new IndicatorIndex();
    Random random = new Random(42);
    StringBuilder feed = new StringBuilder();
    byte[] b = new byte[20];
    for (int i = 0; i < 1_000_000; i++) {
      random.nextBytes(b);
      feed.append("0x").append(HexFormat.of().formatHex(b)).append('\n');
    }
    feed.append(DemoDay.LAZARUS).append('\n');
    Feeds.parse(Feeds.Format.OFAC_LIST, "bench", feed.toString(), 100, Instant.EPOCH)
        .forEach(index::put);
    System.out.printf("intel index: %,d indicators%n", index.size());
    List<Event> events = DemoDay.generate(2000, 7).events();
    List<Detector> detectors = new ArrayList<>(new RuleLoader().loadPack());
    detectors.addAll(Pack.detectors());
    detectors.add(new IntelDetector(index));
    System.out.printf(
        "pack: %d detectors (+ intel); %,d events per round; %d partition(s)%n",
        detectors.size() - 1, events.size(), partitions);
    for (int round = 0; round <= rounds; round++) {
      PartitionedEngine engine =
          new PartitionedEngine(detectors, partitions, Duration.ofMinutes(5));
      long t0 = System.nanoTime();
      int alerts = 0;
      for (int i = 0; i < events.size(); i += 500) {
        alerts += engine.process(events.subList(i, Math.min(events.size(), i + 500))).size();
      }
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "%s %d: %,.0f events/s (%d alerts)%n",
          round == 0 ? "warm-up" : "round", round, events.size() / s, alerts);
      engine.close();
    }
  }
}
