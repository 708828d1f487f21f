package dev.bulwark.bench;

import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.chain.Anvil;
import dev.bulwark.server.chain.EvmSource;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.db.TestDatabases;
import dev.bulwark.server.ingest.EventStore;
import dev.bulwark.server.ingest.IngestService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * The EVM source against a real local anvil node: how long a block of 200 transactions takes from
 * being available on the node to its events being stored ({@code blockToEvents}), and how many
 * blocks per second a source that fell behind catches up ({@code catchUp}), with and without call
 * traces. Needs the npm tools the server build installs ({@code ./mvnw verify} once, or {@code
 * -Dbulwark.chainTools=<dir with anvil>}).
 */
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 20)
public class ChainBenchmark {
  static final int TXS_PER_BLOCK = 200;
  static final int HISTORY_BLOCKS = 100;
  static final int HISTORY_TXS = 20;

  static Path tools() {
    return Path.of(
        System.getProperty(
            "bulwark.chainTools", "bulwark-server/target/chain-tools/node_modules/.bin"));
  }

  /** A node with manual mining, a fresh H2 database and a source reading from it. */
  public abstract static class Node {
    Anvil anvil;
    Path dir;
    Database db;
    EvmSource source;
    List<String> accounts;
    long first;
    private HttpService http;
    private int sent;

    abstract boolean traces();

    void open() throws Exception {
      dir = Files.createTempDirectory("bulwark-chain-bench");
      anvil = new Anvil(tools());
      http = new HttpService(anvil.url);
      accounts = anvil.accounts();
      rpc("evm_setAutomine", false);
      db = Database.open(TestDatabases.h2(dir.resolve("data")));
      first = anvil.web3j.ethBlockNumber().send().getBlockNumber().longValueExact() + 1;
    }

    EvmSource newSource() {
      Clock clock = Clock.systemUTC();
      long org = new TokenStore(db.jdbi(), clock).organisation("bench").id();
      IngestService ingest =
          new IngestService(
              100_000, new EventStore(db.jdbi(), clock), new SimpleMeterRegistry(), () -> {});
      return new EvmSource(
          new EvmSource.Network(
              "eip155:31337",
              List.of(anvil.url),
              Optional.empty(),
              Duration.ofSeconds(30),
              31337,
              0,
              Duration.ofSeconds(1),
              Optional.of(first),
              "ETH",
              100,
              4,
              traces(),
              Set.of(),
              java.util.Map.of()),
          org,
          db.jdbi(),
          ingest,
          clock,
          new SimpleMeterRegistry());
    }

    /** Mines one block of {@code txs} native transfers between the ten default accounts. */
    void mine(int txs) throws IOException {
      for (int i = 0; i < txs; i++) {
        int k = sent++;
        String hash =
            anvil
                .web3j
                .ethSendTransaction(
                    new Transaction(
                        accounts.get(k % 10),
                        null,
                        null,
                        BigInteger.valueOf(21_000),
                        accounts.get((k % 10 + 1 + (k / 10) % 9) % 10), // never the sender
                        BigInteger.valueOf(1_000 + k),
                        null))
                .send()
                .getTransactionHash();
        if (hash == null) {
          throw new IllegalStateException("anvil refused a transaction");
        }
      }
      rpc("evm_mine");
    }

    private void rpc(String method, Object... params) throws IOException {
      VoidResponse r = new Request<>(method, List.of(params), http, VoidResponse.class).send();
      if (r.hasError()) {
        throw new IOException(method + ": " + r.getError().getMessage());
      }
    }

    void close() throws IOException {
      if (source != null) {
        source.close();
      }
      db.close();
      anvil.close();
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** A source at the head; before each invocation one new block of 200 transactions is mined. */
  @State(Scope.Benchmark)
  public static class Live extends Node {
    @Param({"false", "true"})
    public boolean traces;

    @Override
    boolean traces() {
      return traces;
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
      open();
      source = newSource();
    }

    @Setup(Level.Invocation)
    public void newBlock() throws IOException {
      mine(TXS_PER_BLOCK);
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
      close();
    }
  }

  /** 100 blocks of 20 transactions; before each invocation the source starts over. */
  @State(Scope.Benchmark)
  public static class History extends Node {
    @Param({"false", "true"})
    public boolean traces;

    @Override
    boolean traces() {
      return traces;
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
      open();
      for (int b = 0; b < HISTORY_BLOCKS; b++) {
        mine(HISTORY_TXS);
      }
    }

    @Setup(Level.Invocation)
    public void rewind() {
      if (source != null) {
        source.close();
      }
      db.jdbi()
          .useHandle(
              h -> {
                h.execute("DELETE FROM events");
                h.execute("DELETE FROM chain_checkpoints");
                h.execute("DELETE FROM chain_blocks");
              });
      source = newSource();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
      close();
    }
  }

  /** Fetch, decode and store one block of 200 transactions that the node already has. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public int blockToEvents(Live live) {
    int n = live.source.pollOnce();
    if (n != 1) {
      throw new IllegalStateException("expected one new block, read " + n);
    }
    return n;
  }

  /** Read 100 blocks of history (one operation per block). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(HISTORY_BLOCKS)
  public int catchUp(History history) {
    int total = 0;
    int n;
    while ((n = history.source.pollOnce()) > 0) {
      total += n;
    }
    if (total != HISTORY_BLOCKS) {
      throw new IllegalStateException("expected " + HISTORY_BLOCKS + " blocks, read " + total);
    }
    return total;
  }
}
