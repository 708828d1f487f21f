package dev.bulwark.server.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Address;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.pack.Pack;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.db.TestDatabases;
import dev.bulwark.server.detect.RuleLoader;
import dev.bulwark.server.ingest.EventStore;
import dev.bulwark.server.ingest.IngestService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Int256;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The built-in pack end to end: attacks carried out on a real anvil node with contracts compiled by
 * solc-js, read by the EVM source, and judged by every pack rule and detector.
 */
final class PackOnChainTest {
  private static final BigInteger E18 = BigInteger.TEN.pow(18);

  @TempDir Path dir;
  private Anvil anvil;
  private Database db;
  private EventStore events;
  private IngestService ingest;
  private long org;
  private List<String> accounts;
  private long chainId = 31337;

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

  /** Reads the chain from block 0 with these prices and returns what was stored. */
  private List<Event> read(Map<String, Config.Price> prices) {
    return read(prices, Set.of());
  }

  /** As {@link #read(Map)}, keeping only the transactions that touch {@code watch}. */
  private List<Event> read(Map<String, Config.Price> prices, Set<String> watch) {
    try (EvmSource source =
        new EvmSource(
            new EvmSource.Network(
                "eip155:" + chainId,
                List.of(anvil.url),
                Optional.empty(),
                Duration.ofSeconds(5),
                chainId,
                0,
                Duration.ofSeconds(1),
                Optional.of(0L),
                "ETH",
                1000,
                2,
                false,
                watch,
                prices),
            org,
            db.jdbi(),
            ingest,
            Clock.systemUTC(),
            new SimpleMeterRegistry())) {
      source.pollOnce();
    }
    return events.readAfter(0, 100_000).stream().map(EventStore.Stored::event).toList();
  }

  /**
   * Every alert of the built-in pack (rules and code detectors, and {@code more}) on these events.
   */
  private static List<Alert> pack(List<Event> events, Detector... more) {
    List<Detector> detectors = new ArrayList<>(new RuleLoader().loadPack());
    detectors.addAll(Pack.detectors());
    detectors.addAll(List.of(more));
    Engine engine = new Engine(detectors, State.inMemory());
    List<Alert> alerts = new ArrayList<>();
    events.forEach(e -> alerts.addAll(engine.process(e)));
    alerts.addAll(engine.flush());
    return alerts;
  }

  /** As {@link #pack}, but as a live stream: no end-of-stream flush. */
  private static List<Alert> live(List<Event> events) {
    List<Detector> detectors = new ArrayList<>(new RuleLoader().loadPack());
    detectors.addAll(Pack.detectors());
    Engine engine = new Engine(detectors, State.inMemory());
    List<Alert> alerts = new ArrayList<>();
    events.forEach(e -> alerts.addAll(engine.process(e)));
    return alerts;
  }

  private TransactionReceipt send(String from, String to, String data) throws Exception {
    return send(from, to, BigInteger.ZERO, data);
  }

  private TransactionReceipt send(String from, String to, BigInteger value, String data)
      throws Exception {
    TransactionReceipt r =
        anvil.mine(
            new Transaction(from, null, null, BigInteger.valueOf(5_000_000), to, value, data));
    assertThat(r.isStatusOK()).as("transaction %s succeeded", r.getTransactionHash()).isTrue();
    return r;
  }

  private String deploy(String from, String contract, Type<?>... args) throws Exception {
    StringBuilder code = new StringBuilder(Anvil.compile(dir, "Defi.sol", contract));
    if (args.length > 0) {
      code.append(FunctionEncoder.encodeConstructor(List.of(args)));
    }
    return send(from, null, code.toString()).getContractAddress();
  }

  /** Moves anvil's clock: the next block is {@code seconds} later. */
  private void later(long seconds) throws Exception {
    var r =
        new org.web3j.protocol.core.Request<>(
                "evm_increaseTime",
                List.of(seconds),
                new org.web3j.protocol.http.HttpService(anvil.url),
                org.web3j.protocol.core.methods.response.VoidResponse.class)
            .send();
    assertThat(r.hasError()).as("evm_increaseTime").isFalse();
  }

  private static String call(String name, Type<?>... args) {
    return FunctionEncoder.encode(new Function(name, List.of(args), List.of()));
  }

  private static org.web3j.abi.datatypes.Address addr(String a) {
    return new org.web3j.abi.datatypes.Address(a);
  }

  private String coin(String from, String symbol, BigInteger supply) throws Exception {
    return deploy(from, "Coin", new Utf8String(symbol), new Uint8(18), new Uint256(supply));
  }

  private static BigInteger whole(long n) {
    return BigInteger.valueOf(n).multiply(E18);
  }

  /** A staking token, a reward token, a flash lender holding 5 M of the first, and the vault. */
  private record Defi(String stake, String reward, String lender, String vault) {}

  /** Deploys {@link Defi}'s contracts from {@code team}: the vault holds 1 000 reward tokens. */
  private Defi defi(String team) throws Exception {
    String stake = coin(team, "STK", whole(10_000_000));
    String reward = coin(team, "RWD", whole(1_000_000));
    String lender = deploy(team, "Lender");
    String vault = deploy(team, "RewardVault", addr(stake), addr(reward));
    send(team, stake, call("transfer", addr(lender), new Uint256(whole(5_000_000))));
    send(team, reward, call("transfer", addr(vault), new Uint256(whole(1000))));
    return new Defi(stake, reward, lender, vault);
  }

  /** A Tornado-style pool funded by {@code team} pays {@code to} through {@code relayer}. */
  private void mixerPays(String team, String relayer, String to) throws Exception {
    String mixer = deploy(team, "Mixer");
    send(team, mixer, whole(10), null);
    send(
        relayer,
        mixer,
        call(
            "withdraw",
            addr(to),
            new org.web3j.abi.datatypes.generated.Bytes32(new byte[32]),
            addr(relayer),
            new Uint256(BigInteger.TEN.pow(16))));
  }

  private static List<Alert> of(List<Alert> alerts, String rule) {
    return alerts.stream().filter(a -> a.rule().equals(rule)).toList();
  }

  @Test
  void aFlashLoanThatInflatesABalanceToDrainARewardVaultIsCritical() throws Exception {
    String team = accounts.get(0);
    String attacker = accounts.get(5);
    String stake = coin(team, "STK", whole(10_000_000));
    String reward = coin(team, "RWD", whole(1_000_000));
    TransactionReceipt feedTx =
        send(
            team,
            null,
            Anvil.compile(dir, "Defi.sol", "UsdFeed")
                + FunctionEncoder.encodeConstructor(
                    List.of(new Int256(BigInteger.valueOf(2000_00000000L)))));
    String feed = feedTx.getContractAddress();
    String feedDeployment = feedTx.getTransactionHash();
    String lender = deploy(team, "Lender");
    String vault = deploy(team, "RewardVault", addr(stake), addr(reward));
    send(team, stake, call("transfer", addr(lender), new Uint256(whole(5_000_000))));
    send(team, reward, call("transfer", addr(vault), new Uint256(whole(1000))));
    String exploit = deploy(attacker, "FlashAttacker", addr(lender), addr(vault));
    send(team, stake, call("transfer", addr(exploit), new Uint256(whole(5000)))); // the fee
    TransactionReceipt attack =
        send(attacker, exploit, call("attack", new Uint256(whole(5_000_000))));

    // the vault's team watches only the vault: the exploit's transaction is kept whole
    List<Event> read =
        read(
            Map.of(
                stake.toLowerCase(), new Config.Price(1.0, null),
                reward.toLowerCase(), new Config.Price(null, feed.toLowerCase())),
            Set.of(vault.toLowerCase()));
    assertThat(read)
        .as("the lender's loan event touches no watched address: kept as context")
        .anySatisfy(
            e -> {
              assertThat(e.attrs()).containsEntry("kind", "balancer_flash_loan");
              assertThat(e.attrs()).containsEntry("watched", "none");
            });
    assertThat(read)
        .as("transactions that do not touch the vault are dropped, but for contract creations")
        .noneMatch(
            e ->
                e.tx() != null
                    && e.tx().equals(feedDeployment)
                    && !e.type().equals("chain.contract_created"));
    assertThat(read)
        .as("the reward left the vault priced by the feed at $2,000")
        .anySatisfy(
            e -> {
              assertThat(e.type()).isEqualTo("chain.transfer");
              assertThat(e.from()).isEqualTo(Address.parse(vault.toLowerCase()).checksummed());
              assertThat(e.amountUsd()).isEqualTo(2_000_000.0);
            });
    List<Alert> alerts = pack(read);
    assertThat(of(live(read), "chain.flash-loan-exploit"))
        .as("judged at the transaction's last event (tx_end), without waiting for another")
        .hasSize(1);
    assertThat(of(alerts, "chain.large-outflow"))
        .as("the vault's $2 million loss, not the lender's five million lent in context")
        .singleElement()
        .satisfies(a -> assertThat(a.title()).containsIgnoringCase(vault));
    List<Alert> flash = of(alerts, "chain.flash-loan-exploit");
    assertThat(flash)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(a.evidence().txHashes()).containsExactly(attack.getTransactionHash());
              assertThat(a.title())
                  .isEqualTo(
                      "Flash-loan exploit: %s gained $1,995,000 in one transaction"
                          .formatted(attacker.toLowerCase()));
              assertThat(a.summary())
                  .contains("a Balancer/Maker flash loan from " + lender.toLowerCase())
                  .contains("+1000 RWD")
                  .contains("-5000 STK")
                  .contains(vault.toLowerCase() + " lost $2,000,000");
              assertThat(a.entities())
                  .contains(
                      new Entity(Entity.Kind.CONTRACT, exploit.toLowerCase(), Entity.Role.ATTACKER),
                      new Entity(Entity.Kind.ADDRESS, vault.toLowerCase(), Entity.Role.VICTIM));
            });
  }

  @Test
  void aDeployerDumpingThenPullingTheLiquidityOfItsNewTokenIsCaughtTwice() throws Exception {
    String team = accounts.get(0);
    String rugger = accounts.get(6);
    String lp = accounts.get(7);
    String stake = coin(team, "STK", whole(10_000_000));
    send(team, stake, call("transfer", addr(rugger), new Uint256(whole(100_000))));
    send(team, stake, call("transfer", addr(lp), new Uint256(whole(20_000))));
    String moon = coin(rugger, "MOON", whole(1_000_000));
    String pair = deploy(rugger, "Pair", addr(moon), addr(stake));
    send(rugger, moon, call("transfer", addr(pair), new Uint256(whole(500_000))));
    send(rugger, stake, call("transfer", addr(pair), new Uint256(whole(50_000))));
    send(rugger, pair, call("mint", addr(rugger)));
    // an ordinary provider comes and goes
    send(rugger, moon, call("transfer", addr(lp), new Uint256(whole(100_000))));
    send(lp, moon, call("transfer", addr(pair), new Uint256(whole(100_000))));
    send(lp, stake, call("transfer", addr(pair), new Uint256(whole(10_000))));
    send(lp, pair, call("mint", addr(lp)));
    TransactionReceipt leaves = send(lp, pair, call("burn", addr(lp)));
    // the deployer dumps its own token into the pool, then takes everything out
    send(rugger, moon, call("transfer", addr(pair), new Uint256(whole(300_000))));
    TransactionReceipt dump =
        send(rugger, pair, call("swap0", new Uint256(whole(300_000)), addr(rugger)));
    TransactionReceipt pull = send(rugger, pair, call("burn", addr(rugger)));

    List<Alert> alerts = pack(read(Map.of()));
    assertThat(of(alerts, "chain.rug-pull"))
        .as("only the deployer's removal")
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(a.title())
                  .isEqualTo(
                      "Rug pull: the deployer of %s removed 100%% of pool %s"
                          .formatted(moon.toLowerCase(), pair.toLowerCase()));
              assertThat(a.evidence().txHashes()).containsExactly(pull.getTransactionHash());
              assertThat(a.entities())
                  .contains(
                      new Entity(Entity.Kind.ADDRESS, rugger.toLowerCase(), Entity.Role.ATTACKER));
            });
    assertThat(of(alerts, "chain.price-manipulation"))
        .as("the dump moved the pool's price by more than 30 % in one transaction")
        .anySatisfy(
            a -> assertThat(a.evidence().txHashes()).containsExactly(dump.getTransactionHash()));
    assertThat(alerts)
        .as("nothing about the honest provider's exit")
        .noneMatch(a -> a.evidence().txHashes().contains(leaves.getTransactionHash()));
  }

  private static String fresh(String prefix, String suffix) {
    return "0x" + prefix + "5eed".repeat(8) + suffix;
  }

  @Test
  void aPoisonerPlantsAFakeUsdtTransferFromALookAlikeAndTheVictimPaysIt() throws Exception {
    anvil.close();
    anvil = Anvil.withChainId(1); // mainnet's id: the official USDT is known there
    accounts = anvil.accounts();
    chainId = 1;
    String victim = accounts.get(1);
    String supplier = accounts.get(2).toLowerCase();
    String imitator = fresh(supplier.substring(2, 6), supplier.substring(38));
    assertThat(imitator).isNotEqualTo(supplier).hasSize(42);
    anvil.impersonate(imitator);
    BigInteger oneEth = E18;
    send(victim, supplier, oneEth, null); // the real supplier, paid every month
    String fakeUsdt =
        deploy(imitator, "Coin", new Utf8String("USDT"), new Uint8(6), new Uint256(whole(1)));
    TransactionReceipt planted =
        send(imitator, fakeUsdt, call("transfer", addr(victim), new Uint256(BigInteger.ZERO)));
    TransactionReceipt mistake = send(victim, imitator, oneEth, null);

    List<Alert> alerts = pack(read(Map.of()));
    assertThat(of(alerts, "chain.fake-token"))
        .as("a USDT that is not Tether's contract")
        .anySatisfy(
            a -> assertThat(a.evidence().txHashes()).containsExactly(planted.getTransactionHash()));
    assertThat(of(alerts, "chain.address-poisoning"))
        .anySatisfy(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.MEDIUM);
              assertThat(a.evidence().txHashes()).containsExactly(planted.getTransactionHash());
              assertThat(a.title()).containsIgnoringCase(imitator).containsIgnoringCase(supplier);
            })
        .anySatisfy(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(a.evidence().txHashes()).containsExactly(mistake.getTransactionHash());
            });
  }

  @Test
  void threeWalletsEmptyingIntoOneFreshAddressLookLikeAStolenKey() throws Exception {
    String sink = fresh("dead", "beef");
    List<String> txs = new ArrayList<>();
    for (int i = 2; i <= 4; i++) {
      txs.add(send(accounts.get(i), sink, whole(900), null).getTransactionHash());
    }
    List<Alert> alerts = of(pack(read(Map.of())), "chain.key-compromise");
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.HIGH);
              assertThat(a.evidence().txHashes()).isSubsetOf(txs);
              assertThat(a.title()).containsIgnoringCase(sink);
            });
  }

  @Test
  void anAddressFundedByTheMixerDeploysAContractAndUsesIt() throws Exception {
    String team = accounts.get(0);
    String relayer = accounts.get(3);
    String attacker = fresh("0bad", "f00d");
    mixerPays(team, relayer, attacker);
    anvil.impersonate(attacker);
    String probe = deploy(attacker, "Probe");
    TransactionReceipt use = send(attacker, probe, call("poke"));

    List<Alert> alerts = of(pack(read(Map.of())), "chain.mixer-funded-deployer");
    assertThat(alerts)
        .extracting(Alert::severity)
        .containsExactly(Severity.LOW, Severity.HIGH, Severity.CRITICAL);
    assertThat(alerts.get(2).evidence().txHashes()).containsExactly(use.getTransactionHash());
    assertThat(alerts.get(1).title()).containsIgnoringCase(probe);
  }

  @Test
  void paymentsToASanctionedAddressAndFromItsMuleAreWeighedInDollars() throws Exception {
    String team = accounts.get(0);
    String wallet = accounts.get(1);
    String listed = fresh("5a9c", "0fac");
    String mule = fresh("0001", "a1e0");
    String feed = deploy(team, "UsdFeed", new Int256(BigInteger.valueOf(3000_00000000L)));
    TransactionReceipt paid = send(wallet, listed, whole(10), null); // $30 000 out
    anvil.impersonate(listed);
    send(listed, mule, whole(5), null);
    anvil.impersonate(mule);
    TransactionReceipt deposit = send(mule, wallet, whole(2), null);
    TransactionReceipt treasury = send(team, accounts.get(9), whole(600), null);

    dev.bulwark.engine.intel.IndicatorIndex index = new dev.bulwark.engine.intel.IndicatorIndex();
    index.put(
        new dev.bulwark.engine.intel.Indicator(
            "indicator--0a1b2c3d-0000-4000-8000-000000000001",
            "OFAC SDN: a sanctioned wallet",
            "ofac",
            90,
            java.time.Instant.EPOCH,
            Optional.empty(),
            "[cryptocurrency-wallet:value = '" + listed + "']"));
    List<Event> read = read(Map.of("native", new Config.Price(null, feed.toLowerCase())));
    List<Alert> alerts =
        pack(
            read,
            new dev.bulwark.engine.intel.IntelDetector(index),
            new dev.bulwark.engine.intel.OneHopExposure(() -> List.of(index)));
    assertThat(of(alerts, "intel.indicator-match"))
        .as("$30 000 sent to a confidence-90 listing: high, one level up")
        .anySatisfy(
            a -> {
              assertThat(a.evidence().txHashes()).containsExactly(paid.getTransactionHash());
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(a.summary()).contains("outgoing, $30000");
            });
    assertThat(of(alerts, "intel.one-hop-exposure"))
        .as("the mule the listed address paid deposits into the wallet")
        .anySatisfy(
            a -> {
              assertThat(a.evidence().txHashes()).containsExactly(deposit.getTransactionHash());
              assertThat(a.summary()).containsIgnoringCase(listed);
            });
    assertThat(of(alerts, "chain.large-outflow"))
        .as("600 ETH = $1.8 million leaves the treasury")
        .anySatisfy(
            a -> assertThat(a.evidence().txHashes()).contains(treasury.getTransactionHash()));
  }

  @Test
  void approvalsAreWeighedByWhatTheSpenderIs() throws Exception {
    String team = accounts.get(0);
    String wallet = accounts.get(1);
    String stake = coin(team, "STK", whole(1_000_000));
    send(team, stake, call("transfer", addr(wallet), new Uint256(whole(10_000))));
    String drainer = deploy(accounts.get(8), "Probe"); // deployed minutes ago
    String eoa = fresh("beef", "0e0a");
    TransactionReceipt bounded =
        send(wallet, stake, call("approve", addr(drainer), new Uint256(whole(5000))));
    TransactionReceipt unlimited =
        send(
            wallet,
            stake,
            call(
                "approve",
                addr(eoa),
                new Uint256(BigInteger.TWO.pow(256).subtract(BigInteger.ONE))));

    List<Event> read = read(Map.of());
    assertThat(read)
        .filteredOn(e -> e.type().equals("chain.approval"))
        .extracting(e -> e.attrs().get("spender_kind"))
        .containsExactly("fresh_contract", "eoa");
    List<Alert> alerts = pack(read);
    assertThat(of(alerts, "chain.approval-to-eoa-or-fresh-contract"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.HIGH);
              assertThat(a.evidence().txHashes()).containsExactly(bounded.getTransactionHash());
            });
    assertThat(of(alerts, "chain.unlimited-approval-unknown-spender"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(a.evidence().txHashes()).containsExactly(unlimited.getTransactionHash());
            });
  }

  @Test
  void aColdWalletThatSuddenlySendsADozenTransfersIsABurst() throws Exception {
    String cold = accounts.get(3);
    for (int i = 0; i < 8; i++) { // two hours of its usual pace: one payment every 15 minutes
      send(cold, fresh("00" + i + "0", "aaaa"), whole(1), null);
      later(900);
    }
    later(3600);
    List<String> burst = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      burst.add(
          send(cold, fresh("0b" + Integer.toHexString(i) + "0", "bbbb"), whole(2), null)
              .getTransactionHash());
      later(20);
    }
    assertThat(of(pack(read(Map.of())), "chain.burst-drain"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.HIGH);
              assertThat(burst).containsAll(a.evidence().txHashes());
              assertThat(a.title()).containsIgnoringCase(cold);
            });
  }

  @Test
  void fundingPreparationAndAFlashLoanExploitOfOneClusterBecomeOneIncident() throws Exception {
    String team = accounts.get(0);
    String relayer = accounts.get(3);
    String attacker = fresh("0bad", "c0de");
    Defi defi = defi(team);
    String stake = defi.stake();
    String lender = defi.lender();
    String vault = defi.vault();
    mixerPays(team, relayer, attacker);
    later(3600);
    anvil.impersonate(attacker);
    String exploit = deploy(attacker, "FlashAttacker", addr(lender), addr(vault));
    send(team, stake, call("transfer", addr(exploit), new Uint256(whole(5000))));
    later(1800);
    TransactionReceipt attack =
        send(attacker, exploit, call("attack", new Uint256(whole(5_000_000))));

    List<Alert> alerts =
        pack(
            read(
                Map.of(
                    stake.toLowerCase(), new Config.Price(1.0, null),
                    defi.reward().toLowerCase(), new Config.Price(2000.0, null))));
    assertThat(of(alerts, "chain.flash-loan-exploit")).hasSize(1);
    // the correlator reads the alerts as the detection pump hands them over
    List<Alert> incidents = new dev.bulwark.engine.pack.StageCorrelator().observe(alerts);
    assertThat(incidents)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(a.title()).contains("funding → preparation → exploitation");
              assertThat(a.entities())
                  .extracting(Entity::value)
                  .contains(attacker.toLowerCase(), exploit.toLowerCase());
              assertThat(a.summary())
                  .contains("funding: chain.mixer-funded-deployer")
                  .contains("exploitation: chain.");
            });
    assertThat(attack.isStatusOK()).isTrue();
  }

  @Test
  void watchedWalletsEmptiedIntoOneFreshAddressAreACriticalKeyCompromise() throws Exception {
    String sink = fresh("dead", "d0d0");
    Set<String> wallets = new java.util.LinkedHashSet<>();
    for (int i = 2; i <= 4; i++) {
      String w = accounts.get(i);
      wallets.add(w.toLowerCase());
      var r =
          new org.web3j.protocol.core.Request<>(
                  "anvil_setBalance",
                  List.of(w, "0x8ac7230489e80000"), // 10 ETH
                  new org.web3j.protocol.http.HttpService(anvil.url),
                  org.web3j.protocol.core.methods.response.VoidResponse.class)
              .send();
      assertThat(r.hasError()).isFalse();
      send(w, sink, new BigInteger("9990000000000000000"), null); // 9.99 ETH: all but gas money
    }
    List<Event> read = read(Map.of(), wallets);
    assertThat(read)
        .filteredOn(e -> e.type().equals("chain.transfer"))
        .hasSize(3)
        .allSatisfy(e -> assertThat(e.attrs()).containsKey("sender_balance_after"));
    assertThat(of(pack(read), "chain.key-compromise"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(a.summary()).contains("3 of them left drained");
            });
  }

  @Test
  void aContractDeployedAsAFreshAddressesFirstTransactionReachingTheWatchedVaultIsHigh()
      throws Exception {
    String team = accounts.get(0);
    String attacker = fresh("f1e5", "0001");
    Defi defi = defi(team);
    String stake = defi.stake();
    String lender = defi.lender();
    String vault = defi.vault();
    anvil.impersonate(attacker); // funded by anvil_setBalance: no transaction of its own yet
    String exploit = deploy(attacker, "FlashAttacker", addr(lender), addr(vault));
    send(team, stake, call("transfer", addr(exploit), new Uint256(whole(5000))));
    TransactionReceipt attack =
        send(attacker, exploit, call("attack", new Uint256(whole(5_000_000))));

    List<Event> read = read(Map.of(), Set.of(vault.toLowerCase()));
    assertThat(read)
        .as("the deployment does not touch the vault, but creations are kept as context")
        .anySatisfy(
            e -> {
              assertThat(e.type()).isEqualTo("chain.contract_created");
              assertThat(e.to()).isEqualToIgnoringCase(exploit);
              assertThat(e.attrs()).containsEntry("nonce", 0L).containsEntry("watched", "none");
            });
    assertThat(of(pack(read), "chain.mixer-funded-deployer"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.HIGH);
              assertThat(a.title()).containsIgnoringCase(exploit).contains("fresh deployer");
              assertThat(a.evidence().txHashes()).containsExactly(attack.getTransactionHash());
            });
  }

  @Test
  void aStaleOrBrokenPriceFeedLeavesAmountsUnpricedAndAFixedPriceStillApplies() throws Exception {
    String team = accounts.get(0);
    later(4 * 24 * 3600); // so that "three days before the block" is after the chain's start
    String stale = deploy(team, "StaleFeed");
    String notAFeed = coin(team, "NAF", whole(1));
    String a = coin(team, "AAA", whole(1000));
    String b = coin(team, "BBB", whole(1000));
    String c = coin(team, "CCC", whole(1000));
    for (String token : List.of(a, b, c)) {
      send(team, token, call("transfer", addr(accounts.get(1)), new Uint256(whole(10))));
    }
    List<Event> read =
        read(
            Map.of(
                a.toLowerCase(), new Config.Price(null, stale.toLowerCase()),
                b.toLowerCase(), new Config.Price(null, notAFeed.toLowerCase()),
                c.toLowerCase(), new Config.Price(2.5, null)));
    java.util.function.Function<String, Event> transferOf =
        token ->
            read.stream()
                .filter(
                    e ->
                        e.type().equals("chain.transfer")
                            && e.asset().equalsIgnoreCase(token)
                            && e.amount().compareTo(new java.math.BigDecimal(whole(10))) == 0)
                .findFirst()
                .orElseThrow();
    assertThat(transferOf.apply(a).amountUsd()).as("stale answer: no price").isNull();
    assertThat(transferOf.apply(b).amountUsd()).as("not an aggregator: no price").isNull();
    assertThat(transferOf.apply(c).amountUsd()).as("fixed price").isEqualTo(25.0);
  }
}
