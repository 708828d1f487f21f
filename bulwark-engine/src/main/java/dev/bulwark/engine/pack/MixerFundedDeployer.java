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
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Exploit preparation: an address funded by a Tornado Cash withdrawal (low: the funding stage, kept
 * 10 days), that address deploying a contract (high), and that contract then being used — called by
 * its deployer or calling out itself, on watched addresses (critical, once per contract). The same
 * path preceded many DeFi exploits (the attacker funds a fresh address privately, deploys the
 * attack contract, then strikes); the signal idea is Forta's and Hypernative's public write-ups,
 * reimplemented. Without a mixer: a contract deployed as its deployer's very first transaction
 * (nonce 0) is remembered quietly, and raises a high alert once it takes part in a transaction with
 * a watched address (needs a watch list).
 */
public final class MixerFundedDeployer implements Detector {
  public static final String ID = "chain.mixer-funded-deployer";

  /**
   * The settings an operator may tune ({@code tuning:} in the config file), with their defaults.
   */
  public static final Map<String, Object> DEFAULTS = Map.of("funding", Duration.ofDays(10));

  private final Duration funding;

  public MixerFundedDeployer() {
    this(Map.of());
  }

  /** With some settings changed; see {@link #DEFAULTS}. */
  public MixerFundedDeployer(Map<String, Object> tuning) {
    this.funding = new Tuning(ID, DEFAULTS, tuning).duration("funding");
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BOOK = "book";
  private static final int LIMIT = 100_000;

  static final class Book {
    /** Mixer-funded address → when. */
    final Map<String, Instant> funded = new LinkedHashMap<>();

    /** Contract deployed by a funded address → its deployer. */
    final Map<String, String> contracts = new LinkedHashMap<>();

    /** Contract → the transaction that created it (its own use starts after). */
    final Map<String, String> createdIn = new LinkedHashMap<>();

    final Set<String> escalated = new LinkedHashSet<>();

    /** Contract deployed as its deployer's very first transaction (nonce 0) → the deployer. */
    final Map<String, String> fresh = new LinkedHashMap<>();
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Set<String> eventTypes() {
    return Set.of(
        "chain.log", "chain.contract_created", "chain.transaction", "chain.call", "chain.transfer");
  }

  @Override
  public String route(Event e) {
    return BOOK;
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    Book book = state.entry(ID, BOOK, Book::new);
    if (e.type().equals("chain.transfer")) {
      return freshContractTouchesWatched(book, e); // value moving is not a call: only this path
    }
    switch (e.type()) {
      case "chain.log" -> {
        if ("tornado_withdrawal".equals(e.attrs().get("kind")) && e.to() != null) {
          book.funded.put(lower(e.to()), e.time());
          trim(book.funded);
          return List.of(
              alert(
                  e,
                  "funded",
                  Severity.LOW,
                  "%s funded from Tornado Cash".formatted(e.to()),
                  "A Tornado Cash withdrawal paid %s in tx %s: private funding, the first stage of many exploits."
                      .formatted(e.to(), e.tx()),
                  e.to(),
                  null,
                  "stage.funding"));
        }
      }
      case "chain.contract_created" -> {
        Object c = e.attrs().get("creator");
        String creator = lower(c instanceof String s ? s : e.from());
        Instant funded = creator == null ? null : book.funded.get(creator);
        if (funded == null
            && creator != null
            && e.to() != null
            && e.attrs().get("nonce") instanceof Number n
            && n.longValue() == 0
            && !Boolean.TRUE.equals(e.attrs().get("internal"))) {
          book.fresh.put(lower(e.to()), creator); // watched quietly: a first-ever transaction
          book.createdIn.put(lower(e.to()), e.tx());
          trim(book.fresh);
          trim(book.createdIn);
        }
        if (funded != null && !e.time().isAfter(funded.plus(funding)) && e.to() != null) {
          book.contracts.put(lower(e.to()), creator);
          book.createdIn.put(lower(e.to()), e.tx());
          trim(book.contracts);
          trim(book.createdIn);
          return List.of(
              alert(
                  e,
                  "deployed",
                  Severity.HIGH,
                  "Contract %s deployed by Tornado-funded %s"
                      .formatted(e.to(), c instanceof String s ? s : e.from()),
                  "%s, funded from Tornado Cash at %s, deployed %s in tx %s: the preparation stage of an exploit."
                      .formatted(creator, funded, e.to(), e.tx()),
                  creator,
                  e.to(),
                  "stage.preparation"));
        }
      }
      default -> {
        List<Alert> touched = freshContractTouchesWatched(book, e);
        if (!touched.isEmpty()) {
          return touched;
        }
        String side = firstUse(book, book.contracts, e);
        if (side != null) {
          String deployer = book.contracts.get(lower(side));
          return List.of(
              alert(
                  e,
                  "used",
                  Severity.CRITICAL,
                  "Tornado-funded contract %s in use".formatted(side),
                  "%s, deployed by Tornado-funded %s, is being used (%s %s -> %s, tx %s): the exploitation stage may be under way."
                      .formatted(side, deployer, e.type(), e.from(), e.to(), e.tx()),
                  deployer,
                  side,
                  "stage.exploitation"));
        }
      }
    }
    return List.of();
  }

  /**
   * The side of the event ({@code to}, else {@code from}) that is one of {@code deployed}'s
   * contracts seen for the first time after its creation transaction — marked as used; null if
   * none.
   */
  private static String firstUse(Book book, Map<String, String> deployed, Event e) {
    for (String side : new String[] {e.to(), e.from()}) {
      String contract = lower(side);
      if (contract != null
          && deployed.containsKey(contract)
          && !book.escalated.contains(contract)
          && (e.tx() == null || !e.tx().equals(book.createdIn.get(contract)))) {
        book.escalated.add(contract);
        return side;
      }
    }
    return null;
  }

  /**
   * A contract deployed by a fresh address (the deployment was its first transaction) now in a
   * transaction that touches a watched address — the attack contract reaching for the protocol.
   * Needs a watch list ({@code attrs.watched}); high, once per contract.
   */
  private static List<Alert> freshContractTouchesWatched(Book book, Event e) {
    Object w = e.attrs().get("watched");
    if (w == null || "none".equals(w) || book.fresh.isEmpty()) {
      return List.of();
    }
    String side = firstUse(book, book.fresh, e);
    if (side == null) {
      return List.of();
    }
    String deployer = book.fresh.get(lower(side));
    return List.of(
        alert(
            e,
            "fresh-used",
            Severity.HIGH,
            "Contract %s of a fresh deployer touches a watched address".formatted(side),
            "%s was deployed by %s as its very first transaction, and now takes part in tx %s (%s %s -> %s) with a watched address: a pattern of attack contracts."
                .formatted(side, deployer, e.tx(), e.type(), e.from(), e.to()),
            deployer,
            side,
            "stage.preparation"));
  }

  private static void trim(Map<String, ?> m) {
    while (m.size() > LIMIT) {
      m.remove(m.keySet().iterator().next());
    }
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static Alert alert(
      Event e,
      String what,
      Severity s,
      String title,
      String summary,
      String attacker,
      String contract,
      String stage) {
    String dedup = ID + "|" + what + "|" + e.id();
    List<Entity> entities = new java.util.ArrayList<>();
    entities.add(new Entity(Entity.Kind.ADDRESS, attacker, Entity.Role.ATTACKER));
    if (contract != null) {
      entities.add(new Entity(Entity.Kind.CONTRACT, contract, Entity.Role.ATTACKER));
    }
    return new Alert(
        Alert.idFor(dedup),
        ID,
        s,
        title,
        summary,
        e.time(),
        entities,
        Alert.Evidence.of(e),
        List.of("defi", "mixer", stage),
        s.defaultScore(),
        dedup);
  }

  @Override
  public JsonNode saveEntry(String key, Object value) {
    Book b = (Book) value;
    ObjectNode n = JSON.createObjectNode();
    ObjectNode funded = n.putObject("funded");
    b.funded.forEach((a, t) -> funded.put(a, t.toString()));
    ObjectNode contracts = n.putObject("contracts");
    b.contracts.forEach(contracts::put);
    ObjectNode created = n.putObject("created_in");
    b.createdIn.forEach(created::put);
    var escalated = n.putArray("escalated");
    b.escalated.forEach(escalated::add);
    ObjectNode fresh = n.putObject("fresh");
    b.fresh.forEach(fresh::put);
    return n;
  }

  @Override
  public Object loadEntry(String key, JsonNode json) {
    Book b = new Book();
    json.path("funded")
        .fields()
        .forEachRemaining(x -> b.funded.put(x.getKey(), Instant.parse(x.getValue().asText())));
    json.path("contracts")
        .fields()
        .forEachRemaining(x -> b.contracts.put(x.getKey(), x.getValue().asText()));
    json.path("created_in")
        .fields()
        .forEachRemaining(x -> b.createdIn.put(x.getKey(), x.getValue().asText()));
    json.path("escalated").forEach(x -> b.escalated.add(x.asText()));
    json.path("fresh")
        .fields()
        .forEachRemaining(x -> b.fresh.put(x.getKey(), x.getValue().asText()));
    return b;
  }
}
