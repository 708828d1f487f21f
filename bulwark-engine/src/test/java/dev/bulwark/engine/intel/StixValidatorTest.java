package dev.bulwark.engine.intel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.Problem;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

final class StixValidatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode valid() throws Exception {
    try (InputStream in = StixValidatorTest.class.getResourceAsStream("/stix/valid-bundle.json")) {
      return JSON.readTree(in);
    }
  }

  private static List<String> problems(JsonNode bundle) {
    return StixValidator.bundle(bundle).stream().map(Problem::toString).toList();
  }

  @Test
  void aBundleOfIdentityTlpMarkingIndicatorSightingWalletRelationshipAndReportIsValid()
      throws Exception {
    assertThat(problems(valid())).isEmpty();
  }

  @Test
  void everyProblemIsReportedWithItsJsonPath() throws Exception {
    JsonNode bundle = valid();
    ObjectNode identity = (ObjectNode) bundle.get("objects").get(0);
    identity.remove("name");
    identity.put("created", "2026-11-26T09:00:00Z"); // no milliseconds
    identity.put("modified", "2026-11-25T09:00:00.000Z"); // before created
    ObjectNode indicator = (ObjectNode) bundle.get("objects").get(2);
    indicator.put("id", "malware--a932fcc6-e032-476c-826f-cb970a5a1ade");
    indicator.put("pattern", "[cryptocurrency-wallet:value = '0x09'");
    indicator.put("valid_until", "2026-11-26T09:00:00Z");
    indicator.put("confidence", 140);
    indicator.putArray("object_marking_refs").add("identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
    indicator.put("Bad-Name", true);
    ObjectNode sighting = (ObjectNode) bundle.get("objects").get(3);
    sighting.put("sighting_of_ref", "cryptocurrency-wallet--1c8ea5c4-6f5e-5b6a-9a8b-3b1b3f6c2f10");
    sighting.put("last_seen", "2026-11-26T07:00:00Z");
    sighting.put("count", -1);
    ObjectNode relationship = (ObjectNode) bundle.get("objects").get(5);
    relationship.put("target_ref", "sighting--ee20065d-2555-424f-ad9e-0f8428623c75");
    ObjectNode report = (ObjectNode) bundle.get("objects").get(6);
    report.putArray("object_refs");
    report.remove("spec_version");
    report.put("published", "yesterday");

    assertThat(problems(bundle))
        .containsExactlyInAnyOrder(
            "$.objects[0].created: needs at least millisecond precision (.000)",
            "$.objects[0].modified: is before created",
            "$.objects[0].name: missing; identity requires it",
            "$.objects[2].id: the id names type 'malware' but the object is a indicator",
            "$.objects[2].Bad-Name: not a STIX property name: use lower-case ASCII letters, digits and '_'",
            "$.objects[2].valid_until: must be after valid_from",
            "$.objects[2].confidence: expected a whole number 0..100",
            "$.objects[2].object_marking_refs[0]: expected a marking-definition--<UUID> identifier",
            "$.objects[2].pattern: " + patternError("[cryptocurrency-wallet:value = '0x09'"),
            "$.objects[3].sighting_of_ref: a sighting is of a domain object (an indicator, say), not a cryptocurrency-wallet",
            "$.objects[3].count: expected a whole number 0..999999999",
            "$.objects[3].last_seen: is before first_seen",
            "$.objects[5].target_ref: a relationship joins domain or observable objects, not a sighting",
            "$.objects[6].spec_version: missing; STIX 2.1 objects carry \"2.1\"",
            "$.objects[6].published: 'yesterday' is not an RFC 3339 UTC timestamp such as 2026-11-26T09:00:00.000Z",
            "$.objects[6].object_refs: must name at least one object");
  }

  private static String patternError(String pattern) {
    try {
      PatternParser.parse(pattern);
      throw new AssertionError("the pattern should not parse");
    } catch (PatternParser.InvalidPatternException e) {
      return e.getMessage();
    }
  }

  @Test
  void notABundleAndObjectsWithoutTypeOrIdAreReported() throws Exception {
    assertThat(problems(JSON.readTree("[]")))
        .containsExactly("$: expected a STIX bundle: {\"type\": \"bundle\", …}");
    assertThat(
            problems(
                JSON.readTree(
                    """
                    {"type": "bundle", "id": "bundle--nope", "objects": [1, {"id": "x"},
                     {"type": "indicator", "spec_version": "2.0"}]}
                    """)))
        .contains(
            "$.id: 'bundle--nope' is not <type>--<UUID> (RFC 4122)",
            "$.objects[0]: expected a STIX object",
            "$.objects[1].type: missing; every STIX object has a type",
            "$.objects[2].id: missing; write indicator--<UUID>",
            "$.objects[2].spec_version: '2.0' is not supported; only STIX 2.1",
            "$.objects[2].pattern: missing; indicator requires it",
            "$.objects[2].created: missing");
  }
}
