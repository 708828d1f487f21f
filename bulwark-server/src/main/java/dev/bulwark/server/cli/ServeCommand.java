package dev.bulwark.server.cli;

import dev.bulwark.server.App;
import dev.bulwark.server.config.Config;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the server until interrupted. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the API, ingest and detection.")
final class ServeCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(
      names = "--port",
      paramLabel = "N",
      description = "HTTP port; 0 picks a free one (default 8080)")
  Integer port;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "interface to listen on (default 127.0.0.1)")
  String host;

  @Option(names = "--rules", paramLabel = "DIR", description = "directory of rule files (*.yml)")
  Path rules;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> flags = new LinkedHashMap<>();
    if (port != null) {
      flags.put("server.port", port.toString());
    }
    if (host != null) {
      flags.put("server.host", host);
    }
    if (rules != null) {
      flags.put("rules.dir", rules.toString());
    }
    long started = System.nanoTime();
    Config config = store.load(flags).config();
    App app = App.serve(config, Clock.systemUTC());
    LoggerFactory.getLogger(ServeCommand.class)
        .info(
            "Bulwark {} ready in {} ms",
            VersionCommand.version(),
            java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          app.close();
          stopped.countDown();
        };
    // SIGTERM and Ctrl-C stop the server before the JVM shuts down: shutdown hooks run in no set
    // order, and H2's own hook would close the database under the final detection snapshot.
    for (String signal : java.util.List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.run());
      } catch (IllegalArgumentException unavailable) {
        // not on this platform: the shutdown hook below still stops the server
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "bulwark-shutdown"));
    String where =
        config.storage().url().isPresent()
            ? "database from storage.url"
            : "data in " + config.storage().dataDir().toAbsolutePath().normalize();
    // One line on stdout that scripts and tests can wait for.
    System.out.printf(
        "bulwark: listening on http://%s:%d (%s)%n", config.server().host(), app.port(), where);
    System.out.flush();
    stopped.await();
    return Main.OK;
  }
}
