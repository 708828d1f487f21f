package dev.bulwark.server.config;

import java.util.Objects;

/** A value that must never be printed or logged: {@code toString()} masks it. */
public record Secret(String value) {
  public Secret {
    Objects.requireNonNull(value, "value");
  }

  /** The secret itself, for the one place that needs it (a driver, a signer). */
  public String reveal() {
    return value;
  }

  /**
   * The scheme, host and port of a URL whose path or query may carry a key (RPC providers put API
   * keys there): enough to tell which endpoint, never the key.
   */
  public static String maskedUrl(String url) {
    try {
      java.net.URI u = new java.net.URI(url);
      return u.getScheme()
          + "://"
          + u.getHost()
          + (u.getPort() > 0 ? ":" + u.getPort() : "")
          + "/****";
    } catch (java.net.URISyntaxException e) {
      return "****";
    }
  }

  @Override
  public String toString() {
    return "****";
  }
}
