package dev.bulwark.engine.detect;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.bulwark.engine.BulwarkException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How urgent an alert is, from {@code info} to {@code critical}; ordered by rank. */
public enum Severity {
  INFO,
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  /** Parses the lower-case name, naming the valid ones when the text is not one of them. */
  @JsonCreator
  public static Severity parse(String text) {
    for (Severity s : values()) {
      if (s.label().equals(text)) {
        return s;
      }
    }
    throw new BulwarkException(
        "unknown severity '%s'; expected one of %s".formatted(text, names()));
  }

  /** The valid names, comma separated, for error messages. */
  public static String names() {
    return Arrays.stream(values()).map(Severity::label).collect(Collectors.joining(", "));
  }

  /** The lower-case name used in rules, JSON and the API. */
  @JsonValue
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** 0 for info up to 4 for critical. */
  public int rank() {
    return ordinal();
  }

  /** The default score of an alert of this severity when its detector has no finer measure. */
  public double defaultScore() {
    return switch (this) {
      case INFO -> 0.1;
      case LOW -> 0.3;
      case MEDIUM -> 0.5;
      case HIGH -> 0.7;
      case CRITICAL -> 0.9;
    };
  }
}
