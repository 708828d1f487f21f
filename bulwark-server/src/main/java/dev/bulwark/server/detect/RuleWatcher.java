package dev.bulwark.server.detect;

import dev.bulwark.engine.rule.InvalidRuleException;
import dev.bulwark.engine.rule.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the rules directory and reloads it when a file is added, changed or removed. A directory
 * with problems is reported (every problem, once per change) and the rules already running stay.
 */
public final class RuleWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RuleWatcher.class);
  private final Path dir;
  private final Consumer<List<Rule>> onChange;
  private final ScheduledExecutorService timer;
  private String seen;

  public RuleWatcher(Path dir, Duration every, Consumer<List<Rule>> onChange) {
    this.dir = dir;
    this.onChange = onChange;
    this.seen = fingerprint();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bulwark-rule-watcher");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::check, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  private String fingerprint() {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
          .sorted()
          .map(
              p -> {
                try {
                  return p + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis();
                } catch (IOException e) {
                  return p + ":gone";
                }
              })
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  /** Reloads if anything changed since the last look; public for tests. */
  public void check() {
    String now = fingerprint();
    if (now.equals(seen)) {
      return;
    }
    seen = now;
    try {
      List<Rule> rules = new RuleLoader().load(dir);
      onChange.accept(rules);
      LOG.info("rules reloaded from {}: {} rule(s)", dir, rules.size());
    } catch (InvalidRuleException e) {
      LOG.warn("rules in {} not reloaded, the running rules stay: {}", dir, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("rules in {} not reloaded: {}", dir, e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
