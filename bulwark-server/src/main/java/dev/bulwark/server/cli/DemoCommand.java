package dev.bulwark.server.cli;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.intel.Feeds;
import dev.bulwark.server.App;
import dev.bulwark.server.alert.AlertQuery;
import dev.bulwark.server.auth.Role;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.demo.DemoDay;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bulwark demo}: the embedded server, a realistic day of exchange and chain events with
 * attacks woven in, replayed through ingestion and detection; then what was caught, where to look
 * in the API, and how long it took.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Start an embedded server, replay a realistic day (background traffic with attacks woven in) and show what the built-in pack caught.")
final class DemoCommand implements Callable<Integer> {
  /** Public OFAC SDN addresses (Lazarus Group among them), the demo's sanctions feed. */
  private static final String OFAC_SAMPLE =
      String.join(
          "\n",
          "0x098B716B8Aaf21512996dC57EB0615e2383E2f96",
          "0xa0e1c89Ef1a489c9C7dE96311eD5Ce5D32c20E4B",
          "0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073",
          "0x04DBA1194ee10112fE6C3207C0687DEf0e78baCf");

  @Option(
      names = "--customers",
      paramLabel = "N",
      defaultValue = "2000",
      description = "customers in the day (default: ${DEFAULT-VALUE})")
  int customers;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "7",
      description = "seed of the day (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "0",
      description = "HTTP port (default: a free one)")
  int port;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "keep the demo's database here (default: a temporary directory, deleted at the end)")
  Path data;

  @Option(names = "--exit", description = "stop after the summary instead of serving until Ctrl-C")
  boolean exit;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (customers < 50 || customers > 100_000) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--customers must be within 50..100000");
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean temporary = data == null;
    Path dir = temporary ? Files.createTempDirectory("bulwark-demo") : data;
    Config config =
        new Config(
            new Config.Server("127.0.0.1", port, 16L * 1024 * 1024),
            new Config.Storage(dir, Optional.empty(), Optional.empty(), Optional.empty(), 4),
            new Config.Rules(Optional.empty(), true),
            new Config.Ingest(10_000, Duration.ZERO),
            new Config.Detection(Runtime.getRuntime().availableProcessors(), Duration.ofMinutes(5)),
            Config.Notify.defaults(),
            List.of());
    long started = System.nanoTime();
    App app = App.serve(config, Clock.systemUTC());
    try {
      String token = app.tokens().create("demo-exchange", Role.ADMIN, "bulwark demo").token();
      long org = app.tokens().organisation("demo-exchange").id();
      // listed before the day, as the SDN entries were (a feed imported today starts today)
      app.intel()
          .importIndicators(
              "ofac-sample",
              Feeds.parse(
                  Feeds.Format.OFAC_LIST,
                  "ofac-sample",
                  OFAC_SAMPLE,
                  100,
                  DemoDay.DAY.minus(Duration.ofDays(365))),
              false);
      DemoDay.Day day = DemoDay.generate(customers, seed);
      out.printf(
          "bulwark demo: a day at an exchange, %s, %,d events from %,d customers, a market maker, admins and the hot wallet, with %d attacks woven in%n",
          DemoDay.DAY.toString().substring(0, 10),
          day.events().size(),
          customers,
          day.attacks().size());
      out.flush();
      long replay = System.nanoTime();
      List<Event> events = day.events();
      for (int i = 0; i < events.size(); i += 2000) {
        app.ingest().store(org, events.subList(i, Math.min(events.size(), i + 2000)));
      }
      if (!app.pump().awaitPosition(app.events().lastSeq(), Duration.ofMinutes(2))) {
        out.println("detection did not catch up within two minutes; the summary is partial");
      }
      double seconds = (System.nanoTime() - replay) / 1e9;
      List<Alert> alerts = app.alerts().list(org, AlertQuery.all(AlertQuery.MAX_LIMIT)).alerts();
      summary(out, day, alerts);
      out.printf(
          "%nreplayed %,d events through ingestion (stored) and detection in %.1f s (%,.0f events/s); %.1f s in all%n",
          events.size(), seconds, events.size() / seconds, (System.nanoTime() - started) / 1e9);
      String base = "http://127.0.0.1:" + app.port();
      out.printf("%nwhere to look (token for organisation demo-exchange: %s):%n", token);
      out.printf("  curl -s %s/api/v1/alerts -H 'Authorization: Bearer %s'%n", base, token);
      out.printf(
          "  curl -s '%s/api/v1/alerts?min_severity=critical' -H 'Authorization: Bearer %s'%n",
          base, token);
      out.printf("  ./bulwark alerts --server %s --token %s%n", base, token);
      if (exit) {
        return Main.OK;
      }
      out.printf("%nserving on %s with the demo's data; Ctrl-C to stop%n", base);
      out.flush();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
      return Main.OK;
    } finally {
      app.close();
      if (temporary) {
        delete(dir);
      }
    }
  }

  private static void summary(PrintWriter out, DemoDay.Day day, List<Alert> alerts) {
    Map<String, List<Alert>> byRule = new TreeMap<>();
    alerts.forEach(a -> byRule.computeIfAbsent(a.rule(), k -> new ArrayList<>()).add(a));
    out.printf("%nattacks:%n");
    int caught = 0;
    Set<String> attackEvents = new java.util.HashSet<>();
    day.attacks().forEach(a -> attackEvents.addAll(a.events()));
    for (DemoDay.Attack attack : day.attacks()) {
      // caught: every expected detection raised an alert whose evidence is this attack's events
      List<String> by =
          attack.caughtBy().stream()
              .filter(
                  rule ->
                      byRule.getOrDefault(rule, List.of()).stream()
                          .anyMatch(
                              a ->
                                  a.evidence().eventIds().stream()
                                      .anyMatch(attack.events()::contains)))
              .toList();
      boolean all = by.size() == attack.caughtBy().size();
      caught += all ? 1 : 0;
      out.printf(
          "  %s %s %-70s %s%n",
          all ? "caught" : "MISSED",
          attack.at().toString().substring(11, 16),
          attack.name(),
          all ? String.join(", ", by) : "expected " + String.join(", ", attack.caughtBy()));
    }
    out.printf("%n%d of %d attacks caught%n", caught, day.attacks().size());
    out.printf("%nalerts by rule (%d in all):%n", alerts.size());
    byRule.forEach(
        (rule, list) -> {
          Map<String, Long> severities =
              list.stream()
                  .collect(
                      Collectors.groupingBy(
                          a -> a.severity().label(), LinkedHashMap::new, Collectors.counting()));
          Alert worst =
              list.stream().max(Comparator.comparingInt(a -> a.severity().rank())).orElseThrow();
          out.printf("  %-42s %-28s %s%n", rule, severities, worst.title());
        });
    long other =
        alerts.stream()
            .filter(a -> a.evidence().eventIds().stream().noneMatch(attackEvents::contains))
            .count();
    out.printf("%nalerts on background traffic (false positives): %d%n", other);
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
