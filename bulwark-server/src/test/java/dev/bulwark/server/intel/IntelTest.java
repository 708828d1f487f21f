package dev.bulwark.server.intel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.intel.Feeds;
import dev.bulwark.server.App;
import dev.bulwark.server.alert.AlertQuery;
import dev.bulwark.server.cli.Main;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.db.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** OFAC feeds end to end: imported, matched by detection, and a delisted address stops matching. */
final class IntelTest {
  private static final String TORNADO = "0x722122dF12D4e14e13Ac3b6895a86e84145b6967";

  @TempDir Path dir;

  private static String feed(String name) throws IOException {
    try (InputStream in = IntelTest.class.getResourceAsStream("/feeds/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Event toTornado(String id) {
    return new Event(
        id,
        "wallet.withdrawal_requested",
        Instant.now(),
        null,
        "u-1",
        null,
        null,
        "eip155:1",
        "ETH",
        null,
        100.0,
        null,
        TORNADO,
        null,
        Map.of());
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void aDelistingReplacesTheFeedInOneTransaction(TestDatabases.Kind kind) throws IOException {
    try (Database db = Database.open(TestDatabases.storage(kind, dir))) {
      IntelService intel =
          new IntelService(new IntelStore(db.jdbi(), Clock.systemUTC()), Clock.systemUTC());
      IntelStore.Replaced first =
          intel.importFeed(
              "ofac-eth", Feeds.Format.OFAC_LIST, feed("ofac-eth-2024-09-27.txt"), 100);
      assertThat(first.listed()).isEqualTo(152);
      assertThat(first.added()).isEqualTo(152);
      IntelStore.Replaced second =
          intel.importFeed(
              "ofac-eth", Feeds.Format.OFAC_LIST, feed("ofac-eth-2025-11-19.txt"), 100);
      assertThat(second.listed()).isEqualTo(77);
      assertThat(second.delisted())
          .as("90 ETH addresses left the list, Tornado Cash among them")
          .isEqualTo(90);
      assertThat(second.added()).isEqualTo(15);
      assertThat(intel.size()).isEqualTo(77);
    }
  }

  @Test
  void detectionMatchesAFeedAndStopsWhenTheAddressIsDelisted() throws Exception {
    Path data = dir.resolve("data");
    Config config =
        new Config(
            new Config.Server("127.0.0.1", 0, 1 << 20),
            TestDatabases.h2(data),
            new Config.Rules(Optional.empty()),
            new Config.Ingest(1000, Duration.ZERO),
            new Config.Detection(2, Duration.ofMinutes(5)),
            Config.Notify.defaults(),
            List.of());
    try (App app = App.serve(config, Clock.systemUTC())) {
      long org = app.tokens().organisation("acme").id();
      Path old = Files.writeString(dir.resolve("old.txt"), feed("ofac-eth-2024-09-27.txt"));
      Path current = Files.writeString(dir.resolve("new.txt"), feed("ofac-eth-2025-11-19.txt"));

      assertThat(importWithCli(old, data))
          .contains("feed ofac-eth: 152 listed, 152 added, 0 delisted");
      app.intel().refresh(); // what the server's five-second poll does
      app.ingest().store(org, List.of(toTornado("w1")));
      app.pump().drain();
      List<Alert> alerts = app.alerts().list(org, AlertQuery.all(10)).alerts();
      assertThat(alerts)
          .singleElement()
          .satisfies(
              a -> {
                assertThat(a.rule()).isEqualTo("intel.indicator-match");
                assertThat(a.summary()).contains("feed:ofac-eth").contains("confidence 100");
              });

      assertThat(importWithCli(current, data)).contains("90 delisted");
      app.intel().refresh();
      app.ingest().store(org, List.of(toTornado("w2")));
      app.pump().drain();
      assertThat(app.alerts().count(org)).as("a delisted address stops matching").isEqualTo(1);
    }
  }

  @org.junit.jupiter.api.Test
  void theSdnAdvancedXmlNamesThePartyAndItsProgrammes() throws IOException {
    Path xml = dir.resolve("sdn_advanced.xml.bz2");
    try (InputStream in = IntelTest.class.getResourceAsStream("/feeds/sdn_advanced.xml.bz2")) {
      Files.copy(in, xml);
    }
    Path data = dir.resolve("data");
    PrintStream real = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(
              Main.run(
                  "intel",
                  "import",
                  xml.toString(),
                  "--feed",
                  "ofac-sdn",
                  "--format",
                  "ofac-xml",
                  "--confidence",
                  "100",
                  "--data",
                  data.toString()))
          .isZero();
    } finally {
      System.setOut(real);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("feed ofac-sdn:");
    try (Database db = Database.open(TestDatabases.storage(TestDatabases.Kind.H2, data))) {
      List<dev.bulwark.engine.intel.Indicator> all =
          new IntelStore(db.jdbi(), Clock.systemUTC()).all();
      // every ETH address of the per-asset list of the same day is in the XML, named
      Set<String> patterns = new java.util.HashSet<>();
      all.forEach(i -> patterns.add(i.pattern()));
      for (String line : feed("ofac-eth-2025-11-19.txt").split("\\R")) {
        if (!line.isBlank()) {
          assertThat(patterns)
              .contains(
                  "[cryptocurrency-wallet:value = '%s']"
                      .formatted(line.trim().toLowerCase(java.util.Locale.ROOT)));
        }
      }
      assertThat(all.size()).as("every asset, not only ETH").isGreaterThan(700);
      assertThat(all)
          .filteredOn(i -> i.pattern().contains("0x098b716b8aaf21512996dc57eb0615e2383e2f96"))
          .singleElement()
          .satisfies(
              i ->
                  assertThat(i.name())
                      .startsWith("OFAC SDN: Lazarus Group [DPRK3")
                      .contains("designated 2019-09-13")
                      .endsWith("(ETH address)"))
          .as("valid from the designation: a backfill of older activity still matches")
          .satisfies(
              i ->
                  assertThat(i.validFrom())
                      .isEqualTo(java.time.Instant.parse("2019-09-13T00:00:00Z")));
      assertThat(all).anySatisfy(i -> assertThat(i.name()).endsWith("(XBT address)"));
      assertThat(all)
          .noneMatch(i -> i.pattern().contains("0x722122df12d4e14e13ac3b6895a86e84145b6967"))
          .as("Tornado Cash was delisted before this issue");
    }
  }

  private static String importWithCli(Path file, Path data) {
    PrintStream real = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertThat(
              Main.run(
                  "intel",
                  "import",
                  file.toString(),
                  "--feed",
                  "ofac-eth",
                  "--format",
                  "ofac-list",
                  "--confidence",
                  "100",
                  "--data",
                  data.toString()))
          .isZero();
    } finally {
      System.setOut(real);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
