package dev.bulwark.server.demo;

import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A realistic day at an exchange, generated from a seed: customers logging in from home, the odd
 * typo, a market maker's API bot, a retail user browsing, withdrawals to known addresses, admins at
 * work, the hot wallet paying out USDT and approving Permit2 — and a dozen attacks woven in, each
 * labelled with the detections that should catch it. Background events are built not to look like
 * attacks, so every alert of the day should belong to a labelled attack.
 */
public final class DemoDay {
  /** The day (a Wednesday). */
  public static final Instant DAY = Instant.parse("2026-11-25T00:00:00Z");

  public static final String HOT_WALLET = "0x28c6c06298d514db089934071355e5743bf21d60";
  public static final String USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7";
  public static final String PERMIT2 = "0x000000000022d473030f116ddee9f6b43ac78ba3";

  /** An OFAC-listed Lazarus Group address (public SDN data). */
  public static final String LAZARUS = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";

  /**
   * An attack woven into the day: when, what, the detections expected to catch it, and the ids of
   * its events (an alert whose evidence names none of them is about background traffic).
   */
  public record Attack(String name, Instant at, List<String> caughtBy, Set<String> events) {
    Attack(String name, Instant at, List<String> caughtBy) {
      this(name, at, caughtBy, new java.util.LinkedHashSet<>());
    }
  }

  private final Random random;
  private final List<Event> events = new ArrayList<>();
  private final List<Attack> attacks = new ArrayList<>();
  private int seq;

  private DemoDay(long seed) {
    this.random = new Random(seed);
  }

  /** The events of the day, in time order, and the attacks in them. */
  public record Day(List<Event> events, List<Attack> attacks) {}

  public static Day generate(int customers, long seed) {
    DemoDay d = new DemoDay(seed);
    d.background(customers);
    d.attacks();
    d.events.sort(Comparator.comparing(Event::time).thenComparing(Event::id));
    List<Attack> attacks =
        d.attacks.stream()
            .map(a -> new Attack(a.name(), a.at(), a.caughtBy(), Set.copyOf(a.events())))
            .sorted(Comparator.comparing(Attack::at))
            .toList();
    return new Day(List.copyOf(d.events), attacks);
  }

  // --- background ------------------------------------------------------------------------------

  private static final double[][] CITIES = {
    {51.51, -0.13},
    {48.86, 2.35},
    {52.52, 13.40},
    {40.42, -3.70},
    {41.90, 12.50},
    {1.35, 103.82},
    {35.68, 139.69},
    {40.71, -74.01},
    {-33.87, 151.21},
    {25.20, 55.27}
  };

  private void background(int customers) {
    for (int c = 0; c < customers; c++) {
      String account = "u-%04d".formatted(c);
      double[] city = CITIES[c % CITIES.length];
      String ip = "198.51.%d.%d".formatted(c / 250, c % 250 + 1);
      String device = "dev-" + c;
      String address = address();
      int sessions = 1 + random.nextInt(4);
      for (int s = 0; s < sessions; s++) {
        Instant t = DAY.plusSeconds(random.nextInt(86_000));
        if (random.nextInt(12) == 0) {
          add(ev("auth.login_failed", t.minusSeconds(20)).account(account).ip(ip).device(device));
        }
        add(
            ev("auth.login", t)
                .account(account)
                .ip(ip)
                .device(device)
                .attr("lat", city[0] + random.nextDouble() * 0.2)
                .attr("lon", city[1] + random.nextDouble() * 0.2)
                .attr("new_device", false)
                .attr("new_country", false));
        for (int r = 0; r < 3 + random.nextInt(8); r++) {
          t = t.plusSeconds(2 + random.nextInt(90));
          add(
              ev("api.request", t)
                  .account(account)
                  .ip(ip)
                  .attr(
                      "path",
                      "/api/v1/"
                          + (random.nextBoolean() ? "balances" : "orders/" + random.nextInt(5)))
                  .attr("status", random.nextInt(30) == 0 ? 404 : 200)
                  .attr("user_agent", "Mozilla/5.0 (Windows NT 10.0) Chrome/131"));
        }
        if (random.nextInt(4) == 0) {
          double usd = 50 + random.nextInt(40_000);
          add(
              ev("wallet.withdrawal_requested", t.plusSeconds(30))
                  .account(account)
                  .ip(ip)
                  .asset("USDT")
                  .usd(usd)
                  .to(address)
                  .attr("via", "web"));
          payout(t.plusSeconds(300), address, (long) (usd * 1_000_000));
        }
      }
    }
    // a market maker's API key: every 500 ms all day long, a few endpoints, all fine
    for (long ms = 0; ms < Duration.ofHours(24).toMillis(); ms += 500) {
      if (random.nextInt(40) != 0) {
        continue; // sampled: one request in forty is kept, to keep the day small
      }
      add(
          ev("api.request", DAY.plusMillis(ms))
              .account("mm-capital")
              .ip("203.0.113.200")
              .attr("key_id", "mm-key-1")
              .attr("path", ms % 1000 == 0 ? "/api/v1/orderbook/BTC-USDT" : "/api/v1/orders")
              .attr("status", 200)
              .attr("user_agent", "okhttp/4.12"));
    }
    // admins at work, four eyes on every whitelist change
    for (int i = 0; i < 30; i++) {
      Instant t = DAY.plus(Duration.ofHours(9)).plusSeconds(random.nextInt(8 * 3600));
      add(
          ev("admin.action", t)
              .account(i % 2 == 0 ? "admin-ana" : "admin-ben")
              .attr("action", "withdrawal_whitelist.approve")
              .attr("requested_by", i % 2 == 0 ? "admin-ben" : "admin-ana")
              .attr("change_id", "wl-" + i)
              .attr("customer", "u-%04d".formatted(i)));
    }
    // an arbitrage bot's flash loans through the exchange's watched listing pool, every hour:
    // $900 000 borrowed, ~0.1 % kept; the events not touching the pool are context (watched: none)
    String bot = address();
    String botOwner = address();
    String listingPool = address();
    for (int i = 0; i < 24; i++) {
      flashLoanTx(
          DAY.plus(Duration.ofMinutes(60L * i + 7)),
          botOwner,
          bot,
          900_000,
          List.of(new long[] {900_000, 900_900 + random.nextInt(400)}),
          null,
          0,
          listingPool);
    }
    // a young token's early liquidity provider takes its stake out: not the deployer
    youngPool(DAY.plus(Duration.ofHours(6)), address(), address(), 40, false);
    // the hot wallet's routine Permit2 approval
    add(
        ev("chain.approval", DAY.plus(Duration.ofHours(8)))
            .chain()
            .from(HOT_WALLET)
            .to(PERMIT2)
            .asset(USDT)
            .amount(new BigDecimal("1461501637330902918203684832716283019655932542975"))
            .tx(hash())
            .attr("kind", "approve")
            .attr("unlimited", true));
  }

  private void payout(Instant t, String to, long units) {
    add(
        transfer(t, HOT_WALLET, to, USDT, BigDecimal.valueOf(units), "erc20", 6)
            .attr("symbol", "USDT"));
  }

  /** A token or native transfer in a transaction of its own. */
  private Builder transfer(
      Instant t,
      String from,
      String to,
      String asset,
      BigDecimal amount,
      String standard,
      int decimals) {
    return ev("chain.transfer", t)
        .chain()
        .from(from)
        .to(to)
        .asset(asset)
        .amount(amount)
        .tx(hash())
        .attr("standard", standard)
        .attr("decimals", (long) decimals);
  }

  // --- attacks ---------------------------------------------------------------------------------

  private void attacks() {
    stuffing(at(3, 12));
    mixerFundedExploit(at(5, 0));
    impossibleTravel(at(11, 0));
    ato(at(9, 40));
    poisoning(at(12, 0));
    phishingApproval(at(13, 0));
    apiKeyAbuse(at(14, 5));
    agent(at(16, 20));
    sanctioned(at(18, 0));
    upgrade(at(20, 0));
    insider(at(22, 30));
    drain(at(23, 10));
    oneHop(at(17, 0));
    keyCompromise(at(2, 30));
    burst(at(4, 0));
    flashLoanExploit(at(7, 30));
    rugPull(at(21, 0));
  }

  private static final String USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
  private static final String WETH = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2";
  private static final String AAVE_V3 = "0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2";
  private static final String A_USDC = "0x98c23e9d8f34fefb1b7bd6a91b7ff122f4e16f5c";

  /**
   * One transaction with an Aave v3 flash loan of {@code borrowed} USDC: the loan, each {@code
   * legs} swap out and back (USDC sent, USDC received) through a pool, the repayment, and — when
   * {@code victim} is set — {@code stolen} USD worth of WETH taken from it and passed to the owner.
   * Events a millisecond apart keep their order. With a {@code watched} pool the swaps go through
   * it, and the events are marked as the EVM source marks a watched transaction's.
   */
  private void flashLoanTx(
      Instant t,
      String owner,
      String borrower,
      long borrowed,
      List<long[]> legs,
      String victim,
      long stolen,
      String watched) {
    String tx = hash();
    int[] ms = {0};
    java.util.function.Supplier<Instant> next = () -> t.plusMillis(ms[0]++);
    String none = watched == null ? null : "none";
    add(mark(ev("chain.transaction", next.get()).chain().from(owner).to(borrower).tx(tx), none));
    add(mark(usdc(next.get(), tx, A_USDC, borrower, borrowed), none));
    for (long[] leg : legs) {
      String pool = watched != null ? watched : address();
      add(mark(usdc(next.get(), tx, borrower, pool, leg[0]), watched == null ? null : "to"));
      add(mark(usdc(next.get(), tx, pool, borrower, leg[1]), watched == null ? null : "from"));
    }
    if (victim != null) {
      long eth = stolen / 3000;
      add(weth(next.get(), tx, victim, borrower, eth));
      add(weth(next.get(), tx, borrower, owner, eth));
    }
    long premium = borrowed / 2000;
    add(mark(usdc(next.get(), tx, borrower, A_USDC, borrowed + premium), none));
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("target", borrower);
    args.put("initiator", borrower);
    args.put("asset", USDC);
    args.put("amount", BigDecimal.valueOf(borrowed).movePointRight(6).toPlainString());
    args.put("premium", BigDecimal.valueOf(premium).movePointRight(6).toPlainString());
    add(
        mark(
            ev("chain.log", next.get())
                .chain()
                .to(AAVE_V3)
                .tx(tx)
                .attr("kind", "aave_v3_flash_loan")
                .attr("contract", AAVE_V3)
                .attr("args", args),
            none));
  }

  /** {@code attrs.watched} as the EVM source sets it under a watch list (null: no watch list). */
  private static Builder mark(Builder b, String watched) {
    return watched == null ? b : b.attr("watched", watched);
  }

  private Builder usdc(Instant t, String tx, String from, String to, long whole) {
    return transfer(t, from, to, USDC, BigDecimal.valueOf(whole).movePointRight(6), "erc20", 6)
        .tx(tx)
        .usd(whole);
  }

  private Builder weth(Instant t, String tx, String from, String to, long whole) {
    return transfer(t, from, to, WETH, BigDecimal.valueOf(whole).movePointRight(18), "erc20", 18)
        .tx(tx)
        .usd(whole * 3000.0);
  }

  private void flashLoanExploit(Instant t) {
    attacks.add(
        new Attack(
            "a flash loan inflates a balance and drains a lending vault of $4.5 million",
            t,
            List.of("chain.flash-loan-exploit")));
    String owner = address();
    String borrower = address();
    flashLoanTx(
        t,
        owner,
        borrower,
        20_000_000,
        List.of(new long[] {20_000_000, 20_000_000}),
        address(),
        4_500_000,
        null);
  }

  /**
   * A token deployed at {@code t} minus a day by {@code deployer}, its pool funded, and at {@code
   * t} {@code remover} taking {@code percent} % of the pool out.
   */
  private void youngPool(
      Instant t, String deployer, String remover, int percent, boolean deployerRemoves) {
    String token = address();
    String pool = address();
    add(
        ev("chain.contract_created", t.minus(Duration.ofDays(1)))
            .chain()
            .from(deployer)
            .to(token)
            .tx(hash())
            .attr("creator", deployer)
            .attr("nonce", 0L));
    String who = deployerRemoves ? deployer : remover;
    String tx = hash();
    int[] ms = {0};
    java.util.function.Supplier<Instant> next = () -> t.plusMillis(ms[0]++);
    long tokens = 1_000_000L * percent;
    long eth = 3L * percent;
    add(ev("chain.transaction", next.get()).chain().from(who).to(pool).tx(tx));
    add(
        transfer(
                next.get(),
                pool,
                who,
                token,
                BigDecimal.valueOf(tokens).movePointRight(18),
                "erc20",
                18)
            .tx(tx));
    add(weth(next.get(), tx, pool, who, eth));
    add(
        ev("chain.log", next.get())
            .chain()
            .to(pool)
            .tx(tx)
            .attr("kind", "uniswap_v2_sync")
            .attr("contract", pool)
            .attr(
                "args",
                Map.of(
                    "reserve0",
                    BigDecimal.valueOf(1_000_000L * (100 - percent))
                        .movePointRight(18)
                        .toPlainString(),
                    "reserve1",
                    BigDecimal.valueOf(3L * (100 - percent)).movePointRight(18).toPlainString())));
    add(
        ev("chain.log", next.get())
            .chain()
            .from(who)
            .to(who)
            .tx(tx)
            .attr("kind", "uniswap_v2_burn")
            .attr("contract", pool)
            .attr(
                "args",
                Map.of(
                    "sender",
                    who,
                    "amount0",
                    BigDecimal.valueOf(tokens).movePointRight(18).toPlainString(),
                    "amount1",
                    BigDecimal.valueOf(eth).movePointRight(18).toPlainString(),
                    "to",
                    who)));
  }

  private void rugPull(Instant t) {
    attacks.add(
        new Attack(
            "the deployer of a day-old token pulls 98 % of its pool's liquidity",
            t, List.of("chain.rug-pull")));
    String deployer = address();
    youngPool(t, deployer, deployer, 98, true);
  }

  private void burst(Instant t) {
    attacks.add(
        new Attack(
            "a cold wallet suddenly sending a dozen transfers", t, List.of("chain.burst-drain")));
    String cold = address();
    add(
        transfer(
            DAY.plus(Duration.ofMinutes(30)),
            cold,
            HOT_WALLET,
            "ETH",
            new BigDecimal("2000000000000000000"),
            "native",
            18));
    for (int i = 0; i < 12; i++) {
      add(
          transfer(
              t.plusSeconds(30L * i),
              cold,
              address(),
              "ETH",
              new BigDecimal("5000000000000000000"),
              "native",
              18));
    }
  }

  private void keyCompromise(Instant t) {
    attacks.add(
        new Attack(
            "three cold wallets paying one fresh address within the hour (stolen keys)",
            t,
            List.of("chain.key-compromise")));
    String sink = address();
    for (int i = 0; i < 3; i++) {
      add(
          transfer(
              t.plus(Duration.ofMinutes(20L * i)),
              address(),
              sink,
              "ETH",
              new BigDecimal("120000000000000000000"),
              "native",
              18));
    }
  }

  private void oneHop(Instant t) {
    attacks.add(
        new Attack(
            "a deposit from an address Lazarus funded an hour before",
            t,
            List.of("intel.one-hop-exposure")));
    String mule = address();
    add(transfer(t, LAZARUS, mule, "ETH", new BigDecimal("12000000000000000000"), "native", 18));
    add(
        ev("wallet.deposit", t.plus(Duration.ofHours(1)))
            .account("u-0444")
            .from(mule)
            .asset("ETH")
            .usd(36_000));
  }

  private void drain(Instant t) {
    attacks.add(
        new Attack(
            "1.5 million USDT drained from the hot wallet",
            t,
            List.of("chain.large-outflow", "chain.unusual-outflow")));
    payout(t, address(), 1_500_000_000_000L);
  }

  private static Instant at(int hour, int minute) {
    return DAY.plus(Duration.ofHours(hour)).plus(Duration.ofMinutes(minute));
  }

  private void stuffing(Instant t) {
    attacks.add(
        new Attack("credential stuffing from one IP", t, List.of("auth.credential-stuffing")));
    for (int i = 0; i < 25; i++) {
      add(
          ev("auth.login_failed", t.plusSeconds(i * 2L))
              .account("u-%04d".formatted(i * 7))
              .ip("192.0.2.66")
              .device("bot-" + i));
    }
  }

  private void mixerFundedExploit(Instant t) {
    attacks.add(
        new Attack(
            "Tornado-funded deployer, then a re-entrancy exploit of the vault",
            t,
            List.of("chain.mixer-funded-deployer", "chain.reentrancy", "correlation.multi-stage")));
    String fresh = address();
    String attack = address();
    String vault = address();
    add(
        ev("chain.log", t)
            .chain()
            .to(fresh)
            .tx(hash())
            .attr("kind", "tornado_withdrawal")
            .attr("contract", "0x910cbd523d972eb0a6f4cae4618ad62622b39dbf"));
    String deploy = hash();
    add(
        ev("chain.contract_created", t.plus(Duration.ofMinutes(50)))
            .chain()
            .from(fresh)
            .to(attack)
            .tx(deploy)
            .attr("creator", fresh)
            .attr("nonce", 0L));
    String strike = hash();
    Instant s = t.plus(Duration.ofHours(2));
    add(ev("chain.transaction", s).chain().from(fresh).to(attack).tx(strike).id("strike"));
    String path = "0";
    for (int i = 0; i < 7; i++) {
      add(
          ev("chain.call", s)
              .chain()
              .from(i % 2 == 0 ? attack : vault)
              .to(i % 2 == 0 ? vault : attack)
              .tx(strike)
              .id("strike:trace:" + path)
              .attr("call_type", "call")
              .attr("depth", (long) (i + 1)));
      path = path + ".0";
    }
  }

  private void impossibleTravel(Instant t) {
    attacks.add(
        new Attack(
            "impossible travel (London, then Singapore 40 min later)",
            t,
            List.of("ato.impossible-travel")));
    add(
        ev("auth.login", t)
            .account("traveller-1")
            .ip("198.51.200.1")
            .attr("lat", 51.5)
            .attr("lon", -0.12));
    add(
        ev("auth.login", t.plus(Duration.ofMinutes(40)))
            .account("traveller-1")
            .ip("203.0.113.17")
            .attr("lat", 1.35)
            .attr("lon", 103.82));
  }

  private void ato(Instant t) {
    attacks.add(
        new Attack(
            "account takeover: MFA reset, new address, withdrawal",
            t,
            List.of("ato.withdrawal-after-mfa-reset")));
    String thief = address();
    add(ev("auth.mfa_changed", t).account("u-1842").ip("203.0.113.23"));
    add(
        ev("wallet.address_added", t.plus(Duration.ofMinutes(4)))
            .account("u-1842")
            .ip("203.0.113.23")
            .to(thief));
    add(
        ev("wallet.withdrawal_requested", t.plus(Duration.ofMinutes(9)))
            .account("u-1842")
            .ip("203.0.113.23")
            .to(thief)
            .asset("USDT")
            .usd(48_000)
            .attr("via", "web"));
  }

  private void poisoning(Instant t) {
    attacks.add(
        new Attack(
            "address poisoning of the hot wallet (dust, a fake \"𝐔𝐒𝐃𝐓\"), then a payout to the imitator",
            t,
            List.of("chain.address-poisoning", "chain.fake-token")));
    String customer = "0xa1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    String imitator = "0xa1b2" + "f".repeat(32) + "5678";
    payout(t, customer, 25_000_000_000L);
    add(
        transfer(
            t.plus(Duration.ofMinutes(3)), imitator, HOT_WALLET, USDT, BigDecimal.ONE, "erc20", 6));
    add(
        transfer(
                t.plus(Duration.ofMinutes(4)),
                imitator,
                HOT_WALLET,
                address(),
                BigDecimal.valueOf(25_000_000_000L),
                "erc20",
                6)
            .attr("symbol", "𝐔𝐒𝐃𝐓"));
    payout(t.plus(Duration.ofHours(2)), imitator, 19_000_000_000L);
  }

  private void phishingApproval(Instant t) {
    attacks.add(
        new Attack(
            "unlimited USDT approval to an unknown spender, then the drain",
            t,
            List.of("chain.unlimited-approval-unknown-spender", "chain.approval-then-drain")));
    payout(t.plus(Duration.ofMinutes(2)), address(), 480_000_000_000L);
    add(
        ev("chain.approval", t)
            .chain()
            .from(HOT_WALLET)
            .to(address())
            .asset(USDT)
            .amount(
                new BigDecimal(
                    "115792089237316195423570985008687907853269984665640564039457584007913129639935"))
            .tx(hash())
            .attr("kind", "approve")
            .attr("unlimited", true));
  }

  private void apiKeyAbuse(Instant t) {
    attacks.add(
        new Attack(
            "new withdraw-enabled API key from a new IP, used at once",
            t,
            List.of("api.key-withdrawal-abuse")));
    add(
        ev("api.key_created", t)
            .account("u-0777")
            .ip("203.0.113.88")
            .attr("key_id", "k-777")
            .attr("new_ip", true)
            .attr("permissions", List.of("read", "withdraw")));
    add(
        ev("wallet.withdrawal_requested", t.plus(Duration.ofMinutes(6)))
            .account("u-0777")
            .ip("203.0.113.88")
            .to(address())
            .asset("USDT")
            .usd(15_000)
            .attr("via", "api")
            .attr("key_id", "k-777"));
  }

  private void agent(Instant t) {
    attacks.add(
        new Attack(
            "an AI agent enumerating orders with a scripted session",
            t,
            List.of("api.automated-intrusion")));
    for (int i = 0; i < 40; i++) {
      add(
          ev("api.request", t.plusMillis(i * 250L))
              .account("u-0555")
              .ip("203.0.113.99")
              .attr("path", "/api/v1/orders/" + (90_000 + i))
              .attr("status", i % 3 == 0 ? 404 : 200)
              .attr("user_agent", "python-httpx/0.27"));
    }
  }

  private void sanctioned(Instant t) {
    attacks.add(
        new Attack(
            "withdrawal to an OFAC-sanctioned (Lazarus) address",
            t,
            List.of("intel.indicator-match")));
    add(
        ev("wallet.withdrawal_requested", t)
            .account("u-0321")
            .ip("198.51.1.72")
            .to(LAZARUS)
            .asset("USDT")
            .usd(9_900)
            .attr("via", "web"));
  }

  private void upgrade(Instant t) {
    attacks.add(
        new Attack(
            "an unannounced proxy upgrade of a watched contract",
            t,
            List.of("chain.privileged-change")));
    String proxy = address();
    add(
        ev("chain.admin_change", t)
            .chain()
            .from(address())
            .to(address())
            .tx(hash())
            .attr("kind", "upgraded")
            .attr("event", "Upgraded")
            .attr("contract", proxy));
  }

  private void insider(Instant t) {
    attacks.add(
        new Attack(
            "an admin approving their own whitelist change, at night",
            t,
            List.of("insider.self-approved-whitelist", "insider.admin-after-hours")));
    add(
        ev("admin.action", t)
            .account("admin-ben")
            .to(address())
            .attr("action", "withdrawal_whitelist.approve")
            .attr("requested_by", "admin-ben")
            .attr("change_id", "wl-night")
            .attr("customer", "u-0999"));
  }

  // --- building events -------------------------------------------------------------------------

  private String address() {
    byte[] b = new byte[20];
    random.nextBytes(b);
    return "0x" + HexFormat.of().formatHex(b);
  }

  private String hash() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return "0x" + HexFormat.of().formatHex(b);
  }

  private void add(Builder b) {
    Event e = b.build();
    events.add(e);
    if (!attacks.isEmpty()) {
      attacks.get(attacks.size() - 1).events().add(e.id()); // background comes before attacks
    }
  }

  private Builder ev(String type, Instant time) {
    return new Builder(type, time, "demo-" + (seq++));
  }

  /** A small builder: the demo writes many events, each with a few fields. */
  private static final class Builder {
    private final String type;
    private final Instant time;
    private String id;
    private String account;
    private String ip;
    private String device;
    private String chain;
    private String asset;
    private BigDecimal amount;
    private Double usd;
    private String from;
    private String to;
    private String tx;
    private final Map<String, Object> attrs = new LinkedHashMap<>();

    Builder(String type, Instant time, String id) {
      this.type = type;
      this.time = time;
      this.id = id;
    }

    Builder id(String v) {
      id = id + ":" + v;
      return this;
    }

    Builder account(String v) {
      account = v;
      return this;
    }

    Builder ip(String v) {
      ip = v;
      return this;
    }

    Builder device(String v) {
      device = v;
      return this;
    }

    Builder chain() {
      chain = "eip155:1";
      return this;
    }

    Builder asset(String v) {
      asset = v;
      return this;
    }

    Builder amount(BigDecimal v) {
      amount = v;
      return this;
    }

    Builder usd(double v) {
      usd = v;
      return this;
    }

    Builder from(String v) {
      from = v;
      return this;
    }

    Builder to(String v) {
      to = v;
      return this;
    }

    Builder tx(String v) {
      tx = v;
      return this;
    }

    Builder attr(String k, Object v) {
      attrs.put(k, v);
      return this;
    }

    Event build() {
      return new Event(
          id,
          type,
          time,
          "demo",
          account,
          ip,
          device,
          chain,
          asset,
          amount,
          usd,
          from,
          to,
          tx,
          new HashMap<>(attrs));
    }
  }
}
