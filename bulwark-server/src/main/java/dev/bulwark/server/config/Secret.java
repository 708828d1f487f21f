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

  @Override
  public String toString() {
    return "****";
  }
}
