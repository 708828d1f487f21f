package dev.bulwark.engine.pack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rug pull: the deployer of a young token (created within 30 days) taking liquidity out of a
 * Uniswap-v2-style pool that holds it — the pool's {@code Burn} paying the deployer, or a
 * transaction the deployer sent. Severity by the share of the pool removed (the {@code Burn}'s
 * amounts against the reserves its {@code Sync} leaves): 20 % medium, 50 % high, 90 % critical
 * (Forta's liquidity-removal heuristics, reimplemented). Liquidity providers other than the
 * deployer, and deployers of old tokens rebalancing, do not match.
 */
public final class RugPull implements Detector {
  public static final String ID = "chain.rug-pull";

  /**
   * The settings an operator may tune ({@code tuning:} in the config file), with their defaults.
   */
  public static final Map<String, Object> DEFAULTS =
      Map.of(
          "young",
          Duration.ofDays(30),
          "medium_share",
          0.20,
          "high_share",
          0.50,
          "critical_share",
          0.90);

  private final Duration young;
  private final double medium;
  private final double high;
  private final double critical;

  public RugPull() {
    this(Map.of());
  }

  /** With some settings changed; see {@link #DEFAULTS}. */
  public RugPull(Map<String, Object> tuning) {
    Tuning t = new Tuning(ID, DEFAULTS, tuning);
    this.young = t.duration("young");
    this.medium = t.number("medium_share");
    this.high = t.number("high_share");
    this.critical = t.number("critical_share");
  }

  private static final String BOOK = "book";
  private static final int LIMIT = 200_000;

  /** The contracts seen created, and what the current transaction did so far. */
  public static final class Book {
    /** contract → [deployer, creation time]. */
    public Map<String, List<String>> created = new LinkedHashMap<>();

    public String tx;
    public String sender;

    /** pool → assets it sent out in the current transaction. */
    public Map<String, List<String>> paid = new LinkedHashMap<>();

    /** pool → reserves its last Sync in the current transaction left ([reserve0, reserve1]). */
    public Map<String, List<String>> reserves = new LinkedHashMap<>();
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Set<String> eventTypes() {
    return Set.of("chain.contract_created", "chain.transaction", "chain.transfer", "chain.log");
  }

  @Override
  public String route(Event e) {
    return BOOK;
  }

  private static String lower(Object o) {
    return o instanceof String s ? s.toLowerCase(Locale.ROOT) : null;
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    Book book = state.entry(ID, BOOK, Book::new);
    if (e.tx() != null && !e.tx().equalsIgnoreCase(book.tx == null ? "" : book.tx)) {
      book.tx = e.tx().toLowerCase(Locale.ROOT);
      book.sender = null;
      book.paid.clear();
      book.reserves.clear();
    }
    switch (e.type()) {
      case "chain.contract_created" -> {
        String creator = lower(e.attrs().getOrDefault("creator", e.from()));
        String contract = lower(e.to());
        if (creator != null && contract != null) {
          book.created.put(contract, List.of(creator, e.time().toString()));
          while (book.created.size() > LIMIT) {
            book.created.remove(book.created.keySet().iterator().next());
          }
        }
      }
      case "chain.transaction" -> book.sender = lower(e.from());
      case "chain.transfer" -> {
        String from = lower(e.from());
        String asset = lower(e.asset());
        if (from != null && asset != null && "erc20".equals(e.attrs().get("standard"))) {
          List<String> assets = book.paid.computeIfAbsent(from, k -> new ArrayList<>());
          if (!assets.contains(asset) && assets.size() < 8) {
            assets.add(asset);
          }
        }
      }
      case "chain.log" -> {
        Object kind = e.attrs().get("kind");
        String pool = lower(e.attrs().get("contract"));
        if (!(e.attrs().get("args") instanceof Map<?, ?> args) || pool == null) {
          return List.of();
        }
        if ("uniswap_v2_sync".equals(kind)) {
          book.reserves.put(
              pool,
              List.of(String.valueOf(args.get("reserve0")), String.valueOf(args.get("reserve1"))));
        } else if ("uniswap_v2_burn".equals(kind)) {
          return burn(book, e, pool, args);
        }
      }
      default -> {}
    }
    return List.of();
  }

  private List<Alert> burn(Book book, Event e, String pool, Map<?, ?> args) {
    String to = lower(args.get("to"));
    for (String token : book.paid.getOrDefault(pool, List.of())) {
      List<String> created = book.created.get(token);
      if (created == null) {
        continue;
      }
      String deployer = created.get(0);
      Instant born = Instant.parse(created.get(1));
      if (e.time().isAfter(born.plus(young))
          || !(deployer.equals(to) || deployer.equals(book.sender))) {
        continue;
      }
      double share = share(args, book.reserves.get(pool));
      Severity severity =
          share >= critical
              ? Severity.CRITICAL
              : share >= high ? Severity.HIGH : share >= medium ? Severity.MEDIUM : null;
      if (severity == null) {
        return List.of();
      }
      Duration age = Duration.between(born, e.time());
      String dedup = ID + "|" + e.id();
      return List.of(
          new Alert(
              Alert.idFor(dedup),
              ID,
              severity,
              "Rug pull: the deployer of %s removed %.0f%% of pool %s"
                  .formatted(token, share * 100, pool),
              "%s deployed token %s %s ago and in tx %s took %.0f%% of the liquidity of pool %s (to %s). Holders of the token are left with an emptied pool."
                  .formatted(
                      deployer, token, age(age), e.tx(), share * 100, pool, to == null ? "?" : to),
              e.time(),
              List.of(
                  new Entity(Entity.Kind.ADDRESS, deployer, Entity.Role.ATTACKER),
                  new Entity(Entity.Kind.CONTRACT, token, Entity.Role.RELATED),
                  new Entity(Entity.Kind.CONTRACT, pool, Entity.Role.VICTIM)),
              Alert.Evidence.of(e),
              List.of("defi", "rug-pull", "stage.exploitation"),
              severity.defaultScore(),
              dedup));
    }
    return List.of();
  }

  /** The larger share of either token the burn took, against what was there before it. */
  private static double share(Map<?, ?> args, List<String> after) {
    if (after == null) {
      return 1.0; // no Sync: a pool we cannot measure; assume everything
    }
    double best = 0;
    for (int i = 0; i < 2; i++) {
      try {
        BigDecimal taken = new BigDecimal(String.valueOf(args.get("amount" + i)));
        BigDecimal left = new BigDecimal(after.get(i));
        BigDecimal before = taken.add(left);
        if (before.signum() > 0) {
          best = Math.max(best, taken.divide(before, MathContext.DECIMAL64).doubleValue());
        }
      } catch (NumberFormatException ignored) {
        // an argument that is not a number: that side does not count
      }
    }
    return best;
  }

  private static String age(Duration d) {
    return d.toDays() >= 2
        ? d.toDays() + " days"
        : d.toHours() >= 2 ? d.toHours() + " hours" : d.toMinutes() + " minutes";
  }

  @Override
  public JsonNode saveEntry(String key, Object value) {
    return Pack.beanToJson(value);
  }

  @Override
  public Object loadEntry(String key, JsonNode json) {
    return Pack.beanFromJson(json, Book.class);
  }
}
