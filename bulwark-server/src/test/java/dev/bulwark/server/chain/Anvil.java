package dev.bulwark.server.chain;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;

/**
 * A real anvil node for tests, from the npm package the build installs into {@code
 * target/chain-tools}; its state goes to a temporary directory that is deleted afterwards.
 */
public final class Anvil implements AutoCloseable {
  /** Where the build installs the npm tools, relative to {@code bulwark-server}. */
  public static final Path TOOLS = Path.of("target", "chain-tools", "node_modules", ".bin");

  private final Process process;
  private final Path cache;
  public final String url;
  public final Web3j web3j;

  public Anvil() throws IOException, InterruptedException {
    this(TOOLS);
  }

  /**
   * An anvil that reports {@code chainId}: 1 makes it pass for Ethereum mainnet where a detection
   * knows mainnet's official contracts.
   */
  public static Anvil withChainId(long chainId) throws IOException, InterruptedException {
    return new Anvil(TOOLS, "--chain-id", Long.toString(chainId));
  }

  /** An anvil from the npm {@code .bin} directory {@code tools}, with extra arguments. */
  public Anvil(Path tools, String... extra) throws IOException, InterruptedException {
    Path binary = tools.resolve("anvil");
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "anvil is missing at "
              + binary.toAbsolutePath()
              + "; the build installs it (npm install @foundry-rs/anvil@1.7.1) — run ./mvnw verify");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    cache = Files.createTempDirectory("anvil-cache");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                binary.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--cache-path",
                cache.toString(),
                "--silent"));
    command.addAll(List.of(extra));
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    url = "http://127.0.0.1:" + port;
    web3j = Web3j.build(new HttpService(url));
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (true) {
      try {
        web3j.ethBlockNumber().send();
        break;
      } catch (IOException notYet) {
        if (Instant.now().isAfter(deadline) || !process.isAlive()) {
          close();
          throw new IllegalStateException("anvil did not start on port " + port);
        }
        Thread.sleep(50);
      }
    }
  }

  public List<String> accounts() throws IOException {
    return web3j.ethAccounts().send().getAccounts();
  }

  /**
   * Compiles {@code file} (from {@code src/test/resources/contracts}) with solc-js in {@code dir}
   * and returns the creation bytecode of {@code contract}, hex with 0x.
   */
  public static String compile(Path dir, String file, String contract)
      throws IOException, InterruptedException {
    Path out = dir.resolve("solc-" + file.replace(".sol", ""));
    if (!Files.isDirectory(out)) {
      Files.createDirectories(out);
      Path source = dir.resolve(file);
      if (!Files.exists(source)) {
        Files.copy(Path.of("src/test/resources/contracts/" + file), source);
      }
      Process p =
          new ProcessBuilder(
                  TOOLS.resolve("solcjs").toAbsolutePath().toString(),
                  "--bin",
                  "--optimize",
                  "-o",
                  out.toString(),
                  source.toString())
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .start();
      String log = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
        Files.walk(out).sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        throw new IllegalStateException("solcjs failed on " + file + ":\n" + log);
      }
    }
    try (Stream<Path> files = Files.list(out)) {
      Path bin =
          files
              .filter(f -> f.getFileName().toString().endsWith("_" + contract + ".bin"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException(file + " has no contract " + contract));
      return "0x" + Files.readString(bin).trim();
    }
  }

  /**
   * Lets transactions be sent from {@code address} without its key, with 100 ETH to pay for them
   * ({@code anvil_impersonateAccount}, {@code anvil_setBalance}): an attacker's vanity address.
   */
  public void impersonate(String address) throws IOException {
    for (var request :
        List.of(
            new org.web3j.protocol.core.Request<>(
                "anvil_impersonateAccount",
                List.of(address),
                new HttpService(url),
                org.web3j.protocol.core.methods.response.VoidResponse.class),
            new org.web3j.protocol.core.Request<>(
                "anvil_setBalance",
                List.of(address, "0x56bc75e2d63100000"),
                new HttpService(url),
                org.web3j.protocol.core.methods.response.VoidResponse.class))) {
      var response = request.send();
      if (response.hasError()) {
        throw new IOException(request.getMethod() + ": " + response.getError().getMessage());
      }
    }
  }

  /**
   * Sends {@code tx} and waits for its receipt. Anvil's automine can put two transactions sent in
   * quick succession into one block; waiting for each receipt keeps one transaction per block,
   * which tests that count blocks rely on.
   */
  public TransactionReceipt mine(Transaction tx) throws IOException {
    EthSendTransaction sent = web3j.ethSendTransaction(tx).send();
    if (sent.hasError() || sent.getTransactionHash() == null) {
      throw new IOException(
          "anvil refused the transaction: "
              + (sent.hasError() ? sent.getError().getMessage() : "no hash"));
    }
    Instant deadline = Instant.now().plusSeconds(30);
    while (true) {
      Optional<TransactionReceipt> receipt =
          web3j.ethGetTransactionReceipt(sent.getTransactionHash()).send().getTransactionReceipt();
      if (receipt.isPresent()) {
        return receipt.get();
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IOException(
            "transaction " + sent.getTransactionHash() + " was not mined in 30 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }

  @Override
  public void close() {
    web3j.shutdown();
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> walk = Files.walk(cache)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory; the OS cleans it eventually
    }
  }
}
