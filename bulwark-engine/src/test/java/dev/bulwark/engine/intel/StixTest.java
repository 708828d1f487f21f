package dev.bulwark.engine.intel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class StixTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<Stix.Object> bundle() throws Exception {
    try (InputStream in = StixTest.class.getResourceAsStream("/stix/valid-bundle.json")) {
      JsonNode b = JSON.readTree(in);
      assertThat(StixValidator.bundle(b)).isEmpty();
      List<Stix.Object> out = new ArrayList<>();
      b.get("objects").forEach(o -> out.add(Stix.read(o)));
      return out;
    }
  }

  @Test
  void everyObjectOfAValidBundleReadsAsItsRecordWithCustomPropertiesKept() throws Exception {
    List<Stix.Object> objects = bundle();
    assertThat(objects)
        .extracting(o -> o.getClass().getSimpleName())
        .containsExactly(
            "Identity",
            "MarkingDefinition",
            "Indicator",
            "Sighting",
            "Wallet",
            "Relationship",
            "Report");
    Stix.Indicator i = (Stix.Indicator) objects.get(2);
    assertThat(i.patternType()).isEqualTo("stix");
    assertThat(i.validUntil()).isPresent();
    assertThat(i.validFrom()).isBefore(i.validUntil().get());
    assertThat(i.common().confidence()).isPresent();
    assertThat(i.common().createdByRef()).contains(objects.get(0).common().id());
    assertThat(i.common().custom()).containsKey("x_bulwark_chain");
    assertThat(i.common().custom()).doesNotContainKey("pattern");
    assertThat(i.common().tlp()).isPresent();
    Stix.Sighting s = (Stix.Sighting) objects.get(3);
    assertThat(s.sightingOfRef()).isEqualTo(i.common().id());
    assertThat(s.count()).isPresent();
    assertThat(((Stix.Report) objects.get(6)).objectRefs()).isNotEmpty();
  }

  @Test
  void walletsReadTheSameInEveryConvention() {
    String address = "0x098b716b8aaf21512996dc57eb0615e2383e2f96";
    for (String property : List.of("value", "address")) {
      Stix.Object o =
          Stix.read(
              JSON.createObjectNode()
                  .put("type", "cryptocurrency-wallet")
                  .put("id", "cryptocurrency-wallet--1c8ea5c4-6f5e-5b6a-9a8b-3b1b3f6c2f10")
                  .put(property, address));
      assertThat(o)
          .isInstanceOfSatisfying(
              Stix.Wallet.class, w -> assertThat(w.address()).isEqualTo(address));
    }
  }

  @Test
  void anUnknownTypeKeepsEveryPropertyAndAMissingOneIsNamed() {
    Stix.Object o =
        Stix.read(
            JSON.createObjectNode()
                .put("type", "x-exchange-case")
                .put("id", "x-exchange-case--5e8f0a4c-7d2b-4a0e-9f1c-3b6d8e2a4c10")
                .put("x_severity", "high"));
    assertThat(o).isInstanceOf(Stix.Other.class);
    assertThat(o.common().custom()).containsOnlyKeys("x_severity");
    assertThat(o.common().created()).isEqualTo(Optional.<Instant>empty());

    ValidationException e =
        catchThrowableOfType(
            ValidationException.class,
            () ->
                Stix.read(
                    JSON.createObjectNode()
                        .put("type", "indicator")
                        .put("id", "indicator--5e8f0a4c-7d2b-4a0e-9f1c-3b6d8e2a4c10")
                        .put("pattern_type", "stix")));
    assertThat(e.problems())
        .extracting(Problem::toString)
        .containsExactly("$.pattern: missing", "$.valid_from: missing");
  }
}
