package dev.bulwark.engine.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One observation in the canonical shape of {@code docs/events.md}: a platform event (login,
 * withdrawal, admin action…) or a decoded chain event. {@code time} is event time. Optional fields
 * are null when absent; {@code attrs} holds source-specific extras as plain JSON values (String,
 * Long, Double, Boolean, List, Map).
 */
public record Event(
    String id,
    String type,
    Instant time,
    String source,
    String account,
    String ip,
    String device,
    String chain,
    String asset,
    BigDecimal amount,
    Double amountUsd,
    String from,
    String to,
    String tx,
    Map<String, Object> attrs) {

  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(time, "time");
    attrs =
        attrs == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attrs));
  }

  /** This event with one attribute added or replaced. */
  public Event withAttr(String key, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(attrs);
    more.put(key, value);
    return new Event(
        id, type, time, source, account, ip, device, chain, asset, amount, amountUsd, from, to, tx,
        more);
  }

  /** This event with its dollar amount set (or cleared with null). */
  public Event withAmountUsd(Double usd) {
    return new Event(
        id, type, time, source, account, ip, device, chain, asset, amount, usd, from, to, tx,
        attrs);
  }

  /** A minimal event; the other fields are absent. Handy for tests and generators. */
  public static Event of(String id, String type, Instant time) {
    return new Event(
        id, type, time, null, null, null, null, null, null, null, null, null, null, null, Map.of());
  }

  /**
   * One top-level field by its JSON name, as rule conditions see it: {@code time} as ISO-8601 text,
   * {@code amount} as a double; null when absent or unknown.
   */
  public Object field(String name) {
    return switch (name) {
      case "id" -> id;
      case "type" -> type;
      case "time" -> time.toString();
      case "source" -> source;
      case "account" -> account;
      case "ip" -> ip;
      case "device" -> device;
      case "chain" -> chain;
      case "asset" -> asset;
      case "amount" -> amount == null ? null : amount.doubleValue();
      case "amount_usd" -> amountUsd;
      case "from" -> from;
      case "to" -> to;
      case "tx" -> tx;
      case "attrs" -> attrs;
      default -> null;
    };
  }

  /**
   * The event as the map that rule conditions see as {@code e}: field names as in JSON, only the
   * fields that are present, {@code time} as ISO-8601 text and {@code amount} as a double. A view,
   * not a copy.
   */
  public Map<String, Object> asMap() {
    return new EventView(this);
  }
}
