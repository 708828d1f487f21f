package dev.bulwark.engine.pack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Address poisoning: a zero-value or dust transfer between a wallet and an address that imitates
 * one of the wallet's recent counterparties (the same first and last four hex characters, a
 * different address) — planted so that the wallet's owner copies the imitator from the history. The
 * later payment from the wallet to the imitator is critical. Both plantings are caught: the
 * imitator sending dust to the wallet, and the fake outgoing record a zero-value {@code
 * transferFrom(wallet, imitator, 0)} leaves. Counterparties are learnt from the wallet's real
 * (non-dust) payments over the last 30 days. The prefix/suffix heuristic follows what wallets warn
 * on (four hex characters at each end); the idea is documented by Forta's address-poisoning bot and
 * wallet issues, the code is ours.
 */
public final class AddressPoisoning implements Detector {
  public static final String ID = "chain.address-poisoning";

  /**
   * The settings an operator may tune ({@code tuning:} in the config file), with their defaults.
   */
  public static final Map<String, Object> DEFAULTS = Map.of("match", 4, "dust", 0.001);

  private final int match;
  private final BigDecimal dust;

  public AddressPoisoning() {
    this(Map.of());
  }

  /** With some settings changed; see {@link #DEFAULTS}. */
  public AddressPoisoning(Map<String, Object> tuning) {
    Tuning t = new Tuning(ID, DEFAULTS, tuning);
    this.match = t.integer("match");
    this.dust = BigDecimal.valueOf(t.number("dust"));
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BOOK = "book";
  private static final Duration MEMORY = Duration.ofDays(30);
  private static final int PER_WALLET = 64;
  private static final int WALLETS = 200_000;

  /** Below this many whole units (after decimals), a transfer is dust. */

  /** Who each wallet paid recently, and the imitators planted around it. */
  static final class Book {
    final Map<String, Map<String, Instant>> paid = new LinkedHashMap<>(1024, 0.75f, true);
    final Map<String, Set<String>> imitators = new LinkedHashMap<>();
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Set<String> eventTypes() {
    return Set.of("chain.transfer");
  }

  /** One book per organisation: a transfer reads one side's history and writes the other's. */
  @Override
  public String route(Event e) {
    return BOOK;
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    if (e.from() == null || e.to() == null || e.amount() == null || Pack.context(e)) {
      return List.of();
    }
    Book book = state.entry(ID, BOOK, Book::new);
    String from = e.from().toLowerCase(Locale.ROOT);
    String to = e.to().toLowerCase(Locale.ROOT);
    if (!small(e)) {
      List<Alert> out = new ArrayList<>(0);
      if (book.imitators.getOrDefault(from, Set.of()).contains(to)) {
        out.add(
            alert(
                e,
                Severity.CRITICAL,
                "%s paid %s, the imitator planted in its history".formatted(e.from(), e.to()),
                "%s sent %s %s to %s, an address made to look like one it paid before: the payment went to the poisoner."
                    .formatted(e.from(), e.amount(), e.asset(), e.to()),
                e.from(),
                e.to(),
                "paid"));
      }
      learn(book, from, to, e.time());
      return out;
    }
    for (String[] pair : new String[][] {{to, from}, {from, to}}) {
      String wallet = pair[0];
      String other = pair[1];
      Map<String, Instant> paid = book.paid.get(wallet);
      if (paid == null || paid.containsKey(other)) {
        continue;
      }
      for (Map.Entry<String, Instant> c : paid.entrySet()) {
        if (c.getValue().isAfter(e.time().minus(MEMORY)) && imitates(other, c.getKey())) {
          book.imitators.computeIfAbsent(wallet, k -> new LinkedHashSet<>()).add(other);
          String walletShown = wallet.equals(from) ? e.from() : e.to();
          String otherShown = other.equals(from) ? e.from() : e.to();
          return List.of(
              alert(
                  e,
                  Severity.MEDIUM,
                  "Address poisoning of %s: %s imitates its counterparty %s"
                      .formatted(walletShown, otherShown, c.getKey()),
                  "A %s transfer of %s between %s and %s, which shares the first and last %d hex characters with %s, an address %s paid on %s. Do not copy addresses from the history."
                      .formatted(
                          e.amount().signum() == 0 ? "zero-value" : "dust",
                          e.asset(),
                          walletShown,
                          otherShown,
                          match,
                          c.getKey(),
                          walletShown,
                          c.getValue()),
                  walletShown,
                  otherShown,
                  "planted"));
        }
      }
    }
    return List.of();
  }

  private boolean small(Event e) {
    if (e.amount().signum() == 0) {
      return true;
    }
    Object d = e.attrs().get("decimals");
    if (d instanceof Number n && !"erc721".equals(e.attrs().get("standard"))) {
      return e.amount().movePointLeft(n.intValue()).compareTo(dust) < 0;
    }
    return false;
  }

  private static void learn(Book book, String wallet, String counterparty, Instant at) {
    Map<String, Instant> paid = book.paid.computeIfAbsent(wallet, k -> new LinkedHashMap<>());
    paid.remove(counterparty);
    paid.put(counterparty, at);
    while (paid.size() > PER_WALLET) {
      paid.remove(paid.keySet().iterator().next());
    }
    while (book.paid.size() > WALLETS) {
      String oldest = book.paid.keySet().iterator().next();
      book.paid.remove(oldest);
      book.imitators.remove(oldest);
    }
  }

  /** Same first and last {@code match} (four) hex characters, not the same address. */
  boolean imitates(String a, String b) {
    if (a.equals(b) || a.length() != 42 || b.length() != 42) {
      return false;
    }
    return a.regionMatches(2, b, 2, match) && a.regionMatches(42 - match, b, 42 - match, match);
  }

  private static Alert alert(
      Event e,
      Severity s,
      String title,
      String summary,
      String victim,
      String attacker,
      String what) {
    String dedup = ID + "|" + what + "|" + e.id();
    return new Alert(
        Alert.idFor(dedup),
        ID,
        s,
        title,
        summary,
        e.time(),
        List.of(
            new Entity(Entity.Kind.ADDRESS, victim, Entity.Role.VICTIM),
            new Entity(Entity.Kind.ADDRESS, attacker, Entity.Role.ATTACKER)),
        Alert.Evidence.of(e),
        List.of("phishing", "address-poisoning", "attack.t1036"),
        s.defaultScore(),
        dedup);
  }

  @Override
  public JsonNode saveEntry(String key, Object value) {
    Book book = (Book) value;
    ObjectNode n = JSON.createObjectNode();
    ObjectNode paid = n.putObject("paid");
    book.paid.forEach(
        (w, cps) -> {
          ObjectNode m = paid.putObject(w);
          cps.forEach((c, t) -> m.put(c, t.toString()));
        });
    ObjectNode imitators = n.putObject("imitators");
    book.imitators.forEach(
        (w, set) -> {
          var arr = imitators.putArray(w);
          set.forEach(arr::add);
        });
    return n;
  }

  @Override
  public Object loadEntry(String key, JsonNode json) {
    Book book = new Book();
    json.path("paid")
        .fields()
        .forEachRemaining(
            w -> {
              Map<String, Instant> cps = new LinkedHashMap<>();
              w.getValue()
                  .fields()
                  .forEachRemaining(c -> cps.put(c.getKey(), Instant.parse(c.getValue().asText())));
              book.paid.put(w.getKey(), cps);
            });
    json.path("imitators")
        .fields()
        .forEachRemaining(
            w -> {
              Set<String> set = new LinkedHashSet<>();
              w.getValue().forEach(x -> set.add(x.asText()));
              book.imitators.put(w.getKey(), set);
            });
    return book;
  }
}
