package dev.bulwark.server.alert;

import dev.bulwark.engine.detect.Severity;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A filter over one organisation's alerts, newest first. {@code severities} empty means any; {@code
 * since} is inclusive and {@code until} exclusive.
 */
public record AlertQuery(
    Set<Severity> severities,
    Optional<String> rule,
    Optional<Instant> since,
    Optional<Instant> until,
    int limit,
    Optional<AlertCursor> after) {

  public static final int MAX_LIMIT = 1000;

  public AlertQuery {
    severities = Set.copyOf(severities);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be within 1.." + MAX_LIMIT + ", was " + limit);
    }
  }

  /** Every alert, {@code limit} at a time. */
  public static AlertQuery all(int limit) {
    return new AlertQuery(
        Set.of(), Optional.empty(), Optional.empty(), Optional.empty(), limit, Optional.empty());
  }
}
