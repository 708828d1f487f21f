package dev.bulwark.server.chain;

import dev.bulwark.engine.event.Event;
import dev.bulwark.server.config.Config;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.Transaction;

/**
 * USD prices of a network's assets, so that chain transfers carry {@code amount_usd} and rules and
 * detectors can reason in dollars. A price is either fixed (a stablecoin at 1.0) or read from a
 * Chainlink aggregator with {@code latestRoundData()} <em>at the event's block</em>, so a backfill
 * prices history at its own time. An answer older than two days at that block, or not positive, is
 * no price (logged once per feed); a feed that does not answer leaves the amount unpriced.
 */
final class Prices {
  private static final Logger LOG = LoggerFactory.getLogger(Prices.class);

  /** {@code latestRoundData()}. */
  static final String LATEST_ROUND_DATA = "0xfeaf968c";

  /** {@code decimals()}. */
  private static final String DECIMALS = "0x313ce567";

  /** The key of the chain's own coin in the {@code prices} map. */
  static final String NATIVE = "native";

  private static final Duration MAX_AGE = Duration.ofDays(2);
  private static final int CAPACITY = 4096;

  private final String network;
  private final RpcClient rpc;
  private final Map<String, Config.Price> prices;
  private final Map<String, Integer> feedDecimals = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final Map<String, Optional<Double>> answers = new Lru<>(CAPACITY);

  Prices(String network, RpcClient rpc, Map<String, Config.Price> prices) {
    this.network = network;
    this.rpc = rpc;
    this.prices = prices;
  }

  /**
   * The event with {@code amount_usd} set, when it moves a priced asset of known decimals and has
   * no dollar amount yet; otherwise the event itself.
   */
  Event priced(Event e, BigInteger block, Instant blockTime) {
    if (prices.isEmpty() || e.amount() == null || e.amountUsd() != null) {
      return e;
    }
    String key;
    long decimals;
    Object standard = e.attrs().get("standard");
    if (e.type().equals("chain.transaction") || "native".equals(standard)) {
      key = NATIVE;
      decimals = 18;
    } else if ("erc20".equals(standard)
        && e.asset() != null
        && e.attrs().get("decimals") instanceof Long d) {
      key = e.asset().toLowerCase(Locale.ROOT);
      decimals = d;
    } else {
      return e;
    }
    Config.Price price = prices.get(key);
    if (price == null) {
      return e;
    }
    Optional<Double> usd =
        price.usd() != null ? Optional.of(price.usd()) : feed(price.feed(), block, blockTime);
    if (usd.isEmpty()) {
      return e;
    }
    double amount =
        e.amount()
            .movePointLeft((int) decimals)
            .multiply(BigDecimal.valueOf(usd.get()))
            .round(MathContext.DECIMAL64)
            .doubleValue();
    return e.withAmountUsd(amount);
  }

  /** The aggregator's answer at the block, in dollars; remembered per feed and block. */
  private Optional<Double> feed(String feed, BigInteger block, Instant blockTime) {
    String cacheKey = feed + "@" + block;
    synchronized (answers) {
      Optional<Double> known = answers.get(cacheKey);
      if (known != null) {
        return known;
      }
    }
    Optional<Double> answer = read(feed, block, blockTime);
    synchronized (answers) {
      answers.put(cacheKey, answer);
    }
    return answer;
  }

  private Optional<Double> read(String feed, BigInteger block, Instant blockTime) {
    try {
      Integer decimals = feedDecimals.get(feed);
      if (decimals == null) {
        String d = ask(feed, DECIMALS, block);
        Optional<Integer> parsed = TokenMetadata.decimals(d);
        if (parsed.isEmpty()) {
          warn(feed, "it does not answer decimals() like a Chainlink aggregator");
          return Optional.empty();
        }
        decimals = parsed.get();
        feedDecimals.put(feed, decimals);
      }
      String round = ask(feed, LATEST_ROUND_DATA, block);
      if (round == null || round.length() != 2 + 5 * 64) {
        warn(feed, "its latestRoundData() answer does not decode");
        return Optional.empty();
      }
      BigInteger answer = new BigInteger(round.substring(2 + 64, 2 + 128), 16);
      if (answer.testBit(255)) {
        answer = answer.subtract(BigInteger.ONE.shiftLeft(256));
      }
      Instant updated =
          Instant.ofEpochSecond(new BigInteger(round.substring(2 + 192, 2 + 256), 16).longValue());
      if (answer.signum() <= 0) {
        warn(feed, "it answered a price of " + answer + ", not positive");
        return Optional.empty();
      }
      if (updated.isBefore(blockTime.minus(MAX_AGE))) {
        warn(feed, "its answer was last updated at " + updated + ", over two days old");
        return Optional.empty();
      }
      return Optional.of(new BigDecimal(answer).movePointLeft(decimals).doubleValue());
    } catch (RuntimeException e) {
      LOG.debug("network {}: price feed {} did not answer: {}", network, feed, e.getMessage());
      return Optional.empty();
    }
  }

  private String ask(String feed, String selector, BigInteger block) {
    var call =
        rpc.call(
            w ->
                w.ethCall(
                    Transaction.createEthCallTransaction(null, feed, selector),
                    DefaultBlockParameter.valueOf(block)));
    return call.hasError() ? null : call.getValue();
  }

  private void warn(String feed, String why) {
    if (warned.add(feed)) {
      LOG.warn(
          "network {}: price feed {} gives no price because {}; amounts it prices stay without amount_usd",
          network,
          feed,
          why);
    }
  }
}
