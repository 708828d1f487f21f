package dev.bulwark.server.chain;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.web3j.protocol.core.DefaultBlockParameter;

/**
 * What kind of address an approval's spender is, for approval-phishing severity: {@code eoa} (no
 * code, or an EIP-7702 delegation designator — an account a drainer may have delegated), {@code
 * fresh_contract} (code now, none about a week of blocks earlier), or {@code contract}. Legitimate
 * spenders are long-standing contracts (routers, Permit2, lending pools); phishing spenders are
 * EOAs and contracts deployed days before. The week is estimated from the chain's own block times;
 * a node that cannot serve the older state (not an archive node) leaves a contract's age unknown:
 * {@code contract}. Answers are remembered for about a day of blocks, for the 10 000 most recent
 * spenders.
 */
final class Spenders {
  private static final long WEEK_SECONDS = 7 * 24 * 3600;
  private static final int CAPACITY = 10_000;

  private record Known(String kind, long block) {}

  private final RpcClient rpc;
  private volatile long weekOfBlocks = -1;
  private final Map<String, Known> known = new Lru<>(CAPACITY);

  Spenders(RpcClient rpc) {
    this.rpc = rpc;
  }

  /** The spender's kind at {@code block}; empty when the node did not answer. */
  Optional<String> kind(String spender, BigInteger block) {
    String key = spender.toLowerCase(Locale.ROOT);
    long n = block.longValueExact();
    long week = weekOfBlocks(n);
    Known k;
    synchronized (known) { // the node is asked outside the lock: fetch threads do not queue
      k = known.get(key);
    }
    if (k != null && Math.abs(n - k.block()) <= Math.max(1, week / 7)) {
      return Optional.of(k.kind());
    }
    try {
      String code = code(spender, n);
      String kind;
      if (code == null
          || code.length() <= 2
          || code.toLowerCase(Locale.ROOT).startsWith("0xef0100")) {
        kind = "eoa";
      } else {
        kind = "contract";
        try {
          String before = code(spender, Math.max(0, n - week));
          if (before == null || before.length() <= 2) {
            kind = "fresh_contract";
          }
        } catch (RuntimeException pruned) {
          // the node keeps no state that old: the age stays unknown
        }
      }
      synchronized (known) {
        known.put(key, new Known(kind, n));
      }
      return Optional.of(kind);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private String code(String address, long block) {
    return rpc.send(
            w -> w.ethGetCode(address, DefaultBlockParameter.valueOf(BigInteger.valueOf(block))))
        .getCode();
  }

  /** About a week of blocks, from the time the last 1 000 blocks took (12 s blocks until known). */
  private long weekOfBlocks(long head) {
    if (weekOfBlocks > 0) {
      return weekOfBlocks;
    }
    long span = Math.min(1000, head);
    if (span < 100) {
      return WEEK_SECONDS / 12; // too little history to measure: Ethereum's pace
    }
    try {
      long now = timestamp(head);
      long then = timestamp(head - span);
      double perBlock = Math.max(0.05, (now - then) / (double) span);
      weekOfBlocks = Math.max(1, (long) (WEEK_SECONDS / perBlock));
    } catch (RuntimeException e) {
      return WEEK_SECONDS / 12;
    }
    return weekOfBlocks;
  }

  private long timestamp(long block) {
    return rpc.send(
            w ->
                w.ethGetBlockByNumber(
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(block)), false))
        .getBlock()
        .getTimestamp()
        .longValueExact();
  }
}
