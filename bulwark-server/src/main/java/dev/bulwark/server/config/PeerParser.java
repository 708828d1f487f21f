package dev.bulwark.server.config;

import dev.bulwark.engine.Problem;
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
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** The {@code peers:} list of the config file (federation), every problem with its position. */
final class PeerParser extends SectionParser {
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "url",
          "token",
          "token_env",
          "organisation",
          "pull",
          "push",
          "interval",
          "timeout");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");
  private final Map<String, String> env;

  PeerParser(Path file, Map<String, String> env, List<Problem> problems) {
    super(file, "peers", problems);
    this.env = env;
  }

  List<Config.Peer> parse(Node node) {
    List<Config.Peer> out = new ArrayList<>();
    if (!(node instanceof SequenceNode list)) {
      problem(
          node, "", "expected a list of peers, each with name, url, token_env and organisation");
      return out;
    }
    Set<String> names = new HashSet<>();
    for (Node item : list.getValue()) {
      if (!(item instanceof MappingNode map)) {
        problem(
            item, "", "each peer is a mapping (name, url, token_env, organisation, pull, push)");
        continue;
      }
      int before = problems.size();
      Map<String, ScalarNode> v = new LinkedHashMap<>();
      Map<String, Node> links = new LinkedHashMap<>();
      scalars(map, KEYS, v, links, Set.of("pull", "push"));
      String name = required(map, v, "name");
      if (name != null && !NAME.matcher(name).matches()) {
        problem(
            v.get("name"),
            "name",
            "use letters, digits, spaces, '.', '_' or '-' (it names the peer's organisation here)");
      } else if (name != null && !names.add(name)) {
        problem(v.get("name"), "name", "peer '%s' is listed twice".formatted(name));
      }
      String url = required(map, v, "url");
      if (url != null) {
        try {
          URI u = new URI(url.trim());
          if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())
              || u.getHost() == null) {
            problem(
                v.get("url"),
                "url",
                "expected the peer's https:// TAXII discovery URL (…/taxii2/) or API root");
          } else if (!url.trim().endsWith("/")) {
            problem(v.get("url"), "url", "TAXII URLs end with '/'; write " + url.trim() + "/");
          }
        } catch (URISyntaxException e) {
          problem(v.get("url"), "url", "not a URL");
        }
      }
      Secret token = null;
      if (v.containsKey("token_env")) {
        String var = v.get("token_env").getValue();
        String value = env.get(var);
        if (value == null || value.isBlank()) {
          problem(
              v.get("token_env"), "token_env", "environment variable %s is not set".formatted(var));
        } else {
          token = new Secret(value.trim());
        }
      } else if (v.containsKey("token")) {
        token = new Secret(v.get("token").getValue().trim());
      } else {
        problem(
            map,
            "token_env",
            "missing: name the environment variable holding the token the peer gave you");
      }
      String org = required(map, v, "organisation");
      List<Config.Link> pull = links("pull", links.get("pull"));
      List<Config.Link> push = links("push", links.get("push"));
      if (pull.isEmpty() && push.isEmpty() && problems.size() == before) {
        problem(map, "pull", "the peer has nothing to pull or push; add pull: or push: links");
      }
      Duration interval = duration(v, "interval", Duration.ofSeconds(30), "30s or 5m");
      Duration timeout = duration(v, "timeout", Duration.ofSeconds(30), "30s or 5m");
      if (problems.size() == before) {
        out.add(new Config.Peer(name, url.trim(), token, org, pull, push, interval, timeout));
      }
    }
    return out;
  }

  private List<Config.Link> links(String key, Node node) {
    List<Config.Link> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof SequenceNode seq)) {
      problem(node, key, "expected a list of {remote: <collection>, local: <collection>}");
      return out;
    }
    for (Node item : seq.getValue()) {
      if (!(item instanceof MappingNode m)) {
        problem(
            item, key, "expected {remote: <collection id or alias>, local: <collection alias>}");
        continue;
      }
      Map<String, String> kv = new LinkedHashMap<>();
      for (NodeTuple t : m.getValue()) {
        String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
        if (!k.equals("remote") && !k.equals("local")) {
          problem(t.getKeyNode(), key + "." + k, "unknown key; expected remote and local");
        } else if (t.getValueNode() instanceof ScalarNode s && !s.getValue().isBlank()) {
          kv.put(k, s.getValue().trim());
        } else {
          problem(t.getValueNode(), key + "." + k, "expected a collection id or alias");
        }
      }
      if (!kv.containsKey("remote") || !kv.containsKey("local")) {
        problem(m, key, "each link needs remote and local");
      } else {
        out.add(new Config.Link(kv.get("remote"), kv.get("local")));
      }
    }
    return out;
  }
}
