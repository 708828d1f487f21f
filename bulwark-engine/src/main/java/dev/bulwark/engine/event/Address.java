package dev.bulwark.engine.event;

import dev.bulwark.engine.BulwarkException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * A 20-byte EVM address. Compared case-insensitively (the value is held in lower case) and printed
 * in EIP-55 mixed-case checksum form.
 */
public record Address(String value) {
  public Address {
    if (!isHex40(value) || !value.equals(value.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("not a lower-case 0x-prefixed 20-byte hex address");
    }
  }

  /**
   * Parses {@code 0x} + 40 hex digits. An all-lower or all-upper address is accepted as is; a
   * mixed-case one must carry a valid EIP-55 checksum, since a wrong one usually means a typo.
   */
  public static Address parse(String text) {
    if (text == null || !isHex40(text)) {
      throw new InvalidAddressException(
          "not an EVM address: expected 0x followed by 40 hex digits");
    }
    String lower = "0x" + text.substring(2).toLowerCase(Locale.ROOT);
    String digits = text.substring(2);
    boolean mixed =
        !digits.equals(digits.toLowerCase(Locale.ROOT))
            && !digits.equals(digits.toUpperCase(Locale.ROOT));
    Address address = new Address(lower);
    if (mixed && !address.checksummed().equals("0x" + digits)) {
      throw new InvalidAddressException(
          "EIP-55 checksum does not match (a typo?); send the address in lower case to skip the check");
    }
    return address;
  }

  static boolean isHex40(String text) {
    if (text == null || text.length() != 42 || text.charAt(0) != '0' || text.charAt(1) != 'x') {
      return false;
    }
    for (int i = 2; i < 42; i++) {
      if (Character.digit(text.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The EIP-55 form: a hex letter is upper case where the Keccak-256 of the address has a high
   * nibble.
   */
  public String checksummed() {
    String digits = value.substring(2);
    byte[] hash = keccak256(digits.getBytes(StandardCharsets.US_ASCII));
    String hashHex = HexFormat.of().formatHex(hash);
    StringBuilder out = new StringBuilder(42).append("0x");
    for (int i = 0; i < 40; i++) {
      char c = digits.charAt(i);
      out.append(Character.digit(hashHex.charAt(i), 16) >= 8 ? Character.toUpperCase(c) : c);
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return checksummed();
  }

  static byte[] keccak256(byte[] input) {
    KeccakDigest digest = new KeccakDigest(256);
    digest.update(input, 0, input.length);
    byte[] out = new byte[32];
    digest.doFinal(out, 0);
    return out;
  }

  /** The text is not a valid EVM address. */
  public static final class InvalidAddressException extends BulwarkException {
    InvalidAddressException(String message) {
      super(message);
    }
  }
}
