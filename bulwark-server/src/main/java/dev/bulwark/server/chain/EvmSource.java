package dev.bulwark.server.chain;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.event.Event;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.ingest.IngestService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
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
import org.web3j.protocol.http.HttpService;

/**
 * Reads an EVM chain block by block from a JSON-RPC node, in order and without gaps: decodes each
 * block into events, stores them (idempotently, so a replay is harmless), then advances the
 * network's checkpoint. After a restart or an outage it catches up from the checkpoint. With {@code
 * confirmations: N} it stays N blocks behind the head. A block whose parent hash differs from the
 * checkpoint's is a reorganisation: it is counted and reported.
 */
public final class EvmSource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EvmSource.class);

  /** One watched network. */
  public record Network(
      String id,
      String rpcUrl,
      long chainId,
      int confirmations,
      Duration pollInterval,
      Optional<Long> startBlock,
      String nativeAsset,
      int batch) {}

  private final Network network;
  private final long orgId;
  private final Web3j web3j;
  private final Jdbi jdbi;
  private final IngestService ingest;
  private final Clock clock;
  private final EvmDecoder decoder;
  private final AtomicLong head = new AtomicLong(-1);
  private final AtomicLong done = new AtomicLong(-1);
  private final Counter reorgs;
  private ScheduledExecutorService timer;

  public EvmSource(
      Network network,
      long orgId,
      Jdbi jdbi,
      IngestService ingest,
      Clock clock,
      MeterRegistry metrics) {
    this.network = network;
    this.orgId = orgId;
    this.web3j = Web3j.build(new HttpService(network.rpcUrl()));
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
    long actual = send(web3j.ethChainId()).getChainId().longValueExact();
    if (actual != network.chainId()) {
      throw new BulwarkException(
          "network %s: the node at its RPC URL reports chain id %d, but %d is configured"
              .formatted(network.id(), actual, network.chainId()));
    }
  }

  /** Reads what is new, up to one batch of blocks; returns how many blocks were processed. */
  public synchronized int pollOnce() {
    long latest = send(web3j.ethBlockNumber()).getBlockNumber().longValueExact();
    head.set(latest);
    long target = latest - network.confirmations();
    Optional<Checkpoint> cp = checkpoint();
    long from = cp.map(c -> c.block() + 1).orElse(network.startBlock().orElse(target));
    int processed = 0;
    String previousHash = cp.map(Checkpoint::hash).orElse(null);
    for (long n = from; n <= target && processed < network.batch(); n++) {
      EthBlock.Block block =
          send(web3j.ethGetBlockByNumber(
                  DefaultBlockParameter.valueOf(BigInteger.valueOf(n)), true))
              .getBlock();
      if (block == null) {
        break; // not there yet
      }
      if (previousHash != null && !previousHash.equalsIgnoreCase(block.getParentHash())) {
        reorgs.increment();
        LOG.warn(
            "network {}: block {} does not build on the processed block {} (a reorganisation)",
            network.id(),
            n,
            n - 1);
      }
      Map<String, TransactionReceipt> receipts = receipts(block);
      List<Event> events = decoder.decode(block, receipts);
      if (!events.isEmpty()) {
        ingest.store(orgId, events);
      }
      save(n, block.getHash());
      previousHash = block.getHash();
      done.set(n);
      processed++;
    }
    return processed;
  }

  private Map<String, TransactionReceipt> receipts(EthBlock.Block block) {
    Map<String, TransactionReceipt> out = new HashMap<>();
    if (block.getTransactions().isEmpty()) {
      return out;
    }
    var all =
        send(web3j.ethGetBlockReceipts(DefaultBlockParameter.valueOf(block.getNumber())))
            .getBlockReceipts();
    all.ifPresent(list -> list.forEach(r -> out.put(r.getTransactionHash(), r)));
    return out;
  }

  private <T extends Response<?>> T send(org.web3j.protocol.core.Request<?, T> request) {
    try {
      T response = request.send();
      if (response.hasError()) {
        throw new BulwarkException(
            "network %s: JSON-RPC error %d: %s"
                .formatted(
                    network.id(), response.getError().getCode(), response.getError().getMessage()));
      }
      return response;
    } catch (IOException e) {
      throw new BulwarkException(
          "network %s: the node did not answer: %s".formatted(network.id(), e.getMessage()), e);
    }
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

  /** Polls in the background until closed; a failing node is retried at the next interval. */
  public void start() {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bulwark-chain-" + network.id());
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            while (pollOnce() == network.batch()) {
              // catching up: go on at once
            }
          } catch (RuntimeException e) {
            LOG.warn("{}", e.getMessage());
          }
        },
        0,
        network.pollInterval().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    web3j.shutdown();
  }
}
