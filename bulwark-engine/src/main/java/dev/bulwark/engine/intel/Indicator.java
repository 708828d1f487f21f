package dev.bulwark.engine.intel;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine needs of a STIX indicator to match events: identity, where it came from, how sure
 * its producer is, and when it is valid.
 *
 * @param source the producer ({@code created_by_ref}) or the feed it came from
 * @param confidence 0..100 (STIX confidence), or -1 when the producer gave none
 */
public record Indicator(
    String id,
    String name,
    String source,
    int confidence,
    Instant validFrom,
    Optional<Instant> validUntil,
    String pattern) {
  public Indicator {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(validFrom, "validFrom");
    name = name == null || name.isBlank() ? id : name;
    source = source == null ? "unknown" : source;
    if (confidence < -1 || confidence > 100) {
      throw new IllegalArgumentException("confidence must be within 0..100, was " + confidence);
    }
    validUntil = validUntil == null ? Optional.empty() : validUntil;
  }

  /** Whether the indicator applies at this (event) time: valid_from ≤ t < valid_until. */
  public boolean validAt(Instant t) {
    return !t.isBefore(validFrom) && validUntil.map(t::isBefore).orElse(true);
  }
}
