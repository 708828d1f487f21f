package dev.bulwark.bench;

import dev.bulwark.engine.intel.Feeds;
import dev.bulwark.engine.intel.Indicator;
import dev.bulwark.engine.intel.IndicatorIndex;
import dev.bulwark.engine.intel.Observable;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.db.TestDatabases;
import dev.bulwark.server.intel.IntelService;
import dev.bulwark.server.intel.IntelStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Time and heap to load N address indicators: into the engine's index alone (retained heap after a
 * full GC), and as a feed import end to end (parse, store in H2 replacing the feed, index). Run
 * with:
 *
 * <pre>
 * java -Xmx8g -cp bulwark-bench/target/benchmarks.jar dev.bulwark.bench.IntelFootprint 1000000
 * </pre>
 */
public final class IntelFootprint {
  private IntelFootprint() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Random random = new Random(42);
    StringBuilder feed = new StringBuilder(n * 43);
    byte[] b = new byte[20];
    for (int i = 0; i < n; i++) {
      random.nextBytes(b);
      feed.append("0x").append(HexFormat.of().formatHex(b)).append('\n');
    }
    String content = feed.toString();
    Instant asOf = Instant.parse("2026-11-26T00:00:00Z");

    long t0 = System.nanoTime();
    List<Indicator> parsed = Feeds.parse(Feeds.Format.OFAC_LIST, "bench", content, 100, asOf);
    long t1 = System.nanoTime();
    long before = usedAfterGc();
    IndicatorIndex index = new IndicatorIndex();
    long t2 = System.nanoTime();
    parsed.forEach(index::put);
    long t3 = System.nanoTime();
    parsed = null;
    long after = usedAfterGc();
    System.out.printf(
        "index: %d address indicators parsed in %.1f s, indexed in %.1f s; %.0f MB retained (%.0f bytes per indicator)%n",
        index.size(),
        (t1 - t0) / 1e9,
        (t3 - t2) / 1e9,
        (after - before) / 1e6,
        (after - before) / (double) n);
    String probe = content.substring(0, 42);
    long l0 = System.nanoTime();
    int hits = 0;
    for (int i = 0; i < 1_000_000; i++) {
      hits += index.lookup(List.of(Observable.wallet(probe)), asOf).size();
    }
    System.out.printf(
        "lookup: %.0f ns per event value (%d hits)%n", (System.nanoTime() - l0) / 1e6, hits);
    index = null;

    Path dir = Files.createTempDirectory("bulwark-intel-footprint");
    try (Database db = Database.open(TestDatabases.storage(TestDatabases.Kind.H2, dir))) {
      IntelService intel =
          new IntelService(new IntelStore(db.jdbi(), Clock.systemUTC()), Clock.systemUTC());
      long i0 = System.nanoTime();
      var r = intel.importFeed("bench", Feeds.Format.OFAC_LIST, content, 100);
      long i1 = System.nanoTime();
      System.out.printf(
          "feed import (parse, store in H2, index): %d listed in %.1f s (%.0f indicators/s)%n",
          r.listed(), (i1 - i0) / 1e9, r.listed() / ((i1 - i0) / 1e9));
      long s0 = System.nanoTime();
      IntelService restarted =
          new IntelService(new IntelStore(db.jdbi(), Clock.systemUTC()), Clock.systemUTC());
      System.out.printf(
          "start-up load from H2: %d indicators in %.1f s%n",
          restarted.size(), (System.nanoTime() - s0) / 1e9);
    }
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getUsed();
  }
}
