package dev.bulwark.server.intel;

import dev.bulwark.engine.intel.Feeds;
import dev.bulwark.server.config.Config;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes the configured feeds on their schedule from a URL or a file. A copy is imported whole
 * or not at all (a bad copy keeps the previous one), an unchanged source is skipped (HTTP ETag /
 * Last-Modified, file size and time), and a copy that lists nothing never replaces one that listed
 * something. Failures are retried at the next run and logged once per failure streak.
 */
public final class FeedScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FeedScheduler.class);
  private final List<Config.Feed> feeds;
  private final IntelService intel;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final String userAgent;
  private final HttpClient http;
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private ScheduledExecutorService scheduler;

  public FeedScheduler(
      List<Config.Feed> feeds,
      IntelService intel,
      Clock clock,
      MeterRegistry metrics,
      String userAgent) {
    this.feeds = List.copyOf(feeds);
    this.intel = intel;
    this.clock = clock;
    this.metrics = metrics;
    this.userAgent = userAgent;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(15))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  public void start() {
    if (feeds.isEmpty()) {
      return;
    }
    scheduler = Daemons.scheduler("bulwark-feeds", 1);
    for (Config.Feed f : feeds) {
      scheduler.scheduleWithFixedDelay(
          () -> refreshQuietly(f), 0, f.every().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void refreshQuietly(Config.Feed f) {
    try {
      refresh(f);
      if (failures.remove(f.name()) != null) {
        LOG.info("feed {} refreshes again", f.name());
      }
    } catch (RuntimeException | IOException e) {
      metrics.counter("bulwark.feeds.refresh", "feed", f.name(), "outcome", "failed").increment();
      if (failures.merge(f.name(), 1, Integer::sum) == 1) {
        LOG.warn(
            "feed {} could not be refreshed: {}; the previous copy stays in use",
            f.name(),
            e.getMessage());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Fetches and imports a feed now, unless its source is unchanged since the last import.
   *
   * @return whether a new copy was imported
   */
  public boolean refresh(Config.Feed f) throws IOException, InterruptedException {
    String source = f.source().reveal();
    Feeds.Format format = Feeds.Format.parse(f.format());
    if (source.startsWith("http://") || source.startsWith("https://")) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(source))
              .timeout(f.timeout())
              .header("User-Agent", userAgent);
      String validator = seen.get(f.name());
      if (validator != null && validator.startsWith("etag:")) {
        b.header("If-None-Match", validator.substring(5));
      } else if (validator != null && validator.startsWith("lm:")) {
        b.header("If-Modified-Since", validator.substring(3));
      }
      HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = r.body()) {
        if (r.statusCode() == 304) {
          metrics
              .counter("bulwark.feeds.refresh", "feed", f.name(), "outcome", "unchanged")
              .increment();
          return false;
        }
        if (r.statusCode() != 200) {
          throw new IOException("HTTP " + r.statusCode() + " from the feed's source");
        }
        load(f, format, FeedFiles.decompressed(body));
      }
      r.headers()
          .firstValue("ETag")
          .map(e -> "etag:" + e)
          .or(() -> r.headers().firstValue("Last-Modified").map(m -> "lm:" + m))
          .ifPresent(v -> seen.put(f.name(), v));
      return true;
    }
    Path file = Path.of(source);
    String stamp = "file:" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
    if (stamp.equals(seen.get(f.name()))) {
      metrics
          .counter("bulwark.feeds.refresh", "feed", f.name(), "outcome", "unchanged")
          .increment();
      return false;
    }
    try (InputStream in = FeedFiles.open(file)) {
      load(f, format, in);
    }
    seen.put(f.name(), stamp);
    return true;
  }

  private void load(Config.Feed f, Feeds.Format format, InputStream in) {
    IntelStore.Replaced r =
        intel.importIndicators(
            f.name(), Feeds.parse(format, f.name(), in, f.confidence(), clock.instant()), true);
    metrics.counter("bulwark.feeds.refresh", "feed", f.name(), "outcome", "imported").increment();
    LOG.info(
        "feed {}: {} listed, {} added, {} delisted", f.name(), r.listed(), r.added(), r.delisted());
  }

  @Override
  public void close() {
    Daemons.stop(scheduler);
    scheduler = null;
  }
}
