package dev.bulwark.server.chain;

import dev.bulwark.engine.event.Address;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Permit calls found in call data. With a permit the token holder approves a spender by signing a
 * message off-chain; anyone submits it, so the holder sends no transaction of its own — the reason
 * phishing kits ask for permit signatures. The token's own {@code Approval} log does not say that
 * it came from a permit; the call does. Uniswap's Permit2 emits its own {@code Permit} log, decoded
 * in {@link LogCatalog}.
 */
final class Permits {
  /** {@code permit(address,address,uint256,uint256,uint8,bytes32,bytes32)} — EIP-2612. */
  static final String EIP2612 = "0xd505accf";

  /** {@code permit(address,address,uint256,uint256,bool,uint8,bytes32,bytes32)} — DAI-style. */
  static final String DAI = "0x8fcbaf0c";

  private static final BigInteger MAX = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
  private static final BigInteger UNLIMITED = BigInteger.TWO.pow(255);

  /**
   * A decoded permit. {@code deadline} is empty when the permit never expires (a deadline beyond
   * any date, or DAI's expiry 0).
   */
  record Permit(
      String kind, String owner, String spender, BigInteger value, Optional<Long> deadline) {
    boolean unlimited() {
      return value.compareTo(UNLIMITED) >= 0;
    }
  }

  private Permits() {}

  static Optional<Permit> decode(String input) {
    if (input == null || input.length() < 10) {
      return Optional.empty();
    }
    try {
      return parse(input.substring(0, 10).toLowerCase(Locale.ROOT), input.substring(10));
    } catch (NumberFormatException e) {
      return Optional.empty(); // not hex: not a call we can read
    }
  }

  private static Optional<Permit> parse(String selector, String args) {
    if (selector.equals(EIP2612) && args.length() >= 7 * 64) {
      BigInteger deadline = word(args, 3);
      return Optional.of(
          new Permit(
              "permit",
              address(args, 0),
              address(args, 1),
              word(args, 2),
              deadline.bitLength() < 63 ? Optional.of(deadline.longValue()) : Optional.empty()));
    }
    if (selector.equals(DAI) && args.length() >= 8 * 64) {
      BigInteger expiry = word(args, 3);
      boolean allowed = word(args, 4).signum() != 0;
      return Optional.of(
          new Permit(
              "dai_permit",
              address(args, 0),
              address(args, 1),
              allowed ? MAX : BigInteger.ZERO,
              expiry.signum() == 0 || expiry.bitLength() >= 63
                  ? Optional.empty()
                  : Optional.of(expiry.longValue())));
    }
    return Optional.empty();
  }

  /**
   * The permit as a {@code chain.approval}: the holder as {@code from}, the spender as {@code to},
   * the token as the asset; {@code submitter} is who sent the permit on the holder's behalf.
   */
  static Event event(
      String id,
      String chain,
      String source,
      Instant time,
      String tx,
      String token,
      String submitter,
      long block,
      Permit p) {
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("standard", "erc20");
    attrs.put("kind", p.kind());
    attrs.put("token", token);
    attrs.put("unlimited", p.unlimited());
    attrs.put("submitter", submitter);
    p.deadline().ifPresent(d -> attrs.put("deadline", d));
    attrs.put("block", block);
    return new Event(
        id,
        "chain.approval",
        time,
        source,
        null,
        null,
        null,
        chain,
        token,
        new BigDecimal(p.value()),
        null,
        Address.parse(p.owner()).checksummed(),
        Address.parse(p.spender()).checksummed(),
        tx,
        attrs);
  }

  private static BigInteger word(String args, int i) {
    return new BigInteger(args.substring(i * 64, (i + 1) * 64), 16);
  }

  private static String address(String args, int i) {
    return "0x" + args.substring(i * 64 + 24, (i + 1) * 64).toLowerCase(Locale.ROOT);
  }
}
