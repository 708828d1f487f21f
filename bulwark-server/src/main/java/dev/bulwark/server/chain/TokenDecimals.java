package dev.bulwark.server.chain;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;

/**
 * The {@code decimals()} of ERC-20 tokens, asked once per token and remembered (the most recent 10
 * 000 tokens, answers and refusals alike). A token without the function, or with an answer that is
 * not a number up to 255, has unknown decimals; amounts stay in the smallest unit either way.
 */
final class TokenDecimals {
  /** {@code decimals()}. */
  static final String SELECTOR = "0x313ce567";

  private static final int CAPACITY = 10_000;
  private final RpcClient rpc;
  private final Map<String, Optional<Integer>> known =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<Integer>> eldest) {
          return size() > CAPACITY;
        }
      };

  TokenDecimals(RpcClient rpc) {
    this.rpc = rpc;
  }

  Optional<Integer> of(String token) {
    synchronized (known) {
      Optional<Integer> cached = known.get(token);
      if (cached != null) {
        return cached;
      }
    }
    Optional<Optional<Integer>> answer = ask(token);
    if (answer.isEmpty()) {
      return Optional.empty(); // the nodes did not answer: ask again next time
    }
    synchronized (known) {
      known.put(token, answer.get());
    }
    return answer.get();
  }

  /** The token's answer (empty inside: no usable decimals), or empty when nodes did not answer. */
  private Optional<Optional<Integer>> ask(String token) {
    String result;
    try {
      var call =
          rpc.call(
              w ->
                  w.ethCall(
                      Transaction.createEthCallTransaction(null, token, SELECTOR),
                      DefaultBlockParameterName.LATEST));
      result = call.getValue();
      if (call.hasError()) {
        return Optional.of(Optional.empty()); // reverted: the token has no decimals()
      }
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    if (result == null || result.length() != 66) {
      return Optional.of(Optional.empty());
    }
    try {
      BigInteger n = new BigInteger(result.substring(2), 16);
      return Optional.of(n.bitLength() <= 8 ? Optional.of(n.intValue()) : Optional.empty());
    } catch (NumberFormatException e) {
      return Optional.of(Optional.empty());
    }
  }
}
