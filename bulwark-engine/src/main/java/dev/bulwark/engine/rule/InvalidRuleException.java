package dev.bulwark.engine.rule;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import java.util.List;

/** One or more rules were rejected; every problem names its file, line and column. */
public final class InvalidRuleException extends ValidationException {
  public InvalidRuleException(List<Problem> problems) {
    super(
        problems.size() == 1
            ? "1 problem in the rules"
            : problems.size() + " problems in the rules",
        problems);
  }
}
