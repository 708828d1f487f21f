package dev.bulwark.server.config;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.intel.Feeds;
import dev.bulwark.engine.rule.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** The {@code feeds:} list of the config file (scheduled feed refresh), with positions. */
final class FeedParser {
  private static final Set<String> KEYS =
      Set.of("name", "format", "source", "confidence", "every", "timeout");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
  private final Path file;
  private final List<Problem> problems;

  FeedParser(Path file, List<Problem> problems) {
    this.file = file;
    this.problems = problems;
  }

  private void problem(Node at, String key, String message) {
    problems.add(
        new Problem(
            file
                + ":"
                + (at.getStartMark().getLine() + 1)
                + ":"
                + (at.getStartMark().getColumn() + 1)
                + " feeds"
                + (key.isEmpty() ? "" : "." + key),
            message));
  }

  List<Config.Feed> parse(Node node) {
    List<Config.Feed> out = new ArrayList<>();
    if (!(node instanceof SequenceNode list)) {
      problem(node, "", "expected a list of feeds, each with name, format and source");
      return out;
    }
    Set<String> names = new HashSet<>();
    for (Node item : list.getValue()) {
      if (!(item instanceof MappingNode map)) {
        problem(item, "", "each feed is a mapping (name, format, source, confidence, every)");
        continue;
      }
      int before = problems.size();
      Map<String, ScalarNode> v = new LinkedHashMap<>();
      for (NodeTuple t : map.getValue()) {
        String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
        if (!KEYS.contains(key)) {
          problem(
              t.getKeyNode(),
              key,
              "unknown key; expected " + String.join(", ", KEYS.stream().sorted().toList()));
        } else if (t.getValueNode() instanceof ScalarNode s) {
          v.put(key, s);
        } else {
          problem(t.getValueNode(), key, "expected a single value");
        }
      }
      String name = required(map, v, "name");
      if (name != null && !NAME.matcher(name).matches()) {
        problem(v.get("name"), "name", "use lower-case letters, digits, '.', '_' or '-'");
      } else if (name != null && !names.add(name)) {
        problem(v.get("name"), "name", "feed '%s' is listed twice".formatted(name));
      }
      String format = required(map, v, "format");
      if (format != null) {
        try {
          Feeds.Format.parse(format);
        } catch (IllegalArgumentException e) {
          problem(v.get("format"), "format", e.getMessage());
        }
      }
      String source = required(map, v, "source");
      if (source != null && source.matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
        try {
          URI u = new URI(source);
          if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())
              || u.getHost() == null) {
            problem(v.get("source"), "source", "expected an http(s):// URL or a file path");
          }
        } catch (URISyntaxException e) {
          problem(v.get("source"), "source", "not a URL");
        }
      }
      int confidence = 80;
      if (v.containsKey("confidence")) {
        try {
          confidence = Integer.parseInt(v.get("confidence").getValue().trim());
          if (confidence < 0 || confidence > 100) {
            problem(v.get("confidence"), "confidence", "expected 0..100");
          }
        } catch (NumberFormatException e) {
          problem(v.get("confidence"), "confidence", "expected a whole number 0..100");
        }
      }
      Duration every = duration(v, "every", Duration.ofHours(1));
      Duration timeout = duration(v, "timeout", Duration.ofMinutes(2));
      if (problems.size() == before) {
        out.add(
            new Config.Feed(name, format, new Secret(source.trim()), confidence, every, timeout));
      }
    }
    return out;
  }

  private Duration duration(Map<String, ScalarNode> v, String key, Duration fallback) {
    if (!v.containsKey(key)) {
      return fallback;
    }
    Optional<Duration> d = Durations.parse(v.get(key).getValue());
    if (d.isEmpty() || d.get().isZero()) {
      problem(v.get(key), key, "not a duration; write e.g. 1h or 30m");
      return fallback;
    }
    return d.get();
  }

  private String required(MappingNode map, Map<String, ScalarNode> v, String key) {
    ScalarNode s = v.get(key);
    if (s == null || s.getValue().isBlank()) {
      problem(s == null ? map : s, key, "missing");
      return null;
    }
    return s.getValue();
  }
}
