package dev.bulwark.server.intel;

import dev.bulwark.engine.intel.Feeds;
import dev.bulwark.engine.intel.Indicator;
import dev.bulwark.engine.intel.IndicatorIndex;
import dev.bulwark.engine.intel.IntelDetector;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the live indicator index in step with the stored feeds: loads them at start, imports a feed
 * (validated whole, stored in one transaction, then applied in place), and picks up imports made by
 * another process (the CLI) when polled.
 */
public final class IntelService {
  private static final Logger LOG = LoggerFactory.getLogger(IntelService.class);
  private final IntelStore store;
  private final Clock clock;
  private final IndicatorIndex index = new IndicatorIndex();
  private final IntelDetector detector = new IntelDetector(index);
  private final AtomicReference<String> seen = new AtomicReference<>("");
  private Set<String> ids = new HashSet<>();

  public IntelService(IntelStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    refresh();
  }

  /** The detector matching events against the index. */
  public IntelDetector detector() {
    return detector;
  }

  /** The feed indicators, which apply to every organisation. */
  public IndicatorIndex index() {
    return index;
  }

  public int size() {
    return index.size();
  }

  /**
   * Imports a copy of a feed: every value parsed (all or nothing), stored replacing the feed's
   * previous copy, and applied to detection at once; values no longer listed stop matching.
   */
  public IntelStore.Replaced importFeed(
      String feed, Feeds.Format format, String content, int confidence) {
    return importFeed(
        feed,
        format,
        new java.io.ByteArrayInputStream(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        confidence);
  }

  /** {@link #importFeed(String, Feeds.Format, String, int)} from a stream (UTF-8). */
  public IntelStore.Replaced importFeed(
      String feed, Feeds.Format format, java.io.InputStream content, int confidence) {
    return importIndicators(
        feed, Feeds.parse(format, feed, content, confidence, clock.instant()), false);
  }

  /**
   * Stores a parsed copy of a feed. With {@code refuseEmpty}, a copy listing nothing does not
   * replace a copy that listed something (a broken mirror must not delist a whole feed).
   */
  public IntelStore.Replaced importIndicators(
      String feed, List<Indicator> indicators, boolean refuseEmpty) {
    if (refuseEmpty && indicators.isEmpty() && store.count(feed) > 0) {
      throw new dev.bulwark.engine.BulwarkException(
          "the new copy of feed %s lists nothing; the previous copy is kept (import an empty copy by hand to clear it)"
              .formatted(feed));
    }
    for (Indicator i : indicators) {
      new IndicatorIndex().put(i); // every pattern compiles before anything is stored
    }
    IntelStore.Replaced r = store.replaceFeed(feed, indicators);
    refresh();
    return r;
  }

  /** Applies what the store holds now, if anything changed since the last look. */
  public synchronized void refresh() {
    String version = store.version();
    if (version.equals(seen.get())) {
      return;
    }
    List<Indicator> all = store.all();
    Set<String> now = new HashSet<>();
    for (Indicator i : all) {
      now.add(i.id());
      try {
        index.put(i);
      } catch (RuntimeException e) {
        LOG.warn("indicator {} skipped: {}", i.id(), e.getMessage());
      }
    }
    for (String gone : ids) {
      if (!now.contains(gone)) {
        index.remove(gone);
      }
    }
    ids = now;
    seen.set(version);
  }
}
