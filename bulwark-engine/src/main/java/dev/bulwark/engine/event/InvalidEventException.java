package dev.bulwark.engine.event;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import java.util.List;

/** A batch of events was rejected; nothing of it may be stored. */
public final class InvalidEventException extends ValidationException {
  public InvalidEventException(List<Problem> problems) {
    super(
        problems.size() == 1
            ? "1 problem in the events"
            : problems.size() + " problems in the events",
        problems);
  }
}
