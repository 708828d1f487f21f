package dev.bulwark.engine.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.BulwarkException;

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

  private static void putText(ObjectNode n, String name, String value) {
    if (value != null) {
      n.put(name, value);
    }
  }
}
