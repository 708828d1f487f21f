package dev.bulwark.engine.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A compiled {@code anomaly:} rule with the built-in {@code zscore} model: per key, the running
 * mean and standard deviation (Welford) of a numeric value; an event whose value lies {@code
 * threshold} or more standard deviations above the key's mean — after at least {@code min_samples}
 * earlier values — fires. The value is then added to the baseline. A key unseen for {@code
 * forget_after} starts over. Richer models (streaming random cut forests, supervised risk scores)
 * plug in at the same place.
 */
public final class AnomalyRule extends Rule {
  private final Condition where;
  private final KeyFn by;
  private final Condition value;
  private final double threshold;
  private final int minSamples;
  private final Duration forgetAfter;

  AnomalyRule(
      Meta meta,
      Condition where,
      KeyFn by,
      Condition value,
      double threshold,
      int minSamples,
      Duration forgetAfter) {
    super(meta);
    this.where = where;
    this.by = by;
    this.value = value;
    this.threshold = threshold;
    this.minSamples = minSamples;
    this.forgetAfter = forgetAfter;
  }

  @Override
  Optional<KeyFn> groupBy() {
    return Optional.of(by);
  }

  @Override
  public String kind() {
    return "anomaly";
  }

  @Override
  public Set<String> eventTypes() {
    return where.eventTypes();
  }

  /** Welford's running mean and variance. */
  static final class Baseline {
    long n;
    double mean;
    double m2;

    void add(double x) {
      n++;
      double delta = x - mean;
      mean += delta / n;
      m2 += delta * (x - mean);
    }

    double stddev() {
      return n < 2 ? 0 : Math.sqrt(m2 / (n - 1));
    }
  }

  @Override
  JsonNode saveOwn(Object value) {
    Baseline b = (Baseline) value;
    return JsonNodeFactory.instance.objectNode().put("n", b.n).put("mean", b.mean).put("m2", b.m2);
  }

  @Override
  Object loadOwn(JsonNode json) {
    Baseline b = new Baseline();
    b.n = json.path("n").asLong();
    b.mean = json.path("mean").asDouble();
    b.m2 = json.path("m2").asDouble();
    return b;
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    if (!where.test(e)) {
      return List.of();
    }
    String key = by.of(e);
    if (key == null) {
      return List.of();
    }
    Object v = value.value(e, Map.of());
    if (!(v instanceof Number number)) {
      throw new Condition.ConditionException("anomaly value is not a number: " + v, null);
    }
    double x = number.doubleValue();
    Baseline b = state.entry(id(), key, Baseline::new);
    List<Alert> out = List.of();
    if (b.n >= minSamples) {
      double sd = b.stddev();
      double z = sd > 0 ? (x - b.mean) / sd : (x > b.mean ? Double.POSITIVE_INFINITY : 0);
      if (z >= threshold) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("key", key);
        vars.put("value", x);
        vars.put("mean", b.mean);
        vars.put("stddev", sd);
        vars.put("score", Double.isInfinite(z) ? "inf" : Math.round(z * 10) / 10.0);
        vars.put("count", b.n);
        out =
            fire(state, e, key, key + "|" + e.id(), e.time(), vars, Map.of(), List.of(e))
                .map(List::of)
                .orElse(List.of());
      }
    }
    b.add(x);
    state.keepUntil(id(), key, e.time().plus(forgetAfter));
    return out;
  }
}
