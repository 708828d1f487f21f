package dev.bulwark.engine.intel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns public threat feeds into indicators. Each value gets a deterministic id (a UUIDv5 of the
 * feed and the value), so importing a newer copy of a feed updates what is still listed and lets
 * the caller remove what is gone (a delisting).
 */
public final class Feeds {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern EVM = Pattern.compile("0x[0-9a-fA-F]{40}");
  private static final UUID NAMESPACE = UUID.fromString("1f0c6d9e-5b7a-4f3e-9d2c-8a4b6e1f2d3c");

  private Feeds() {}

  /** The formats this version reads. */
  public enum Format {
    /** MyEtherWallet's addresses-darklist.json: [{address, comment, date}]. */
    MEW_ADDRESSES,
    /** MyEtherWallet's urls-darklist.json: [{id, comment}] (domains or URLs). */
    MEW_URLS,
    /** An OFAC per-asset list (one address per line, as the SDN list extractors publish). */
    OFAC_LIST,
    /**
     * A CSV with a header naming at least an {@code address} column; {@code name}/{@code label}
     * optional.
     */
    CSV,
    /** The OFAC SDN advanced XML: addresses with their party's name, programmes and date. */
    OFAC_XML,
    /**
     * Forta's labelled-datasets CSVs: {@code etherscan_malicious_labels.csv}, {@code
     * phishing_scams.csv}, {@code malicious_smart_contracts.csv} (the contract and its deployer).
     */
    FORTA,
    /** A MISP event (feed or export JSON): its attributes flagged for detection. */
    MISP;

    public static Format parse(String text) {
      for (Format f : values()) {
        if (f.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(text)) {
          return f;
        }
      }
      throw new IllegalArgumentException(
          "unknown feed format '%s'; expected mew-addresses, mew-urls, ofac-list, ofac-xml, forta, misp or csv"
              .formatted(text));
    }
  }

  /** The feed could not be read; every problem has its location (JSON path or line). */
  public static final class InvalidFeedException extends ValidationException {
    InvalidFeedException(List<Problem> problems) {
      super(problems.size() + " problem(s) in the feed", problems);
    }
  }

  /**
   * The indicators of a feed's content, one per distinct value.
   *
   * @param feed the feed's name, part of every id and the indicators' source
   * @param confidence how much the feed is trusted (0..100)
   * @param asOf when this copy was published (the indicators' valid_from)
   */
  public static List<Indicator> parse(
      Format format, String feed, String content, int confidence, Instant asOf) {
    return parse(
        format,
        feed,
        new java.io.ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)),
        confidence,
        asOf);
  }

  /** {@link #parse(Format, String, String, int, Instant)} from a stream (UTF-8). */
  public static List<Indicator> parse(
      Format format, String feed, java.io.InputStream in, int confidence, Instant asOf) {
    List<Problem> problems = new ArrayList<>();
    Map<String, Indicator> out = new LinkedHashMap<>();
    if (format == Format.OFAC_XML) {
      ofacXml(feed, in, confidence, asOf, out, problems);
      if (!problems.isEmpty()) {
        throw new InvalidFeedException(problems);
      }
      return List.copyOf(out.values());
    }
    String content;
    try {
      content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidFeedException(List.of(new Problem("$", "cannot read: " + e.getMessage())));
    }
    switch (format) {
      case OFAC_XML -> throw new IllegalStateException("handled above");
      case FORTA -> forta(feed, content, confidence, asOf, out, problems);
      case MISP -> misp(feed, content, confidence, asOf, out, problems);
      case MEW_ADDRESSES, MEW_URLS -> {
        JsonNode root;
        try {
          root = JSON.readTree(content);
        } catch (IOException e) {
          throw new InvalidFeedException(
              List.of(new Problem("$", "malformed JSON: " + e.getMessage())));
        }
        if (root == null || !root.isArray()) {
          throw new InvalidFeedException(List.of(new Problem("$", "expected a JSON array")));
        }
        for (int i = 0; i < root.size(); i++) {
          JsonNode n = root.get(i);
          String key = format == Format.MEW_ADDRESSES ? "address" : "id";
          String value = n.path(key).asText("").trim();
          String comment = n.path("comment").asText("").trim();
          if (value.isEmpty()) {
            problems.add(new Problem("$[" + i + "]." + key, "missing"));
            continue;
          }
          if (format == Format.MEW_ADDRESSES) {
            if (!EVM.matcher(value).matches()) {
              problems.add(new Problem("$[" + i + "].address", "not an EVM address"));
              continue;
            }
            add(
                out,
                feed,
                wallet(value),
                comment.isEmpty() ? "MyEtherWallet darklist address" : comment,
                confidence,
                asOf);
          } else {
            String pattern =
                value.contains("/")
                    ? "[url:value = '%s']".formatted(escape(value))
                    : "[domain-name:value = '%s']"
                        .formatted(escape(value.toLowerCase(Locale.ROOT)));
            add(
                out,
                feed,
                pattern,
                comment.isEmpty() ? "MyEtherWallet darklist domain" : comment,
                confidence,
                asOf);
          }
        }
      }
      case OFAC_LIST -> {
        String[] lines = content.split("\\R");
        for (int i = 0; i < lines.length; i++) {
          String a = lines[i].trim();
          if (a.isEmpty() || a.startsWith("#")) {
            continue;
          }
          if (a.contains(" ") || a.contains(",")) {
            problems.add(new Problem("line " + (i + 1), "expected one address per line"));
            continue;
          }
          add(out, feed, wallet(a), "OFAC SDN listed address", confidence, asOf);
        }
      }
      case CSV -> csv(feed, content, confidence, asOf, out, problems);
    }
    if (!problems.isEmpty()) {
      throw new InvalidFeedException(problems);
    }
    return List.copyOf(out.values());
  }

  private static void csv(
      String feed,
      String content,
      int confidence,
      Instant asOf,
      Map<String, Indicator> out,
      List<Problem> problems) {
    List<Row> rows = rows(content, problems);
    List<String> header = header(rows, "expected a header naming an 'address' column", problems);
    if (header == null) {
      return;
    }
    int address = header.indexOf("address");
    int name = header.indexOf("name") >= 0 ? header.indexOf("name") : header.indexOf("label");
    if (address < 0) {
      problems.add(
          new Problem(
              "line 1", "no 'address' column; the header has " + String.join(", ", header)));
      return;
    }
    for (Row row : rows.subList(1, rows.size())) {
      List<String> cells = row.cells();
      if (cells.size() <= address || cells.get(address).isBlank()) {
        problems.add(new Problem("line " + row.line(), "no address"));
        continue;
      }
      String label =
          name >= 0 && cells.size() > name && !cells.get(name).isBlank()
              ? cells.get(name).trim()
              : feed + " address";
      add(out, feed, wallet(cells.get(address).trim()), label, confidence, asOf);
    }
  }

  private static void ofacXml(
      String feed,
      java.io.InputStream in,
      int confidence,
      Instant asOf,
      Map<String, Indicator> out,
      List<Problem> problems) {
    OfacXml.Result r = OfacXml.read(in, problems);
    for (OfacXml.Listed l : r.addresses()) {
      OfacXml.Party party = r.parties().get(l.profile());
      String value =
          EVM.matcher(l.address()).matches() ? l.address().toLowerCase(Locale.ROOT) : l.address();
      String name =
          "OFAC SDN: %s%s%s (%s address)"
              .formatted(
                  party.name(),
                  party.programmes().isEmpty()
                      ? ""
                      : " [" + String.join(", ", party.programmes()) + "]",
                  party.designated() == null ? "" : ", designated " + party.designated(),
                  l.asset());
      add(out, feed, wallet(value), name, confidence, since(party.designated(), asOf));
    }
  }

  /**
   * When a sanctioned party's addresses start to count: its designation date (midnight UTC), so a
   * replay or backfill of older activity matches what was already sanctioned then; the copy's date
   * when the designation is unknown or later.
   */
  static Instant since(String designated, Instant asOf) {
    if (designated == null) {
      return asOf;
    }
    try {
      Instant d =
          java.time.LocalDate.parse(designated).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
      return d.isBefore(asOf) ? d : asOf;
    } catch (java.time.format.DateTimeParseException e) {
      return asOf;
    }
  }

  /** Forta's CSVs: whichever of their address columns is present, with the tag as the name. */
  private static void forta(
      String feed,
      String content,
      int confidence,
      Instant asOf,
      Map<String, Indicator> out,
      List<Problem> problems) {
    List<Row> rows = rows(content, problems);
    List<String> header = header(rows, "expected a Forta labelled-datasets CSV header", problems);
    if (header == null) {
      return;
    }
    int address = firstOf(header, "banned_address", "contract_address", "address");
    if (address < 0) {
      problems.add(
          new Problem(
              "line 1",
              "no banned_address, contract_address or address column; the header has "
                  + String.join(", ", header)));
      return;
    }
    int tag = firstOf(header, "wallet_tag", "contract_tag", "etherscan_tag");
    int label =
        firstOf(header, "data_source", "contract_creator_etherscan_label", "etherscan_labels");
    int creator = header.indexOf("contract_creator");
    int creatorTag = header.indexOf("contract_creator_tag");
    for (Row row : rows.subList(1, rows.size())) {
      List<String> cells = row.cells();
      String a = cell(cells, address);
      if (!EVM.matcher(a).matches()) {
        problems.add(
            new Problem(
                "line " + row.line() + ", column " + header.get(address),
                "'%s' is not an EVM address".formatted(a)));
        continue;
      }
      String why = cell(cells, label);
      String name = cell(cells, tag);
      add(
          out,
          feed,
          wallet(a.toLowerCase(Locale.ROOT)),
          "%s%s (Forta labelled dataset)"
              .formatted(
                  name.isEmpty()
                      ? (creator >= 0 ? "malicious contract" : "malicious address")
                      : name,
                  why.isEmpty() ? "" : ", " + why),
          confidence,
          asOf);
      String deployer = cell(cells, creator);
      if (EVM.matcher(deployer).matches()) {
        String who = cell(cells, creatorTag);
        add(
            out,
            feed,
            wallet(deployer.toLowerCase(Locale.ROOT)),
            "%sdeployer of malicious contract %s%s (Forta labelled dataset)"
                .formatted(
                    who.isEmpty() ? "" : who + ", ",
                    a.toLowerCase(Locale.ROOT),
                    why.isEmpty() ? "" : ", " + why),
            confidence,
            asOf);
      }
    }
  }

  private static int firstOf(List<String> header, String... names) {
    for (String n : names) {
      if (header.contains(n)) {
        return header.indexOf(n);
      }
    }
    return -1;
  }

  private static String cell(List<String> cells, int i) {
    return i >= 0 && i < cells.size() ? cells.get(i).trim() : "";
  }

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");

  /**
   * A MISP event ({@code {"Event": {...}}}, or a list of them): every attribute flagged {@code
   * to_ids} and not deleted, in the event or its objects, whose type is an address, a domain, a
   * URL, an IP or a file hash. Other types are skipped (MISP has a hundred).
   */
  private static void misp(
      String feed,
      String content,
      int confidence,
      Instant asOf,
      Map<String, Indicator> out,
      List<Problem> problems) {
    JsonNode root;
    try {
      root = JSON.readTree(content);
    } catch (IOException e) {
      problems.add(new Problem("$", "malformed JSON: " + e.getMessage()));
      return;
    }
    List<JsonNode> events = new ArrayList<>();
    String base = "$";
    if (root != null && root.isArray()) {
      root.forEach(events::add);
    } else if (root != null && root.has("response") && root.get("response").isArray()) {
      root.get("response").forEach(events::add); // a REST search answer
      base = "$.response";
    } else if (root != null) {
      events.add(root);
    }
    if (events.isEmpty()) {
      problems.add(
          new Problem(
              "$", "expected a MISP event: {\"Event\": {\"info\": …, \"Attribute\": […]}}"));
      return;
    }
    for (int e = 0; e < events.size(); e++) {
      String at = root.isArray() || !base.equals("$") ? base + "[" + e + "].Event" : "$.Event";
      JsonNode event = events.get(e).path("Event");
      if (!event.isObject()) {
        problems.add(new Problem(at, "missing: a MISP event has an Event object"));
        continue;
      }
      String info = event.path("info").asText("MISP event");
      String uuid = event.path("uuid").asText("");
      List<Map.Entry<String, JsonNode>> attributes = new ArrayList<>();
      JsonNode direct = event.path("Attribute");
      for (int i = 0; i < direct.size(); i++) {
        attributes.add(Map.entry(at + ".Attribute[" + i + "]", direct.get(i)));
      }
      JsonNode objects = event.path("Object");
      for (int o = 0; o < objects.size(); o++) {
        JsonNode list = objects.get(o).path("Attribute");
        for (int i = 0; i < list.size(); i++) {
          attributes.add(Map.entry(at + ".Object[" + o + "].Attribute[" + i + "]", list.get(i)));
        }
      }
      for (Map.Entry<String, JsonNode> entry : attributes) {
        JsonNode a = entry.getValue();
        if (!a.path("to_ids").asBoolean(false) || a.path("deleted").asBoolean(false)) {
          continue;
        }
        String type = a.path("type").asText("");
        String value = a.path("value").asText("").trim();
        if (value.isEmpty()) {
          problems.add(new Problem(entry.getKey() + ".value", "missing"));
          continue;
        }
        String pattern = mispPattern(type, value);
        if (pattern == null) {
          continue;
        }
        String comment = a.path("comment").asText("");
        add(
            out,
            feed,
            pattern,
            "MISP: %s%s%s"
                .formatted(
                    info,
                    comment.isEmpty() ? "" : " — " + comment,
                    uuid.isEmpty() ? "" : " (event " + uuid + ")"),
            confidence,
            asOf);
      }
    }
  }

  private static String mispPattern(String type, String value) {
    String v = type.contains("|") ? value.split("\\|", 2)[0] : value;
    String t = type.contains("|") ? type.split("\\|", 2)[0] : type;
    return switch (t) {
      case "ip-src", "ip-dst" ->
          "[%s:value = '%s']"
              .formatted(IPV4.matcher(v).matches() ? "ipv4-addr" : "ipv6-addr", escape(v));
      case "domain", "hostname" ->
          "[domain-name:value = '%s']".formatted(escape(v.toLowerCase(Locale.ROOT)));
      case "url", "uri" -> "[url:value = '%s']".formatted(escape(v));
      case "md5", "sha1", "sha256" ->
          HEX.matcher(v).matches()
              ? "[file:hashes.'%s' = '%s']"
                  .formatted(
                      t.equals("md5") ? "MD5" : t.equals("sha1") ? "SHA-1" : "SHA-256",
                      v.toLowerCase(Locale.ROOT))
              : null;
      case "btc", "xmr", "dash", "eth", "cryptocurrency-address" ->
          wallet(EVM.matcher(v).matches() ? v.toLowerCase(Locale.ROOT) : v);
      default -> EVM.matcher(v).matches() ? wallet(v.toLowerCase(Locale.ROOT)) : null;
    };
  }

  /** The first record's column names in lower case; null (and a problem) when there is none. */
  private static List<String> header(List<Row> rows, String expected, List<Problem> problems) {
    if (rows.isEmpty() || rows.get(0).cells().stream().allMatch(String::isBlank)) {
      if (problems.isEmpty()) {
        problems.add(new Problem("line 1", expected));
      }
      return null;
    }
    return rows.get(0).cells().stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
  }

  /** A CSV record and the line it starts on. */
  record Row(long line, List<String> cells) {}

  private static final CsvMapper CSV = new CsvMapper();

  /**
   * The records of an RFC 4180 CSV text (quoted cells may hold commas, quotes and line breaks);
   * blank lines are skipped. Malformed CSV is a problem naming its line, and ends the reading.
   */
  static List<Row> rows(String content, List<Problem> problems) {
    List<Row> rows = new ArrayList<>();
    try (MappingIterator<List<String>> it =
        CSV.readerForListOf(String.class)
            .with(CsvSchema.emptySchema())
            .with(CsvParser.Feature.WRAP_AS_ARRAY)
            .with(CsvParser.Feature.SKIP_EMPTY_LINES)
            .readValues(content)) {
      while (true) {
        long line = it.getParser().currentLocation().getLineNr();
        if (!it.hasNextValue()) {
          break;
        }
        List<String> cells = it.nextValue();
        if (cells.isEmpty() || cells.size() == 1 && cells.get(0).isBlank()) {
          continue;
        }
        rows.add(new Row(Math.max(1, line), cells));
      }
    } catch (RuntimeException | java.io.IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      int cut = why.indexOf('\n');
      problems.add(
          new Problem(
              "line " + (rows.isEmpty() ? 1 : rows.get(rows.size() - 1).line() + 1),
              "not valid CSV: " + (cut < 0 ? why : why.substring(0, cut))));
    }
    return rows;
  }

  private static String wallet(String address) {
    return "[cryptocurrency-wallet:value = '%s']".formatted(escape(address));
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }

  private static void add(
      Map<String, Indicator> out,
      String feed,
      String pattern,
      String name,
      int confidence,
      Instant asOf) {
    String id = "indicator--" + uuid5(feed + "\n" + pattern.toLowerCase(Locale.ROOT));
    out.putIfAbsent(
        id, new Indicator(id, name, "feed:" + feed, confidence, asOf, Optional.empty(), pattern));
  }

  /** A name-based UUID (version 5, SHA-1) in Bulwark's feed namespace. */
  public static UUID uuid5(String name) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      long msb = NAMESPACE.getMostSignificantBits();
      long lsb = NAMESPACE.getLeastSignificantBits();
      byte[] ns = new byte[16];
      for (int i = 0; i < 8; i++) {
        ns[i] = (byte) (msb >>> (56 - 8 * i));
        ns[8 + i] = (byte) (lsb >>> (56 - 8 * i));
      }
      sha1.update(ns);
      byte[] h = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
      h[6] = (byte) ((h[6] & 0x0f) | 0x50);
      h[8] = (byte) ((h[8] & 0x3f) | 0x80);
      long hi = 0;
      long lo = 0;
      for (int i = 0; i < 8; i++) {
        hi = (hi << 8) | (h[i] & 0xff);
        lo = (lo << 8) | (h[8 + i] & 0xff);
      }
      return new UUID(hi, lo);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }
}
