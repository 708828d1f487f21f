package dev.bulwark.server.config;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import java.util.List;

/** The configuration was rejected; every problem names the key and where it was set. */
public final class ConfigException extends ValidationException {
  public ConfigException(List<Problem> problems) {
    super(
        problems.size() == 1
            ? "1 problem in the configuration"
            : problems.size() + " problems in the configuration",
        problems);
  }
}
