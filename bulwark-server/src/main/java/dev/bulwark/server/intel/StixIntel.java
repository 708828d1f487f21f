package dev.bulwark.server.intel;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.intel.Indicator;
import dev.bulwark.engine.intel.IndicatorIndex;
import dev.bulwark.engine.intel.Stix;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STIX indicators each organisation may see, as indicator indexes for its detection. Follows
 * the store by sequence number per (collection, reader): a new version replaces an older one, a
 * revoked version removes the indicator, and an older version arriving late changes nothing. What
 * an organisation may see is decided by the store's own visibility query, so detection never
 * matches on intelligence the organisation could not read. When visibility may have shrunk (a
 * version deleted, a grant or recipient changed) the indexes are rebuilt and swapped whole.
 */
public final class StixIntel {
  private static final Logger LOG = LoggerFactory.getLogger(StixIntel.class);
  private static final int PAGE = 5000;

  private final StixStore store;
  private final LongFunction<String> orgName;
  private volatile Map<Long, OrgIndex> indexes = new ConcurrentHashMap<>();
  private final Map<StixStore.Reader, Long> cursors = new HashMap<>();
  private long generation = -1;

  /** One organisation's index and the version applied per indicator id. */
  private static final class OrgIndex {
    final IndicatorIndex index = new IndicatorIndex();
    final Map<String, String> applied = new HashMap<>();
  }

  public StixIntel(StixStore store, LongFunction<String> orgName) {
    this.store = store;
    this.orgName = orgName;
  }

  /** The live index of an organisation (empty until it may read an indicator). */
  public IndicatorIndex index(long org) {
    OrgIndex i = indexes.get(org);
    return i == null ? EMPTY : i.index;
  }

  private static final IndicatorIndex EMPTY = new IndicatorIndex();

  /** How many indicators an organisation's index holds. */
  public int size(long org) {
    return index(org).size();
  }

  /** Applies what was added since the last call; rebuilds when visibility may have shrunk. */
  public synchronized void refresh() {
    long now = store.generation();
    if (now != generation) {
      Map<Long, OrgIndex> fresh = new ConcurrentHashMap<>();
      Map<StixStore.Reader, Long> from = new HashMap<>();
      follow(fresh, from);
      indexes = fresh; // swapped whole: detection never sees a half-built index
      cursors.clear();
      cursors.putAll(from);
      generation = now;
      return;
    }
    follow(indexes, cursors);
  }

  private void follow(Map<Long, OrgIndex> into, Map<StixStore.Reader, Long> positions) {
    StixStore.Filter indicators =
        new StixStore.Filter(
            Optional.empty(), List.of(), List.of("indicator"), false, false, true, List.of(), true);
    for (StixStore.Reader r : store.readers()) {
      long after = positions.getOrDefault(r, 0L);
      while (true) {
        List<StixStore.Stored> page =
            store.find(r.collection(), r.org(), indicators, Optional.empty(), after, PAGE);
        if (page.isEmpty()) {
          break;
        }
        OrgIndex target = into.computeIfAbsent(r.org(), o -> new OrgIndex());
        for (StixStore.Stored s : page) {
          apply(target, r, s);
          after = s.seq();
        }
        if (page.size() < PAGE) {
          break;
        }
      }
      positions.put(r, after);
    }
  }

  private void apply(OrgIndex target, StixStore.Reader r, StixStore.Stored s) {
    String key = StixStore.versionKey(s.version());
    String applied = target.applied.get(s.id());
    if (applied != null && applied.compareTo(key) > 0) {
      return; // an older version arriving after a newer one
    }
    target.applied.put(s.id(), key);
    try {
      if (!(Stix.read(StixStore.parse(s.body())) instanceof Stix.Indicator i)
          || i.common().revoked()
          || !i.patternType().equals("stix")) {
        target.index.remove(s.id());
        return;
      }
      target.index.put(indicator(i, r, s));
    } catch (IOException | BulwarkException | IllegalArgumentException e) {
      // valid STIX that is not an exact lookup (say FOLLOWEDBY): kept in TAXII, not matched
      target.index.remove(s.id());
      LOG.debug("indicator {} not indexed: {}", s.id(), e.getMessage());
    }
  }

  private Indicator indicator(Stix.Indicator i, StixStore.Reader r, StixStore.Stored s) {
    String source =
        "%s via TAXII collection %s"
            .formatted(orgName.apply(s.producerOrg()), r.alias().orElse(r.collection()));
    return new Indicator(
        s.id(),
        i.name().orElse(null),
        source,
        i.common().confidence().orElse(-1),
        i.validFrom(),
        i.validUntil(),
        i.pattern());
  }
}
