package dev.bulwark.engine.pack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Oracle / price manipulation: a Uniswap-style pool whose price (v2: reserve1 / reserve0, from its
 * {@code Sync} logs; v3: {@code sqrtPriceX96} of its {@code Swap} logs, squared) moves more than 30
 * % away from where the previous transaction left it, at any point within one transaction — the
 * push-exploit-restore shape of flash-loan price manipulation, which can end the transaction near
 * the starting price. One alert per pool and transaction. Thin pools swing on honest trades too:
 * watch the pools your protocol prices from.
 */
public final class PriceSwing implements Detector {
  public static final String ID = "chain.price-manipulation";

  /**
   * The settings an operator may tune ({@code tuning:} in the config file), with their defaults.
   */
  public static final Map<String, Object> DEFAULTS = Map.of("move", 0.30);

  private final double threshold;

  public PriceSwing() {
    this(Map.of());
  }

  /** With some settings changed; see {@link #DEFAULTS}. */
  public PriceSwing(Map<String, Object> tuning) {
    Tuning t = new Tuning(ID, DEFAULTS, tuning);
    this.threshold = t.number("move");
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration MEMORY = Duration.ofDays(7);

  /** A pool: the price the last finished transaction left, and the current transaction's. */
  static final class Pool {
    double settled = Double.NaN;
    String tx;
    double current = Double.NaN;
    boolean alerted;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Set<String> eventTypes() {
    return Set.of("chain.log");
  }

  @Override
  public String route(Event e) {
    return e.attrs().get("contract") instanceof String c
        ? c.toLowerCase(java.util.Locale.ROOT)
        : e.id();
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    Object kind = e.attrs().get("kind");
    if (!("uniswap_v2_sync".equals(kind) || "uniswap_v3_swap".equals(kind))
        || !(e.attrs().get("contract") instanceof String contract)
        || !(e.attrs().get("args") instanceof Map<?, ?> args)
        || e.tx() == null) {
      return List.of();
    }
    double price =
        "uniswap_v3_swap".equals(kind)
            ? sqrtPrice(args.get("sqrtPriceX96"))
            : price(args.get("reserve0"), args.get("reserve1"));
    if (Double.isNaN(price)) {
      return List.of();
    }
    String key = contract.toLowerCase(java.util.Locale.ROOT);
    Pool pool = state.entry(ID, key, Pool::new);
    state.keepUntil(ID, key, e.time().plus(MEMORY));
    if (!e.tx().equals(pool.tx)) {
      if (!Double.isNaN(pool.current)) {
        pool.settled = pool.current; // the previous transaction is over
      }
      pool.tx = e.tx();
      pool.alerted = false;
    }
    pool.current = price;
    if (Double.isNaN(pool.settled) || pool.alerted) {
      return List.of();
    }
    double move = price / pool.settled - 1;
    if (Math.abs(move) <= threshold) {
      return List.of();
    }
    pool.alerted = true;
    String dedup = ID + "|" + key + "|" + e.tx();
    return List.of(
        new Alert(
            Alert.idFor(dedup),
            ID,
            Severity.HIGH,
            "Pool %s price moved %+.0f%% within one transaction".formatted(contract, move * 100),
            "In tx %s the pool's price (token1 per token0) went from %.6g to %.6g (%+.0f%%), more than %.0f%% within one transaction: the shape of price manipulation."
                .formatted(e.tx(), pool.settled, price, move * 100, threshold * 100),
            e.time(),
            List.of(new Entity(Entity.Kind.CONTRACT, contract, Entity.Role.VICTIM)),
            Alert.Evidence.of(e),
            List.of("defi", "oracle-manipulation", "stage.exploitation"),
            Severity.HIGH.defaultScore(),
            dedup));
  }

  /** Uniswap v3: the price is (sqrtPriceX96 / 2^96)^2, token1 per token0 in raw units. */
  private static double sqrtPrice(Object sqrtPriceX96) {
    try {
      double root = new BigDecimal(String.valueOf(sqrtPriceX96)).doubleValue() / Math.pow(2, 96);
      return root > 0 && Double.isFinite(root) ? root * root : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static double price(Object r0, Object r1) {
    try {
      BigDecimal a = new BigDecimal(String.valueOf(r0));
      BigDecimal b = new BigDecimal(String.valueOf(r1));
      if (a.signum() <= 0 || b.signum() <= 0) {
        return Double.NaN;
      }
      return b.divide(a, MathContext.DECIMAL64).doubleValue();
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  @Override
  public JsonNode saveEntry(String key, Object value) {
    Pool p = (Pool) value;
    var n = JSON.createObjectNode();
    if (!Double.isNaN(p.settled)) {
      n.put("settled", p.settled);
    }
    if (!Double.isNaN(p.current)) {
      n.put("current", p.current);
    }
    if (p.tx != null) {
      n.put("tx", p.tx);
    }
    n.put("alerted", p.alerted);
    return n;
  }

  @Override
  public Object loadEntry(String key, JsonNode json) {
    Pool p = new Pool();
    p.settled = json.has("settled") ? json.get("settled").asDouble() : Double.NaN;
    p.current = json.has("current") ? json.get("current").asDouble() : Double.NaN;
    p.tx = json.path("tx").asText(null);
    p.alerted = json.path("alerted").asBoolean(false);
    return p;
  }
}
