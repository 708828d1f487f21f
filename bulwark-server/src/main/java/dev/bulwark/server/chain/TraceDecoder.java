package dev.bulwark.server.chain;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Optional;

/**
 * Turns callTracer frames ({@code debug_traceBlockByNumber}) into events: a {@code chain.call} for
 * every internal call with its depth (the transaction's own call is depth 0 and already a {@code
 * chain.transaction}), a {@code chain.transfer} for internal value, and a {@code
 * chain.contract_created} for contracts created by contracts. Re-entrancy shows as the same
 * contract called again deeper in one transaction. Ids extend the transaction's with the frame's
 * path ({@code :trace:0.1.0}).
 */
final class TraceDecoder {
  private final String chain;
  private final String nativeAsset;

  TraceDecoder(String chain, String nativeAsset) {
    this.chain = chain;
    this.nativeAsset = nativeAsset;
  }

  /**
   * A created contract's attributes; {@code code_hash} (Keccak-256 of the runtime code) if known.
   */
  private static Map<String, Object> created(String from, int depth, long block, String output) {
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("creator", from);
    attrs.put("internal", true);
    attrs.put("depth", (long) depth);
    attrs.put("block", block);
    if (output.length() > 2) {
      attrs.put("code_hash", org.web3j.crypto.Hash.sha3(output.toLowerCase(Locale.ROOT)));
    }
    return attrs;
  }

  /**
   * @param txBases the id base of each transaction of the block, in order
   * @param traces the tracer's result: one {@code {txHash, result}} (or bare frame) per transaction
   */
  List<Event> decode(
      JsonNode traces, List<String> txBases, List<String> txHashes, long block, Instant time) {
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < traces.size() && i < txBases.size(); i++) {
      JsonNode root = traces.get(i).has("result") ? traces.get(i).get("result") : traces.get(i);
      if (root == null || root.isNull()) {
        continue;
      }
      // in a reverted transaction every inner call is undone too, whatever its own frame says
      boolean reverted = root.has("error");
      JsonNode calls = root.path("calls");
      for (int c = 0; c < calls.size(); c++) {
        frame(
            calls.get(c),
            1,
            Integer.toString(c),
            txBases.get(i),
            txHashes.get(i),
            block,
            time,
            reverted,
            out);
      }
    }
    return out;
  }

  private void frame(
      JsonNode f,
      int depth,
      String path,
      String base,
      String tx,
      long block,
      Instant time,
      boolean undone,
      List<Event> out) {
    String type = f.path("type").asText("CALL").toUpperCase(Locale.ROOT);
    String from = address(f.path("from").asText(null));
    String to = address(f.path("to").asText(null));
    BigInteger value = quantity(f.path("value").asText("0x0"));
    boolean failed = undone || f.has("error");
    String id = base + ":trace:" + path;
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("depth", (long) depth);
    attrs.put("call_type", type.toLowerCase(Locale.ROOT));
    attrs.put("block", block);
    attrs.put("status", failed ? "reverted" : "success");
    String input = f.path("input").asText("");
    if (input.length() >= 10) {
      attrs.put("selector", input.substring(0, 10).toLowerCase(Locale.ROOT));
    }
    out.add(trace(id, "chain.call", time, nativeAsset, new BigDecimal(value), from, to, tx, attrs));
    if (!failed && value.signum() > 0 && to != null && !type.equals("DELEGATECALL")) {
      out.add(
          trace(
              id + ":value",
              "chain.transfer",
              time,
              nativeAsset,
              new BigDecimal(value),
              from,
              to,
              tx,
              Map.of(
                  "standard",
                  "native",
                  "internal",
                  true,
                  "depth",
                  (long) depth,
                  "decimals",
                  18L,
                  "block",
                  block)));
    }
    if (!failed && (type.equals("CREATE") || type.equals("CREATE2")) && to != null) {
      out.add(
          trace(
              id + ":create",
              "chain.contract_created",
              time,
              null,
              null,
              from,
              to,
              tx,
              created(from, depth, block, f.path("output").asText(""))));
    }
    // a proxied token's permit is a CALL to the proxy and a DELEGATECALL of the same input to its
    // implementation: the CALL is the permit
    var permit =
        failed || to == null || !type.equals("CALL")
            ? Optional.<Permits.Permit>empty()
            : Permits.decode(input);
    if (permit.isPresent()) {
      out.add(
          Permits.event(
              id + ":permit", chain, "evm-trace", time, tx, to, from, block, permit.get()));
    }
    JsonNode calls = f.path("calls");
    for (int c = 0; c < calls.size(); c++) {
      frame(calls.get(c), depth + 1, path + "." + c, base, tx, block, time, failed, out);
    }
  }

  /** An event read from a trace frame. */
  private Event trace(
      String id,
      String type,
      Instant time,
      String asset,
      BigDecimal amount,
      String from,
      String to,
      String tx,
      Map<String, Object> attrs) {
    return new Event(
        id,
        type,
        time,
        "evm-trace",
        null,
        null,
        null,
        chain,
        asset,
        amount,
        null,
        from,
        to,
        tx,
        attrs);
  }

  private static String address(String hex) {
    return hex == null || hex.isBlank()
        ? null
        : Address.parse(hex.toLowerCase(Locale.ROOT)).checksummed();
  }

  private static BigInteger quantity(String hex) {
    return hex == null || hex.length() <= 2
        ? BigInteger.ZERO
        : new BigInteger(hex.substring(2), 16);
  }
}
