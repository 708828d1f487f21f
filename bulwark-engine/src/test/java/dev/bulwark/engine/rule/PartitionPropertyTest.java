package dev.bulwark.engine.rule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.PartitionedEngine;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The alerts do not depend on the number of partitions, nor on where a snapshot was taken or how
 * many partitions restore it. Seeded random streams with late events; the seed is in the message.
 */
final class PartitionPropertyTest {
  private static List<String> sorted(List<Alert> alerts) {
    return alerts.stream().map(a -> a.time() + " " + a.id() + " " + a.title()).sorted().toList();
  }

  private static List<Alert> runAll(int partitions, List<Event> events, int batch) {
    try (PartitionedEngine engine =
        new PartitionedEngine(SnapshotPropertyTest.rules(), partitions, Duration.ofMinutes(5))) {
      List<Alert> out = new ArrayList<>();
      for (int i = 0; i < events.size(); i += batch) {
        out.addAll(engine.process(events.subList(i, Math.min(events.size(), i + batch))));
      }
      out.addAll(engine.flush());
      return out;
    }
  }

  @Test
  void oneAndFourPartitionsRaiseTheSameAlerts() {
    for (long seed = 100; seed < 130; seed++) {
      List<Event> events = SnapshotPropertyTest.stream(seed, 500);
      int batch = 1 + new Random(seed).nextInt(60);
      List<String> one = sorted(runAll(1, events, batch));
      List<String> four = sorted(runAll(4, events, batch));
      assertThat(four).as("seed %d, batches of %d", seed, batch).isEqualTo(one);
      assertThat(one).as("seed %d raises alerts at all", seed).isNotEmpty();
    }
  }

  @Test
  void aSnapshotOfFourPartitionsRestoresIntoTwo() {
    for (long seed = 200; seed < 215; seed++) {
      List<Event> events = SnapshotPropertyTest.stream(seed, 400);
      List<String> expected = sorted(runAll(1, events, 25));
      int cut = 25 * (1 + new Random(seed).nextInt(14));
      List<Alert> actual = new ArrayList<>();
      String snapshot;
      try (PartitionedEngine four =
          new PartitionedEngine(SnapshotPropertyTest.rules(), 4, Duration.ofMinutes(5))) {
        for (int i = 0; i < cut; i += 25) {
          actual.addAll(four.process(events.subList(i, i + 25)));
        }
        snapshot = four.snapshot();
      }
      try (PartitionedEngine two =
          new PartitionedEngine(SnapshotPropertyTest.rules(), 2, Duration.ofMinutes(5))) {
        two.restore(snapshot);
        for (int i = cut; i < events.size(); i += 25) {
          actual.addAll(two.process(events.subList(i, Math.min(events.size(), i + 25))));
        }
        actual.addAll(two.flush());
      }
      assertThat(sorted(actual)).as("seed %d, cut at %d", seed, cut).isEqualTo(expected);
    }
  }
}
