package dev.bulwark.engine.intel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * STIX 2.1 objects as records, read from validated JSON: the common properties, the properties of
 * the types Bulwark works with (indicator, sighting, identity, relationship, note, report, marking
 * definition, cryptocurrency wallet), and every other property — custom ones included — kept as
 * JSON in {@link Common#custom()}. Objects of other types read as {@link Other}. The stored JSON
 * stays the source of truth (STIX requires every copy of a version to be the same), so the records
 * are for reading, not for re-serialising.
 */
public final class Stix {
  private Stix() {}

  private static final Set<String> COMMON =
      Set.of(
          "type",
          "spec_version",
          "id",
          "created",
          "modified",
          "created_by_ref",
          "revoked",
          "labels",
          "confidence",
          "lang",
          "external_references",
          "object_marking_refs",
          "granular_markings",
          "defanged",
          "extensions");

  /** The properties every object may have; {@code custom} holds everything else not modelled. */
  public record Common(
      String type,
      String id,
      Optional<String> specVersion,
      Optional<Instant> created,
      Optional<Instant> modified,
      Optional<String> createdByRef,
      boolean revoked,
      List<String> labels,
      OptionalInt confidence,
      List<String> markings,
      Map<String, JsonNode> extensions,
      Map<String, JsonNode> custom) {

    /** The TLP level of the object's markings, if any. */
    public Optional<Tlp> tlp() {
      return Tlp.of(markings);
    }
  }

  /** A STIX object Bulwark reads. */
  public sealed interface Object
      permits Indicator,
          Sighting,
          Identity,
          Relationship,
          Note,
          Report,
          MarkingDefinition,
          Wallet,
          Other {
    Common common();
  }

  public record Indicator(
      Common common,
      Optional<String> name,
      Optional<String> description,
      List<String> indicatorTypes,
      String pattern,
      String patternType,
      Instant validFrom,
      Optional<Instant> validUntil)
      implements Object {}

  public record Sighting(
      Common common,
      String sightingOfRef,
      List<String> whereSightedRefs,
      Optional<Instant> firstSeen,
      Optional<Instant> lastSeen,
      OptionalInt count)
      implements Object {}

  public record Identity(Common common, String name, Optional<String> identityClass)
      implements Object {}

  public record Relationship(
      Common common, String relationshipType, String sourceRef, String targetRef)
      implements Object {}

  public record Note(
      Common common, Optional<String> summary, String content, List<String> objectRefs)
      implements Object {}

  public record Report(Common common, String name, Instant published, List<String> objectRefs)
      implements Object {}

  public record MarkingDefinition(Common common, Optional<String> name, Optional<Tlp> tlp)
      implements Object {}

  /**
   * A {@code cryptocurrency-wallet} in any of the conventions in use: {@code value} (OpenCTI,
   * SEAL-ISAC) or {@code address} (stix2extensions); {@code address} is whichever was given.
   */
  public record Wallet(Common common, String address) implements Object {}

  /** Any other type, with all its properties in {@code common().custom()}. */
  public record Other(Common common) implements Object {}

  /**
   * Reads a validated object. Throws a {@link ValidationException} (with the JSON path) when a
   * property the record needs is missing or mistyped, for callers that skipped {@link
   * StixValidator}.
   */
  public static Object read(JsonNode o) {
    List<Problem> problems = new ArrayList<>();
    Object read = read(o, problems);
    if (!problems.isEmpty()) {
      throw new ValidationException(
          "%d problem(s) reading a STIX object".formatted(problems.size()), problems);
    }
    return read;
  }

  private static Object read(JsonNode o, List<Problem> problems) {
    Reader r = new Reader(o, problems);
    String type = r.text("type");
    Set<String> own =
        switch (type == null ? "" : type) {
          case "indicator" ->
              Set.of(
                  "name",
                  "description",
                  "indicator_types",
                  "pattern",
                  "pattern_type",
                  "valid_from",
                  "valid_until");
          case "sighting" ->
              Set.of("sighting_of_ref", "where_sighted_refs", "first_seen", "last_seen", "count");
          case "identity" -> Set.of("name", "identity_class");
          case "relationship" -> Set.of("relationship_type", "source_ref", "target_ref");
          case "note" -> Set.of("abstract", "content", "object_refs");
          case "report" -> Set.of("name", "published", "object_refs");
          case "marking-definition" -> Set.of("name", "definition_type", "definition");
          case "cryptocurrency-wallet" -> Set.of("value", "address");
          default -> Set.of();
        };
    Map<String, JsonNode> custom = new LinkedHashMap<>();
    o.fieldNames()
        .forEachRemaining(
            f -> {
              if (!COMMON.contains(f) && !own.contains(f)) {
                custom.put(f, o.get(f));
              }
            });
    Map<String, JsonNode> extensions = new LinkedHashMap<>();
    o.path("extensions").fields().forEachRemaining(e -> extensions.put(e.getKey(), e.getValue()));
    Common c =
        new Common(
            type,
            r.text("id"),
            r.optionalText("spec_version"),
            r.time("created"),
            r.time("modified"),
            r.optionalText("created_by_ref"),
            o.path("revoked").asBoolean(false),
            r.list("labels"),
            o.has("confidence") ? OptionalInt.of(o.get("confidence").asInt()) : OptionalInt.empty(),
            r.list("object_marking_refs"),
            Collections.unmodifiableMap(extensions),
            Collections.unmodifiableMap(custom));
    return switch (type == null ? "" : type) {
      case "indicator" ->
          new Indicator(
              c,
              r.optionalText("name"),
              r.optionalText("description"),
              r.list("indicator_types"),
              r.text("pattern"),
              r.text("pattern_type"),
              r.time("valid_from").orElseGet(() -> r.missing("valid_from")),
              r.time("valid_until"));
      case "sighting" ->
          new Sighting(
              c,
              r.text("sighting_of_ref"),
              r.list("where_sighted_refs"),
              r.time("first_seen"),
              r.time("last_seen"),
              o.has("count") ? OptionalInt.of(o.get("count").asInt()) : OptionalInt.empty());
      case "identity" -> new Identity(c, r.text("name"), r.optionalText("identity_class"));
      case "relationship" ->
          new Relationship(
              c, r.text("relationship_type"), r.text("source_ref"), r.text("target_ref"));
      case "note" ->
          new Note(c, r.optionalText("abstract"), r.text("content"), r.list("object_refs"));
      case "report" ->
          new Report(
              c,
              r.text("name"),
              r.time("published").orElseGet(() -> r.missing("published")),
              r.list("object_refs"));
      case "marking-definition" ->
          new MarkingDefinition(c, r.optionalText("name"), Tlp.ofMarking(c.id()));
      case "cryptocurrency-wallet" ->
          new Wallet(
              c,
              r.optionalText("value")
                  .or(() -> r.optionalText("address"))
                  .orElseGet(
                      () -> {
                        problems.add(new Problem("$.value", "a wallet needs value (or address)"));
                        return "";
                      }));
      default -> new Other(c);
    };
  }

  /** Reads typed properties, recording a problem (with its JSON path) for each bad one. */
  private record Reader(JsonNode o, List<Problem> problems) {
    String text(String name) {
      JsonNode v = o.get(name);
      if (v == null || !v.isTextual()) {
        problems.add(new Problem("$." + name, v == null ? "missing" : "expected a string"));
        return null;
      }
      return v.asText();
    }

    Optional<String> optionalText(String name) {
      JsonNode v = o.get(name);
      if (v == null || v.isNull()) {
        return Optional.empty();
      }
      if (!v.isTextual()) {
        problems.add(new Problem("$." + name, "expected a string"));
        return Optional.empty();
      }
      return Optional.of(v.asText());
    }

    Optional<Instant> time(String name) {
      return optionalText(name)
          .flatMap(
              t -> {
                try {
                  return Optional.of(Instant.parse(t));
                } catch (java.time.format.DateTimeParseException e) {
                  problems.add(new Problem("$." + name, "not an RFC 3339 timestamp"));
                  return Optional.empty();
                }
              });
    }

    Instant missing(String name) {
      if (problems.stream().noneMatch(p -> p.location().equals("$." + name))) {
        problems.add(new Problem("$." + name, "missing"));
      }
      return Instant.EPOCH;
    }

    List<String> list(String name) {
      JsonNode v = o.get(name);
      if (v == null) {
        return List.of();
      }
      if (!v.isArray()) {
        problems.add(new Problem("$." + name, "expected a list of strings"));
        return List.of();
      }
      List<String> out = new ArrayList<>();
      v.forEach(x -> out.add(x.asText()));
      return List.copyOf(out);
    }
  }
}
