package dev.bulwark.engine;

import java.util.List;
import java.util.stream.Collectors;

/** Input was rejected; carries every problem found, each with its location. */
public class ValidationException extends BulwarkException {
  private final List<Problem> problems;

  public ValidationException(String summary, List<Problem> problems) {
    super(render(summary, problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a validation failure needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in input order. */
  public List<Problem> problems() {
    return problems;
  }

  private static String render(String summary, List<Problem> problems) {
    return summary + problems.stream().map(p -> "\n  " + p).collect(Collectors.joining());
  }
}
