package dev.bulwark.engine.intel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class TlpTest {
  /** Every marking id seen in the wild (intel-sharing-anchors §2.5), and the level it means. */
  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487, CLEAR",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb, GREEN",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421, AMBER",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003, AMBER_STRICT",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1, RED",
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9, CLEAR",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da, GREEN",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82, AMBER",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed, RED",
    "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37, AMBER_STRICT"
  })
  void everyConventionMapsToOneLevel(String id, Tlp level) {
    assertThat(Tlp.ofMarking(id)).contains(level);
    assertThat(Tlp.ofMarking(id.toUpperCase())).contains(level);
  }

  @Test
  void anObjectIsAsNarrowAsItsNarrowestMarkingAndOtherMarkingsAreNotTlp() {
    assertThat(
            Tlp.of(
                List.of(
                    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
                    "marking-definition--00000000-0000-4000-8000-000000000000",
                    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003")))
        .contains(Tlp.AMBER_STRICT);
    assertThat(Tlp.of(List.of("marking-definition--00000000-0000-4000-8000-000000000000")))
        .isEmpty();
    assertThat(Tlp.CLEAR).isLessThan(Tlp.GREEN);
    assertThat(Tlp.AMBER).isLessThan(Tlp.AMBER_STRICT);
    assertThat(Tlp.AMBER_STRICT).isLessThan(Tlp.RED);
  }

  @Test
  void labelsAndNamesParseBothWays() {
    for (Tlp t : Tlp.values()) {
      assertThat(Tlp.parse(t.label())).contains(t);
    }
    assertThat(Tlp.parse("amber+strict")).contains(Tlp.AMBER_STRICT);
    assertThat(Tlp.parse("TLP:WHITE")).contains(Tlp.CLEAR);
    assertThat(Tlp.parse("purple")).isEmpty();
    assertThat(Tlp.AMBER_STRICT.label()).isEqualTo("TLP:AMBER+STRICT");
  }
}
