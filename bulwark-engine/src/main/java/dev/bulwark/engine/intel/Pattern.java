package dev.bulwark.engine.intel;

import java.time.Instant;
import java.util.List;

/**
 * A parsed STIX 2.1 pattern (spec §9). Observation expressions ({@code [...]}) combine with {@code
 * AND}, {@code OR} and {@code FOLLOWEDBY} and may carry qualifiers; inside one, comparisons combine
 * with {@code AND} and {@code OR}.
 */
public sealed interface Pattern
    permits Pattern.Observation, Pattern.ObservationOp, Pattern.Qualified {

  /** {@code [ comparison ]}: one object must satisfy the comparison expression. */
  record Observation(Comparison comparison) implements Pattern {}

  /** Observation expressions joined by {@code AND}, {@code OR} or {@code FOLLOWEDBY}. */
  record ObservationOp(String op, Pattern left, Pattern right) implements Pattern {}

  /**
   * An observation expression with a {@code WITHIN}, {@code REPEATS} or {@code START/STOP}
   * qualifier.
   */
  record Qualified(Pattern pattern, Qualifier qualifier) implements Pattern {}

  /** A qualifier of an observation expression. */
  sealed interface Qualifier permits Within, Repeats, StartStop {}

  record Within(double seconds) implements Qualifier {}

  record Repeats(long times) implements Qualifier {}

  record StartStop(Instant start, Instant stop) implements Qualifier {}

  /** A comparison expression inside one observation. */
  sealed interface Comparison permits Compare, And, Or {}

  record And(Comparison left, Comparison right) implements Comparison {}

  record Or(Comparison left, Comparison right) implements Comparison {}

  /**
   * {@code path op value}, possibly negated ({@code NOT}). For {@code IN} the value is a list; for
   * {@code EXISTS} there is none.
   */
  record Compare(Path path, String op, boolean not, Object value) implements Comparison {}

  /** {@code type:property.sub[0].'quoted'}: the object type and the property steps. */
  record Path(String objectType, List<String> steps) {
    public Path {
      steps = List.copyOf(steps);
    }

    /**
     * The steps as written after the colon, e.g. {@code hashes.'SHA-256'} as {@code
     * hashes.SHA-256}.
     */
    public String property() {
      return String.join(".", steps);
    }

    @Override
    public String toString() {
      return objectType + ":" + property();
    }
  }

  /** A binary constant ({@code h'..'} or {@code b'..'}). */
  record Binary(byte[] bytes) {}
}
