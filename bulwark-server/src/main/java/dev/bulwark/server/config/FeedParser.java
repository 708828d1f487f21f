package dev.bulwark.server.config;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.intel.Feeds;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** The {@code feeds:} list of the config file (scheduled feed refresh), with positions. */
final class FeedParser extends SectionParser {
  private static final Set<String> KEYS =
      Set.of("name", "format", "source", "confidence", "every", "timeout");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

  FeedParser(Path file, List<Problem> problems) {
    super(file, "feeds", problems);
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
      scalars(map, KEYS, v, new LinkedHashMap<>(), Set.of());
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
      Duration every = duration(v, "every", Duration.ofHours(1), "1h or 30m");
      Duration timeout = duration(v, "timeout", Duration.ofMinutes(2), "1h or 30m");
      if (problems.size() == before) {
        out.add(
            new Config.Feed(name, format, new Secret(source.trim()), confidence, every, timeout));
      }
    }
    return out;
  }
}
