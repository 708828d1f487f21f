package dev.bulwark.engine;

import java.util.Objects;

/**
 * One thing wrong with an input, and where: a JSON path ({@code $[3].time}), a file position
 * ({@code rules/a.yml:4:9}) or a config key path ({@code server.port}).
 */
public record Problem(String location, String message) {
  public Problem {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return location + ": " + message;
  }
}
