package dev.bulwark.bench;

import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.rule.RuleCompiler;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Heap per active key: feeds N distinct keys (one event each) into an engine holding one threshold
 * or one sequence rule, and reports the retained heap after a full GC. Run with:
 *
 * <pre>
 * java -Xmx8g -cp bulwark-bench/target/benchmarks.jar dev.bulwark.bench.StateFootprint 1000000
 * </pre>
 */
public final class StateFootprint {
  private StateFootprint() {}

  public static void main(String[] args) {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    String threshold =
        """
        id: fp.threshold
        title: t
        severity: low
        threshold: {where: 'e.type == "auth.login_failed"', by: account, window: 1h, at_least: 5}
        """;
    String sequence =
        """
        id: fp.sequence
        title: t
        severity: low
        sequence:
          by: account
          within: 1h
          steps:
            - where: e.type == "auth.login_failed"
            - where: e.type == "auth.login"
        """;
    for (String rule : List.of(threshold, sequence)) {
      Engine engine =
          new Engine(
              List.of(new RuleCompiler().compile("fp.yml", rule)),
              State.inMemory(),
              Duration.ofMinutes(5));
      long before = usedAfterGc();
      Instant t0 = Instant.parse("2026-11-26T00:00:00Z");
      for (int i = 0; i < keys; i++) {
        engine.process(
            new Event(
                "e" + i,
                "auth.login_failed",
                t0.plusMillis(i / 100),
                null,
                "account-" + i,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                Map.of()));
      }
      long after = usedAfterGc();
      System.out.printf(
          "%s: %d keys held, %.0f MB retained, %.0f bytes per key (one event each, including the event)%n",
          rule.lines().findFirst().orElse("").replace("id: ", ""),
          engine.state().size(),
          (after - before) / 1e6,
          (after - before) / (double) keys);
      if (engine.state().size() < 0) {
        System.out.println(engine); // keeps the engine reachable until here
      }
    }
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
