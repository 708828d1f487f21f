package dev.bulwark.server.chain;

import dev.bulwark.engine.event.Address;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Turns a block, its transactions and their receipts into canonical events: {@code
 * chain.transaction} per transaction, {@code chain.transfer} for native value and for ERC-20 /
 * ERC-721 {@code Transfer} logs, {@code chain.approval} for {@code Approval} and {@code
 * ApprovalForAll}, and {@code chain.contract_created}. Ids are deterministic ({@code
 * <caip2>:<block>:<block hash prefix>:<tx index>[:log:<log index>]}), so a replay is idempotent.
 * Amounts keep full precision in the smallest unit.
 */
final class EvmDecoder {
  /** keccak256("Transfer(address,address,uint256)"), shared by ERC-20 and ERC-721. */
  static final String TRANSFER =
      "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

  /** keccak256("Approval(address,address,uint256)"). */
  static final String APPROVAL =
      "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925";

  /** keccak256("TransferSingle(address,address,address,uint256,uint256)"), ERC-1155. */
  static final String TRANSFER_SINGLE =
      "0xc3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62";

  /** keccak256("TransferBatch(address,address,address,uint256[],uint256[])"), ERC-1155. */
  static final String TRANSFER_BATCH =
      "0x4a39dc06d4c0dbc64b70af90fd698a233a518aa5d07e595d983b8c0526c8f7fb";

  /** keccak256("ApprovalForAll(address,address,bool)"). */
  static final String APPROVAL_FOR_ALL =
      "0x17307eab39ab6107e8899845ad3d59bd9653f200f220920489ca2b5937696c31";

  private static final BigInteger UINT160_MAX = BigInteger.TWO.pow(160).subtract(BigInteger.ONE);

  private final String chain;
  private final String nativeAsset;

  EvmDecoder(String chain, String nativeAsset) {
    this.chain = chain;
    this.nativeAsset = nativeAsset;
  }

  List<Event> decode(EthBlock.Block block, Map<String, TransactionReceipt> receipts) {
    List<Event> out = new ArrayList<>();
    long number = block.getNumber().longValueExact();
    Instant time = Instant.ofEpochSecond(block.getTimestamp().longValueExact());
    for (EthBlock.TransactionResult<?> r : block.getTransactions()) {
      Transaction tx = (Transaction) r.get();
      TransactionReceipt receipt = receipts.get(tx.getHash());
      long index = tx.getTransactionIndex().longValueExact();
      // The block hash's first bytes tell forks apart: after a reorganisation the canonical block's
      // events do not collide with the retracted ones of the same height.
      String base =
          "%s:%d:%s:%d"
              .formatted(
                  chain, number, block.getHash().substring(2, 10).toLowerCase(Locale.ROOT), index);
      String from = address(tx.getFrom());
      String to = tx.getTo() == null ? null : address(tx.getTo());
      boolean ok = receipt == null || receipt.isStatusOK();
      Map<String, Object> attrs = new LinkedHashMap<>();
      attrs.put("block", number);
      attrs.put("tx_index", index);
      attrs.put("status", ok ? "success" : "reverted");
      if (tx.getInput() != null && tx.getInput().length() >= 10) {
        attrs.put("selector", tx.getInput().substring(0, 10).toLowerCase(Locale.ROOT));
      }
      out.add(
          event(
              base,
              "chain.transaction",
              time,
              from,
              to,
              tx.getHash(),
              nativeAsset,
              new BigDecimal(tx.getValue()),
              attrs));
      if (!ok) {
        continue; // a reverted transaction moved nothing and emitted no logs
      }
      if (tx.getValue().signum() > 0 && to != null) {
        out.add(
            event(
                base + ":value",
                "chain.transfer",
                time,
                from,
                to,
                tx.getHash(),
                nativeAsset,
                new BigDecimal(tx.getValue()),
                Map.of("standard", "native", "decimals", 18L, "block", number)));
      }
      if (to != null) {
        var permit = Permits.decode(tx.getInput());
        if (permit.isPresent()) {
          out.add(
              Permits.event(
                  base + ":permit",
                  chain,
                  "evm",
                  time,
                  tx.getHash().toLowerCase(Locale.ROOT),
                  to,
                  from,
                  number,
                  permit.get()));
        }
      }
      if (receipt != null && receipt.getContractAddress() != null) {
        Map<String, Object> created = new LinkedHashMap<>();
        created.put("creator", from);
        created.put("nonce", tx.getNonce().longValueExact());
        created.put("block", number);
        out.add(
            event(
                base + ":create",
                "chain.contract_created",
                time,
                from,
                address(receipt.getContractAddress()),
                tx.getHash(),
                null,
                null,
                created));
      }
      if (receipt != null) {
        for (Log log : receipt.getLogs()) {
          if (isTransferBatch(log)) {
            out.addAll(transferBatch(log, base, time, tx.getHash(), number));
            continue;
          }
          Event e = decodeLog(log, base, time, tx.getHash(), number);
          if (e != null) {
            out.add(e);
          }
        }
      }
    }
    return out;
  }

  private static boolean isTransferBatch(Log log) {
    return log.getTopics().size() == 4 && log.getTopics().get(0).equalsIgnoreCase(TRANSFER_BATCH);
  }

  /**
   * An ERC-1155 {@code TransferBatch}: one {@code chain.transfer} per token id, ids suffixed with
   * the position in the batch. A log whose arrays do not decode (bad offsets, lengths that differ)
   * yields nothing rather than a guess.
   */
  private List<Event> transferBatch(Log log, String base, Instant time, String txHash, long block) {
    List<String> topics = log.getTopics();
    String data = log.getData() == null ? "" : log.getData().replaceFirst("^0x", "");
    List<BigInteger> ids = uintArray(data, 0);
    List<BigInteger> values = uintArray(data, 1);
    if (ids == null || values == null || ids.size() != values.size()) {
      return List.of();
    }
    String token = address(log.getAddress());
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      Map<String, Object> attrs = new LinkedHashMap<>();
      attrs.put("token", token);
      attrs.put("log_index", log.getLogIndex().longValueExact());
      attrs.put("block", block);
      attrs.put("standard", "erc1155");
      attrs.put("operator", topicAddress(topics.get(1)));
      attrs.put("token_id", ids.get(i).toString());
      attrs.put("batch_index", (long) i);
      out.add(
          event(
              base + ":log:" + log.getLogIndex().longValueExact() + ":" + i,
              "chain.transfer",
              time,
              topicAddress(topics.get(2)),
              topicAddress(topics.get(3)),
              txHash,
              token,
              new BigDecimal(values.get(i)),
              attrs));
    }
    return out;
  }

  /** The {@code uint256[]} whose offset is in head word {@code slot}; null when malformed. */
  private static List<BigInteger> uintArray(String data, int slot) {
    try {
      if (data.length() < (slot + 1) * 64) {
        return null;
      }
      BigInteger offset = new BigInteger(data.substring(slot * 64, (slot + 1) * 64), 16);
      if (offset.bitLength() > 31 || offset.intValue() % 32 != 0) {
        return null;
      }
      int at = offset.intValue() * 2;
      if (data.length() < at + 64) {
        return null;
      }
      BigInteger length = new BigInteger(data.substring(at, at + 64), 16);
      if (length.bitLength() > 20 || data.length() < at + 64 + length.intValue() * 64) {
        return null;
      }
      List<BigInteger> out = new ArrayList<>();
      for (int i = 0; i < length.intValue(); i++) {
        int from = at + 64 + i * 64;
        out.add(new BigInteger(data.substring(from, from + 64), 16));
      }
      return out;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private Event decodeLog(Log log, String base, Instant time, String txHash, long block) {
    List<String> topics = log.getTopics();
    if (topics.isEmpty()) {
      return null;
    }
    String topic0 = topics.get(0).toLowerCase(Locale.ROOT);
    String id = base + ":log:" + log.getLogIndex().longValueExact();
    String token = address(log.getAddress());
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("token", token);
    attrs.put("log_index", log.getLogIndex().longValueExact());
    attrs.put("block", block);
    switch (topic0) {
      case TRANSFER -> {
        if (topics.size() == 3) {
          attrs.put("standard", "erc20");
          return event(
              id,
              "chain.transfer",
              time,
              topicAddress(topics.get(1)),
              topicAddress(topics.get(2)),
              txHash,
              token,
              uint(log.getData()),
              attrs);
        }
        if (topics.size() == 4) {
          attrs.put("standard", "erc721");
          attrs.put("token_id", new BigInteger(topics.get(3).substring(2), 16).toString());
          return event(
              id,
              "chain.transfer",
              time,
              topicAddress(topics.get(1)),
              topicAddress(topics.get(2)),
              txHash,
              token,
              BigDecimal.ONE,
              attrs);
        }
        return null;
      }
      case APPROVAL -> {
        if (topics.size() != 3) {
          return null;
        }
        attrs.put("kind", "approve");
        BigDecimal amount = uint(log.getData());
        attrs.put("unlimited", amount.compareTo(new BigDecimal(BigInteger.TWO.pow(255))) >= 0);
        return event(
            id,
            "chain.approval",
            time,
            topicAddress(topics.get(1)),
            topicAddress(topics.get(2)),
            txHash,
            token,
            amount,
            attrs);
      }
      case APPROVAL_FOR_ALL -> {
        if (topics.size() != 3) {
          return null;
        }
        attrs.put("kind", "approval_for_all");
        attrs.put("approved", uint(log.getData()).signum() != 0);
        return event(
            id,
            "chain.approval",
            time,
            topicAddress(topics.get(1)),
            topicAddress(topics.get(2)),
            txHash,
            token,
            null,
            attrs);
      }
      default -> {
        return catalogued(log, topics, id, time, txHash, token, attrs);
      }
    }
  }

  /** ERC-1155 transfers and the catalogued events (admin changes, flash loans, swaps…). */
  private Event catalogued(
      Log log,
      List<String> topics,
      String id,
      Instant time,
      String txHash,
      String emitter,
      Map<String, Object> attrs) {
    String topic0 = topics.get(0).toLowerCase(Locale.ROOT);
    if (topic0.equals(TRANSFER_SINGLE) && topics.size() == 4) {
      String data = log.getData().substring(2);
      attrs.put("standard", "erc1155");
      attrs.put("operator", topicAddress(topics.get(1)));
      attrs.put("token_id", new BigInteger(data.substring(0, 64), 16).toString());
      return event(
          id,
          "chain.transfer",
          time,
          topicAddress(topics.get(2)),
          topicAddress(topics.get(3)),
          txHash,
          emitter,
          new BigDecimal(new BigInteger(data.substring(64, 128), 16)),
          attrs);
    }
    LogCatalog.Spec spec = LogCatalog.find(topics);
    if (spec == null) {
      return null;
    }
    Map<String, Object> args = LogCatalog.decode(spec, topics, log.getData());
    attrs.remove("token");
    attrs.put("contract", emitter);
    attrs.put("event", spec.signature().substring(0, spec.signature().indexOf('(')));
    attrs.put("kind", spec.kind());
    attrs.put("args", args);
    if (spec.kind().startsWith("permit2_")) {
      // Permit2 (Uniswap): an allowance on Permit2 itself, for a token, to a spender
      BigInteger amount = new BigInteger((String) args.get("amount"));
      String token = address((String) args.get("token"));
      attrs.put("standard", "erc20");
      attrs.put("token", token);
      attrs.put("unlimited", amount.equals(UINT160_MAX));
      attrs.put("expiration", args.get("expiration"));
      return event(
          id,
          spec.eventType(),
          time,
          address((String) args.get("owner")),
          address((String) args.get("spender")),
          txHash,
          token,
          new BigDecimal(amount),
          attrs);
    }
    String from = null;
    String to = null;
    switch (spec.kind()) {
      case "ownership_transferred" -> {
        from = address((String) args.get("previousOwner"));
        to = address((String) args.get("newOwner"));
      }
      case "admin_changed" -> {
        from = address((String) args.get("previousAdmin"));
        to = address((String) args.get("newAdmin"));
      }
      case "upgraded" -> to = address((String) args.get("implementation"));
      case "beacon_upgraded" -> to = address((String) args.get("beacon"));
      case "role_granted", "role_revoked" -> {
        from = address((String) args.get("sender"));
        to = address((String) args.get("account"));
      }
      case "safe_added_owner", "safe_removed_owner" -> to = address((String) args.get("owner"));
      case "paused", "unpaused" -> from = address((String) args.get("account"));
      case "tornado_withdrawal" -> to = address((String) args.get("to"));
      case "uniswap_v2_burn" -> {
        from = address((String) args.get("sender"));
        to = address((String) args.get("to"));
      }
      case "uniswap_v2_pair_created" -> to = address((String) args.get("pair"));
      case "usdc_blacklisted" -> to = address((String) args.get("account"));
      case "usdt_added_blacklist" -> to = address((String) args.get("user"));
      default -> {
        // flash loans, swaps, reserves, deposits: the arguments say it all
      }
    }
    return event(
        id, spec.eventType(), time, from, to == null ? emitter : to, txHash, null, null, attrs);
  }

  private Event event(
      String id,
      String type,
      Instant time,
      String from,
      String to,
      String tx,
      String asset,
      BigDecimal amount,
      Map<String, Object> attrs) {
    return new Event(
        id,
        type,
        time,
        "evm",
        null,
        null,
        null,
        chain,
        asset,
        amount,
        null,
        from,
        to,
        tx.toLowerCase(Locale.ROOT),
        attrs);
  }

  private static String address(String hex) {
    return Address.parse(hex.toLowerCase(Locale.ROOT)).checksummed();
  }

  private static String topicAddress(String topic) {
    return address("0x" + topic.substring(topic.length() - 40));
  }

  private static BigDecimal uint(String data) {
    String hex =
        data == null || data.length() <= 2 ? "0" : data.substring(2, Math.min(data.length(), 66));
    return new BigDecimal(new BigInteger(hex.isEmpty() ? "0" : hex, 16));
  }
}
