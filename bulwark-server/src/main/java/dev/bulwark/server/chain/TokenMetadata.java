package dev.bulwark.server.chain;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;

/**
 * The {@code decimals()} and {@code symbol()} of ERC-20 tokens, asked once per token and remembered
 * (the most recent 10 000 tokens, answers and refusals alike). A token without a function, or with
 * an answer that does not decode, has that part unknown; amounts stay in the smallest unit either
 * way. Symbols are read as the ABI string most tokens return, or as the {@code bytes32} some old
 * ones (MKR) return; they are what the token says, not what it is — a fake USDT says "USDT".
 */
final class TokenMetadata {
  /** {@code decimals()}. */
  static final String DECIMALS = "0x313ce567";

  /** {@code symbol()}. */
  static final String SYMBOL = "0x95d89b41";

  private static final int CAPACITY = 10_000;
  private static final int MAX_SYMBOL = 64;

  /** What a token says about itself. */
  record Meta(Optional<Integer> decimals, Optional<String> symbol) {}

  private final RpcClient rpc;
  private final Map<String, Meta> known = new Lru<>(CAPACITY);

  TokenMetadata(RpcClient rpc) {
    this.rpc = rpc;
  }

  /** The token's metadata; empty when the nodes did not answer (asked again next time). */
  Optional<Meta> of(String token) {
    synchronized (known) {
      Meta cached = known.get(token);
      if (cached != null) {
        return Optional.of(cached);
      }
    }
    Optional<Optional<String>> decimals = ask(token, DECIMALS);
    Optional<Optional<String>> symbol = ask(token, SYMBOL);
    if (decimals.isEmpty() || symbol.isEmpty()) {
      return Optional.empty();
    }
    Meta meta =
        new Meta(
            decimals.get().flatMap(TokenMetadata::decimals),
            symbol.get().flatMap(TokenMetadata::symbol));
    synchronized (known) {
      known.put(token, meta);
    }
    return Optional.of(meta);
  }

  /** The raw answer (empty inside: reverted), or empty when the nodes did not answer. */
  private Optional<Optional<String>> ask(String token, String selector) {
    try {
      var call =
          rpc.call(
              w ->
                  w.ethCall(
                      Transaction.createEthCallTransaction(null, token, selector),
                      DefaultBlockParameterName.LATEST));
      if (call.hasError()) {
        return Optional.of(Optional.empty()); // reverted: the token has no such function
      }
      return Optional.of(Optional.ofNullable(call.getValue()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static Optional<Integer> decimals(String result) {
    if (result == null || result.length() != 66) {
      return Optional.empty();
    }
    try {
      BigInteger n = new BigInteger(result.substring(2), 16);
      return n.bitLength() <= 8 ? Optional.of(n.intValue()) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** An ABI-encoded {@code string}, or a {@code bytes32} padded with zeros. */
  static Optional<String> symbol(String result) {
    if (result == null || !result.startsWith("0x") || result.length() < 66) {
      return Optional.empty();
    }
    try {
      byte[] raw = HexFormat.of().parseHex(result.substring(2));
      byte[] text;
      if (raw.length == 32) {
        int end = 0;
        while (end < 32 && raw[end] != 0) {
          end++;
        }
        text = java.util.Arrays.copyOf(raw, end);
      } else {
        BigInteger offset = new BigInteger(1, java.util.Arrays.copyOfRange(raw, 0, 32));
        if (offset.bitLength() > 16 || offset.intValue() + 32 > raw.length) {
          return Optional.empty();
        }
        int at = offset.intValue();
        BigInteger length = new BigInteger(1, java.util.Arrays.copyOfRange(raw, at, at + 32));
        if (length.bitLength() > 16 || at + 32 + length.intValue() > raw.length) {
          return Optional.empty();
        }
        text = java.util.Arrays.copyOfRange(raw, at + 32, at + 32 + length.intValue());
      }
      String s = new String(text, StandardCharsets.UTF_8).strip();
      if (s.isEmpty() || s.length() > MAX_SYMBOL || s.chars().anyMatch(Character::isISOControl)) {
        return Optional.empty();
      }
      return Optional.of(s);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
