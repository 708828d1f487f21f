package dev.bulwark.engine.detect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.BulwarkException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An engine's state as JSON text and back. Each detector writes and reads its own entries (no
 * polymorphic deserialization: a snapshot can name no class to instantiate). Entries of detectors
 * that are gone or whose fingerprint changed are dropped on restore.
 */
final class Snapshots {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VERSION = 1;

  private Snapshots() {}

  static String write(Instant newest, long late, State.Dump dump, Map<String, Detector> detectors) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    root.put("newest", newest.toString());
    root.put("late", late);
    root.put("watermark", dump.watermark().toString());
    ObjectNode fingerprints = root.putObject("fingerprints");
    detectors.forEach((id, d) -> fingerprints.put(id, d.fingerprint()));
    ArrayNode entries = root.putArray("entries");
    for (State.Entry e : dump.entries()) {
      Detector d = detectors.get(e.detector());
      if (d == null) {
        continue;
      }
      entries
          .addObject()
          .put("detector", e.detector())
          .put("key", e.key())
          .put("keep_until", e.keepUntil().toString())
          .set("value", d.saveEntry(e.key(), e.value()));
    }
    ArrayNode timers = root.putArray("timers");
    for (State.Timer t : dump.timers()) {
      if (detectors.containsKey(t.detector())) {
        timers
            .addObject()
            .put("detector", t.detector())
            .put("key", t.key())
            .put("due", t.due().toString());
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new BulwarkException("could not write a state snapshot", e);
    }
  }

  /** What a snapshot held, for the detectors that still exist unchanged. */
  record Restored(Instant newest, long late, State.Dump dump) {}

  static Restored read(String text, Map<String, Detector> detectors) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BulwarkException("unreadable state snapshot: " + e.getOriginalMessage(), e);
    }
    if (root.path("version").asInt() != VERSION) {
      throw new BulwarkException(
          "state snapshot version " + root.path("version") + " is not supported");
    }
    JsonNode fingerprints = root.path("fingerprints");
    List<State.Entry> entries = new ArrayList<>();
    for (JsonNode e : root.path("entries")) {
      Detector d = unchanged(detectors, fingerprints, e.path("detector").asText());
      if (d != null) {
        String key = e.path("key").asText();
        entries.add(
            new State.Entry(
                d.id(),
                key,
                Instant.parse(e.path("keep_until").asText()),
                d.loadEntry(key, e.path("value"))));
      }
    }
    List<State.Timer> timers = new ArrayList<>();
    for (JsonNode t : root.path("timers")) {
      Detector d = unchanged(detectors, fingerprints, t.path("detector").asText());
      if (d != null) {
        timers.add(
            new State.Timer(d.id(), t.path("key").asText(), Instant.parse(t.path("due").asText())));
      }
    }
    return new Restored(
        Instant.parse(root.path("newest").asText()),
        root.path("late").asLong(),
        new State.Dump(Instant.parse(root.path("watermark").asText()), entries, timers));
  }

  private static Detector unchanged(
      Map<String, Detector> detectors, JsonNode fingerprints, String id) {
    Detector d = detectors.get(id);
    return d != null && d.fingerprint().equals(fingerprints.path(id).asText(null)) ? d : null;
  }
}
