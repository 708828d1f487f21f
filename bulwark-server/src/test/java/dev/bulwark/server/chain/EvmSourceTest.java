package dev.bulwark.server.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.event.Address;
import dev.bulwark.engine.event.Event;
import dev.bulwark.server.alert.AlertStore;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.db.TestDatabases;
import dev.bulwark.server.ingest.EventStore;
import dev.bulwark.server.ingest.IngestService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.ContractUtils;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** The EVM source against a real anvil node and a contract compiled with solc-js. */
final class EvmSourceTest {
  private static final BigInteger ONE_AND_A_HALF_ETH = new BigInteger("1500000000000000000");

  @TempDir Path dir;
  private Anvil anvil;
  private Database db;
  private EventStore events;
  private IngestService ingest;
  private long org;
  private List<String> accounts;

  /** Blocks fetched at once; 4 unless a test needs a deterministic order of RPC calls. */
  private int concurrency = 4;

  @BeforeEach
  void start() throws Exception {
    anvil = new Anvil();
    accounts = anvil.accounts();
    db = Database.open(TestDatabases.h2(dir.resolve("data")));
    events = new EventStore(db.jdbi(), Clock.systemUTC());
    ingest = new IngestService(1000, events, new SimpleMeterRegistry(), () -> {});
    org = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation("acme").id();
  }

  @AfterEach
  void stop() {
    db.close();
    anvil.close();
  }

  private EvmSource source(long chainId) {
    return source(chainId, List.of(anvil.url), 1000, Set.of(), new SimpleMeterRegistry());
  }

  private EvmSource source(
      long chainId, List<String> urls, int batch, Set<String> watch, MeterRegistry metrics) {
    return new EvmSource(
        new EvmSource.Network(
            "eip155:31337",
            urls,
            Optional.empty(),
            Duration.ofMillis(700),
            chainId,
            0,
            Duration.ofSeconds(1),
            Optional.of(0L),
            "ETH",
            batch,
            concurrency,
            true,
            watch,
            java.util.Map.of()),
        org,
        db.jdbi(),
        ingest,
        Clock.systemUTC(),
        metrics);
  }

  private static double failures(MeterRegistry metrics, String reason) {
    return metrics
        .counter("bulwark.chain.rpc.failures", "network", "eip155:31337", "reason", reason)
        .count();
  }

  private static String closedPort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort() + "/v3/another-key";
    }
  }

  private List<Event> nativeTransfers() {
    return stored().stream()
        .filter(
            e ->
                e.type().equals("chain.transfer")
                    && !Boolean.TRUE.equals(e.attrs().get("internal")))
        .toList();
  }

  @Test
  void rpcFaultsAreRetriedOnTheNextUrlAndCountedAndNoBlockIsMissed() throws Exception {
    for (int i = 0; i < 3; i++) {
      send(accounts.get(0), accounts.get(1), BigInteger.valueOf(7 + i), null);
    }
    MeterRegistry metrics = new SimpleMeterRegistry();
    concurrency = 1; // the scripted faults meet the calls in a known order
    try (FaultyRpc proxy = new FaultyRpc(anvil.url)) {
      // one fault of each kind, each followed by a good answer, so every call succeeds in the end
      proxy.script(
          FaultyRpc.Fault.HTTP_429,
          FaultyRpc.Fault.FORWARD,
          FaultyRpc.Fault.HTTP_503,
          FaultyRpc.Fault.FORWARD,
          FaultyRpc.Fault.RPC_ERROR,
          FaultyRpc.Fault.FORWARD,
          FaultyRpc.Fault.STALL);
      try (EvmSource source =
          source(31337, List.of(closedPort(), proxy.url), 1000, Set.of(), metrics)) {
        source.verifyChainId();
        source.pollOnce();
        assertThat(source.status().processed()).isEqualTo(source.status().head()).isEqualTo(3);
      }
    }
    assertThat(failures(metrics, "http_429")).isEqualTo(1);
    assertThat(failures(metrics, "http_5xx")).isEqualTo(1);
    assertThat(failures(metrics, "rpc_error")).isEqualTo(1);
    assertThat(failures(metrics, "timeout")).isEqualTo(1);
    assertThat(failures(metrics, "connection")).as("the dead URL was tried in turn").isPositive();
    assertThat(nativeTransfers())
        .extracting(e -> e.amount().intValueExact())
        .containsExactly(7, 8, 9);
  }

  @Test
  void whenEveryUrlFailsThePollFailsClearlyAndTheNextOneCatchesUpExactlyOnce() throws Exception {
    send(accounts.get(0), accounts.get(1), BigInteger.valueOf(5), null);
    try (FaultyRpc proxy = new FaultyRpc(anvil.url);
        EvmSource source =
            source(31337, List.of(proxy.url), 1000, Set.of(), new SimpleMeterRegistry())) {
      source.pollOnce();
      send(accounts.get(0), accounts.get(1), BigInteger.valueOf(6), null);
      proxy.down(true);
      assertThatThrownBy(source::pollOnce)
          .hasMessageContaining("network eip155:31337")
          .hasMessageContaining("HTTP 503")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-project-key"));
      assertThat(source.status().processed()).as("nothing half-done").isEqualTo(1);
      send(accounts.get(0), accounts.get(1), BigInteger.valueOf(7), null);
      proxy.down(false);
      assertThat(source.pollOnce()).isEqualTo(2);
    }
    assertThat(nativeTransfers())
        .extracting(e -> e.amount().intValueExact())
        .containsExactly(5, 6, 7);
  }

  private static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(30);
    while (!condition.getAsBoolean()) {
      assertThat(java.time.Instant.now()).as(what).isBefore(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void aNewHeadOverWebSocketTriggersAPollWithoutWaitingForTheInterval() throws Exception {
    try (EvmSource source =
        new EvmSource(
            new EvmSource.Network(
                "eip155:31337",
                List.of(anvil.url),
                Optional.of(anvil.url.replace("http://", "ws://")),
                Duration.ofSeconds(5),
                31337,
                0,
                Duration.ofHours(1), // polling alone would not see the block during the test
                Optional.of(0L),
                "ETH",
                100,
                1,
                false,
                Set.of(),
                java.util.Map.of()),
            org,
            db.jdbi(),
            ingest,
            Clock.systemUTC(),
            new SimpleMeterRegistry())) {
      source.start();
      await("the first poll and the subscription", () -> source.status().processed() == 0);
      await("subscribed", source::subscribedToHeads);
      send(accounts.get(0), accounts.get(1), BigInteger.valueOf(4242), null);
      await(
          "the transfer, read because of the new head",
          () -> nativeTransfers().stream().anyMatch(e -> e.amount().intValue() == 4242));
      // the block's events are stored before its checkpoint moves: wait for both
      await("block 1 recorded as processed", () -> source.status().processed() == 1);
    }
  }

  @Test
  void withAWatchListOnlyEventsTouchingTheWatchedAddressesAreKept() throws Exception {
    send(accounts.get(0), accounts.get(1), BigInteger.valueOf(11), null);
    send(accounts.get(2), accounts.get(3), BigInteger.valueOf(12), null);
    send(accounts.get(4), accounts.get(2), BigInteger.valueOf(13), null);
    try (EvmSource source =
        source(
            31337,
            List.of(anvil.url),
            1000,
            Set.of(accounts.get(2).toLowerCase(java.util.Locale.ROOT)),
            new SimpleMeterRegistry())) {
      assertThat(source.pollOnce()).as("blocks 0 to 3").isEqualTo(4);
    }
    assertThat(nativeTransfers())
        .extracting(e -> e.amount().intValueExact())
        .containsExactly(12, 13);
    assertThat(stored())
        .allSatisfy(e -> assertThat(List.of(e.from(), e.to())).contains(checksum(accounts.get(2))));
  }

  private TransactionReceipt send(String from, String to, BigInteger value, String data)
      throws IOException {
    return anvil.mine(
        new Transaction(from, null, null, BigInteger.valueOf(3_000_000), to, value, data));
  }

  private String compileToken() throws Exception {
    return compile("Token.sol", "Token");
  }

  /** Compiles a test contract with solc-js and returns its creation bytecode. */
  private String compile(String file, String contract) throws Exception {
    return Anvil.compile(dir, file, contract);
  }

  @Test
  void aReentrancyExploitShowsTheVaultCalledAgainDeeperInOneTransaction() throws Exception {
    String alice = accounts.get(0);
    String bob = accounts.get(1);
    String vault =
        send(alice, null, BigInteger.ZERO, compile("Reentrancy.sol", "Vault")).getContractAddress();
    String attacker =
        send(
                alice,
                null,
                BigInteger.ZERO,
                compile("Reentrancy.sol", "Attacker")
                    + TypeEncoder.encode(new org.web3j.abi.datatypes.Address(vault)))
            .getContractAddress();
    BigInteger oneEth = new BigInteger("1000000000000000000");
    send(
        bob,
        vault,
        oneEth.multiply(BigInteger.TEN),
        FunctionEncoder.encode(new Function("deposit", List.of(), List.of())));
    TransactionReceipt attack =
        send(
            alice,
            attacker,
            oneEth,
            FunctionEncoder.encode(new Function("attack", List.of(), List.of())));
    assertThat(attack.isStatusOK()).isTrue();

    try (EvmSource source = source(31337)) {
      source.pollOnce();
    }
    List<Event> calls =
        stored().stream()
            .filter(
                e -> e.type().equals("chain.call") && e.tx().equals(attack.getTransactionHash()))
            .toList();
    List<String> order =
        stored().stream().map(e -> e.tx() == null ? "" : e.tx().toLowerCase()).toList();
    int first = order.indexOf(attack.getTransactionHash().toLowerCase());
    int last = order.lastIndexOf(attack.getTransactionHash().toLowerCase());
    assertThat(order.subList(first, last + 1))
        .as("the transaction's logs and trace are one run")
        .containsOnly(attack.getTransactionHash().toLowerCase());
    assertThat(stored().get(last).attrs()).containsEntry("tx_end", true);
    assertThat(stored().subList(first, last)).noneMatch(e -> e.attrs().containsKey("tx_end"));
    String withdraw = "0x3ccfd60b"; // withdraw()
    List<Event> intoVault =
        calls.stream()
            .filter(
                e -> e.to().equals(checksum(vault)) && withdraw.equals(e.attrs().get("selector")))
            .toList();
    assertThat(intoVault).as("the vault's withdraw entered four times").hasSize(4);
    assertThat(intoVault.stream().mapToLong(e -> (Long) e.attrs().get("depth")).max().orElse(0))
        .as("re-entered deeper than two levels")
        .isGreaterThan(2);
    List<Event> drained =
        stored().stream()
            .filter(
                e ->
                    e.type().equals("chain.transfer")
                        && Boolean.TRUE.equals(e.attrs().get("internal"))
                        && e.from().equals(checksum(vault)))
            .toList();
    assertThat(drained)
        .hasSize(4)
        .allSatisfy(e -> assertThat(e.amount()).isEqualByComparingTo(new BigDecimal(oneEth)));

    // the pack's re-entrancy detector, end to end on the real trace
    dev.bulwark.engine.detect.Engine engine =
        new dev.bulwark.engine.detect.Engine(
            List.of(new dev.bulwark.engine.pack.Reentrancy()),
            dev.bulwark.engine.detect.State.inMemory());
    List<dev.bulwark.engine.detect.Alert> alerts = new java.util.ArrayList<>();
    stored().forEach(e -> alerts.addAll(engine.process(e)));
    assertThat(alerts)
        .allSatisfy(
            a -> {
              assertThat(a.rule()).isEqualTo("chain.reentrancy");
              assertThat(a.evidence().txHashes()).containsExactly(attack.getTransactionHash());
            })
        .as("the vault, entered four times on one path: medium at its third entry")
        .anySatisfy(
            a -> {
              assertThat(a.title())
                  .isEqualTo(checksum(vault) + " re-entered 3 times in one transaction");
              assertThat(a.severity()).isEqualTo(dev.bulwark.engine.detect.Severity.MEDIUM);
            });
    assertThat(alerts)
        .as("nothing for the deposit before it")
        .noneMatch(a -> !a.evidence().txHashes().contains(attack.getTransactionHash()));
  }

  private List<Event> stored() {
    return events.readAfter(0, 10_000).stream().map(EventStore.Stored::event).toList();
  }

  private static String checksum(String a) {
    return Address.parse(a.toLowerCase()).checksummed();
  }

  private <T extends org.web3j.protocol.core.Response<?>> T rpc(
      String method, List<?> params, Class<T> type) throws IOException {
    return new org.web3j.protocol.core.Request<>(
            method, params, new org.web3j.protocol.http.HttpService(anvil.url), type)
        .send();
  }

  @Test
  void aReorganisationRetractsTheOrphanedEventsAndTheirAlertsAndReadsTheCanonicalBlocks()
      throws Exception {
    String alice = accounts.get(0);
    send(alice, accounts.get(1), BigInteger.ONE, null);
    try (EvmSource source = source(31337)) {
      source.pollOnce();
      String snapshot = rpc("evm_snapshot", List.of(), SnapshotId.class).getResult();
      TransactionReceipt orphan = send(alice, accounts.get(1), BigInteger.valueOf(777), null);
      source.pollOnce();
      String orphanId =
          "eip155:31337:%d:%s:0"
              .formatted(orphan.getBlockNumber(), orphan.getBlockHash().substring(2, 10));
      String dedup = "t|" + orphanId; // an alert the orphaned transaction raised
      new AlertStore(db.jdbi(), Clock.systemUTC())
          .insert(
              org,
              List.of(
                  new Alert(
                      Alert.idFor(dedup),
                      "t",
                      Severity.HIGH,
                      "t",
                      "",
                      java.time.Instant.now(),
                      List.of(),
                      new Alert.Evidence(List.of(orphanId), List.of()),
                      List.of(),
                      0.7,
                      dedup)));

      assertThat(rpc("evm_revert", List.of(snapshot), RevertResult.class).getResult()).isTrue();
      TransactionReceipt canonical = send(alice, accounts.get(2), BigInteger.valueOf(888), null);
      send(alice, accounts.get(2), BigInteger.valueOf(999), null);
      assertThat(canonical.getBlockNumber()).isEqualTo(orphan.getBlockNumber());
      assertThat(canonical.getBlockHash()).isNotEqualTo(orphan.getBlockHash());

      source.pollOnce(); // notices the fork, retracts the orphaned block
      source.pollOnce(); // reads the canonical blocks
      List<String> retracted =
          db.jdbi()
              .withHandle(
                  h ->
                      h.createQuery("SELECT event_id FROM events WHERE retracted_at IS NOT NULL")
                          .mapTo(String.class)
                          .list());
      assertThat(retracted).isNotEmpty().allSatisfy(id -> assertThat(id).startsWith(orphanId));
      int retractedAlerts =
          db.jdbi()
              .withHandle(
                  h ->
                      h.createQuery("SELECT COUNT(*) FROM alerts WHERE retracted_at IS NOT NULL")
                          .mapTo(Integer.class)
                          .one());
      assertThat(retractedAlerts).isEqualTo(1);
      assertThat(
              new AlertStore(db.jdbi(), Clock.systemUTC())
                  .list(org, dev.bulwark.server.alert.AlertQuery.all(10))
                  .retracted())
          .as("listings say which alerts were retracted")
          .hasSize(1);
      assertThat(stored())
          .anySatisfy(e -> assertThat(e.amount()).isEqualByComparingTo(BigDecimal.valueOf(888)))
          .anySatisfy(e -> assertThat(e.amount()).isEqualByComparingTo(BigDecimal.valueOf(999)));
      assertThat(source.status().processed()).isEqualTo(source.status().head());
    }
  }

  /** The result of anvil's evm_snapshot. */
  public static final class SnapshotId extends org.web3j.protocol.core.Response<String> {}

  /** The result of anvil's evm_revert. */
  public static final class RevertResult extends org.web3j.protocol.core.Response<Boolean> {}

  @Test
  void aWrongChainIdIsAClearError() {
    try (EvmSource wrong = source(1)) {
      assertThatThrownBy(wrong::verifyChainId)
          .hasMessageContaining("reports chain id 31337, but 1 is configured");
    }
  }

  @Test
  void transactionsTransfersContractsAndApprovalsAreDecodedExactly() throws Exception {
    String alice = accounts.get(0);
    String bob = accounts.get(1);
    String carol = accounts.get(2);
    TransactionReceipt eth = send(alice, bob, ONE_AND_A_HALF_ETH, null);
    String deploy = compileToken() + TypeEncoder.encode(new Uint256(1_000_000_000L));
    TransactionReceipt created = send(alice, null, BigInteger.ZERO, deploy);
    String token = created.getContractAddress();
    TransactionReceipt moved =
        send(
            alice,
            token,
            BigInteger.ZERO,
            FunctionEncoder.encode(
                new Function(
                    "transfer",
                    List.of(new org.web3j.abi.datatypes.Address(bob), new Uint256(1234)),
                    List.of())));
    BigInteger max = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
    send(
        alice,
        token,
        BigInteger.ZERO,
        FunctionEncoder.encode(
            new Function(
                "approve",
                List.of(new org.web3j.abi.datatypes.Address(carol), new Uint256(max)),
                List.of())));

    try (EvmSource source = source(31337)) {
      source.verifyChainId();
      assertThat(source.pollOnce()).isGreaterThanOrEqualTo(4);
    }
    List<Event> all = stored();
    Event native_ =
        all.stream()
            .filter(
                e ->
                    e.type().equals("chain.transfer") && "native".equals(e.attrs().get("standard")))
            .findFirst()
            .orElseThrow();
    assertThat(native_.from()).isEqualTo(checksum(alice));
    assertThat(native_.to()).isEqualTo(checksum(bob));
    assertThat(native_.amount()).isEqualByComparingTo(new BigDecimal(ONE_AND_A_HALF_ETH));
    assertThat(native_.tx()).isEqualTo(eth.getTransactionHash());
    assertThat(native_.id())
        .isEqualTo(
            "eip155:31337:%d:%s:0:value"
                .formatted(eth.getBlockNumber(), eth.getBlockHash().substring(2, 10)));

    Event deployed =
        all.stream()
            .filter(e -> e.type().equals("chain.contract_created"))
            .findFirst()
            .orElseThrow();
    assertThat(deployed.to()).isEqualTo(checksum(token));
    assertThat(deployed.attrs()).containsEntry("creator", checksum(alice));
    String runtime =
        anvil.web3j.ethGetCode(token, DefaultBlockParameterName.LATEST).send().getCode();
    assertThat(deployed.attrs())
        .as("Keccak-256 of the runtime code, for intel on known malicious bytecode")
        .containsEntry("code_hash", Hash.sha3(runtime));

    List<Event> erc20 =
        all.stream().filter(e -> "erc20".equals(e.attrs().get("standard"))).toList();
    assertThat(erc20)
        .extracting(e -> e.amount().toBigInteger())
        .containsExactly(BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(1234));
    Event transfer = erc20.get(1);
    assertThat(transfer.from()).isEqualTo(checksum(alice));
    assertThat(transfer.to()).isEqualTo(checksum(bob));
    assertThat(transfer.asset()).isEqualTo(checksum(token));
    assertThat(transfer.tx()).isEqualTo(moved.getTransactionHash());
    assertThat(erc20)
        .as("the token's decimals(), asked of the node")
        .allSatisfy(
            e ->
                assertThat(e.attrs()).containsEntry("decimals", 6L).containsEntry("symbol", "TST"));

    Event approval =
        all.stream().filter(e -> e.type().equals("chain.approval")).findFirst().orElseThrow();
    assertThat(approval.to()).isEqualTo(checksum(carol));
    assertThat(approval.amount().toBigInteger()).isEqualTo(max);
    assertThat(approval.attrs()).containsEntry("unlimited", true);
    assertThat(all.stream().filter(e -> e.type().equals("chain.transaction"))).hasSize(4);

    // the built-in pack on the real events: an unlimited allowance to an EOA is approval phishing
    assertThat(pack(all))
        .filteredOn(a -> a.rule().equals("chain.unlimited-approval-unknown-spender"))
        .singleElement()
        .satisfies(a -> assertThat(a.title()).contains(checksum(carol)));
  }

  /** Every alert the built-in pack (rules and code detectors) raises on these events. */
  private static List<dev.bulwark.engine.detect.Alert> pack(List<Event> events) {
    List<dev.bulwark.engine.detect.Detector> detectors =
        new java.util.ArrayList<>(new dev.bulwark.server.detect.RuleLoader().loadPack());
    detectors.addAll(dev.bulwark.engine.pack.Pack.detectors());
    dev.bulwark.engine.detect.Engine engine =
        new dev.bulwark.engine.detect.Engine(detectors, dev.bulwark.engine.detect.State.inMemory());
    List<dev.bulwark.engine.detect.Alert> alerts = new java.util.ArrayList<>();
    events.forEach(e -> alerts.addAll(engine.process(e)));
    return alerts;
  }

  /** The well-known key of anvil's first default account (the public test mnemonic). */
  private static final String ANVIL_KEY_0 =
      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

  private static String call(String name, Type<?>... args) {
    return FunctionEncoder.encode(new Function(name, List.of(args), List.of()));
  }

  private static org.web3j.abi.datatypes.Address addr(String a) {
    return new org.web3j.abi.datatypes.Address(a);
  }

  /** Deploys a contract of {@code Zoo.sol} from the first account. */
  private String deploy(String contract) throws Exception {
    return send(accounts.get(0), null, BigInteger.ZERO, compile("Zoo.sol", contract))
        .getContractAddress();
  }

  /** An EIP-2612 permit signed by anvil's first account, as call data. */
  private String signedPermit(
      String token, String spender, BigInteger value, long deadline, int nonce) throws Exception {
    Credentials holder = Credentials.create(ANVIL_KEY_0);
    String domain =
        anvil
            .web3j
            .ethCall(
                Transaction.createEthCallTransaction(
                    holder.getAddress(), token, call("DOMAIN_SEPARATOR")),
                DefaultBlockParameterName.LATEST)
            .send()
            .getValue();
    byte[] typeHash =
        Hash.sha3(
            "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String struct =
        FunctionEncoder.encodeConstructor(
            List.of(
                new Bytes32(typeHash),
                addr(holder.getAddress()),
                addr(spender),
                new Uint256(value),
                new Uint256(nonce),
                new Uint256(deadline)));
    byte[] digest =
        Hash.sha3(
            Numeric.hexStringToByteArray(
                "0x1901"
                    + domain.substring(2)
                    + Numeric.toHexStringNoPrefix(
                        Hash.sha3(Numeric.hexStringToByteArray(struct)))));
    Sign.SignatureData sig = Sign.signMessage(digest, holder.getEcKeyPair(), false);
    return call(
        "permit",
        addr(holder.getAddress()),
        addr(spender),
        new Uint256(value),
        new Uint256(deadline),
        new Uint8(sig.getV()[0] & 0xff),
        new Bytes32(sig.getR()),
        new Bytes32(sig.getS()));
  }

  @Test
  void nftsBatchesAdminChangesSafeOwnersAndPermitsAreDecodedExactly() throws Exception {
    String alice = accounts.get(0);
    String bob = accounts.get(1);
    String carol = accounts.get(2);
    String relayerEoa = accounts.get(3);
    assertThat(Credentials.create(ANVIL_KEY_0).getAddress())
        .as("anvil's first account is the default mnemonic's")
        .isEqualToIgnoringCase(alice);
    String nft = deploy("Collectible");
    String multi = deploy("Multi");
    String proxy = deploy("UpgradeableProxy");
    String owners = deploy("Owners");
    String token = deploy("PermitToken");
    String relayer = deploy("Relayer");
    String factory = deploy("Factory");
    long deadline = java.time.Instant.now().getEpochSecond() + 3600;

    send(alice, nft, BigInteger.ZERO, call("mint", addr(alice), new Uint256(77)));
    send(
        alice, nft, BigInteger.ZERO, call("transferFrom", addr(alice), addr(bob), new Uint256(77)));
    send(
        alice,
        multi,
        BigInteger.ZERO,
        call(
            "mintBatch",
            addr(bob),
            new DynamicArray<>(Uint256.class, new Uint256(1), new Uint256(2), new Uint256(3)),
            new DynamicArray<>(
                Uint256.class, new Uint256(100), new Uint256(200), new Uint256(300))));
    send(alice, proxy, BigInteger.ZERO, call("upgradeTo", addr(carol)));
    send(alice, proxy, BigInteger.ZERO, call("changeAdmin", addr(bob)));
    send(alice, proxy, BigInteger.ZERO, call("transferOwnership", addr(bob)));
    send(alice, owners, BigInteger.ZERO, call("addOwner", addr(carol)));
    send(alice, owners, BigInteger.ZERO, call("changeThreshold", new Uint256(2)));
    send(alice, owners, BigInteger.ZERO, call("removeOwner", addr(carol)));
    // a permit submitted by someone else, directly and through a relaying contract
    send(
        relayerEoa,
        token,
        BigInteger.ZERO,
        signedPermit(token, carol, BigInteger.valueOf(500), deadline, 0));
    String inner =
        signedPermit(token, bob, BigInteger.TWO.pow(256).subtract(BigInteger.ONE), deadline, 1);
    send(
        relayerEoa,
        relayer,
        BigInteger.ZERO,
        call("relay", addr(token), new DynamicBytes(Numeric.hexStringToByteArray(inner))));

    send(bob, factory, BigInteger.ZERO, call("make", new Uint256(2)));
    send(carol, factory, BigInteger.ZERO, call("make", new Uint256(1)));

    try (EvmSource source = source(31337)) {
      source.pollOnce();
      assertThat(source.status().processed()).isEqualTo(source.status().head());
    }
    List<Event> all = stored();

    // contracts made by a contract: from traces, with the factory's nonce (contracts start at 1),
    // which must give back each child's CREATE address
    List<Event> children =
        all.stream()
            .filter(
                e ->
                    e.type().equals("chain.contract_created")
                        && Boolean.TRUE.equals(e.attrs().get("internal")))
            .toList();
    assertThat(children)
        .extracting(Event::from, e -> e.attrs().get("nonce"))
        .containsExactly(
            tuple(checksum(factory), 1L),
            tuple(checksum(factory), 2L),
            tuple(checksum(factory), 3L));
    for (Event child : children) {
      String code =
          anvil.web3j.ethGetCode(child.to(), DefaultBlockParameterName.LATEST).send().getCode();
      assertThat(child.attrs())
          .as("from the trace's output")
          .containsEntry("code_hash", Hash.sha3(code));
    }
    assertThat(children)
        .allSatisfy(
            c ->
                assertThat(c.to())
                    .isEqualToIgnoringCase(
                        ContractUtils.generateContractAddress(
                            factory, BigInteger.valueOf((Long) c.attrs().get("nonce")))));

    assertThat(all.stream().filter(e -> "erc721".equals(e.attrs().get("standard"))))
        .extracting(e -> e.from(), e -> e.to(), e -> e.attrs().get("token_id"))
        .containsExactly(
            tuple(checksum("0x0000000000000000000000000000000000000000"), checksum(alice), "77"),
            tuple(checksum(alice), checksum(bob), "77"));
    assertThat(all.stream().filter(e -> "erc1155".equals(e.attrs().get("standard"))))
        .extracting(e -> e.attrs().get("token_id"), e -> e.amount().intValueExact(), Event::to)
        .containsExactly(
            tuple("1", 100, checksum(bob)),
            tuple("2", 200, checksum(bob)),
            tuple("3", 300, checksum(bob)));
    assertThat(all.stream().filter(e -> e.type().equals("chain.admin_change")))
        .extracting(e -> e.attrs().get("kind"), Event::from, Event::to)
        .containsExactly(
            tuple(
                "ownership_transferred",
                checksum("0x0000000000000000000000000000000000000000"),
                checksum(alice)),
            tuple("upgraded", null, checksum(carol)),
            tuple("admin_changed", checksum(alice), checksum(bob)),
            tuple("ownership_transferred", checksum(alice), checksum(bob)),
            tuple("safe_added_owner", null, checksum(carol)),
            tuple("safe_changed_threshold", null, checksum(owners)),
            tuple("safe_removed_owner", null, checksum(carol)));
    List<Event> permits =
        all.stream()
            .filter(
                e -> e.type().equals("chain.approval") && "permit".equals(e.attrs().get("kind")))
            .toList();
    assertThat(permits)
        .extracting(
            Event::from,
            Event::to,
            e -> e.amount().toBigInteger(),
            e -> e.attrs().get("submitter"),
            e -> e.attrs().get("unlimited"),
            Event::source)
        .containsExactly(
            tuple(
                checksum(alice),
                checksum(carol),
                BigInteger.valueOf(500),
                checksum(relayerEoa),
                false,
                "evm"),
            tuple(
                checksum(alice),
                checksum(bob),
                BigInteger.TWO.pow(256).subtract(BigInteger.ONE),
                checksum(relayer),
                true,
                "evm-trace"));
    assertThat(permits)
        .allSatisfy(
            p -> {
              assertThat(p.asset()).isEqualTo(checksum(token));
              assertThat(p.attrs())
                  .as("this token has no decimals()")
                  .doesNotContainKey("decimals");
            });
    assertThat(
            all.stream()
                .filter(
                    e ->
                        e.type().equals("chain.approval")
                            && "approve".equals(e.attrs().get("kind"))))
        .as("the token's own Approval logs as well")
        .hasSize(2);

    // the built-in pack on the real events
    List<dev.bulwark.engine.detect.Alert> alerts = pack(all);
    assertThat(alerts)
        .filteredOn(a -> a.rule().equals("chain.privileged-change"))
        .extracting(a -> a.title().split(" ")[0])
        .as("the upgrade, the ownership transfer and the Safe owner change")
        .contains("upgraded", "ownership_transferred", "safe_added_owner");
    assertThat(alerts)
        .filteredOn(a -> a.rule().equals("chain.unlimited-approval-unknown-spender"))
        .as("the unlimited permits to the relayer")
        .isNotEmpty();
  }

  @Test
  void aSourceStoppedFor50BlocksCatchesUpInBatchesAndAReplayStoresNothingTwice() throws Exception {
    send(accounts.get(0), accounts.get(1), BigInteger.TEN, null);
    try (EvmSource first = source(31337)) {
      first.pollOnce();
    }
    int before = stored().size();
    for (int i = 0; i < 50; i++) {
      send(accounts.get(0), accounts.get(1), BigInteger.valueOf(100 + i), null);
    }
    try (EvmSource second =
        source(31337, List.of(anvil.url), 20, Set.of(), new SimpleMeterRegistry())) {
      assertThat(second.pollOnce()).as("one batch").isEqualTo(20);
      assertThat(second.pollOnce()).isEqualTo(20);
      assertThat(second.pollOnce()).isEqualTo(10);
      assertThat(second.pollOnce()).as("nothing new").isZero();
      assertThat(second.status().processed()).isEqualTo(second.status().head());
    }
    assertThat(stored()).as("a transaction and a transfer per block").hasSize(before + 100);
    assertThat(nativeTransfers())
        .extracting(e -> e.amount().intValueExact())
        .as("every transfer exactly once, in block order")
        .containsExactlyElementsOf(
            java.util.stream.IntStream.concat(
                    java.util.stream.IntStream.of(10), java.util.stream.IntStream.range(100, 150))
                .boxed()
                .toList());
    db.jdbi().useHandle(h -> h.execute("DELETE FROM chain_checkpoints"));
    try (EvmSource replay = source(31337)) {
      replay.pollOnce();
    }
    assertThat(stored()).as("a replay from block 0 is idempotent").hasSize(before + 100);
  }
}
