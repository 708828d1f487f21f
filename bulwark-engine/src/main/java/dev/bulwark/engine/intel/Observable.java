package dev.bulwark.engine.intel;

import java.util.Locale;

/**
 * A value an indicator names and an event can carry, normalised for exact lookup: wallet addresses
 * in lower case (EVM addresses compare case-insensitively), domains in lower case without a
 * trailing dot, hashes as {@code algorithm:hex} in lower case.
 */
public record Observable(Kind kind, String value) {
  /** The sorts of value the index looks up. */
  public enum Kind {
    WALLET,
    DOMAIN,
    URL,
    IP,
    FILE_HASH
  }

  /**
   * EVM addresses ({@code 0x…}) compare case-insensitively and are held in lower case; other
   * chains' addresses (base58 and the like) are case-sensitive and kept as they are.
   */
  public static Observable wallet(String address) {
    String a = address.trim();
    return new Observable(
        Kind.WALLET, a.startsWith("0x") || a.startsWith("0X") ? a.toLowerCase(Locale.ROOT) : a);
  }

  public static Observable domain(String name) {
    String d = name.trim().toLowerCase(Locale.ROOT);
    return new Observable(Kind.DOMAIN, d.endsWith(".") ? d.substring(0, d.length() - 1) : d);
  }

  public static Observable url(String url) {
    return new Observable(Kind.URL, url.trim());
  }

  public static Observable hash(String algorithm, String hex) {
    String algo = algorithm.toUpperCase(Locale.ROOT).replace("_", "-");
    String h = hex.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("0x")) {
      h = h.substring(2); // Keccak hashes are usually written with 0x
    }
    return new Observable(Kind.FILE_HASH, algo + ":" + h);
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + " " + value;
  }
}
