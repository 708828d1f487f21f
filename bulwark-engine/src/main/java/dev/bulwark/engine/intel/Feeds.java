package dev.bulwark.engine.intel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    CSV;

    public static Format parse(String text) {
      for (Format f : values()) {
        if (f.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(text)) {
          return f;
        }
      }
      throw new IllegalArgumentException(
          "unknown feed format '%s'; expected mew-addresses, mew-urls, ofac-list or csv"
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
    List<Problem> problems = new ArrayList<>();
    Map<String, Indicator> out = new LinkedHashMap<>();
    switch (format) {
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
    String[] lines = content.split("\\R");
    if (lines.length == 0 || lines[0].isBlank()) {
      problems.add(new Problem("line 1", "expected a header naming an 'address' column"));
      return;
    }
    List<String> header =
        splitCsv(lines[0]).stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
    int address = header.indexOf("address");
    int name = header.indexOf("name") >= 0 ? header.indexOf("name") : header.indexOf("label");
    if (address < 0) {
      problems.add(
          new Problem(
              "line 1", "no 'address' column; the header has " + String.join(", ", header)));
      return;
    }
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      List<String> cells = splitCsv(lines[i]);
      if (cells.size() <= address || cells.get(address).isBlank()) {
        problems.add(new Problem("line " + (i + 1), "no address"));
        continue;
      }
      String label =
          name >= 0 && cells.size() > name && !cells.get(name).isBlank()
              ? cells.get(name).trim()
              : feed + " address";
      add(out, feed, wallet(cells.get(address).trim()), label, confidence, asOf);
    }
  }

  /** A minimal RFC 4180 split: commas, double-quoted cells, doubled quotes inside them. */
  static List<String> splitCsv(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString());
    return cells;
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
