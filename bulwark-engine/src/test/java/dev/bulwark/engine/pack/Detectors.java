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

  static List<Alert> run(Detector detector, List<Event> events) {
    Engine engine = new Engine(List.of(detector), State.inMemory());
    List<Alert> out = new ArrayList<>();
    events.forEach(e -> out.addAll(engine.process(e)));
    return out;
  }
}
