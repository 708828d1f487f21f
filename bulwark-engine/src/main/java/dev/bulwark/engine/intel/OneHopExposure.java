package dev.bulwark.engine.intel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Indirect (one-hop) exposure: an address that received funds directly from a listed address (a
 * sanctioned or known-malicious wallet in the intel index) is remembered for 90 days; when it then
 * deals with the organisation — a deposit from it, a withdrawal or transfer to it — the alert says
 * which listed address it is one hop from. Direct exposure is {@code intel.indicator-match}'s; this
 * is the KYT notion of indirect exposure, without a full graph.
 */
public final class OneHopExposure implements Detector {
  public static final String ID = "intel.one-hop-exposure";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BOOK = "book";
  private static final Duration MEMORY = Duration.ofDays(90);
  private static final int LIMIT = 200_000;

  private final Supplier<List<IndicatorIndex>> indexes;

  public OneHopExposure(Supplier<List<IndicatorIndex>> indexes) {
    this.indexes = indexes;
  }

  /**
   * Address one hop from a listed one → the listed address, the indicator, when, and in which
   * transaction (null off-chain).
   */
  record Hop(String listed, String indicator, String name, Instant at, String tx) {}

  static final class Book {
    final Map<String, Hop> hops = new LinkedHashMap<>();
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String route(Event e) {
    return BOOK;
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    if (e.from() == null && e.to() == null) {
      return List.of();
    }
    Book book = state.entry(ID, BOOK, Book::new);
    if (e.type().equals("chain.transfer") && e.from() != null && e.to() != null) {
      IndicatorIndex.Match listed = listed(e.from(), e.time());
      if (listed != null && listed(e.to(), e.time()) == null) {
        String key = Observable.wallet(e.to()).value();
        book.hops.put(
            key,
            new Hop(
                e.from(), listed.indicator().id(), listed.indicator().name(), e.time(), e.tx()));
        while (book.hops.size() > LIMIT) {
          book.hops.remove(book.hops.keySet().iterator().next());
        }
        return List.of(); // the transfer itself is the listed address's, not ours
      }
    }
    if (e.type().equals("chain.transaction") && e.amount() != null && e.amount().signum() > 0) {
      return List.of(); // its value transfer is the event that speaks for it
    }
    for (String side : new String[] {e.to(), e.from()}) {
      if (side == null) {
        continue;
      }
      Hop hop = book.hops.get(Observable.wallet(side).value());
      // blocks a second apart share a timestamp: the same transaction is what must not count
      if (hop == null
          || hop.at().isBefore(e.time().minus(MEMORY))
          || hop.at().isAfter(e.time())
          || hop.tx() != null && hop.tx().equals(e.tx())) {
        continue;
      }
      String dedup = ID + "|" + e.id() + "|" + side.toLowerCase(java.util.Locale.ROOT);
      return List.of(
          new Alert(
              Alert.idFor(dedup),
              ID,
              Severity.MEDIUM,
              "%s touches %s, one hop from listed %s".formatted(e.type(), side, hop.listed()),
              "%s received funds from %s (indicator %s, '%s') at %s; event %s now involves it: indirect exposure."
                  .formatted(side, hop.listed(), hop.indicator(), hop.name(), hop.at(), e.id()),
              e.time(),
              List.of(new Entity(Entity.Kind.ADDRESS, side, Entity.Role.RELATED)),
              Alert.Evidence.of(e),
              List.of("intel", "indirect-exposure", "indicator:" + hop.indicator()),
              Severity.MEDIUM.defaultScore(),
              dedup));
    }
    return List.of();
  }

  private IndicatorIndex.Match listed(String address, Instant at) {
    List<Observable> o = List.of(Observable.wallet(address));
    for (IndicatorIndex index : indexes.get()) {
      List<IndicatorIndex.Match> hits = index.lookup(o, at);
      if (!hits.isEmpty()) {
        return hits.get(0);
      }
    }
    return null;
  }

  @Override
  public JsonNode saveEntry(String key, Object value) {
    ObjectNode n = JSON.createObjectNode();
    ((Book) value)
        .hops.forEach(
            (a, h) ->
                n.putObject(a)
                    .put("listed", h.listed())
                    .put("indicator", h.indicator())
                    .put("name", h.name())
                    .put("at", h.at().toString())
                    .put("tx", h.tx()));
    return n;
  }

  @Override
  public Object loadEntry(String key, JsonNode json) {
    Book b = new Book();
    json.fields()
        .forEachRemaining(
            x ->
                b.hops.put(
                    x.getKey(),
                    new Hop(
                        x.getValue().get("listed").asText(),
                        x.getValue().get("indicator").asText(),
                        x.getValue().get("name").asText(),
                        Instant.parse(x.getValue().get("at").asText()),
                        x.getValue().path("tx").asText(null))));
    return b;
  }

  @Override
  public Set<String> eventTypes() {
    return Set.of();
  }
}
