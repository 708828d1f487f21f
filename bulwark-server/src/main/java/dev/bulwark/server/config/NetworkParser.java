package dev.bulwark.server.config;

import dev.bulwark.engine.Problem;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** The {@code networks:} list of the config file, every problem with its file position. */
final class NetworkParser extends SectionParser {
  private static final Pattern CAIP2 = Pattern.compile("eip155:(\\d{1,18})");
  private static final Set<String> KEYS =
      Set.of(
          "id",
          "rpc",
          "chain_id",
          "organisation",
          "confirmations",
          "poll_interval",
          "start_block",
          "native_asset",
          "batch",
          "concurrency",
          "traces",
          "rpc_timeout",
          "ws",
          "watch",
          "prices",
          "official_tokens");
  private static final Set<String> LISTS = Set.of("rpc", "watch");
  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

  NetworkParser(Path file, List<Problem> problems) {
    super(file, "networks", problems);
  }

  /**
   * {@code prices:}: asset (a token address, or {@code native}) → a fixed USD price or a Chainlink
   * aggregator's address.
   */
  private void prices(Node node, Map<String, Config.Price> out) {
    if (!(node instanceof MappingNode map)) {
      problem(
          node,
          "prices",
          "expected a mapping of asset to price, e.g. native: 0x5f4e… (a Chainlink feed) or a token address: 1.0");
      return;
    }
    for (NodeTuple t : map.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)
          || !(t.getValueNode() instanceof ScalarNode v)) {
        problem(t.getKeyNode(), "prices", "each price is one asset: one value");
        continue;
      }
      String asset = k.getValue().trim();
      if (!asset.equals("native") && !ADDRESS.matcher(asset).matches()) {
        problem(
            k,
            "prices",
            "'%s' is not an asset; write a token's address (0x and 40 hex digits) or native"
                .formatted(asset));
        continue;
      }
      String value = v.getValue().trim();
      String key = asset.toLowerCase(java.util.Locale.ROOT);
      if (out.containsKey(key)) {
        problem(k, "prices", "'%s' is priced twice".formatted(asset));
      } else if (ADDRESS.matcher(value).matches()) {
        out.put(key, new Config.Price(null, value.toLowerCase(java.util.Locale.ROOT)));
      } else {
        try {
          double usd = Double.parseDouble(value);
          if (!(usd > 0) || Double.isInfinite(usd)) {
            throw new NumberFormatException();
          }
          out.put(key, new Config.Price(usd, null));
        } catch (NumberFormatException e) {
          problem(
              v,
              "prices",
              "'%s' is neither a positive USD price nor a price feed's address (0x and 40 hex digits)"
                  .formatted(value));
        }
      }
    }
  }

  /**
   * {@code official_tokens:}: symbol → the chain's official contract for it, so a token elsewhere
   * calling itself that is a fake ({@code chain.fake-token}; Ethereum mainnet's are built in).
   */
  private void officialTokens(Node node, Map<String, String> out) {
    if (!(node instanceof MappingNode map)) {
      problem(
          node,
          "official_tokens",
          "expected a mapping of symbol to contract, e.g. USDC: 0xaf88d065e77c8cC2239327C5EDb3A432268e5831");
      return;
    }
    for (NodeTuple t : map.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)
          || !(t.getValueNode() instanceof ScalarNode v)) {
        problem(t.getKeyNode(), "official_tokens", "each entry is one symbol: one contract");
        continue;
      }
      String symbol = k.getValue().trim().toUpperCase(java.util.Locale.ROOT);
      String contract = v.getValue().trim();
      if (!symbol.matches("[A-Z0-9.]{1,16}")) {
        problem(k, "official_tokens", "'%s' is not a token symbol".formatted(k.getValue()));
      } else if (!ADDRESS.matcher(contract).matches()) {
        problem(
            v,
            "official_tokens",
            "'%s' is not a contract address; write 0x and 40 hex digits".formatted(contract));
      } else if (out.put(symbol, contract.toLowerCase(java.util.Locale.ROOT)) != null) {
        problem(k, "official_tokens", "'%s' is listed twice".formatted(symbol));
      }
    }
  }

  List<Config.Network> parse(Node node) {
    List<Config.Network> out = new ArrayList<>();
    if (!(node instanceof SequenceNode list)) {
      problem(node, "", "expected a list of networks, each with id, rpc and organisation");
      return out;
    }
    Set<String> ids = new HashSet<>();
    for (Node item : list.getValue()) {
      if (!(item instanceof MappingNode map)) {
        problem(item, "", "each network is a mapping (id, rpc, organisation, …)");
        continue;
      }
      Map<String, ScalarNode> v = new LinkedHashMap<>();
      Map<String, List<ScalarNode>> lists = new LinkedHashMap<>();
      Map<String, Config.Price> prices = new LinkedHashMap<>();
      Map<String, String> official = new LinkedHashMap<>();
      for (NodeTuple t : map.getValue()) {
        String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
        if (key.equals("prices")) {
          prices(t.getValueNode(), prices);
        } else if (key.equals("official_tokens")) {
          officialTokens(t.getValueNode(), official);
        } else if (!KEYS.contains(key)) {
          problem(
              t.getKeyNode(),
              key,
              "unknown key; expected " + String.join(", ", KEYS.stream().sorted().toList()));
        } else if (t.getValueNode() instanceof ScalarNode s) {
          v.put(key, s);
          if (LISTS.contains(key)) {
            lists.put(key, List.of(s));
          }
        } else if (LISTS.contains(key) && t.getValueNode() instanceof SequenceNode seq) {
          List<ScalarNode> items = new ArrayList<>();
          for (Node n : seq.getValue()) {
            if (n instanceof ScalarNode s) {
              items.add(s);
            } else {
              problem(n, key, "expected a single value in the list");
            }
          }
          if (items.isEmpty()) {
            problem(seq, key, "the list is empty");
          } else {
            v.put(key, items.get(0));
            lists.put(key, items);
          }
        } else {
          problem(t.getValueNode(), key, "expected a single value");
        }
      }
      int before = problems.size();
      String id = required(map, v, "id");
      long chainId = -1;
      if (id != null) {
        Matcher m = CAIP2.matcher(id);
        if (!m.matches()) {
          problem(v.get("id"), "id", "'%s' is not an EVM CAIP-2 id such as eip155:1".formatted(id));
        } else {
          chainId = Long.parseLong(m.group(1));
          if (!ids.add(id)) {
            problem(v.get("id"), "id", "network '%s' is listed twice".formatted(id));
          }
        }
      }
      if (v.containsKey("chain_id")) {
        chainId = number(v.get("chain_id"), "chain_id", 1, Long.MAX_VALUE);
      }
      List<Secret> rpcs = new ArrayList<>();
      if (required(map, v, "rpc") != null) {
        for (ScalarNode url : lists.get("rpc")) {
          String rpc = url.getValue().trim();
          try {
            URI u = new URI(rpc);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
              problem(url, "rpc", "expected an http(s):// JSON-RPC URL");
            } else if (u.getHost() == null) {
              problem(url, "rpc", "the URL has no host");
            }
          } catch (URISyntaxException e) {
            problem(url, "rpc", "not a URL");
          }
          rpcs.add(new Secret(rpc));
        }
      }
      Optional<Secret> ws = Optional.empty();
      if (v.containsKey("ws")) {
        String url = v.get("ws").getValue().trim();
        try {
          URI u = new URI(url);
          if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme()) || u.getHost() == null) {
            problem(v.get("ws"), "ws", "expected a ws:// or wss:// URL for newHeads");
          }
        } catch (URISyntaxException e) {
          problem(v.get("ws"), "ws", "not a URL");
        }
        ws = Optional.of(new Secret(url));
      }
      Duration rpcTimeout = Duration.ofSeconds(10);
      if (v.containsKey("rpc_timeout")) {
        Optional<Duration> d = Durations.parse(v.get("rpc_timeout").getValue());
        if (d.isEmpty() || d.get().isZero()) {
          problem(v.get("rpc_timeout"), "rpc_timeout", "not a duration; write e.g. 10s");
        } else {
          rpcTimeout = d.get();
        }
      }
      Set<String> watch = new java.util.LinkedHashSet<>();
      for (ScalarNode entry : lists.getOrDefault("watch", List.of())) {
        String a = entry.getValue().trim();
        if (!ADDRESS.matcher(a).matches()) {
          problem(
              entry,
              "watch",
              "'%s' is not an address; write 0x and 40 hex digits, or leave watch out to keep everything"
                  .formatted(a));
        } else {
          watch.add(a.toLowerCase(java.util.Locale.ROOT));
        }
      }
      String org = required(map, v, "organisation");
      int confirmations =
          v.containsKey("confirmations")
              ? (int) number(v.get("confirmations"), "confirmations", 0, 1000)
              : 0;
      Duration poll = Duration.ofSeconds(2);
      if (v.containsKey("poll_interval")) {
        Optional<Duration> d = Durations.parse(v.get("poll_interval").getValue());
        if (d.isEmpty()) {
          problem(
              v.get("poll_interval"), "poll_interval", "not a duration; write e.g. 2s or 500ms");
        } else {
          poll = d.get();
        }
      }
      Optional<Long> start = Optional.empty();
      if (v.containsKey("start_block") && !v.get("start_block").getValue().equals("latest")) {
        start = Optional.of(number(v.get("start_block"), "start_block", 0, Long.MAX_VALUE));
      }
      String asset = v.containsKey("native_asset") ? v.get("native_asset").getValue() : "ETH";
      int batch = v.containsKey("batch") ? (int) number(v.get("batch"), "batch", 1, 10_000) : 100;
      int concurrency =
          v.containsKey("concurrency")
              ? (int) number(v.get("concurrency"), "concurrency", 1, 64)
              : 4;
      boolean traces = false;
      if (v.containsKey("traces")) {
        String t = v.get("traces").getValue();
        if (!t.equals("true") && !t.equals("false")) {
          problem(v.get("traces"), "traces", "expected true or false");
        }
        traces = t.equals("true");
      }
      if (problems.size() == before) {
        out.add(
            new Config.Network(
                id,
                List.copyOf(rpcs),
                ws,
                rpcTimeout,
                chainId,
                org,
                confirmations,
                poll,
                start,
                asset,
                batch,
                concurrency,
                traces,
                Set.copyOf(watch),
                Map.copyOf(prices),
                Map.copyOf(official)));
      }
    }
    return out;
  }
}
