package dev.bulwark.engine.pack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Private-key compromise: one fresh address — never seen sending anything — receiving funds from
 * three or more different wallets within six hours (ten or more, or three left drained: critical).
 * When several of the watched wallets pay one new address in a short time, their keys are usually
 * in one attacker's hands (the PKC pattern; Forta's heuristic requires the senders be drained: the
 * EVM source reads watched senders' balances after each transfer, {@code sender_balance_after}).
 * Consolidation into the firm's own hot wallet does not match: the hot wallet sends, so it is not
 * fresh.
 */
public final class KeyCompromise implements dev.bulwark.engine.detect.Detector {
  public static final String ID = "chain.key-compromise";

  /**
   * The settings an operator may tune ({@code tuning:} in the config file), with their defaults.
   */
  public static final Map<String, Object> DEFAULTS =
      Map.of(
          "window",
          Duration.ofHours(6),
          "senders",
          3,
          "critical_senders",
          10,
          "drained_share",
          0.01);

  private final Duration window;
  private final int high;
  private final int critical;
  private final double drainedShare;

  public KeyCompromise() {
    this(Map.of());
  }

  /** With some settings changed; see {@link #DEFAULTS}. */
  public KeyCompromise(Map<String, Object> tuning) {
    Tuning t = new Tuning(ID, DEFAULTS, tuning);
    this.window = t.duration("window");
    this.high = t.integer("senders");
    this.critical = t.integer("critical_senders");
    this.drainedShare = t.number("drained_share");
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BOOK = "book";
  private static final int SENDERS = 500_000;
  private static final int SINKS = 100_000;

  static final class Book {
    /** Addresses seen sending: not fresh. */
    final Map<String, Boolean> senders = new LinkedHashMap<>(1024, 0.75f, true);

    /** Fresh recipient → sender → when it paid. */
    final Map<String, Map<String, Instant>> sinks = new LinkedHashMap<>();

    /** Fresh recipient → the highest level alerted (0 none, 1 high, 2 critical). */
    final Map<String, Integer> alerted = new LinkedHashMap<>();

    /** Senders whose last payment left them (nearly) empty. */
    final Set<String> drained = new java.util.LinkedHashSet<>();
  }

  /**
   * Whether the payment left its sender drained: the EVM source's {@code sender_balance_after}
   * (read for watched senders) at most 1 % of what the sender held before it.
   */
  boolean drained(Event e) {
    if (!(e.attrs().get("sender_balance_after") instanceof String after)) {
      return false;
    }
    try {
      java.math.BigDecimal left = new java.math.BigDecimal(after);
      java.math.BigDecimal held = left.add(e.amount());
      return held.signum() > 0
          && left.compareTo(held.multiply(java.math.BigDecimal.valueOf(drainedShare))) <= 0;
    } catch (NumberFormatException bad) {
      return false;
    }
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
    return BOOK;
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    if (e.from() == null || e.to() == null || e.amount() == null || e.amount().signum() <= 0) {
      return List.of();
    }
    Book book = state.entry(ID, BOOK, Book::new);
    String from = e.from().toLowerCase(Locale.ROOT);
    String to = e.to().toLowerCase(Locale.ROOT);
    book.senders.put(from, Boolean.TRUE);
    book.sinks.remove(from); // it sends now: no longer fresh
    while (book.senders.size() > SENDERS) {
      String oldest = book.senders.keySet().iterator().next();
      book.senders.remove(oldest);
      book.drained.remove(oldest);
    }
    if (drained(e)) {
      book.drained.add(from);
    } else {
      book.drained.remove(from);
    }
    if (Pack.context(e)) {
      return List.of(); // a third party's transfer: it teaches who sends, no more
    }
    if (book.senders.containsKey(to)) {
      return List.of();
    }
    Map<String, Instant> paid = book.sinks.computeIfAbsent(to, k -> new LinkedHashMap<>());
    paid.put(from, e.time());
    paid.values().removeIf(t -> t.isBefore(e.time().minus(window)));
    while (book.sinks.size() > SINKS) {
      String oldest = book.sinks.keySet().iterator().next();
      book.sinks.remove(oldest);
      book.alerted.remove(oldest);
    }
    long empty = paid.keySet().stream().filter(book.drained::contains).count();
    int level =
        paid.size() >= critical || paid.size() >= high && empty >= high
            ? 2
            : paid.size() >= high ? 1 : 0;
    if (level <= book.alerted.getOrDefault(to, 0)) {
      return List.of();
    }
    book.alerted.put(to, level);
    Severity s = level == 2 ? Severity.CRITICAL : Severity.HIGH;
    String dedup = ID + "|" + to + "|" + level + "|" + e.id();
    List<Entity> entities = new java.util.ArrayList<>();
    entities.add(new Entity(Entity.Kind.ADDRESS, e.to(), Entity.Role.ATTACKER));
    paid.keySet()
        .forEach(w -> entities.add(new Entity(Entity.Kind.ADDRESS, w, Entity.Role.VICTIM)));
    return List.of(
        new Alert(
            Alert.idFor(dedup),
            ID,
            s,
            "%d wallets paid fresh address %s within %d h"
                .formatted(paid.size(), e.to(), window.toHours()),
            "%s, which has never sent anything, received from %d different wallets within %d hours (%s)%s: their keys may be compromised."
                .formatted(
                    e.to(),
                    paid.size(),
                    window.toHours(),
                    String.join(", ", paid.keySet()),
                    empty > 0 ? ", %d of them left drained".formatted(empty) : ""),
            e.time(),
            entities,
            Alert.Evidence.of(e),
            List.of("custody", "key-compromise", "stage.exploitation"),
            s.defaultScore(),
            dedup));
  }

  @Override
  public JsonNode saveEntry(String key, Object value) {
    Book b = (Book) value;
    ObjectNode n = JSON.createObjectNode();
    var senders = n.putArray("senders");
    b.senders.keySet().forEach(senders::add);
    ObjectNode sinks = n.putObject("sinks");
    b.sinks.forEach(
        (r, paid) -> {
          ObjectNode m = sinks.putObject(r);
          paid.forEach((w, t) -> m.put(w, t.toString()));
        });
    ObjectNode alerted = n.putObject("alerted");
    b.alerted.forEach(alerted::put);
    var drained = n.putArray("drained");
    b.drained.forEach(drained::add);
    return n;
  }

  @Override
  public Object loadEntry(String key, JsonNode json) {
    Book b = new Book();
    json.path("senders").forEach(x -> b.senders.put(x.asText(), Boolean.TRUE));
    json.path("sinks")
        .fields()
        .forEachRemaining(
            r -> {
              Map<String, Instant> paid = new LinkedHashMap<>();
              r.getValue()
                  .fields()
                  .forEachRemaining(
                      w -> paid.put(w.getKey(), Instant.parse(w.getValue().asText())));
              b.sinks.put(r.getKey(), paid);
            });
    json.path("alerted")
        .fields()
        .forEachRemaining(x -> b.alerted.put(x.getKey(), x.getValue().asInt()));
    json.path("drained").forEach(x -> b.drained.add(x.asText()));
    return b;
  }
}
