package dev.bulwark.engine.pack;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.util.ArrayList;
import java.util.List;

/** Runs one detector over events in a fresh engine, for the pack's tests. */
final class Detectors {
  private Detectors() {}

  /** A chain event on Ethereum mainnet: the fields a chain source sets, the others absent. */
  static Event chain(
      String id,
      String type,
      java.time.Instant time,
      String asset,
      java.math.BigDecimal amount,
      Double usd,
      String from,
      String to,
      String tx,
      java.util.Map<String, Object> attrs) {
    return new Event(
        id,
        type,
        time,
        null,
        null,
        null,
        null,
        "eip155:1",
        asset,
        amount,
        usd,
        from,
        to,
        tx,
        attrs);
  }

  /** A platform event (login, API request…): account, IP and attrs, the chain fields absent. */
  static Event platform(
      String id,
      String type,
      java.time.Instant time,
      String account,
      String ip,
      java.util.Map<String, Object> attrs) {
    return new Event(
        id, type, time, null, account, ip, null, null, null, null, null, null, null, null, attrs);
  }

  static List<Alert> run(Detector detector, List<Event> events) {
    Engine engine = new Engine(List.of(detector), State.inMemory());
    List<Alert> out = new ArrayList<>();
    events.forEach(e -> out.addAll(engine.process(e)));
    return out;
  }
}
