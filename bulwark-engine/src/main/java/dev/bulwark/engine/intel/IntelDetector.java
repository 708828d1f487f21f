package dev.bulwark.engine.intel;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Raises an alert when an event touches a value an indicator names: a counterparty address ({@code
 * from}, {@code to}), the client IP, or a domain, URL or file hash in {@code attrs}. The alert
 * names the indicator, its source and its confidence. Stateless: the index is shared and updated in
 * place as intelligence arrives, expires or is revoked.
 */
public final class IntelDetector implements Detector {
  public static final String ID = "intel.indicator-match";
  private final java.util.function.Supplier<List<IndicatorIndex>> indexes;

  public IntelDetector(IndicatorIndex index) {
    List<IndicatorIndex> one = List.of(index);
    this.indexes = () -> one;
  }

  /**
   * Matches against several indexes (say the feeds every organisation shares and the STIX
   * indicators one organisation may see), asked for at every event so an index can be swapped
   * whole.
   */
  public IntelDetector(java.util.function.Supplier<List<IndicatorIndex>> indexes) {
    this.indexes = indexes;
  }

  @Override
  public String id() {
    return ID;
  }

  /** The values of an event the index can look up. */
  static List<Observable> observables(Event e) {
    List<Observable> out = new ArrayList<>(4);
    if (e.from() != null) {
      out.add(Observable.wallet(e.from()));
    }
    if (e.to() != null) {
      out.add(Observable.wallet(e.to()));
    }
    if (e.ip() != null) {
      out.add(new Observable(Observable.Kind.IP, e.ip()));
    }
    Map<String, Object> a = e.attrs();
    if (a.get("domain") instanceof String d) {
      out.add(Observable.domain(d));
    }
    if (a.get("url") instanceof String u) {
      out.add(Observable.url(u));
    }
    if (a.get("code_hash") instanceof String h) {
      // a contract's runtime bytecode, hashed like a file: file:hashes.'KECCAK-256'
      out.add(Observable.hash("KECCAK-256", h.startsWith("0x") ? h.substring(2) : h));
    }
    for (String algo : List.of("sha256", "sha1", "md5")) {
      if (a.get(algo) instanceof String h) {
        out.add(
            Observable.hash(
                algo.equals("sha256") ? "SHA-256" : algo.equals("sha1") ? "SHA-1" : "MD5", h));
      }
    }
    return out;
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    List<Observable> values = observables(e);
    if (values.isEmpty()) {
      return List.of();
    }
    List<Alert> out = new ArrayList<>(0);
    for (IndicatorIndex index : indexes.get()) {
      if (index.size() > 0) {
        inspect(e, index.lookup(values, e.time()), out);
      }
    }
    return out;
  }

  private static void inspect(Event e, List<IndicatorIndex.Match> matches, List<Alert> out) {
    for (IndicatorIndex.Match m : matches) {
      Indicator i = m.indicator();
      Severity base =
          i.confidence() >= 80
              ? Severity.HIGH
              : i.confidence() >= 50 || i.confidence() < 0 ? Severity.MEDIUM : Severity.LOW;
      String direction = direction(e, m.observable());
      // money sent to a listed address, $10 000 or more, is one level worse than being touched
      boolean large = e.amountUsd() != null && e.amountUsd() >= LARGE_USD;
      Severity severity = direction.equals("outgoing") && large ? up(base) : base;
      String dedup = ID + "|" + e.id() + "|" + i.id() + "|" + m.observable().value();
      List<Entity> entities = new ArrayList<>();
      entities.add(
          new Entity(
              m.observable().kind() == Observable.Kind.IP ? Entity.Kind.IP : Entity.Kind.ADDRESS,
              m.observable().kind() == Observable.Kind.WALLET
                  ? matchedAddress(e, m.observable())
                  : m.observable().value(),
              Entity.Role.ATTACKER));
      if (e.account() != null) {
        entities.add(new Entity(Entity.Kind.ACCOUNT, e.account(), Entity.Role.VICTIM));
      }
      out.add(
          new Alert(
              Alert.idFor(dedup),
              ID,
              severity,
              "%s touches %s named by indicator '%s'".formatted(e.type(), m.observable(), i.name()),
              "Event %s (%s, %s%s) involves %s, which indicator %s from %s names (confidence %s, pattern %s)."
                  .formatted(
                      e.id(),
                      e.type(),
                      direction,
                      e.amountUsd() == null ? "" : ", $" + Math.round(e.amountUsd()),
                      m.observable(),
                      i.id(),
                      i.source(),
                      i.confidence() < 0 ? "not given" : i.confidence(),
                      i.pattern()),
              e.time(),
              entities,
              Alert.Evidence.of(e),
              List.of("intel", "indicator:" + i.id()),
              i.confidence() < 0 ? severity.defaultScore() : i.confidence() / 100.0,
              dedup));
    }
  }

  /** From this many US dollars, an outgoing payment to a listed address is one level worse. */
  static final double LARGE_USD = 10_000;

  /** Whether the listed value receives ("outgoing"), sends ("incoming") or is otherwise touched. */
  static String direction(Event e, Observable o) {
    if (o.kind() == Observable.Kind.WALLET) {
      if (e.to() != null && Observable.wallet(e.to()).equals(o)) {
        return "outgoing";
      }
      if (e.from() != null && Observable.wallet(e.from()).equals(o)) {
        return "incoming";
      }
    }
    return "touched";
  }

  private static Severity up(Severity s) {
    return switch (s) {
      case INFO -> Severity.LOW;
      case LOW -> Severity.MEDIUM;
      case MEDIUM -> Severity.HIGH;
      case HIGH, CRITICAL -> Severity.CRITICAL;
    };
  }

  /** The event's own spelling (EIP-55) of a matched wallet, for the alert. */
  private static String matchedAddress(Event e, Observable o) {
    if (e.to() != null && Observable.wallet(e.to()).equals(o)) {
      return e.to();
    }
    return e.from() != null ? e.from() : o.value();
  }
}
