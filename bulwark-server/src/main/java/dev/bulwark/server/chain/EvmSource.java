package dev.bulwark.server.chain;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.event.Event;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.ingest.IngestService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Reads an EVM chain block by block from a JSON-RPC node, in order and without gaps: decodes each
 * block into events, stores them (idempotently, so a replay is harmless), then advances the
 * network's checkpoint. After a restart or an outage it catches up from the checkpoint. With {@code
 * confirmations: N} it stays N blocks behind the head. A block whose parent hash differs from the
 * checkpoint's is a reorganisation: the events of the orphaned blocks, and the alerts they raised,
 * are marked retracted (kept, never deleted), and the canonical blocks are read from the last block
 * both forks share.
 */
public final class EvmSource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EvmSource.class);

  /** One watched network. */
  public record Network(
      String id,
      List<String> rpcUrls,
      Optional<String> wsUrl,
      Duration rpcTimeout,
      long chainId,
      int confirmations,
      Duration pollInterval,
      Optional<Long> startBlock,
      String nativeAsset,
      int batch,
      int concurrency,
      boolean traces,
      java.util.Set<String> watch,
      Map<String, dev.bulwark.server.config.Config.Price> prices) {}

  /** The source's view of a configured network (the RPC URLs revealed). */
  public static Network network(dev.bulwark.server.config.Config.Network n) {
    return new Network(
        n.id(),
        n.rpcUrls().stream().map(dev.bulwark.server.config.Secret::reveal).toList(),
        n.ws().map(dev.bulwark.server.config.Secret::reveal),
        n.rpcTimeout(),
        n.chainId(),
        n.confirmations(),
        n.pollInterval(),
        n.startBlock(),
        n.nativeAsset(),
        n.batch(),
        n.concurrency(),
        n.traces(),
        n.watch(),
        n.prices());
  }

  private final Network network;
  private final long orgId;
  private final RpcClient rpc;
  private final TokenMetadata tokens;
  private final Prices prices;
  private final Spenders spenders;
  private final java.util.concurrent.ExecutorService fetcher;
  private final TraceDecoder traceDecoder;
  private final Jdbi jdbi;
  private final IngestService ingest;
  private final Clock clock;
  private final EvmDecoder decoder;
  private final AtomicLong head = new AtomicLong(-1);
  private final AtomicLong done = new AtomicLong(-1);
  private final Counter reorgs;
  private ScheduledExecutorService timer;
  private volatile String lastError;
  private HeadSubscription heads;
  private final java.util.concurrent.atomic.AtomicBoolean woken =
      new java.util.concurrent.atomic.AtomicBoolean();

  public EvmSource(
      Network network,
      long orgId,
      Jdbi jdbi,
      IngestService ingest,
      Clock clock,
      MeterRegistry metrics) {
    this.network = network;
    this.orgId = orgId;
    this.rpc =
        new RpcClient(
            network.id(), network.rpcUrls(), network.rpcTimeout(), Duration.ofMillis(250), metrics);
    this.tokens = new TokenMetadata(rpc);
    this.prices = new Prices(network.id(), rpc, network.prices());
    this.spenders = new Spenders(rpc);
    this.fetcher =
        Executors.newFixedThreadPool(
            network.concurrency(),
            r -> {
              Thread t = new Thread(r, "bulwark-chain-fetch-" + network.id());
              t.setDaemon(true);
              return t;
            });
    this.traceDecoder = new TraceDecoder(network.id(), network.nativeAsset());
    this.jdbi = jdbi;
    this.ingest = ingest;
    this.clock = clock;
    this.decoder = new EvmDecoder(network.id(), network.nativeAsset());
    this.reorgs =
        Counter.builder("bulwark.chain.reorgs").tag("network", network.id()).register(metrics);
    Gauge.builder("bulwark.chain.lag", this, s -> Math.max(0, s.head.get() - s.done.get()))
        .tag("network", network.id())
        .baseUnit("blocks")
        .register(metrics);
    checkpoint().ifPresent(c -> done.set(c.block()));
  }

  /** The network's status: the node's head and the last block fully processed. */
  public record Status(String network, long head, long processed) {}

  public Status status() {
    return new Status(network.id(), head.get(), done.get());
  }

  /** Checks that the node serves the configured chain; a mismatch stops start-up. */
  public void verifyChainId() {
    long actual = rpc.send(Web3j::ethChainId).getChainId().longValueExact();
    if (actual != network.chainId()) {
      throw new BulwarkException(
          "network %s: the node at its RPC URL reports chain id %d, but %d is configured"
              .formatted(network.id(), actual, network.chainId()));
    }
  }

  /** Reads what is new, up to one batch of blocks; returns how many blocks were processed. */
  public synchronized int pollOnce() {
    long latest = rpc.send(Web3j::ethBlockNumber).getBlockNumber().longValueExact();
    head.set(latest);
    long target = latest - network.confirmations();
    Optional<Checkpoint> cp = checkpoint();
    long from = cp.map(c -> c.block() + 1).orElse(network.startBlock().orElse(target));
    int processed = 0;
    String previousHash = cp.map(Checkpoint::hash).orElse(null);
    long last = Math.min(target, from + network.batch() - 1);
    // blocks are fetched and decoded up to `concurrency` at a time, and stored strictly in order
    java.util.ArrayDeque<Future<Fetched>> ahead = new java.util.ArrayDeque<>();
    long next = from;
    try {
      for (long n = from; n <= last; n++) {
        while (next <= last && ahead.size() < network.concurrency()) {
          long k = next++;
          ahead.add(fetcher.submit(() -> fetch(k)));
        }
        Fetched fetched = await(ahead.poll());
        EthBlock.Block block = fetched.block();
        if (block == null) {
          break; // not there yet
        }
        if (previousHash != null && !previousHash.equalsIgnoreCase(block.getParentHash())) {
          reorgs.increment();
          long ancestor = commonAncestor(n - 1);
          LOG.warn(
              "network {}: reorganisation: block {} does not build on the processed block {}; retracting blocks {}..{}",
              network.id(),
              n,
              n - 1,
              ancestor + 1,
              n - 1);
          retract(ancestor + 1, n - 1);
          save(ancestor, storedHash(ancestor).orElse(""));
          done.set(ancestor);
          return processed; // the next poll reads the canonical blocks from the common ancestor on
        }
        List<Event> events = fetched.events();
        if (!events.isEmpty()) {
          ingest.store(orgId, events);
        }
        save(n, block.getHash());
        remember(n, block.getHash());
        previousHash = block.getHash();
        done.set(n);
        processed++;
      }
    } finally {
      ahead.forEach(f -> f.cancel(true));
    }
    return processed;
  }

  private record Fetched(EthBlock.Block block, List<Event> events) {}

  private Fetched fetch(long n) {
    BigInteger number = BigInteger.valueOf(n);
    EthBlock.Block block =
        rpc.send(w -> w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(number), true))
            .getBlock();
    return new Fetched(block, block == null ? List.of() : eventsOf(block));
  }

  private static Fetched await(Future<Fetched> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new BulwarkException(String.valueOf(e.getCause().getMessage()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BulwarkException("interrupted while reading blocks", e);
    }
  }

  /**
   * A block's events: transactions and logs, traces when enabled; with a watch list, only the
   * transactions that touch a watched address (all of their events).
   */
  private List<Event> eventsOf(EthBlock.Block block) {
    Map<String, TransactionReceipt> receipts = receipts(block);
    List<Event> events = new java.util.ArrayList<>(decoder.decode(block, receipts));
    if (network.traces() && !block.getTransactions().isEmpty()) {
      events.addAll(traces(block));
      // each transaction's trace right after its own logs, so a transaction reads as one run
      Map<String, Integer> position = new HashMap<>();
      for (EthBlock.TransactionResult<?> r : block.getTransactions()) {
        if (r.get() instanceof org.web3j.protocol.core.methods.response.Transaction tx) {
          position.put(tx.getHash().toLowerCase(Locale.ROOT), position.size());
        }
      }
      events.sort(
          java.util.Comparator.comparingInt(
              e ->
                  e.tx() == null
                      ? Integer.MAX_VALUE
                      : position.getOrDefault(e.tx().toLowerCase(Locale.ROOT), Integer.MAX_VALUE)));
    }
    if (!network.watch().isEmpty()) {
      // a transaction that touches a watched address is kept whole: a flash-loan exploit's profit,
      // or where drained funds went next, lies in the transfers that do not touch it
      java.util.Set<String> kept = new java.util.HashSet<>();
      for (Event e : events) {
        if (e.tx() != null && watched(e)) {
          kept.add(e.tx());
        }
      }
      List<Event> keep = new java.util.ArrayList<>(events.size());
      for (Event e : events) {
        if (watched(e)) {
          keep.add(e.withAttr("watched", side(e)));
        } else if (e.tx() != null && kept.contains(e.tx()) || preparation(e)) {
          keep.add(e.withAttr("watched", "none")); // context: detections of our own skip it
        }
      }
      events = keep;
    }
    List<Event> out =
        withBalances(withSpenderKinds(withCodeHashes(withDecimals(events), block), block), block);
    if (!network.prices().isEmpty()) {
      Instant time = Instant.ofEpochSecond(block.getTimestamp().longValueExact());
      out = out.stream().map(e -> prices.priced(e, block.getNumber(), time)).toList();
    }
    return withTxEnds(out);
  }

  /**
   * Marks the last event of each transaction ({@code tx_end}), so a detection that judges whole
   * transactions (flash loans) can do so at once instead of waiting for the next one — which a
   * sparse watch list may not bring for hours.
   */
  private static List<Event> withTxEnds(List<Event> events) {
    List<Event> out = new java.util.ArrayList<>(events);
    for (int i = 0; i < out.size(); i++) {
      String tx = out.get(i).tx();
      boolean last = i + 1 == out.size() || tx == null || !tx.equals(out.get(i + 1).tx());
      if (tx != null && last) {
        out.set(i, out.get(i).withAttr("tx_end", true));
      }
    }
    return out;
  }

  /**
   * Adds {@code code_hash} (Keccak-256 of the runtime code, as {@code eth_getCode} returns it at
   * the block) to contract creations that lack it, so that intel on known malicious bytecode
   * matches a redeployment at a new address. A contract that self-destructed in its creation block
   * has no code: no hash.
   */
  private List<Event> withCodeHashes(List<Event> events, EthBlock.Block block) {
    List<Event> out = null;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      if (!e.type().equals("chain.contract_created")
          || e.attrs().containsKey("code_hash")
          || e.to() == null) {
        continue;
      }
      String code =
          rpc.send(
                  w ->
                      w.ethGetCode(
                          e.to(),
                          org.web3j.protocol.core.DefaultBlockParameter.valueOf(block.getNumber())))
              .getCode();
      if (code != null && code.length() > 2) {
        if (out == null) {
          out = new java.util.ArrayList<>(events);
        }
        out.set(
            i,
            e.withAttr(
                "code_hash", org.web3j.crypto.Hash.sha3(code.toLowerCase(java.util.Locale.ROOT))));
      }
    }
    return out == null ? events : out;
  }

  /**
   * Adds {@code spender_kind} ({@code eoa}, {@code fresh_contract}, {@code contract}) to approvals
   * and permits that grant something, for approval-phishing severity.
   */
  private List<Event> withSpenderKinds(List<Event> events, EthBlock.Block block) {
    List<Event> out = null;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      if (!e.type().equals("chain.approval")
          || e.to() == null
          || Boolean.FALSE.equals(e.attrs().get("approved"))
          || e.amount() != null && e.amount().signum() == 0 && !e.attrs().containsKey("approved")) {
        continue;
      }
      Optional<String> kind = spenders.kind(e.to(), block.getNumber());
      if (kind.isPresent()) {
        if (out == null) {
          out = new java.util.ArrayList<>(events);
        }
        out.set(i, e.withAttr("spender_kind", kind.get()));
      }
    }
    return out == null ? events : out;
  }

  /**
   * With a watch list, adds {@code sender_balance_after} (raw units, at the end of the block) to
   * native and ERC-20 transfers sent by a watched wallet, so that a drained wallet is visible (key
   * compromise). One call per sender and asset per block; none without a watch list.
   */
  private List<Event> withBalances(List<Event> events, EthBlock.Block block) {
    if (network.watch().isEmpty()) {
      return events;
    }
    Map<String, Optional<BigInteger>> balances = new HashMap<>();
    List<Event> out = null;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      Object side = e.attrs().get("watched");
      Object standard = e.attrs().get("standard");
      if (!e.type().equals("chain.transfer")
          || !("from".equals(side) || "both".equals(side))
          || !("native".equals(standard) || "erc20".equals(standard))
          || e.from() == null
          || e.asset() == null) {
        continue;
      }
      boolean coin = "native".equals(standard);
      Optional<BigInteger> balance =
          balances.computeIfAbsent(
              e.from().toLowerCase(Locale.ROOT) + "|" + (coin ? "" : e.asset()),
              k -> balance(e.from(), coin ? null : e.asset(), block.getNumber()));
      if (balance.isPresent()) {
        if (out == null) {
          out = new java.util.ArrayList<>(events);
        }
        out.set(i, e.withAttr("sender_balance_after", balance.get().toString()));
      }
    }
    return out == null ? events : out;
  }

  /** The native balance, or the token's {@code balanceOf}, at the block; empty if unanswered. */
  private Optional<BigInteger> balance(String holder, String token, BigInteger block) {
    try {
      if (token == null) {
        return Optional.of(
            rpc.send(w -> w.ethGetBalance(holder, DefaultBlockParameter.valueOf(block)))
                .getBalance());
      }
      String data = "0x70a08231" + "0".repeat(24) + holder.substring(2).toLowerCase(Locale.ROOT);
      var call =
          rpc.call(
              w ->
                  w.ethCall(
                      org.web3j.protocol.core.methods.request.Transaction.createEthCallTransaction(
                          null, token, data),
                      DefaultBlockParameter.valueOf(block)));
      String value = call.hasError() ? null : call.getValue();
      return value == null || value.length() != 66
          ? Optional.empty()
          : Optional.of(new BigInteger(value.substring(2), 16));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Progress of a backfill: the block just stored and how many events so far. */
  public interface Progress {
    void block(long number, long events);
  }

  /**
   * Reads blocks {@code from..to} again and stores their events — for history before the start
   * block, or a range a node served wrongly. The checkpoint is not touched, and event ids are
   * deterministic, so blocks already processed store nothing twice. Returns the number of events
   * read. A block beyond the node's head is an error naming the head.
   */
  public long backfill(long from, long to, Progress progress) {
    if (from < 0 || to < from) {
      throw new BulwarkException(
          "network %s: backfill needs 0 <= from <= to, got %d..%d"
              .formatted(network.id(), from, to));
    }
    long latest = rpc.send(Web3j::ethBlockNumber).getBlockNumber().longValueExact();
    if (to > latest) {
      throw new BulwarkException(
          "network %s: block %d is beyond the node's head %d; backfill up to %d at most"
              .formatted(network.id(), to, latest, latest));
    }
    long total = 0;
    for (long n = from; n <= to; n++) {
      BigInteger number = BigInteger.valueOf(n);
      EthBlock.Block block =
          rpc.send(w -> w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(number), true))
              .getBlock();
      if (block == null) {
        throw new BulwarkException(
            "network %s: the node has no block %d".formatted(network.id(), n));
      }
      List<Event> events = eventsOf(block);
      if (!events.isEmpty()) {
        ingest.store(orgId, events);
      }
      total += events.size();
      progress.block(n, total);
    }
    return total;
  }

  /**
   * Whether an event touches a watched address: as sender, recipient, token, or the contract that
   * emitted the log.
   */
  private boolean watched(Event e) {
    return matches(e.from())
        || matches(e.to())
        || matches(e.asset())
        || (e.attrs() != null
            && (matches(e.attrs().get("contract")) || matches(e.attrs().get("token"))));
  }

  /**
   * Events kept whatever the watch list says, as context: contract creations and mixer withdrawals,
   * the preparation of an attack that only later reaches a watched address (the mixer-funded and
   * fresh deployers, the young tokens of rug pulls). They are few.
   */
  private static boolean preparation(Event e) {
    return e.type().equals("chain.contract_created")
        || e.type().equals("chain.log") && "tornado_withdrawal".equals(e.attrs().get("kind"));
  }

  /**
   * Which side of a watched event is watched: {@code from}, {@code to}, {@code both}, or {@code
   * other} (the token or the emitting contract) — so that an outflow rule reads only transfers out
   * of a watched wallet, not those into it.
   */
  private String side(Event e) {
    boolean from = matches(e.from());
    boolean to = matches(e.to());
    return from && to ? "both" : from ? "from" : to ? "to" : "other";
  }

  private boolean matches(Object address) {
    return address instanceof String a && network.watch().contains(a.toLowerCase(Locale.ROOT));
  }

  /** The callTracer's frames for a block, as {@code chain.call} and internal transfer events. */
  private List<Event> traces(EthBlock.Block block) {
    JsonNodeResponse r =
        rpc.sendRaw(
            service ->
                new org.web3j.protocol.core.Request<>(
                    "debug_traceBlockByHash",
                    List.of(block.getHash(), Map.of("tracer", "callTracer")),
                    service,
                    JsonNodeResponse.class));
    List<String> bases = new java.util.ArrayList<>();
    List<String> hashes = new java.util.ArrayList<>();
    String prefix = block.getHash().substring(2, 10).toLowerCase(java.util.Locale.ROOT);
    for (EthBlock.TransactionResult<?> t : block.getTransactions()) {
      org.web3j.protocol.core.methods.response.Transaction tx =
          (org.web3j.protocol.core.methods.response.Transaction) t.get();
      bases.add(
          "%s:%d:%s:%d"
              .formatted(network.id(), block.getNumber(), prefix, tx.getTransactionIndex()));
      hashes.add(tx.getHash());
    }
    List<Event> events =
        traceDecoder.decode(
            r.getResult(),
            bases,
            hashes,
            block.getNumber().longValueExact(),
            java.time.Instant.ofEpochSecond(block.getTimestamp().longValueExact()));
    return withCreationNonces(events, block.getNumber());
  }

  /**
   * Contracts created by contracts: the creator's nonce at each creation, which traces do not
   * carry. It is the creator's nonce before the block (one {@code eth_getTransactionCount} per
   * creating contract, and creations are rare) plus the creations it made earlier in the block, in
   * execution order. Creations the tracer saw fail are not events, so a failed inner creation that
   * still used up a nonce makes the later ones of that creator in the block one too low.
   */
  private List<Event> withCreationNonces(List<Event> events, BigInteger block) {
    Map<String, Long> next = new HashMap<>();
    List<Event> out = new java.util.ArrayList<>(events.size());
    for (Event e : events) {
      if (!e.type().equals("chain.contract_created") || e.from() == null) {
        out.add(e);
        continue;
      }
      String creator = e.from();
      long nonce =
          next.computeIfAbsent(
              creator,
              c ->
                  rpc.send(
                          w ->
                              w.ethGetTransactionCount(
                                  c, DefaultBlockParameter.valueOf(block.subtract(BigInteger.ONE))))
                      .getTransactionCount()
                      .longValueExact());
      next.put(creator, nonce + 1);
      out.add(e.withAttr("nonce", nonce));
    }
    return out;
  }

  /** ERC-20 amounts with the token's decimals and symbol, when the token tells them. */
  private List<Event> withDecimals(List<Event> events) {
    List<Event> out = new java.util.ArrayList<>(events.size());
    for (Event e : events) {
      if ("erc20".equals(e.attrs().get("standard"))
          && e.asset() != null
          && !e.attrs().containsKey("decimals")) {
        var meta = tokens.of(e.asset());
        Event withMeta = e;
        if (meta.isPresent() && meta.get().decimals().isPresent()) {
          withMeta = withMeta.withAttr("decimals", (long) meta.get().decimals().get());
        }
        if (meta.isPresent() && meta.get().symbol().isPresent()) {
          withMeta = withMeta.withAttr("symbol", meta.get().symbol().get());
        }
        out.add(withMeta);
      } else {
        out.add(e);
      }
    }
    return out;
  }

  /** A JSON-RPC answer kept as a JSON tree. */
  public static final class JsonNodeResponse
      extends Response<com.fasterxml.jackson.databind.JsonNode> {}

  private Map<String, TransactionReceipt> receipts(EthBlock.Block block) {
    Map<String, TransactionReceipt> out = new HashMap<>();
    if (block.getTransactions().isEmpty()) {
      return out;
    }
    // by hash, not number: a reorganisation between the two calls cannot mix two blocks
    var all =
        rpc.sendRaw(
                service ->
                    new org.web3j.protocol.core.Request<>(
                        "eth_getBlockReceipts",
                        List.of(block.getHash()),
                        service,
                        org.web3j.protocol.core.methods.response.EthGetBlockReceipts.class))
            .getBlockReceipts();
    all.ifPresent(list -> list.forEach(r -> out.put(r.getTransactionHash(), r)));
    return out;
  }

  private static final int HISTORY = 256;

  /**
   * The newest processed block that the node still has, searched back through the stored hashes.
   */
  private long commonAncestor(long from) {
    for (long k = from; k >= 0 && k > from - HISTORY; k--) {
      BigInteger number = BigInteger.valueOf(k);
      Optional<String> stored = storedHash(k);
      if (stored.isEmpty()) {
        return k; // beyond what we remember: assume it holds
      }
      EthBlock.Block canonical =
          rpc.send(w -> w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(number), false))
              .getBlock();
      if (canonical != null && canonical.getHash().equalsIgnoreCase(stored.get())) {
        return k;
      }
    }
    throw new BulwarkException(
        "network %s: a reorganisation deeper than %d blocks; raise confirmations"
            .formatted(network.id(), HISTORY));
  }

  /**
   * Marks the events of orphaned blocks, and the alerts they raised, as retracted — kept for the
   * record, not deleted — in one transaction.
   */
  private void retract(long first, long last) {
    var now = Database.utc(clock.instant());
    jdbi.useTransaction(
        h -> {
          for (long b = first; b <= last; b++) {
            String prefix = network.id() + ":" + b + ":";
            List<String> ids =
                h.createQuery(
                        "SELECT event_id FROM events WHERE org_id = :org AND event_id LIKE :p AND retracted_at IS NULL")
                    .bind("org", orgId)
                    .bind("p", prefix + "%")
                    .mapTo(String.class)
                    .list();
            h.createUpdate(
                    "UPDATE events SET retracted_at = :now WHERE org_id = :org AND event_id LIKE :p")
                .bind("now", now)
                .bind("org", orgId)
                .bind("p", prefix + "%")
                .execute();
            for (String id : ids) {
              h.createUpdate(
                      "UPDATE alerts SET retracted_at = :now WHERE org_id = :org AND retracted_at IS NULL AND body LIKE :needle")
                  .bind("now", now)
                  .bind("org", orgId)
                  .bind("needle", "%\"" + id + "\"%")
                  .execute();
            }
            h.createUpdate("DELETE FROM chain_blocks WHERE network = :n AND number = :b")
                .bind("n", network.id())
                .bind("b", b)
                .execute();
          }
        });
  }

  private void remember(long block, String hash) {
    jdbi.useHandle(
        h -> {
          h.createUpdate(
                  "DELETE FROM chain_blocks WHERE network = :n AND (number = :b OR number <= :old)")
              .bind("n", network.id())
              .bind("b", block)
              .bind("old", block - HISTORY)
              .execute();
          h.createUpdate("INSERT INTO chain_blocks (network, number, hash) VALUES (:n, :b, :h)")
              .bind("n", network.id())
              .bind("b", block)
              .bind("h", hash)
              .execute();
        });
  }

  private Optional<String> storedHash(long block) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT hash FROM chain_blocks WHERE network = :n AND number = :b")
                .bind("n", network.id())
                .bind("b", block)
                .mapTo(String.class)
                .findOne());
  }

  private record Checkpoint(long block, String hash) {}

  private Optional<Checkpoint> checkpoint() {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT last_block, last_hash FROM chain_checkpoints WHERE network = :n")
                .bind("n", network.id())
                .map((rs, ctx) -> new Checkpoint(rs.getLong(1), rs.getString(2)))
                .findOne());
  }

  private void save(long block, String hash) {
    jdbi.useHandle(
        h -> {
          var now = Database.utc(clock.instant());
          int updated =
              h.createUpdate(
                      "UPDATE chain_checkpoints SET last_block = :b, last_hash = :h, updated_at = :now WHERE network = :n")
                  .bind("b", block)
                  .bind("h", hash)
                  .bind("now", now)
                  .bind("n", network.id())
                  .execute();
          if (updated == 0) {
            h.createUpdate(
                    "INSERT INTO chain_checkpoints (network, last_block, last_hash, updated_at) VALUES (:n, :b, :h, :now)")
                .bind("b", block)
                .bind("h", hash)
                .bind("now", now)
                .bind("n", network.id())
                .execute();
          }
        });
  }

  /**
   * Polls in the background until closed; a failing node is retried at the next interval. With a
   * WebSocket URL, a new head also triggers a poll at once.
   */
  public void start() {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bulwark-chain-" + network.id());
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::pollSafely, 0, network.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    network
        .wsUrl()
        .ifPresent(
            url -> {
              heads = new HeadSubscription(network.id(), url, this::wake);
              heads.start();
            });
  }

  /** Whether a new-heads subscription is configured and established. */
  boolean subscribedToHeads() {
    return heads != null && heads.connected();
  }

  /** Polls soon on the source's own thread; heads arriving meanwhile share that one poll. */
  private void wake() {
    if (woken.compareAndSet(false, true)) {
      try {
        timer.execute(
            () -> {
              woken.set(false);
              pollSafely();
            });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  private void pollSafely() {
    try {
      while (pollOnce() == network.batch()) {
        // catching up: go on at once
      }
      if (lastError != null) {
        LOG.info("network {}: reading blocks again", network.id());
        lastError = null;
      }
    } catch (RuntimeException e) {
      // the same failure every interval is logged once; the failure counters keep counting
      if (!String.valueOf(e.getMessage()).equals(lastError)) {
        LOG.warn("{}; retrying every {}", e.getMessage(), network.pollInterval());
        lastError = String.valueOf(e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    if (heads != null) {
      heads.close();
    }
    if (timer != null) {
      timer.shutdownNow();
    }
    fetcher.shutdownNow();
    rpc.close();
  }
}
