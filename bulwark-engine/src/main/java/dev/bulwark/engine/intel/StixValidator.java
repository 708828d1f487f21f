package dev.bulwark.engine.intel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.Problem;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks STIX 2.1 bundles and objects against the specification (OASIS STIX 2.1, §2–§7) and reports
 * every problem with its JSON path ({@code $.objects[2].valid_from}), not only the first. What it
 * checks: the identifier form and that its type matches; {@code spec_version}; timestamps (RFC 3339
 * in UTC, {@code created}/{@code modified} with at least millisecond precision, {@code modified}
 * not before {@code created}); the properties each known type requires; confidence, references and
 * their target types, markings, extensions and property names. Indicators with {@code pattern_type:
 * stix} must have a pattern our parser accepts. Unknown types and custom properties pass (their
 * names must still be well-formed): they are kept as they came.
 */
public final class StixValidator {
  private static final Pattern ID =
      Pattern.compile(
          "([a-z0-9][a-z0-9-]+[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9-]{1,248}[a-z0-9]");
  private static final Pattern PROPERTY = Pattern.compile("[a-z0-9_]{1,250}");
  private static final Pattern TIMESTAMP =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.(\\d+))?Z");
  private static final Pattern RELATIONSHIP_TYPE = Pattern.compile("[a-z0-9-]+");

  /**
   * Cyber-observable types of the specification (§6): no created/modified, spec_version optional.
   */
  static final Set<String> OBSERVABLES =
      Set.of(
          "artifact",
          "autonomous-system",
          "directory",
          "domain-name",
          "email-addr",
          "email-message",
          "file",
          "ipv4-addr",
          "ipv6-addr",
          "mac-addr",
          "mutex",
          "network-traffic",
          "process",
          "software",
          "url",
          "user-account",
          "windows-registry-key",
          "x509-certificate",
          // not in the specification, but how the community shares wallets (OpenCTI,
          // stix2extensions)
          "cryptocurrency-wallet",
          "cryptocurrency-transaction");

  private static final Set<String> NOT_SDO =
      Set.of("relationship", "sighting", "marking-definition", "bundle", "language-content");

  /** The properties each type requires besides the common ones. */
  private static final Map<String, List<String>> REQUIRED =
      Map.ofEntries(
          Map.entry("attack-pattern", List.of("name")),
          Map.entry("campaign", List.of("name")),
          Map.entry("course-of-action", List.of("name")),
          Map.entry("grouping", List.of("context", "object_refs")),
          Map.entry("identity", List.of("name")),
          Map.entry("incident", List.of("name")),
          Map.entry("indicator", List.of("pattern", "pattern_type", "valid_from")),
          Map.entry("infrastructure", List.of("name")),
          Map.entry("intrusion-set", List.of("name")),
          Map.entry("malware", List.of("is_family")),
          Map.entry("malware-analysis", List.of("product")),
          Map.entry("note", List.of("content", "object_refs")),
          Map.entry("observed-data", List.of("first_observed", "last_observed", "number_observed")),
          Map.entry("opinion", List.of("opinion", "object_refs")),
          Map.entry("report", List.of("name", "published", "object_refs")),
          Map.entry("threat-actor", List.of("name")),
          Map.entry("tool", List.of("name")),
          Map.entry("vulnerability", List.of("name")),
          Map.entry("relationship", List.of("relationship_type", "source_ref", "target_ref")),
          Map.entry("sighting", List.of("sighting_of_ref")),
          Map.entry(
              "extension-definition",
              List.of("created_by_ref", "name", "schema", "version", "extension_types")),
          Map.entry("domain-name", List.of("value")),
          Map.entry("ipv4-addr", List.of("value")),
          Map.entry("ipv6-addr", List.of("value")),
          Map.entry("url", List.of("value")),
          Map.entry("email-addr", List.of("value")));

  private static final Set<String> TIMESTAMPS =
      Set.of(
          "created",
          "modified",
          "valid_from",
          "valid_until",
          "first_seen",
          "last_seen",
          "published",
          "first_observed",
          "last_observed",
          "start_time",
          "stop_time");

  private static final Set<String> EXTENSION_TYPES =
      Set.of("new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension");

  private StixValidator() {}

  /** Every problem of a bundle; empty when it is valid. */
  public static List<Problem> bundle(JsonNode bundle) {
    List<Problem> problems = new ArrayList<>();
    if (bundle == null || !bundle.isObject()) {
      problems.add(new Problem("$", "expected a STIX bundle: {\"type\": \"bundle\", …}"));
      return problems;
    }
    if (!"bundle".equals(bundle.path("type").asText(null))) {
      problems.add(new Problem("$.type", "expected \"bundle\""));
    }
    identifier(bundle, "$", "bundle", problems);
    JsonNode objects = bundle.get("objects");
    if (objects == null) {
      return problems; // an empty bundle is allowed
    }
    if (!objects.isArray()) {
      problems.add(new Problem("$.objects", "expected an array of STIX objects"));
      return problems;
    }
    for (int i = 0; i < objects.size(); i++) {
      problems.addAll(object(objects.get(i), "$.objects[" + i + "]"));
    }
    return problems;
  }

  /** Every problem of one object at {@code path}; empty when it is valid. */
  public static List<Problem> object(JsonNode o, String path) {
    List<Problem> problems = new ArrayList<>();
    if (o == null || !o.isObject()) {
      problems.add(new Problem(path, "expected a STIX object"));
      return problems;
    }
    String type = o.path("type").isTextual() ? o.get("type").asText() : null;
    if (type == null) {
      problems.add(new Problem(path + ".type", "missing; every STIX object has a type"));
      return problems;
    }
    if (!TYPE.matcher(type).matches()) {
      problems.add(
          new Problem(
              path + ".type",
              "'%s' is not a STIX type name (a-z, 0-9, '-', 3–250)".formatted(type)));
    }
    identifier(o, path, type, problems);
    boolean observable = OBSERVABLES.contains(type);
    JsonNode specVersion = o.get("spec_version");
    if (specVersion == null && !observable) {
      problems.add(new Problem(path + ".spec_version", "missing; STIX 2.1 objects carry \"2.1\""));
    } else if (specVersion != null && !"2.1".equals(specVersion.asText())) {
      problems.add(
          new Problem(
              path + ".spec_version",
              "'%s' is not supported; only STIX 2.1".formatted(specVersion.asText())));
    }
    Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String name = f.getKey();
      if (!PROPERTY.matcher(name).matches()) {
        problems.add(
            new Problem(
                path + "." + name,
                "not a STIX property name: use lower-case ASCII letters, digits and '_'"));
      }
      if (TIMESTAMPS.contains(name)) {
        timestamp(f.getValue(), path + "." + name, name, problems);
      }
      if (name.endsWith("_ref") && !f.getValue().isNull()) {
        reference(f.getValue(), path + "." + name, problems);
      } else if (name.endsWith("_refs")) {
        if (!f.getValue().isArray()) {
          problems.add(new Problem(path + "." + name, "expected an array of STIX identifiers"));
        } else {
          for (int i = 0; i < f.getValue().size(); i++) {
            reference(f.getValue().get(i), path + "." + name + "[" + i + "]", problems);
          }
        }
      }
    }
    if (!observable) {
      if (!type.equals("marking-definition") && !o.has("modified")) {
        problems.add(new Problem(path + ".modified", "missing"));
      }
      if (!o.has("created")) {
        problems.add(new Problem(path + ".created", "missing"));
      }
      Instant created = instant(o.get("created"));
      Instant modified = instant(o.get("modified"));
      if (created != null && modified != null && modified.isBefore(created)) {
        problems.add(new Problem(path + ".modified", "is before created"));
      }
    }
    for (String required : REQUIRED.getOrDefault(type, List.of())) {
      if (!o.has(required) || o.get(required).isNull()) {
        problems.add(new Problem(path + "." + required, "missing; %s requires it".formatted(type)));
      }
    }
    common(o, path, problems);
    switch (type) {
      case "indicator" -> indicator(o, path, problems);
      case "malware" -> {
        if (o.path("is_family").asBoolean(false) && !o.has("name")) {
          problems.add(new Problem(path + ".name", "missing; a malware family needs a name"));
        }
      }
      case "relationship" -> {
        if (o.path("relationship_type").isTextual()
            && !RELATIONSHIP_TYPE.matcher(o.get("relationship_type").asText()).matches()) {
          problems.add(
              new Problem(path + ".relationship_type", "use lower-case letters, digits and '-'"));
        }
        for (String end : List.of("source_ref", "target_ref")) {
          String t = refType(o.get(end));
          if (t != null && NOT_SDO.contains(t)) {
            problems.add(
                new Problem(
                    path + "." + end,
                    "a relationship joins domain or observable objects, not a %s".formatted(t)));
          }
        }
      }
      case "sighting" -> sighting(o, path, problems);
      case "report", "note", "grouping", "opinion" -> {
        if (o.path("object_refs").isArray() && o.get("object_refs").isEmpty()) {
          problems.add(new Problem(path + ".object_refs", "must name at least one object"));
        }
      }
      case "marking-definition" -> marking(o, path, problems);
      case "extension-definition" -> {
        JsonNode types = o.get("extension_types");
        if (types != null && (!types.isArray() || types.isEmpty())) {
          problems.add(
              new Problem(
                  path + ".extension_types", "expected a non-empty array of extension types"));
        } else if (types != null) {
          for (int i = 0; i < types.size(); i++) {
            if (!EXTENSION_TYPES.contains(types.get(i).asText())) {
              problems.add(
                  new Problem(
                      path + ".extension_types[" + i + "]",
                      "'%s' is not one of %s"
                          .formatted(
                              types.get(i).asText(), EXTENSION_TYPES.stream().sorted().toList())));
            }
          }
        }
      }
      case "cryptocurrency-wallet" -> {
        if (!o.path("value").isTextual() && !o.path("address").isTextual()) {
          problems.add(
              new Problem(
                  path + ".value", "missing; a wallet needs its address as value (or address)"));
        }
      }
      default -> {
        // unknown or property-less types: the common checks are all there is
      }
    }
    return problems;
  }

  private static void identifier(JsonNode o, String path, String type, List<Problem> problems) {
    JsonNode id = o.get("id");
    if (id == null || !id.isTextual()) {
      problems.add(new Problem(path + ".id", "missing; write %s--<UUID>".formatted(type)));
      return;
    }
    Matcher m = ID.matcher(id.asText());
    if (!m.matches()) {
      problems.add(
          new Problem(
              path + ".id", "'%s' is not <type>--<UUID> (RFC 4122)".formatted(id.asText())));
    } else if (!m.group(1).equals(type)) {
      problems.add(
          new Problem(
              path + ".id",
              "the id names type '%s' but the object is a %s".formatted(m.group(1), type)));
    }
  }

  private static void reference(JsonNode ref, String path, List<Problem> problems) {
    if (!ref.isTextual() || !ID.matcher(ref.asText()).matches()) {
      problems.add(
          new Problem(
              path, "'%s' is not a STIX identifier <type>--<UUID>".formatted(ref.asText())));
    }
  }

  private static String refType(JsonNode ref) {
    return ref == null || !ref.isTextual() ? null : typeOf(ref.asText());
  }

  /** The type an identifier names, or null when it is not an identifier. */
  private static String typeOf(String id) {
    Matcher m = ID.matcher(id);
    return m.matches() ? m.group(1) : null;
  }

  private static void timestamp(JsonNode value, String path, String name, List<Problem> problems) {
    Matcher m = value.isTextual() ? TIMESTAMP.matcher(value.asText()) : null;
    if (m == null || !m.matches() || instant(value) == null) {
      problems.add(
          new Problem(
              path,
              "'%s' is not an RFC 3339 UTC timestamp such as 2026-11-26T09:00:00.000Z"
                  .formatted(value.asText())));
      return;
    }
    if ((name.equals("created") || name.equals("modified"))
        && (m.group(2) == null || m.group(2).length() < 3)) {
      problems.add(new Problem(path, "needs at least millisecond precision (.000)"));
    }
  }

  private static Instant instant(JsonNode value) {
    if (value == null || !value.isTextual()) {
      return null;
    }
    try {
      return Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static void common(JsonNode o, String path, List<Problem> problems) {
    JsonNode confidence = o.get("confidence");
    if (confidence != null
        && (!confidence.isIntegralNumber() || confidence.asInt() < 0 || confidence.asInt() > 100)) {
      problems.add(new Problem(path + ".confidence", "expected a whole number 0..100"));
    }
    JsonNode revoked = o.get("revoked");
    if (revoked != null && !revoked.isBoolean()) {
      problems.add(new Problem(path + ".revoked", "expected true or false"));
    }
    JsonNode labels = o.get("labels");
    if (labels != null && (!labels.isArray() || !allText(labels))) {
      problems.add(new Problem(path + ".labels", "expected an array of strings"));
    }
    JsonNode refs = o.get("external_references");
    if (refs != null) {
      if (!refs.isArray()) {
        problems.add(new Problem(path + ".external_references", "expected an array"));
      } else {
        for (int i = 0; i < refs.size(); i++) {
          if (!refs.get(i).path("source_name").isTextual()) {
            problems.add(
                new Problem(
                    path + ".external_references[" + i + "].source_name",
                    "missing; every external reference names its source"));
          }
        }
      }
    }
    JsonNode markings = o.get("object_marking_refs");
    if (markings != null && markings.isArray()) {
      for (int i = 0; i < markings.size(); i++) {
        if (!"marking-definition".equals(refType(markings.get(i)))) {
          problems.add(
              new Problem(
                  path + ".object_marking_refs[" + i + "]",
                  "expected a marking-definition--<UUID> identifier"));
        }
      }
    }
    JsonNode extensions = o.get("extensions");
    if (extensions != null) {
      if (!extensions.isObject()) {
        problems.add(new Problem(path + ".extensions", "expected an object keyed by extension"));
      } else {
        Iterator<Map.Entry<String, JsonNode>> it = extensions.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          String at = path + ".extensions['" + e.getKey() + "']";
          boolean definition = "extension-definition".equals(typeOf(e.getKey()));
          if (!definition && !e.getKey().endsWith("-ext")) {
            problems.add(
                new Problem(
                    at,
                    "an extension is keyed by its extension-definition--<UUID> (or a predefined *-ext name)"));
          }
          if (!e.getValue().isObject()) {
            problems.add(new Problem(at, "expected an object"));
          }
        }
      }
    }
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode n : array) {
      if (!n.isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static void indicator(JsonNode o, String path, List<Problem> problems) {
    Instant from = instant(o.get("valid_from"));
    Instant until = instant(o.get("valid_until"));
    if (from != null && until != null && !until.isAfter(from)) {
      problems.add(new Problem(path + ".valid_until", "must be after valid_from"));
    }
    if ("stix".equals(o.path("pattern_type").asText(null)) && o.path("pattern").isTextual()) {
      try {
        PatternParser.parse(o.get("pattern").asText());
      } catch (PatternParser.InvalidPatternException e) {
        problems.add(new Problem(path + ".pattern", e.getMessage()));
      }
    }
  }

  private static void sighting(JsonNode o, String path, List<Problem> problems) {
    String of = refType(o.get("sighting_of_ref"));
    if (of != null && (NOT_SDO.contains(of) || OBSERVABLES.contains(of))) {
      problems.add(
          new Problem(
              path + ".sighting_of_ref",
              "a sighting is of a domain object (an indicator, say), not a %s".formatted(of)));
    }
    JsonNode count = o.get("count");
    if (count != null
        && (!count.isIntegralNumber() || count.asLong() < 0 || count.asLong() > 999_999_999L)) {
      problems.add(new Problem(path + ".count", "expected a whole number 0..999999999"));
    }
    Instant first = instant(o.get("first_seen"));
    Instant last = instant(o.get("last_seen"));
    if (first != null && last != null && last.isBefore(first)) {
      problems.add(new Problem(path + ".last_seen", "is before first_seen"));
    }
  }

  private static void marking(JsonNode o, String path, List<Problem> problems) {
    boolean tlp1 = o.has("definition_type") || o.has("definition");
    if (tlp1) {
      if (!o.path("definition_type").isTextual()) {
        problems.add(new Problem(path + ".definition_type", "missing; tlp or statement"));
      }
      if (!o.path("definition").isObject()) {
        problems.add(new Problem(path + ".definition", "expected an object"));
      }
    } else if (!o.has("extensions")) {
      problems.add(
          new Problem(
              path,
              "a marking definition needs definition_type and definition, or an extension (TLP 2.0)"));
    }
  }
}
