package dev.bulwark.server.chain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.web3j.crypto.Hash;

/**
 * The events Bulwark decodes beyond token transfers, by signature: privileged changes ({@code
 * chain.admin_change}), and flash loans, swaps, reserves, mixer deposits and withdrawals and
 * stablecoin blacklists ({@code chain.log}). Topics are computed from the signatures (a test checks
 * them against the published values); arguments are decoded from topics and data by the listed
 * types.
 */
final class LogCatalog {
  /** One parameter: its name, ABI type and whether it is indexed (in a topic). */
  record Param(String name, String type, boolean indexed) {}

  /** One known event. {@code kind} names it in the decoded event. */
  record Spec(String eventType, String kind, String signature, List<Param> params) {
    String topic() {
      return Hash.sha3String(signature).toLowerCase(Locale.ROOT);
    }

    /** How many topics a log of this event has (the signature's plus the indexed parameters). */
    int topics() {
      return 1 + (int) params.stream().filter(Param::indexed).count();
    }
  }

  private static Param ix(String name, String type) {
    return new Param(name, type, true);
  }

  private static Param p(String name, String type) {
    return new Param(name, type, false);
  }

  static final List<Spec> SPECS =
      List.of(
          new Spec(
              "chain.admin_change",
              "ownership_transferred",
              "OwnershipTransferred(address,address)",
              List.of(ix("previousOwner", "address"), ix("newOwner", "address"))),
          new Spec(
              "chain.admin_change",
              "upgraded",
              "Upgraded(address)",
              List.of(ix("implementation", "address"))),
          new Spec(
              "chain.admin_change",
              "admin_changed",
              "AdminChanged(address,address)",
              List.of(p("previousAdmin", "address"), p("newAdmin", "address"))),
          new Spec(
              "chain.admin_change",
              "beacon_upgraded",
              "BeaconUpgraded(address)",
              List.of(ix("beacon", "address"))),
          new Spec(
              "chain.admin_change",
              "role_granted",
              "RoleGranted(bytes32,address,address)",
              List.of(ix("role", "bytes32"), ix("account", "address"), ix("sender", "address"))),
          new Spec(
              "chain.admin_change",
              "role_revoked",
              "RoleRevoked(bytes32,address,address)",
              List.of(ix("role", "bytes32"), ix("account", "address"), ix("sender", "address"))),
          // Safe v1.3 logs owners unindexed, v1.4 indexed: both layouts are listed.
          new Spec(
              "chain.admin_change",
              "safe_added_owner",
              "AddedOwner(address)",
              List.of(p("owner", "address"))),
          new Spec(
              "chain.admin_change",
              "safe_added_owner",
              "AddedOwner(address)",
              List.of(ix("owner", "address"))),
          new Spec(
              "chain.admin_change",
              "safe_removed_owner",
              "RemovedOwner(address)",
              List.of(p("owner", "address"))),
          new Spec(
              "chain.admin_change",
              "safe_removed_owner",
              "RemovedOwner(address)",
              List.of(ix("owner", "address"))),
          new Spec(
              "chain.admin_change",
              "safe_changed_threshold",
              "ChangedThreshold(uint256)",
              List.of(p("threshold", "uint256"))),
          new Spec(
              "chain.admin_change", "paused", "Paused(address)", List.of(p("account", "address"))),
          new Spec(
              "chain.admin_change",
              "unpaused",
              "Unpaused(address)",
              List.of(p("account", "address"))),
          new Spec(
              "chain.log",
              "aave_v2_flash_loan",
              "FlashLoan(address,address,address,uint256,uint256,uint16)",
              List.of(
                  ix("target", "address"),
                  ix("initiator", "address"),
                  ix("asset", "address"),
                  p("amount", "uint256"),
                  p("premium", "uint256"),
                  p("referralCode", "uint16"))),
          new Spec(
              "chain.log",
              "aave_v3_flash_loan",
              "FlashLoan(address,address,address,uint256,uint8,uint256,uint16)",
              List.of(
                  ix("target", "address"),
                  p("initiator", "address"),
                  ix("asset", "address"),
                  p("amount", "uint256"),
                  p("interestRateMode", "uint8"),
                  p("premium", "uint256"),
                  ix("referralCode", "uint16"))),
          new Spec(
              "chain.log",
              "balancer_flash_loan",
              "FlashLoan(address,address,uint256,uint256)",
              List.of(
                  ix("recipient", "address"),
                  ix("token", "address"),
                  p("amount", "uint256"),
                  p("feeAmount", "uint256"))),
          new Spec(
              "chain.log",
              "uniswap_v3_flash",
              "Flash(address,address,uint256,uint256,uint256,uint256)",
              List.of(
                  ix("sender", "address"),
                  ix("recipient", "address"),
                  p("amount0", "uint256"),
                  p("amount1", "uint256"),
                  p("paid0", "uint256"),
                  p("paid1", "uint256"))),
          new Spec(
              "chain.log",
              "uniswap_v2_swap",
              "Swap(address,uint256,uint256,uint256,uint256,address)",
              List.of(
                  ix("sender", "address"),
                  p("amount0In", "uint256"),
                  p("amount1In", "uint256"),
                  p("amount0Out", "uint256"),
                  p("amount1Out", "uint256"),
                  ix("to", "address"))),
          new Spec(
              "chain.log",
              "uniswap_v3_swap",
              "Swap(address,address,int256,int256,uint160,uint128,int24)",
              List.of(
                  ix("sender", "address"),
                  ix("recipient", "address"),
                  p("amount0", "int256"),
                  p("amount1", "int256"),
                  p("sqrtPriceX96", "uint160"),
                  p("liquidity", "uint128"),
                  p("tick", "int24"))),
          new Spec(
              "chain.log",
              "uniswap_v2_burn",
              "Burn(address,uint256,uint256,address)",
              List.of(
                  ix("sender", "address"),
                  p("amount0", "uint256"),
                  p("amount1", "uint256"),
                  ix("to", "address"))),
          new Spec(
              "chain.log",
              "uniswap_v2_pair_created",
              "PairCreated(address,address,address,uint256)",
              List.of(
                  ix("token0", "address"),
                  ix("token1", "address"),
                  p("pair", "address"),
                  p("index", "uint256"))),
          new Spec(
              "chain.log",
              "uniswap_v2_sync",
              "Sync(uint112,uint112)",
              List.of(p("reserve0", "uint112"), p("reserve1", "uint112"))),
          new Spec(
              "chain.log",
              "tornado_deposit",
              "Deposit(bytes32,uint32,uint256)",
              List.of(
                  ix("commitment", "bytes32"),
                  p("leafIndex", "uint32"),
                  p("timestamp", "uint256"))),
          new Spec(
              "chain.log",
              "tornado_withdrawal",
              "Withdrawal(address,bytes32,address,uint256)",
              List.of(
                  p("to", "address"),
                  p("nullifierHash", "bytes32"),
                  ix("relayer", "address"),
                  p("fee", "uint256"))),
          new Spec(
              "chain.approval",
              "permit2_permit",
              "Permit(address,address,address,uint160,uint48,uint48)",
              List.of(
                  ix("owner", "address"),
                  ix("token", "address"),
                  ix("spender", "address"),
                  p("amount", "uint160"),
                  p("expiration", "uint48"),
                  p("nonce", "uint48"))),
          new Spec(
              "chain.approval",
              "permit2_approve",
              "Approval(address,address,address,uint160,uint48)",
              List.of(
                  ix("owner", "address"),
                  ix("token", "address"),
                  ix("spender", "address"),
                  p("amount", "uint160"),
                  p("expiration", "uint48"))),
          new Spec(
              "chain.log",
              "usdc_blacklisted",
              "Blacklisted(address)",
              List.of(ix("account", "address"))),
          new Spec(
              "chain.log",
              "usdt_added_blacklist",
              "AddedBlackList(address)",
              List.of(p("user", "address"))));

  private static final Map<String, List<Spec>> BY_TOPIC = new LinkedHashMap<>();

  static {
    for (Spec s : SPECS) {
      BY_TOPIC.computeIfAbsent(s.topic(), k -> new ArrayList<>()).add(s);
    }
  }

  /** The spec a log matches (by topic and its number of topics), if any. */
  static Spec find(List<String> topics) {
    List<Spec> candidates = BY_TOPIC.get(topics.get(0).toLowerCase(Locale.ROOT));
    if (candidates == null) {
      return null;
    }
    for (Spec s : candidates) {
      if (s.topics() == topics.size()) {
        return s;
      }
    }
    return null;
  }

  /**
   * The arguments of a log, as plain values: addresses and hashes as hex, integers as decimal text.
   */
  static Map<String, Object> decode(Spec spec, List<String> topics, String data) {
    Map<String, Object> args = new LinkedHashMap<>();
    int topic = 1;
    int word = 0;
    String hex = data == null || data.length() < 2 ? "" : data.substring(2);
    for (Param p : spec.params()) {
      String raw;
      if (p.indexed()) {
        raw = topics.get(topic++).substring(2);
      } else {
        int from = word * 64;
        raw = hex.length() >= from + 64 ? hex.substring(from, from + 64) : "0".repeat(64);
        word++;
      }
      args.put(p.name(), value(p.type(), raw));
    }
    return args;
  }

  private static Object value(String type, String word) {
    if (type.equals("address")) {
      return "0x" + word.substring(24).toLowerCase(Locale.ROOT);
    }
    if (type.equals("bytes32")) {
      return "0x" + word.toLowerCase(Locale.ROOT);
    }
    BigInteger n = new BigInteger(word, 16);
    if (type.startsWith("int")) {
      int bits = Integer.parseInt(type.substring(3));
      // two's complement within the word: 256-bit words carry signed values sign-extended
      if (n.testBit(255)) {
        n = n.subtract(BigInteger.ONE.shiftLeft(256));
      }
      return bits <= 64 ? (Object) n.longValue() : n.toString();
    }
    int bits = Integer.parseInt(type.substring(4));
    return bits <= 62 ? (Object) n.longValue() : n.toString();
  }
}
