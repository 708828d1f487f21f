package dev.bulwark.engine.pack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Burst drain: a wallet sending far more transfers in ten minutes than it usually does — at least
 * 10, and at least five times its own average for ten minutes since it was first seen (after an
 * hour of history). A cold wallet that suddenly sends ten transfers fires; an exchange hot wallet
 * that pays out hundreds an hour does not, unless its pace jumps five-fold. One alert per wallet
 * per hour.
 */
public final class BurstDrain implements Detector {
  public static final String ID = "chain.burst-drain";

  /**
   * The settings an operator may tune ({@code tuning:} in the config file), with their defaults.
   */
  public static final Map<String, Object> DEFAULTS =
      Map.of("window", Duration.ofMinutes(10), "transfers", 10, "factor", 5.0);

  private final Duration window;
  private final int min;
  private final double factor;

  public BurstDrain() {
    this(Map.of());
  }

  /** With some settings changed; see {@link #DEFAULTS}. */
  public BurstDrain(Map<String, Object> tuning) {
    Tuning t = new Tuning(ID, DEFAULTS, tuning);
    this.window = t.duration("window");
    this.min = t.integer("transfers");
    this.factor = t.number("factor");
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LEARN = Duration.ofHours(1);
  private static final Duration QUIET = Duration.ofHours(1);
  private static final Duration MEMORY = Duration.ofDays(30);

  static final class Wallet {
    long first = Long.MIN_VALUE;
    long total;
    final ArrayDeque<Long> recent = new ArrayDeque<>();
    long quietUntil = Long.MIN_VALUE;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Set<String> eventTypes() {
    return Set.of("chain.transfer");
  }

  @Override
  public String route(Event e) {
    return e.from() == null ? e.id() : e.from().toLowerCase(Locale.ROOT);
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    if (e.from() == null
        || e.amount() == null
        || e.amount().signum() <= 0
        || !Pack.sentByWatched(e)) {
      return List.of();
    }
    String key = e.from().toLowerCase(Locale.ROOT);
    Wallet w = state.entry(ID, key, Wallet::new);
    state.keepUntil(ID, key, e.time().plus(MEMORY));
    long now = e.time().toEpochMilli();
    if (w.first == Long.MIN_VALUE) {
      w.first = now;
    }
    w.total++;
    w.recent.addLast(now);
    while (!w.recent.isEmpty() && w.recent.peekFirst() <= now - window.toMillis()) {
      w.recent.removeFirst();
    }
    long history = now - w.first;
    if (history < LEARN.toMillis() || now < w.quietUntil) {
      return List.of();
    }
    double windows = Math.max(1, (double) history / window.toMillis());
    double usual = (w.total - w.recent.size()) / windows;
    int count = w.recent.size();
    if (count < min || count < factor * usual) {
      return List.of();
    }
    w.quietUntil = now + QUIET.toMillis();
    String dedup = ID + "|" + key + "|" + e.id();
    return List.of(
        new Alert(
            Alert.idFor(dedup),
            ID,
            Severity.HIGH,
            "Burst of %d transfers out of %s within 10 min".formatted(count, e.from()),
            "%s sent %d transfers in ten minutes; it usually sends %.1f per ten minutes (over %.1f h). A sudden burst out of a wallet is how drains look."
                .formatted(e.from(), count, usual, history / 3_600_000.0),
            e.time(),
            List.of(new Entity(Entity.Kind.ADDRESS, e.from(), Entity.Role.VICTIM)),
            Alert.Evidence.of(e),
            List.of("custody", "exfiltration", "stage.laundering"),
            Severity.HIGH.defaultScore(),
            dedup));
  }

  @Override
  public JsonNode saveEntry(String key, Object value) {
    Wallet w = (Wallet) value;
    var n =
        JSON.createObjectNode()
            .put("first", w.first)
            .put("total", w.total)
            .put("quiet_until", w.quietUntil);
    var recent = n.putArray("recent");
    w.recent.forEach(recent::add);
    return n;
  }

  @Override
  public Object loadEntry(String key, JsonNode json) {
    Wallet w = new Wallet();
    w.first = json.path("first").asLong(Long.MIN_VALUE);
    w.total = json.path("total").asLong();
    w.quietUntil = json.path("quiet_until").asLong(Long.MIN_VALUE);
    json.path("recent").forEach(x -> w.recent.addLast(x.asLong()));
    return w;
  }
}
