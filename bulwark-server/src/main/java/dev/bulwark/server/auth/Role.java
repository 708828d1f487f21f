package dev.bulwark.server.auth;

import dev.bulwark.engine.BulwarkException;
import java.util.Locale;

/** What a token may do. */
public enum Role {
  /** Everything within its organisation. */
  ADMIN,
  /** Read alerts and events. */
  ANALYST,
  /** Send events, nothing else: for sources and collectors. */
  INGEST,
  /** A member organisation's server or TAXII client: the TAXII endpoints only. */
  PEER;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role parse(String text) {
    for (Role r : values()) {
      if (r.label().equals(text)) {
        return r;
      }
    }
    throw new BulwarkException(
        "unknown role '%s'; expected admin, analyst, ingest or peer".formatted(text));
  }
}
