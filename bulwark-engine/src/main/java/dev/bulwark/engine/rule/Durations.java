package dev.bulwark.engine.rule;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as rule authors write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m},
 * {@code 7d}, {@code 2w}.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");
  private static final Pattern WHOLE = Pattern.compile("(\\d+(ms|s|m|h|d|w))+");

  private Durations() {}

  /** The duration, or empty when the text is not one (zero and negative are not durations). */
  public static Optional<Duration> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.trim();
    if (t.startsWith("P") || t.startsWith("p")) {
      try {
        Duration d = Duration.parse(t);
        return d.isNegative() || d.isZero() ? Optional.empty() : Optional.of(d);
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    if (!WHOLE.matcher(t).matches()) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(t);
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  case "d" -> Duration.ofDays(n);
                  default -> Duration.ofDays(7 * n);
                });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      return Optional.empty();
    }
    return total.isZero() || total.compareTo(Duration.ofDays(3660)) > 0
        ? Optional.empty()
        : Optional.of(total);
  }

  /** How a valid duration looks, for error messages. */
  public static final String EXPECTED = "a duration such as 30s, 5m, 1h30m or 7d";
}
