package dev.bulwark.engine.event;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.Problem;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses and validates events: a JSON array, or NDJSON (one event per line). Every problem of every
 * event is collected with its JSON path; for NDJSON, {@code $[i]} is line {@code i + 1}. Either
 * every event is valid and all are returned, or {@link InvalidEventException} lists what is wrong —
 * never a partial result.
 */
public final class EventParser {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
  private static final Pattern ID = Pattern.compile("[\\x21-\\x7E]{1,200}");
  private static final Pattern CAIP2 = Pattern.compile("[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}");
  private static final Pattern IPV4 =
      Pattern.compile(
          "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]{2,45}");
  private static final Pattern TX_HASH = Pattern.compile("0x[0-9a-fA-F]{64}");
  private static final int MAX_TEXT = 256;
  private static final int MAX_PROBLEMS = 1000;

  private final ObjectMapper mapper;
  private final int maxEvents;

  /**
   * @param maxEvents the largest batch accepted; more is one problem, not a truncation
   */
  public EventParser(int maxEvents) {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
    }
    this.maxEvents = maxEvents;
    this.mapper =
        JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(65_536).build());
  }

  /** Parses a whole batch: a JSON array, or NDJSON when the body does not start with {@code [}. */
  public List<Event> parse(byte[] body) {
    int first = firstNonBlank(body);
    if (first < 0) {
      throw new InvalidEventException(
          List.of(new Problem("$", "the body is empty; send a JSON array or NDJSON of events")));
    }
    return body[first] == '[' ? parseArray(body) : parseLines(body);
  }

  /** Parses one event that was stored earlier; it is trusted, but still fully checked. */
  public Event parseOne(String json) {
    List<Problem> problems = new ArrayList<>();
    JsonNode node = readTree(json.getBytes(StandardCharsets.UTF_8), "$", problems);
    Event event = node == null ? null : toEvent(node, "$", problems);
    if (!problems.isEmpty()) {
      throw new InvalidEventException(problems);
    }
    return event;
  }

  private List<Event> parseArray(byte[] body) {
    List<Problem> problems = new ArrayList<>();
    JsonNode root = readTree(body, "$", problems);
    if (root == null) {
      throw new InvalidEventException(problems);
    }
    if (root.size() > maxEvents) {
      throw new InvalidEventException(List.of(tooMany(root.size())));
    }
    List<Event> events = new ArrayList<>(root.size());
    for (int i = 0; i < root.size() && problems.size() < MAX_PROBLEMS; i++) {
      events.add(toEvent(root.get(i), "$[" + i + "]", problems));
    }
    if (!problems.isEmpty()) {
      throw new InvalidEventException(problems);
    }
    return events;
  }

  private List<Event> parseLines(byte[] body) {
    List<Problem> problems = new ArrayList<>();
    List<Event> events = new ArrayList<>();
    int line = 0;
    int start = 0;
    while (start < body.length && problems.size() < MAX_PROBLEMS) {
      int end = start;
      while (end < body.length && body[end] != '\n') {
        end++;
      }
      byte[] text = java.util.Arrays.copyOfRange(body, start, end);
      if (firstNonBlank(text) >= 0) {
        if (events.size() + problems.size() >= maxEvents) {
          throw new InvalidEventException(List.of(tooMany(countLines(body))));
        }
        String path = "$[" + line + "]";
        JsonNode node = readTree(text, path, problems);
        if (node != null) {
          events.add(toEvent(node, path, problems));
        }
      }
      line++;
      start = end + 1;
    }
    if (!problems.isEmpty()) {
      throw new InvalidEventException(problems);
    }
    return events;
  }

  private Problem tooMany(long count) {
    return new Problem(
        "$",
        "%d events in one batch; the limit is %d: split the input into smaller batches"
            .formatted(count, maxEvents));
  }

  private JsonNode readTree(byte[] text, String path, List<Problem> problems) {
    try {
      return mapper.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line %d, column %d".formatted(at.getLineNr(), at.getColumnNr());
      problems.add(new Problem(path, "malformed JSON" + where + ": " + e.getOriginalMessage()));
      return null;
    } catch (IOException e) {
      problems.add(new Problem(path, "unreadable JSON: " + e.getMessage()));
      return null;
    }
  }

  private Event toEvent(JsonNode node, String path, List<Problem> problems) {
    if (!(node instanceof ObjectNode obj)) {
      problems.add(new Problem(path, "expected a JSON object (one event), got " + kind(node)));
      return null;
    }
    int before = problems.size();
    for (Iterator<String> names = obj.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!EventFields.ALL.contains(name)) {
        problems.add(
            new Problem(path + "." + name, "unknown field; put source-specific data under attrs"));
      }
    }
    Fields f = new Fields(obj, path, problems);
    String id = f.required("id", ID, "1 to 200 printable ASCII characters without spaces");
    String type =
        f.required("type", TYPE, "a dotted lower-case name such as wallet.withdrawal_requested");
    Instant time = f.time();
    String source = f.text("source");
    String account = f.text("account");
    String ip = f.ip();
    String device = f.text("device");
    String chain = f.pattern("chain", CAIP2, "a CAIP-2 chain id such as eip155:1");
    String asset = f.text("asset");
    BigDecimal amount = f.amount();
    Double amountUsd = f.number("amount_usd");
    boolean evm = chain == null || chain.startsWith("eip155:");
    String from = f.address("from", evm);
    String to = f.address("to", evm);
    String tx = f.tx(chain != null && chain.startsWith("eip155:"));
    Map<String, Object> attrs = f.attrs();
    if (problems.size() > before) {
      return null;
    }
    return new Event(
        id, type, time, source, account, ip, device, chain, asset, amount, amountUsd, from, to, tx,
        attrs);
  }

  private static String kind(JsonNode node) {
    return node == null || node.isMissingNode()
        ? "nothing"
        : node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static int firstNonBlank(byte[] body) {
    for (int i = 0; i < body.length; i++) {
      byte b = body[i];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return i;
      }
    }
    return -1;
  }

  private static long countLines(byte[] body) {
    long n = 0;
    for (byte b : body) {
      if (b == '\n') {
        n++;
      }
    }
    return n + 1;
  }

  /** Reads the fields of one event node, recording a problem for each bad one. */
  private static final class Fields {
    private final ObjectNode obj;
    private final String path;
    private final List<Problem> problems;

    Fields(ObjectNode obj, String path, List<Problem> problems) {
      this.obj = obj;
      this.path = path;
      this.problems = problems;
    }

    private JsonNode get(String name) {
      JsonNode n = obj.get(name);
      return n == null || n.isNull() ? null : n;
    }

    private void problem(String name, String message) {
      problems.add(new Problem(path + "." + name, message));
    }

    private String textNode(String name) {
      JsonNode n = get(name);
      if (n == null) {
        return null;
      }
      if (!n.isTextual()) {
        problem(name, "expected a string, got " + kind(n));
        return null;
      }
      return n.textValue();
    }

    String required(String name, Pattern pattern, String expected) {
      if (get(name) == null) {
        problem(name, "missing; every event needs " + name);
        return null;
      }
      return pattern(name, pattern, expected);
    }

    String pattern(String name, Pattern pattern, String expected) {
      String s = textNode(name);
      if (s != null && !pattern.matcher(s).matches()) {
        problem(name, "invalid value; expected " + expected);
        return null;
      }
      return s;
    }

    String text(String name) {
      String s = textNode(name);
      if (s == null) {
        return null;
      }
      if (s.isEmpty() || s.length() > MAX_TEXT) {
        problem(name, "must be 1 to " + MAX_TEXT + " characters, was " + s.length());
        return null;
      }
      for (int i = 0; i < s.length(); i++) {
        if (Character.isISOControl(s.charAt(i))) {
          problem(name, "contains a control character at index " + i);
          return null;
        }
      }
      return s;
    }

    Instant time() {
      if (get("time") == null) {
        problem("time", "missing; every event needs time (an ISO-8601 instant in event time)");
        return null;
      }
      String s = textNode("time");
      if (s == null) {
        return null;
      }
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException notUtc) {
        try {
          return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
          problem("time", "not an ISO-8601 instant (e.g. 2026-11-26T06:00:00.123Z)");
          return null;
        }
      }
    }

    String ip() {
      String s = textNode("ip");
      if (s == null) {
        return null;
      }
      if (IPV4.matcher(s).matches()) {
        return s;
      }
      // Only text made of IPv6 characters reaches InetAddress, so no name is ever looked up.
      if (s.indexOf(':') >= 0 && IPV6_CHARS.matcher(s).matches()) {
        try {
          return InetAddress.getByName(s).getHostAddress();
        } catch (UnknownHostException e) {
          // falls through to the problem below
        }
      }
      problem("ip", "not an IPv4 or IPv6 address literal");
      return null;
    }

    BigDecimal amount() {
      JsonNode n = get("amount");
      if (n == null) {
        return null;
      }
      if (n.isNumber()) {
        return n.decimalValue();
      }
      if (n.isTextual()) {
        try {
          return new BigDecimal(n.textValue());
        } catch (NumberFormatException e) {
          problem("amount", "not a decimal number (e.g. \"12500.00\")");
          return null;
        }
      }
      problem("amount", "expected a decimal string or a number, got " + kind(n));
      return null;
    }

    Double number(String name) {
      JsonNode n = get(name);
      if (n == null) {
        return null;
      }
      if (!n.isNumber()) {
        problem(name, "expected a number, got " + kind(n));
        return null;
      }
      double d = n.doubleValue();
      if (!Double.isFinite(d)) {
        problem(name, "must be a finite number");
        return null;
      }
      return d;
    }

    String address(String name, boolean evm) {
      String s = text(name);
      if (s == null) {
        return null;
      }
      if (evm && (s.startsWith("0x") || s.startsWith("0X"))) {
        try {
          return Address.parse(s).checksummed();
        } catch (Address.InvalidAddressException e) {
          problem(name, e.getMessage());
          return null;
        }
      }
      return s;
    }

    String tx(boolean evm) {
      String s = text("tx");
      if (s != null && evm) {
        if (!TX_HASH.matcher(s).matches()) {
          problem("tx", "not an EVM transaction hash: expected 0x followed by 64 hex digits");
          return null;
        }
        return s.toLowerCase(Locale.ROOT);
      }
      return s;
    }

    Map<String, Object> attrs() {
      JsonNode n = get("attrs");
      if (n == null) {
        return Map.of();
      }
      if (!n.isObject()) {
        problem("attrs", "expected a JSON object, got " + kind(n));
        return null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) plain(n);
      return map;
    }
  }

  /** JSON as the plain values rule conditions understand. */
  static Object plain(JsonNode n) {
    return EventJson.toPlain(n);
  }
}
