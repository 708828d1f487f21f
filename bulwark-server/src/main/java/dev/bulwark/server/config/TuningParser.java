package dev.bulwark.server.config;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.pack.Pack;
import dev.bulwark.engine.pack.Tuning;
import dev.bulwark.engine.rule.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * {@code tuning:}: the settings of the pack's detectors in code, by detector id — e.g. {@code
 * chain.key-compromise: {senders: 4, window: 3h}}. Each value is read by its default's type; an
 * unknown detector or setting, or a bad value, is a problem with its position.
 */
final class TuningParser extends SectionParser {
  TuningParser(Path file, List<Problem> problems) {
    super(file, "tuning", problems);
  }

  Map<String, Map<String, Object>> parse(Node node) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    Map<String, Map<String, Object>> known = Pack.settings();
    if (!(node instanceof MappingNode map)) {
      problem(
          node,
          "",
          "expected a mapping of detector id to its settings, e.g. chain.key-compromise: {senders: 4}");
      return out;
    }
    for (NodeTuple t : map.getValue()) {
      String id = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
      Map<String, Object> defaults = known.get(id);
      if (defaults == null) {
        problem(
            t.getKeyNode(),
            id,
            "not a tunable detector; the tunable ones are " + String.join(", ", known.keySet()));
        continue;
      }
      if (!(t.getValueNode() instanceof MappingNode settings)) {
        problem(
            t.getValueNode(),
            id,
            "expected a mapping of its settings: " + String.join(", ", defaults.keySet()));
        continue;
      }
      Map<String, Object> values = new LinkedHashMap<>();
      for (NodeTuple s : settings.getValue()) {
        String name = s.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
        String key = id + "." + name;
        Object fallback = defaults.get(name);
        if (fallback == null) {
          problem(
              s.getKeyNode(),
              key,
              "unknown setting; %s has %s".formatted(id, String.join(", ", defaults.keySet())));
          continue;
        }
        if (!(s.getValueNode() instanceof ScalarNode v)) {
          problem(s.getValueNode(), key, "expected " + Tuning.kind(fallback));
          continue;
        }
        Object value = value(v, key, fallback);
        if (value != null) {
          values.put(name, value);
        }
      }
      out.put(id, Map.copyOf(values));
    }
    return out;
  }

  private Object value(ScalarNode v, String key, Object fallback) {
    String text = v.getValue().trim();
    if (fallback instanceof Integer) {
      long n = number(v, key, 1, 1_000_000_000);
      return (int) n;
    }
    if (fallback instanceof Duration) {
      Optional<Duration> d = Durations.parse(text);
      if (d.isEmpty() || d.get().isZero()) {
        problem(v, key, "'%s' is not a duration; write e.g. 6h or 30m".formatted(text));
        return null;
      }
      return d.get();
    }
    try {
      double d = Double.parseDouble(text);
      if (!(d > 0) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      problem(v, key, "'%s' is not a positive number".formatted(text));
      return null;
    }
  }
}
