package dev.bulwark.server.config;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.rule.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * What the parsers of the config file's lists ({@code networks:}, {@code peers:}, {@code feeds:})
 * share: problems with the file, line, column and key path; required values, numbers and durations.
 */
abstract class SectionParser {
  private final Path file;
  private final String section;
  protected final List<Problem> problems;

  SectionParser(Path file, String section, List<Problem> problems) {
    this.file = file;
    this.section = section;
    this.problems = problems;
  }

  protected final void problem(Node at, String key, String message) {
    problems.add(
        new Problem(
            file
                + ":"
                + (at.getStartMark().getLine() + 1)
                + ":"
                + (at.getStartMark().getColumn() + 1)
                + " "
                + section
                + (key.isEmpty() ? "" : "." + key),
            message));
  }

  /**
   * The scalar values of an entry; unknown keys are problems, other node kinds go to {@code rest}.
   */
  protected final void scalars(
      MappingNode map,
      Set<String> keys,
      Map<String, ScalarNode> values,
      Map<String, Node> rest,
      Set<String> nonScalar) {
    for (NodeTuple t : map.getValue()) {
      String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
      if (!keys.contains(key)) {
        problem(
            t.getKeyNode(),
            key,
            "unknown key; expected " + String.join(", ", keys.stream().sorted().toList()));
      } else if (nonScalar.contains(key)) {
        rest.put(key, t.getValueNode());
      } else if (t.getValueNode() instanceof ScalarNode s) {
        values.put(key, s);
      } else {
        problem(t.getValueNode(), key, "expected a single value");
      }
    }
  }

  protected final String required(MappingNode map, Map<String, ScalarNode> v, String key) {
    ScalarNode s = v.get(key);
    if (s == null || s.getValue().isBlank()) {
      problem(s == null ? map : s, key, "missing");
      return null;
    }
    return s.getValue();
  }

  protected final long number(ScalarNode s, String key, long min, long max) {
    try {
      long n = Long.parseLong(s.getValue().trim());
      if (n < min || n > max) {
        problem(s, key, "%d is out of range %d..%d".formatted(n, min, max));
      }
      return n;
    } catch (NumberFormatException e) {
      problem(s, key, "'%s' is not a whole number".formatted(s.getValue()));
      return min;
    }
  }

  protected final Duration duration(
      Map<String, ScalarNode> v, String key, Duration fallback, String example) {
    if (!v.containsKey(key)) {
      return fallback;
    }
    Optional<Duration> d = Durations.parse(v.get(key).getValue());
    if (d.isEmpty() || d.get().isZero()) {
      problem(v.get(key), key, "not a duration; write e.g. " + example);
      return fallback;
    }
    return d.get();
  }
}
