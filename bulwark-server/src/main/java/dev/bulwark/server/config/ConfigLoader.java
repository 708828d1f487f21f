package dev.bulwark.server.config;

import dev.bulwark.engine.Problem;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Builds the effective {@link Config}: defaults, then the YAML file, then {@code BULWARK_*}
 * environment variables, then command-line flags. Every unknown key and bad value, from any of
 * them, is collected and reported together; nothing starts on a bad configuration.
 */
public final class ConfigLoader {
  /** The default config file, used when present and no {@code --config} is given. */
  public static final Path DEFAULT_FILE = Path.of("bulwark.yml");

  /** The rules directory used when none is configured and it exists. */
  public static final Path DEFAULT_RULES = Path.of("rules");

  /**
   * Environment variables read by the CLI client and the launcher rather than the config: not
   * unknown keys.
   */
  public static final Set<String> CLIENT_ENV =
      Set.of("BULWARK_TOKEN", "BULWARK_URL", "BULWARK_JAVA_OPTS", "BULWARK_CONFIG");

  private enum Type {
    HOST,
    PORT,
    INT,
    SIZE,
    PATH,
    TEXT,
    SECRET,
    JDBC_URL,
    DURATION,
    BOOL
  }

  private record Key(String path, Type type, String fallback, String help) {
    String env() {
      return "BULWARK_" + path.replace('.', '_').toUpperCase(Locale.ROOT);
    }
  }

  private static final List<Key> KEYS =
      List.of(
          new Key("server.host", Type.HOST, "127.0.0.1", "interface to listen on"),
          new Key("server.port", Type.PORT, "8080", "TCP port; 0 picks a free one"),
          new Key("server.max_body", Type.SIZE, "16MB", "largest request body"),
          new Key("storage.data_dir", Type.PATH, "data", "directory of the embedded H2 database"),
          new Key("storage.url", Type.JDBC_URL, null, "JDBC URL; overrides data_dir"),
          new Key("storage.user", Type.TEXT, null, "database user"),
          new Key("storage.password", Type.SECRET, null, "database password"),
          new Key("storage.pool_size", Type.INT, "10", "connection pool size (1..200)"),
          new Key("rules.dir", Type.PATH, null, "directory of rule files"),
          new Key("rules.pack", Type.BOOL, "true", "run the built-in detection pack"),
          new Key("ingest.max_batch_events", Type.INT, "10000", "most events in one request"),
          new Key(
              "ingest.await_detection_ms",
              Type.INT,
              "2000",
              "how long a request waits for detection to see its batch (0..60000)"),
          new Key("detection.partitions", Type.INT, "0", "detection threads; 0 means one per core"),
          new Key(
              "detection.allowed_lateness",
              Type.DURATION,
              "5m",
              "how late an event may arrive and still count in windows"),
          new Key(
              "notify.allow_private_networks",
              Type.BOOL,
              "false",
              "let notifiers reach private, loopback and link-local addresses"),
          new Key(
              "notify.retry_base",
              Type.DURATION,
              "1s",
              "first retry delay of a failed delivery (doubles)"),
          new Key(
              "notify.max_attempts",
              Type.INT,
              "8",
              "attempts before a delivery is a dead letter (1..50)"),
          new Key("notify.timeout", Type.DURATION, "10s", "time allowed for one delivery attempt"));

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KIB|MB|MIB|GB|GIB)?");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]]{1,255}");

  /** A value and where it came from ({@code default}, {@code bulwark.yml:3:9}, {@code env X}…). */
  public record Setting(String value, String origin) {}

  private final Map<String, String> env;

  public ConfigLoader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** The result: the config and, for {@code config check}, each value with its origin. */
  public record Loaded(Config config, Map<String, Setting> settings) {
    /** The effective settings as {@code key: value # origin} lines, secrets masked. */
    public List<String> describe() {
      List<String> lines = new ArrayList<>();
      int width = settings.keySet().stream().mapToInt(String::length).max().orElse(0);
      for (Key k : KEYS) {
        Setting s = settings.get(k.path());
        String value = s == null ? "(unset)" : mask(k, s.value());
        String origin = s == null ? "" : "  # " + s.origin();
        lines.add(String.format("%-" + (width + 1) + "s %s%s", k.path() + ":", value, origin));
      }
      for (Config.Network n : config.networks()) {
        lines.add(
            "network %s: chain id %d, rpc %s%s, organisation %s, confirmations %d, %s, %s"
                .formatted(
                    n.id(),
                    n.chainId(),
                    n.rpcUrls().stream()
                        .map(u -> Secret.maskedUrl(u.reveal()))
                        .collect(java.util.stream.Collectors.joining(", ")),
                    n.ws().map(w -> ", ws " + Secret.maskedUrl(w.reveal())).orElse(""),
                    n.organisation(),
                    n.confirmations(),
                    n.watch().isEmpty()
                        ? "every address"
                        : "watching %d address%s"
                            .formatted(n.watch().size(), n.watch().size() == 1 ? "" : "es"),
                    n.prices().isEmpty()
                        ? "no prices"
                        : "%d price%s (%d from feeds)"
                            .formatted(
                                n.prices().size(),
                                n.prices().size() == 1 ? "" : "s",
                                n.prices().values().stream()
                                    .filter(x -> x.feed() != null)
                                    .count())));
      }
      config
          .rules()
          .tuning()
          .forEach(
              (id, values) ->
                  lines.add(
                      "tuning %s: %s"
                          .formatted(
                              id,
                              new java.util.TreeMap<>(values)
                                  .entrySet().stream()
                                      .map(e -> e.getKey() + " " + e.getValue())
                                      .collect(java.util.stream.Collectors.joining(", ")))));
      for (Config.Peer p : config.peers()) {
        lines.add(
            "peer %s: %s, token ****, organisation %s, pull %s, push %s, every %s"
                .formatted(
                    p.name(),
                    Secret.maskedUrl(p.url()),
                    p.organisation(),
                    p.pull().stream().map(l -> l.remote() + "->" + l.local()).toList(),
                    p.push().stream().map(l -> l.local() + "->" + l.remote()).toList(),
                    p.interval()));
      }
      for (Config.Feed f : config.feeds()) {
        String src = f.source().reveal();
        lines.add(
            "feed %s: %s from %s, confidence %d, every %s"
                .formatted(
                    f.name(),
                    f.format(),
                    src.contains("://") ? Secret.maskedUrl(src) : src,
                    f.confidence(),
                    f.every()));
      }
      return lines;
    }
  }

  private static String mask(Key k, String value) {
    if (k.type() == Type.SECRET) {
      return "****";
    }
    if (k.type() == Type.JDBC_URL) {
      return Config.Storage.redact(value);
    }
    return value;
  }

  /**
   * @param file the config file, or empty to use {@code ./bulwark.yml} when it exists
   * @param flags key path → value, from command-line flags
   */
  public Loaded load(Optional<Path> file, Map<String, String> flags) {
    List<Problem> problems = new ArrayList<>();
    Map<String, Setting> settings = new LinkedHashMap<>();
    for (Key k : KEYS) {
      if (k.fallback() != null) {
        settings.put(k.path(), new Setting(k.fallback(), "default"));
      }
    }
    Optional<Path> chosen =
        file.or(
            () -> Files.isRegularFile(DEFAULT_FILE) ? Optional.of(DEFAULT_FILE) : Optional.empty());
    List<Config.Network> networks = new ArrayList<>();
    List<Config.Peer> peers = new ArrayList<>();
    List<Config.Feed> feeds = new ArrayList<>();
    Map<String, Map<String, Object>> tuning = new java.util.LinkedHashMap<>();
    chosen.ifPresent(f -> readFile(f, settings, networks, peers, feeds, tuning, problems));
    readEnv(settings, problems);
    flags.forEach(
        (path, value) -> {
          if (key(path) == null) {
            throw new IllegalArgumentException("no config key " + path);
          }
          settings.put(path, new Setting(value, "flag"));
        });
    if (!settings.containsKey("rules.dir") && Files.isDirectory(DEFAULT_RULES)) {
      settings.put("rules.dir", new Setting(DEFAULT_RULES.toString(), "default (./rules exists)"));
    }
    Config config = build(settings, networks, peers, feeds, tuning, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new Loaded(config, settings);
  }

  private static Key key(String path) {
    for (Key k : KEYS) {
      if (k.path().equals(path)) {
        return k;
      }
    }
    return null;
  }

  private void readFile(
      Path file,
      Map<String, Setting> settings,
      List<Config.Network> networks,
      List<Config.Peer> peers,
      List<Config.Feed> feeds,
      Map<String, Map<String, Object>> tuning,
      List<Problem> problems) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      problems.add(new Problem(file.toString(), "cannot read the config file: " + e.getMessage()));
      return;
    }
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      root = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark at = e.getProblemMark();
      problems.add(
          new Problem(
              at == null ? file.toString() : position(file, at),
              "YAML syntax: " + (e.getProblem() == null ? e.getMessage() : e.getProblem())));
      return;
    }
    if (root == null) {
      return; // an empty file means all defaults
    }
    if (!(root instanceof MappingNode map)) {
      problems.add(
          new Problem(
              position(file, root.getStartMark()), "the config file must be a YAML mapping"));
      return;
    }
    List<NodeTuple> rest = new ArrayList<>();
    for (NodeTuple t : map.getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("networks")) {
        networks.addAll(new NetworkParser(file, problems).parse(t.getValueNode()));
      } else if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("peers")) {
        peers.addAll(new PeerParser(file, env, problems).parse(t.getValueNode()));
      } else if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("feeds")) {
        feeds.addAll(new FeedParser(file, problems).parse(t.getValueNode()));
      } else if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("tuning")) {
        tuning.putAll(new TuningParser(file, problems).parse(t.getValueNode()));
      } else {
        rest.add(t);
      }
    }
    flatten(file, "", new MappingNode(map.getTag(), rest, map.getFlowStyle()), settings, problems);
  }

  private void flatten(
      Path file,
      String prefix,
      MappingNode map,
      Map<String, Setting> settings,
      List<Problem> problems) {
    for (NodeTuple t : map.getValue()) {
      String name = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
      String path = prefix.isEmpty() ? name : prefix + "." + name;
      String at = position(file, t.getKeyNode().getStartMark());
      boolean section = KEYS.stream().anyMatch(k -> k.path().startsWith(path + "."));
      Key k = key(path);
      if (section) {
        if (t.getValueNode() instanceof MappingNode child) {
          flatten(file, path, child, settings, problems);
        } else {
          problems.add(new Problem(at + " " + path, "expected a mapping of " + sectionKeys(path)));
        }
      } else if (k == null) {
        problems.add(new Problem(at + " " + path, "unknown key" + suggestion(path)));
      } else if (t.getValueNode() instanceof ScalarNode v) {
        if (v.getValue().isEmpty()) {
          problems.add(
              new Problem(at + " " + path, "empty value; remove the key to use the default"));
        } else {
          settings.put(path, new Setting(v.getValue(), position(file, v.getStartMark())));
        }
      } else {
        problems.add(new Problem(at + " " + path, "expected a single value (" + k.help() + ")"));
      }
    }
  }

  private static String sectionKeys(String section) {
    return String.join(
        ", ", KEYS.stream().map(Key::path).filter(p -> p.startsWith(section + ".")).toList());
  }

  private void readEnv(Map<String, Setting> settings, List<Problem> problems) {
    env.keySet().stream()
        .filter(n -> n.startsWith("BULWARK_"))
        .sorted()
        .forEach(
            name -> {
              if (CLIENT_ENV.contains(name)) {
                return;
              }
              Key k = KEYS.stream().filter(x -> x.env().equals(name)).findFirst().orElse(null);
              if (k == null) {
                String near =
                    KEYS.stream()
                        .map(Key::env)
                        .filter(known -> distance(name, known) <= 2)
                        .findFirst()
                        .map(known -> "did you mean " + known + "?")
                        .orElse(
                            "known: " + String.join(", ", KEYS.stream().map(Key::env).toList()));
                problems.add(new Problem("env " + name, "unknown variable; " + near));
              } else {
                settings.put(k.path(), new Setting(env.get(name), "env " + name));
              }
            });
  }

  private static String position(Path file, Mark at) {
    return file + ":" + (at.getLine() + 1) + ":" + (at.getColumn() + 1);
  }

  private static String suggestion(String path) {
    String best = null;
    int bestDistance = 3;
    for (Key k : KEYS) {
      int d = distance(path, k.path());
      if (d < bestDistance) {
        bestDistance = d;
        best = k.path();
      }
    }
    return best == null
        ? "; known keys: " + String.join(", ", KEYS.stream().map(Key::path).toList())
        : "; did you mean " + best + "?";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** Parses every setting by its type, recording a problem (with the origin) for each bad one. */
  private static Config build(
      Map<String, Setting> s,
      List<Config.Network> networks,
      List<Config.Peer> peers,
      List<Config.Feed> feeds,
      Map<String, Map<String, Object>> tuning,
      List<Problem> problems) {
    Values v = new Values(s, problems);
    Config.Server server =
        new Config.Server(v.host("server.host"), v.port("server.port"), v.size("server.max_body"));
    Config.Storage storage =
        new Config.Storage(
            v.path("storage.data_dir").orElse(Path.of("data")),
            v.jdbcUrl("storage.url"),
            v.text("storage.user"),
            v.text("storage.password").map(Secret::new),
            v.integer("storage.pool_size", 1, 200));
    Config.Rules rules =
        new Config.Rules(v.path("rules.dir"), v.bool("rules.pack"), Map.copyOf(tuning));
    Config.Ingest ingest =
        new Config.Ingest(
            v.integer("ingest.max_batch_events", 1, 1_000_000),
            java.time.Duration.ofMillis(v.integer("ingest.await_detection_ms", 0, 60_000)));
    int partitions = v.integer("detection.partitions", 0, 64);
    Config.Detection detection =
        new Config.Detection(
            partitions == 0 ? Runtime.getRuntime().availableProcessors() : partitions,
            v.duration("detection.allowed_lateness"));
    Config.Notify notify =
        new Config.Notify(
            v.bool("notify.allow_private_networks"),
            v.duration("notify.retry_base"),
            v.integer("notify.max_attempts", 1, 50),
            v.duration("notify.timeout"));
    return new Config(server, storage, rules, ingest, detection, notify, networks, peers, feeds);
  }

  /** Typed reads of the settings. */
  private record Values(Map<String, Setting> s, List<Problem> problems) {
    private void problem(String key, String message) {
      Setting at = s.get(key);
      problems.add(new Problem(at.origin() + " " + key, message));
    }

    Optional<String> text(String key) {
      Setting v = s.get(key);
      return v == null ? Optional.empty() : Optional.of(v.value());
    }

    String host(String key) {
      String h = s.get(key).value();
      if (!HOST.matcher(h).matches()) {
        problem(key, "'%s' is not a host name or IP address".formatted(h));
      }
      return h;
    }

    int port(String key) {
      return integer(key, 0, 65535);
    }

    int integer(String key, int min, int max) {
      String raw = s.get(key).value().trim();
      try {
        int n = Integer.parseInt(raw);
        if (n < min || n > max) {
          problem(key, "%d is out of range; expected %d..%d".formatted(n, min, max));
        }
        return n;
      } catch (NumberFormatException e) {
        problem(key, "'%s' is not a whole number; expected %d..%d".formatted(raw, min, max));
        return min;
      }
    }

    long size(String key) {
      String raw = s.get(key).value().trim().toUpperCase(Locale.ROOT);
      Matcher m = SIZE.matcher(raw);
      if (!m.matches()) {
        problem(key, "'%s' is not a size; write e.g. 16MB, 512KB or 1048576".formatted(raw));
        return 0;
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "B" : m.group(2);
      long bytes =
          switch (unit) {
            case "KB", "KIB" -> n << 10;
            case "MB", "MIB" -> n << 20;
            case "GB", "GIB" -> n << 30;
            default -> n;
          };
      if (bytes < 1024 || bytes > (1L << 30)) {
        problem(key, "%s is out of range; expected 1KB..1GB".formatted(raw));
      }
      return bytes;
    }

    Optional<Path> path(String key) {
      Setting v = s.get(key);
      if (v == null) {
        return Optional.empty();
      }
      try {
        return Optional.of(Path.of(v.value()));
      } catch (InvalidPathException e) {
        problem(key, "not a valid path: " + e.getMessage());
        return Optional.empty();
      }
    }

    boolean bool(String key) {
      String raw = s.get(key).value().trim();
      return switch (raw) {
        case "true" -> true;
        case "false" -> false;
        default -> {
          problem(key, "'%s' is not true or false".formatted(raw));
          yield false;
        }
      };
    }

    java.time.Duration duration(String key) {
      String raw = s.get(key).value().trim();
      if (raw.equals("0") || raw.equals("0s")) {
        return java.time.Duration.ZERO;
      }
      return dev.bulwark.engine.rule.Durations.parse(raw)
          .orElseGet(
              () -> {
                problem(
                    key,
                    "'%s' is not a duration; write %s"
                        .formatted(raw, dev.bulwark.engine.rule.Durations.EXPECTED));
                return java.time.Duration.ZERO;
              });
    }

    Optional<String> jdbcUrl(String key) {
      Optional<String> url = text(key);
      if (url.isPresent()
          && !url.get().startsWith("jdbc:postgresql:")
          && !url.get().startsWith("jdbc:h2:")) {
        problem(key, "unsupported database URL; use jdbc:postgresql://host/db or jdbc:h2:…");
      }
      return url;
    }
  }
}
