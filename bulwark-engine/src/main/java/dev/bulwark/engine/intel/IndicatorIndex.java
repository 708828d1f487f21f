package dev.bulwark.engine.intel;

import dev.bulwark.engine.BulwarkException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Indicators compiled into exact lookups. Simple patterns — {@code =} and {@code IN} on wallet
 * addresses, domains, URLs, IPv4/IPv6 addresses (CIDR ranges included) and file hashes, joined by
 * {@code OR} — become hash-map entries; anything else is refused with the reason. Indicators are
 * added, replaced (a newer version) and removed (revoked, delisted) in place while detection reads
 * it; expiry ({@code valid_until}) is checked at match time against the event's time.
 */
public final class IndicatorIndex {
  private final Map<Observable, Set<String>> exact = new ConcurrentHashMap<>();

  /** IP ranges: prefix length → network (masked address as a number) → indicator ids. */
  private final Map<Integer, Map<BigInteger, Set<String>>> ranges4 = new ConcurrentSkipListMap<>();

  private final Map<Integer, Map<BigInteger, Set<String>>> ranges6 = new ConcurrentSkipListMap<>();
  private final Map<String, Entry> byId = new ConcurrentHashMap<>();

  private record Entry(Indicator indicator, List<Target> targets) {}

  /** One thing a pattern looks for: an exact observable, or an IP range. */
  private sealed interface Target permits Exact, Range {}

  private record Exact(Observable observable) implements Target {}

  private record Range(boolean v6, int prefix, BigInteger network) implements Target {}

  /** The pattern cannot be turned into exact lookups. */
  public static final class NotIndexableException extends BulwarkException {
    NotIndexableException(String message) {
      super(message);
    }
  }

  /** A hit: which indicator, for which of the event's values. */
  public record Match(Indicator indicator, Observable observable) {}

  /**
   * Adds an indicator, or replaces the one with the same id.
   *
   * @throws PatternParser.InvalidPatternException if the pattern does not parse
   * @throws NotIndexableException if it is valid STIX but not a simple lookup
   */
  public void put(Indicator indicator) {
    List<Target> targets = new ArrayList<>();
    compile(PatternParser.parse(indicator.pattern()), targets);
    remove(indicator.id());
    Entry entry = new Entry(indicator, List.copyOf(targets));
    for (Target t : targets) {
      if (t instanceof Exact e) {
        exact
            .computeIfAbsent(e.observable(), k -> ConcurrentHashMap.newKeySet())
            .add(indicator.id());
      } else if (t instanceof Range r) {
        (r.v6() ? ranges6 : ranges4)
            .computeIfAbsent(r.prefix(), k -> new ConcurrentHashMap<>())
            .computeIfAbsent(r.network(), k -> ConcurrentHashMap.newKeySet())
            .add(indicator.id());
      }
    }
    byId.put(indicator.id(), entry);
  }

  /** Removes an indicator (revoked, delisted, deleted); unknown ids are ignored. */
  public void remove(String id) {
    Entry old = byId.remove(id);
    if (old == null) {
      return;
    }
    for (Target t : old.targets()) {
      if (t instanceof Exact e) {
        exact.computeIfPresent(
            e.observable(), (k, ids) -> ids.remove(id) && ids.isEmpty() ? null : ids);
      } else if (t instanceof Range r) {
        Map<BigInteger, Set<String>> byNet = (r.v6() ? ranges6 : ranges4).get(r.prefix());
        if (byNet != null) {
          byNet.computeIfPresent(
              r.network(), (k, ids) -> ids.remove(id) && ids.isEmpty() ? null : ids);
        }
      }
    }
  }

  public int size() {
    return byId.size();
  }

  /** The indicators naming any of these values and valid at {@code time}. */
  public List<Match> lookup(List<Observable> observables, Instant time) {
    List<Match> out = new ArrayList<>(0);
    for (Observable o : observables) {
      Set<String> ids = exact.get(o);
      if (ids != null) {
        ids.forEach(id -> hit(id, o, time, out));
      }
      if (o.kind() == Observable.Kind.IP) {
        ip(o.value())
            .ifPresent(
                addr -> {
                  boolean v6 = addr.bitLength() > 32 || o.value().contains(":");
                  (v6 ? ranges6 : ranges4)
                      .forEach(
                          (prefix, byNet) -> {
                            Set<String> inRange = byNet.get(mask(addr, prefix, v6 ? 128 : 32));
                            if (inRange != null) {
                              inRange.forEach(id -> hit(id, o, time, out));
                            }
                          });
                });
      }
    }
    return out;
  }

  private void hit(String id, Observable o, Instant time, List<Match> out) {
    Entry e = byId.get(id);
    if (e != null && e.indicator().validAt(time)) {
      out.add(new Match(e.indicator(), o));
    }
  }

  private static void compile(Pattern p, List<Target> out) {
    if (p instanceof Pattern.ObservationOp op) {
      if (!op.op().equals("OR")) {
        throw new NotIndexableException(
            "observation operator %s needs several events; only single observations joined by OR are matched"
                .formatted(op.op()));
      }
      compile(op.left(), out);
      compile(op.right(), out);
    } else if (p instanceof Pattern.Qualified q) {
      throw new NotIndexableException(
          "qualifiers (WITHIN, REPEATS, START/STOP) are not supported by the indicator index");
    } else if (p instanceof Pattern.Observation o) {
      comparison(o.comparison(), out);
    }
  }

  private static void comparison(Pattern.Comparison c, List<Target> out) {
    if (c instanceof Pattern.Or or) {
      comparison(or.left(), out);
      comparison(or.right(), out);
      return;
    }
    if (c instanceof Pattern.And and && mispAttribute(and, out)) {
      return;
    }
    if (c instanceof Pattern.And) {
      throw new NotIndexableException(
          "AND inside an observation is not a simple lookup; split it into separate indicators");
    }
    Pattern.Compare cmp = (Pattern.Compare) c;
    if (cmp.not()
        || !(cmp.op().equals("=") || cmp.op().equals("IN") || cmp.op().equals("ISSUBSET"))) {
      throw new NotIndexableException(
          "operator %s%s is not a simple lookup; use = or IN"
              .formatted(cmp.not() ? "NOT " : "", cmp.op()));
    }
    List<?> values = cmp.value() instanceof List<?> l ? l : List.of(cmp.value());
    for (Object v : values) {
      if (!(v instanceof String s)) {
        throw new NotIndexableException(
            "%s compares with %s; expected a string".formatted(cmp.path(), v));
      }
      out.add(target(cmp.path(), s));
    }
  }

  /**
   * MISP's STIX export writes attributes STIX has no object for as {@code [x-misp-attribute:type =
   * 'btc' AND x-misp-attribute:value = '…']}: the third convention for crypto wallets. Such a pair
   * is one lookup of the value under its MISP type.
   */
  private static boolean mispAttribute(Pattern.And and, List<Target> out) {
    if (!(and.left() instanceof Pattern.Compare a) || !(and.right() instanceof Pattern.Compare b)) {
      return false;
    }
    Pattern.Compare type = a.path().property().equals("type") ? a : b;
    Pattern.Compare value = type == a ? b : a;
    for (Pattern.Compare x : List.of(type, value)) {
      if (!x.path().objectType().equals("x-misp-attribute")
          || x.not()
          || !x.op().equals("=")
          || !(x.value() instanceof String)) {
        return false;
      }
    }
    if (!type.path().property().equals("type") || !value.path().property().equals("value")) {
      return false;
    }
    String t = ((String) type.value()).toLowerCase(java.util.Locale.ROOT);
    String v = (String) value.value();
    Target target =
        switch (t) {
          case "btc", "xmr", "dash", "eth", "bch", "ltc", "zec", "trx", "cryptocurrency-address" ->
              new Exact(Observable.wallet(v));
          case "domain", "hostname" -> new Exact(Observable.domain(v));
          case "url", "uri" -> new Exact(Observable.url(v));
          case "ip-src", "ip-dst" -> ipTarget(v, v.contains(":"));
          default -> null;
        };
    if (target == null) {
      throw new NotIndexableException(
          "MISP attribute type '%s' is not an indexed kind (wallets, domains, URLs, IPs)"
              .formatted(t));
    }
    out.add(target);
    return true;
  }

  private static Target target(Pattern.Path path, String value) {
    String prop = path.property();
    switch (path.objectType()) {
      case "cryptocurrency-wallet", "x-crypto-wallet" -> {
        if (prop.equals("value") || prop.equals("address")) {
          return new Exact(Observable.wallet(value));
        }
      }
      case "domain-name" -> {
        if (prop.equals("value")) {
          return new Exact(Observable.domain(value));
        }
      }
      case "url" -> {
        if (prop.equals("value")) {
          return new Exact(Observable.url(value));
        }
      }
      case "ipv4-addr", "ipv6-addr" -> {
        if (prop.equals("value")) {
          return ipTarget(value, path.objectType().equals("ipv6-addr"));
        }
      }
      case "file" -> {
        if (path.steps().size() == 2 && path.steps().get(0).equals("hashes")) {
          return new Exact(Observable.hash(path.steps().get(1), value));
        }
      }
      default -> {
        // falls through to the refusal below
      }
    }
    throw new NotIndexableException(
        "%s is not an indexed path; use cryptocurrency-wallet:value|address, domain-name:value, url:value, ipv4-addr:value, ipv6-addr:value or file:hashes.'<algorithm>'"
            .formatted(path));
  }

  private static Target ipTarget(String text, boolean v6) {
    String[] parts = text.split("/", 2);
    BigInteger addr =
        ip(parts[0])
            .orElseThrow(
                () -> new NotIndexableException("'%s' is not an IP address".formatted(text)));
    int bits = v6 ? 128 : 32;
    int prefix;
    try {
      prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bits;
    } catch (NumberFormatException e) {
      throw new NotIndexableException("'%s' has an invalid prefix length".formatted(text));
    }
    if (prefix < 0 || prefix > bits) {
      throw new NotIndexableException(
          "'%s' has a prefix length outside 0..%d".formatted(text, bits));
    }
    if (prefix == bits) {
      return new Exact(new Observable(Observable.Kind.IP, canonical(parts[0])));
    }
    return new Range(v6, prefix, mask(addr, prefix, bits));
  }

  /** An IP literal as a number; nothing is ever resolved (only literals reach InetAddress). */
  static java.util.Optional<BigInteger> ip(String literal) {
    boolean v4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = literal.contains(":") && literal.matches("[0-9a-fA-F:.]+");
    if (!v4 && !v6) {
      return java.util.Optional.empty(); // not a literal: never looked up by name
    }
    try {
      return java.util.Optional.of(new BigInteger(1, InetAddress.getByName(literal).getAddress()));
    } catch (UnknownHostException e) {
      return java.util.Optional.empty();
    }
  }

  /** The canonical text of an IP literal (as events carry it). */
  static String canonical(String literal) {
    try {
      return InetAddress.getByName(literal).getHostAddress();
    } catch (UnknownHostException e) {
      return literal;
    }
  }

  private static BigInteger mask(BigInteger addr, int prefix, int bits) {
    return addr.shiftRight(bits - prefix).shiftLeft(bits - prefix);
  }
}
