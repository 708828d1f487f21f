package dev.bulwark.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The effective configuration, immutable; built by {@link ConfigLoader}. */
public record Config(
    Server server,
    Storage storage,
    Rules rules,
    Ingest ingest,
    Detection detection,
    Notify notifications,
    java.util.List<Network> networks,
    java.util.List<Peer> peers,
    java.util.List<Feed> feeds) {

  public Config {
    networks = java.util.List.copyOf(networks);
    peers = java.util.List.copyOf(peers);
    feeds = java.util.List.copyOf(feeds);
  }

  /** Without scheduled feeds. */
  public Config(
      Server server,
      Storage storage,
      Rules rules,
      Ingest ingest,
      Detection detection,
      Notify notifications,
      java.util.List<Network> networks,
      java.util.List<Peer> peers) {
    this(
        server,
        storage,
        rules,
        ingest,
        detection,
        notifications,
        networks,
        peers,
        java.util.List.of());
  }

  /**
   * A feed refreshed on a schedule from {@code source}: an http(s) URL (its query may carry a key,
   * so it is a secret) or a local file.
   */
  public record Feed(
      String name,
      String format,
      Secret source,
      int confidence,
      java.time.Duration every,
      java.time.Duration timeout) {}

  /** Without federation peers. */
  public Config(
      Server server,
      Storage storage,
      Rules rules,
      Ingest ingest,
      Detection detection,
      Notify notifications,
      java.util.List<Network> networks) {
    this(
        server,
        storage,
        rules,
        ingest,
        detection,
        notifications,
        networks,
        java.util.List.of(),
        java.util.List.of());
  }

  /**
   * A federation peer: another TAXII 2.1 server (a Bulwark instance, OpenCTI…). {@code url} is its
   * discovery URL ({@code …/taxii2/}) or an API root; {@code token} is what this instance sends as
   * {@code Authorization: Bearer}; {@code organisation} is the local organisation that receives
   * what is pulled and whose own objects are pushed. The peer's objects are stored with the peer's
   * {@code name} as their producing organisation.
   */
  public record Peer(
      String name,
      String url,
      Secret token,
      String organisation,
      List<Link> pull,
      List<Link> push,
      java.time.Duration interval,
      java.time.Duration timeout) {
    public Peer {
      pull = List.copyOf(pull);
      push = List.copyOf(push);
    }
  }

  /** A remote collection (id or alias) and the local one it is pulled into or pushed from. */
  public record Link(String remote, String local) {}

  /**
   * An EVM network to watch for an organisation: its CAIP-2 id, the JSON-RPC URLs in failover order
   * (credentials: providers put API keys in them, so they are never printed whole) and the timeout
   * of one call, the chain id the node must report, how many blocks to stay behind the head, how
   * often to poll, where to start on the first run (empty: the current head), the native asset's
   * symbol, the catch-up batch and how many of its blocks to fetch at once, whether to read call
   * traces, the addresses to keep events for (lower case; empty: everything), and the USD prices of
   * its assets (keyed by lower-case token address, or {@code native}).
   */
  public record Network(
      String id,
      List<Secret> rpcUrls,
      Optional<Secret> ws,
      java.time.Duration rpcTimeout,
      long chainId,
      String organisation,
      int confirmations,
      java.time.Duration pollInterval,
      Optional<Long> startBlock,
      String nativeAsset,
      int batch,
      int concurrency,
      boolean traces,
      java.util.Set<String> watch,
      Map<String, Price> prices,
      Map<String, String> officialTokens) {}

  /**
   * Where an asset's USD price comes from: a fixed number ({@code usd}) or a Chainlink aggregator's
   * address ({@code feed}); exactly one is set.
   */
  public record Price(Double usd, String feed) {}

  /** The HTTP listener. */
  public record Server(String host, int port, long maxBodyBytes) {}

  /**
   * Where data lives: an H2 file database under {@code dataDir}, or the JDBC {@code url} when set
   * (PostgreSQL in production).
   */
  public record Storage(
      Path dataDir,
      Optional<String> url,
      Optional<String> user,
      Optional<Secret> password,
      int poolSize) {

    /** Never prints a password, not even one written into the URL. */
    @Override
    public String toString() {
      return "Storage[dataDir=%s, url=%s, user=%s, password=%s, poolSize=%d]"
          .formatted(
              dataDir,
              url.map(Storage::redact).orElse("(unset)"),
              user.orElse("(unset)"),
              password.map(p -> "****").orElse("(unset)"),
              poolSize);
    }

    /** The URL with any {@code password=} parameter masked. */
    public static String redact(String jdbcUrl) {
      return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }

    /** The JDBC URL to connect to. */
    public String jdbcUrl() {
      return url.orElseGet(() -> h2Url(dataDir));
    }

    /**
     * The H2 file database in a directory. AUTO_SERVER lets the CLI open the store while {@code
     * serve} holds it; WRITE_DELAY=0 writes every commit before it returns, so an acknowledged
     * event survives a {@code kill -9}.
     */
    public static String h2Url(Path dataDir) {
      return "jdbc:h2:file:"
          + dataDir.toAbsolutePath().normalize().resolve("bulwark")
          + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
    }
  }

  /**
   * Rule files (every {@code *.yml} / {@code *.yaml} under {@code dir}, if set), whether the
   * built-in detection pack runs too, and the settings of its detectors in code ({@code tuning:}:
   * detector id → setting → value).
   */
  public record Rules(Optional<Path> dir, boolean pack, Map<String, Map<String, Object>> tuning) {
    /** The directory's rules and, when {@code pack}, the built-in pack with its defaults. */
    public Rules(Optional<Path> dir, boolean pack) {
      this(dir, pack, Map.of());
    }

    /** Only the directory's rules (tests that want exactly their own). */
    public Rules(Optional<Path> dir) {
      this(dir, false);
    }
  }

  /**
   * How detection runs: over how many partitions (threads; alerts do not depend on it), and how
   * late an event may arrive and still count in windows.
   */
  public record Detection(int partitions, java.time.Duration allowedLateness) {
    /** The default: one partition per core, five minutes of lateness. */
    public static Detection defaults() {
      return new Detection(
          Runtime.getRuntime().availableProcessors(), java.time.Duration.ofMinutes(5));
    }
  }

  /**
   * How alerts are sent to notifiers: whether destinations may be on private networks (off by
   * default: a notifier must not reach into the server's own network), the first retry delay
   * (doubling, with jitter), the attempts before a delivery becomes a dead letter, and the
   * per-attempt timeout.
   */
  public record Notify(
      boolean allowPrivateNetworks,
      java.time.Duration retryBase,
      int maxAttempts,
      java.time.Duration timeout) {
    public static Notify defaults() {
      return new Notify(
          false, java.time.Duration.ofSeconds(1), 8, java.time.Duration.ofSeconds(10));
    }
  }

  /**
   * Limits on what one ingest request may carry, and how long it waits for detection to see its
   * batch before answering (after the durable commit; zero answers at once).
   */
  public record Ingest(int maxBatchEvents, java.time.Duration awaitDetection) {}
}
