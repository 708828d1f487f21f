package dev.bulwark.engine.intel;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Traffic Light Protocol 2.0 levels, ordered from the widest audience to the narrowest. STIX
 * objects carry them as marking-definition ids, and three conventions are in use: the STIX 2.1
 * specification's TLP 1 instances, the OASIS TLP 2.0 extension's (MISP), and OpenCTI's (SEAL-ISAC,
 * whose AMBER+STRICT is its own statement marking). All of them map to one level on input; output
 * uses the OASIS TLP 2.0 ids.
 */
public enum Tlp {
  CLEAR("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"),
  GREEN("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
  AMBER("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"),
  AMBER_STRICT("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"),
  RED("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");

  /** The TLP 2.0 extension definition that marks TLP 2.0 marking objects. */
  public static final String EXTENSION =
      "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

  private static final Map<String, Tlp> BY_ID =
      Map.ofEntries(
          // OASIS TLP 2.0 extension
          Map.entry(CLEAR.id, CLEAR),
          Map.entry(GREEN.id, GREEN),
          Map.entry(AMBER.id, AMBER),
          Map.entry(AMBER_STRICT.id, AMBER_STRICT),
          Map.entry(RED.id, RED),
          // STIX 2.1 specification, TLP 1 (OpenCTI uses these for CLEAR, GREEN, AMBER and RED)
          Map.entry("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", CLEAR),
          Map.entry("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", GREEN),
          Map.entry("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", AMBER),
          Map.entry("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", RED),
          // OpenCTI's AMBER+STRICT statement marking
          Map.entry("marking-definition--826578e1-40ad-459f-bc73-ede076f81f37", AMBER_STRICT));

  private final String id;

  Tlp(String id) {
    this.id = id;
  }

  /** The OASIS TLP 2.0 marking-definition id. */
  public String id() {
    return id;
  }

  /** As written: {@code TLP:AMBER+STRICT}. */
  public String label() {
    return "TLP:" + name().replace('_', '+');
  }

  /** The level a marking-definition id stands for, in any of the conventions; empty if none. */
  public static Optional<Tlp> ofMarking(String markingId) {
    return Optional.ofNullable(
        markingId == null ? null : BY_ID.get(markingId.toLowerCase(Locale.ROOT)));
  }

  /**
   * The level of an object with these {@code object_marking_refs}: the most restrictive TLP among
   * them (an object marked twice is as narrow as its narrowest marking); empty when none is TLP.
   */
  public static Optional<Tlp> of(List<String> markingRefs) {
    Tlp narrowest = null;
    for (String ref : markingRefs) {
      Tlp t = ofMarking(ref).orElse(null);
      if (t != null && (narrowest == null || t.compareTo(narrowest) > 0)) {
        narrowest = t;
      }
    }
    return Optional.ofNullable(narrowest);
  }

  /** Parses {@code clear}, {@code TLP:GREEN}, {@code amber+strict}… as in config and API input. */
  public static Optional<Tlp> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.trim().toUpperCase(Locale.ROOT);
    if (t.startsWith("TLP:")) {
      t = t.substring(4);
    }
    if (t.equals("WHITE")) {
      t = "CLEAR"; // TLP 1's name for it
    }
    try {
      return Optional.of(valueOf(t.replace('+', '_')));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
