package dev.bulwark.engine.pack;

import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;

/**
 * A code detector's settings: its defaults, overridden by what the operator configured ({@code
 * tuning:} in the config file). Each setting's type is its default's: a whole number ({@link
 * Integer}), a number ({@link Double}) or a {@link Duration}. An unknown name or a value of another
 * type is an error naming the detector and the settings it has.
 */
public final class Tuning {
  private final String detector;
  private final Map<String, Object> defaults;
  private final Map<String, Object> values;

  public Tuning(String detector, Map<String, Object> defaults, Map<String, Object> values) {
    this.detector = detector;
    this.defaults = defaults;
    this.values = values;
    for (var e : values.entrySet()) {
      Object d = defaults.get(e.getKey());
      if (d == null) {
        throw new IllegalArgumentException(
            "%s has no setting '%s'; it has %s"
                .formatted(
                    detector, e.getKey(), String.join(", ", new TreeSet<>(defaults.keySet()))));
      }
      if (!d.getClass().isInstance(e.getValue())) {
        throw new IllegalArgumentException(
            "%s's %s must be %s, not %s".formatted(detector, e.getKey(), kind(d), e.getValue()));
      }
    }
  }

  /** What a setting's value must be, as the config error says it. */
  public static String kind(Object defaultValue) {
    return defaultValue instanceof Integer
        ? "a whole number"
        : defaultValue instanceof Duration ? "a duration such as 6h" : "a number";
  }

  private Object get(String name) {
    Object v = values.get(name);
    if (v == null) {
      v = defaults.get(name);
    }
    if (v == null) {
      throw new IllegalStateException(detector + " reads an undeclared setting " + name);
    }
    return v;
  }

  int integer(String name) {
    return (Integer) get(name);
  }

  double number(String name) {
    return (Double) get(name);
  }

  Duration duration(String name) {
    return (Duration) get(name);
  }
}
