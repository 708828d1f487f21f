package dev.bulwark.engine.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.BulwarkException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes events in their canonical JSON shape (the one {@link EventParser} reads). */
public final class EventJson {
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private EventJson() {}

  /**
   * The canonical JSON object of an event: absent fields are left out, amounts keep full precision.
   */
  public static ObjectNode toNode(Event e) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("id", e.id());
    n.put("type", e.type());
    n.put("time", e.time().toString());
    putText(n, "source", e.source());
    putText(n, "account", e.account());
    putText(n, "ip", e.ip());
    putText(n, "device", e.device());
    putText(n, "chain", e.chain());
    putText(n, "asset", e.asset());
    if (e.amount() != null) {
      n.put("amount", e.amount().toPlainString());
    }
    if (e.amountUsd() != null) {
      n.put("amount_usd", e.amountUsd());
    }
    putText(n, "from", e.from());
    putText(n, "to", e.to());
    putText(n, "tx", e.tx());
    if (!e.attrs().isEmpty()) {
      n.set("attrs", MAPPER.valueToTree(e.attrs()));
    }
    return n;
  }

  /** The canonical JSON text of an event. */
  public static String write(Event e) {
    try {
      return MAPPER.writeValueAsString(toNode(e));
    } catch (JsonProcessingException ex) {
      throw new BulwarkException("could not write event " + e.id(), ex);
    }
  }

  /**
   * JSON as the plain values rule conditions understand: Long, Double, String, Boolean, List, Map;
   * nulls inside objects are left out.
   */
  public static Object toPlain(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields()
          .forEachRemaining(
              f -> {
                if (!f.getValue().isNull()) {
                  m.put(f.getKey(), toPlain(f.getValue()));
                }
              });
      return m;
    }
    if (n.isArray()) {
      List<Object> list = new ArrayList<>(n.size());
      n.forEach(v -> list.add(v.isNull() ? "" : toPlain(v)));
      return list;
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.longValue();
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    return n.isNull() ? null : n.asText();
  }

  /** The inverse of {@link #toPlain}: plain values (and anything else, as text) as JSON. */
  public static JsonNode fromPlain(Object v) {
    var f = MAPPER.getNodeFactory();
    if (v == null) {
      return f.nullNode();
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return f.numberNode(((Number) v).longValue());
    }
    if (v instanceof Double || v instanceof Float) {
      return f.numberNode(((Number) v).doubleValue());
    }
    if (v instanceof Boolean b) {
      return f.booleanNode(b);
    }
    if (v instanceof String s) {
      return f.textNode(s);
    }
    if (v instanceof List<?> list) {
      var a = f.arrayNode();
      list.forEach(x -> a.add(fromPlain(x)));
      return a;
    }
    if (v instanceof Map<?, ?> map) {
      var o = f.objectNode();
      map.forEach((k, x) -> o.set(String.valueOf(k), fromPlain(x)));
      return o;
    }
    return f.textNode(v.toString());
  }

  private static void putText(ObjectNode n, String name, String value) {
    if (value != null) {
      n.put(name, value);
    }
  }
}
