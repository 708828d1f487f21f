package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

final class StageCorrelatorTest {
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
  private static final String ATTACKER = "0x00000000000000000000000000000000000000f1";

  private static Alert alert(String id, String rule, String stage, Instant time, String attacker) {
    return named(id, rule, stage, time, attacker);
  }

  @Test
  void threeStagesOfOneAttackerMakeOneIncident() {
    StageCorrelator c = new StageCorrelator();
    assertThat(
            c.observe(List.of(alert("a1", "chain.mixer-funded-deployer", "funding", T, ATTACKER))))
        .isEmpty();
    assertThat(
            c.observe(
                List.of(
                    alert(
                        "a2",
                        "chain.mixer-funded-deployer",
                        "preparation",
                        T.plus(Duration.ofDays(3)),
                        ATTACKER))))
        .isEmpty();
    List<Alert> incident =
        c.observe(
            List.of(
                alert(
                    "a3",
                    "chain.reentrancy",
                    "exploitation",
                    T.plus(Duration.ofDays(3).plusHours(2)),
                    ATTACKER.toUpperCase().replace("0X", "0x"))));
    assertThat(incident)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
              assertThat(a.title()).endsWith("funding → preparation → exploitation");
              assertThat(a.evidence().eventIds()).containsExactly("ev-a1", "ev-a2", "ev-a3");
            });
    assertThat(
            c.observe(
                List.of(
                    alert(
                        "a4",
                        "chain.large-outflow",
                        "laundering",
                        T.plus(Duration.ofDays(3).plusHours(3)),
                        ATTACKER))))
        .as("one incident per attacker")
        .isEmpty();
  }

  @Test
  void stagesTooFarApartOrOfDifferentAttackersDoNot() {
    StageCorrelator c = new StageCorrelator();
    assertThat(
            c.observe(
                List.of(
                    alert("b1", "x", "funding", T, ATTACKER),
                    alert("b2", "x", "preparation", T.plus(Duration.ofDays(11)), ATTACKER),
                    alert(
                        "b3",
                        "x",
                        "exploitation",
                        T.plus(Duration.ofDays(11).plusHours(1)),
                        ATTACKER))))
        .as("funding eleven days before is past its ten days")
        .isEmpty();
    assertThat(
            c.observe(
                List.of(
                    alert("c1", "x", "funding", T, "0x00000000000000000000000000000000000000a1"),
                    alert(
                        "c2", "x", "preparation", T, "0x00000000000000000000000000000000000000a2"),
                    alert(
                        "c3",
                        "x",
                        "exploitation",
                        T,
                        "0x00000000000000000000000000000000000000a3"))))
        .as("three attackers, one stage each")
        .isEmpty();
  }

  private static Alert named(
      String id, String rule, String stage, Instant time, String... attackers) {
    return new Alert(
        id,
        rule,
        Severity.HIGH,
        rule,
        rule,
        time,
        java.util.Arrays.stream(attackers)
            .map(a -> new Entity(Entity.Kind.ADDRESS, a, Entity.Role.ATTACKER))
            .toList(),
        new Alert.Evidence(List.of("ev-" + id), List.of()),
        List.of("defi", "stage." + stage),
        0.7,
        id);
  }

  @Test
  void addressesNamedTogetherFormOneClusterWhoseStagesAddUp() {
    String funded = "0x00000000000000000000000000000000000000a1";
    String contract = "0x00000000000000000000000000000000000000c1";
    String sender = "0x00000000000000000000000000000000000000b1";
    StageCorrelator c = new StageCorrelator();
    assertThat(c.observe(List.of(named("f", "chain.mixer-funded-deployer", "funding", T, funded))))
        .isEmpty();
    assertThat(
            c.observe(
                List.of(
                    named(
                        "p",
                        "chain.mixer-funded-deployer",
                        "preparation",
                        T.plusSeconds(3600),
                        funded,
                        contract))))
        .isEmpty();
    // the exploit is sent from another address, through the same contract
    List<Alert> incident =
        c.observe(
            List.of(
                named(
                    "x",
                    "chain.flash-loan-exploit",
                    "exploitation",
                    T.plusSeconds(7200),
                    sender,
                    contract)));
    assertThat(incident)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.title())
                  .isEqualTo(
                      "Multi-stage attack by "
                          + sender
                          + " and 2 linked addresses: funding → preparation → exploitation");
              assertThat(a.entities())
                  .extracting(Entity::value)
                  .containsExactlyInAnyOrder(sender, funded, contract);
              assertThat(a.evidence().eventIds()).containsExactly("ev-f", "ev-p", "ev-x");
            });
    assertThat(
            c.observe(
                List.of(
                    named("l", "chain.large-outflow", "laundering", T.plusSeconds(9000), funded))))
        .as("one incident per cluster")
        .isEmpty();
  }

  @Test
  void unrelatedAttackersStayApart() {
    StageCorrelator c = new StageCorrelator();
    c.observe(
        List.of(
            named(
                "f",
                "chain.mixer-funded-deployer",
                "funding",
                T,
                "0x00000000000000000000000000000000000000a1")));
    c.observe(
        List.of(
            named(
                "p",
                "chain.mixer-funded-deployer",
                "preparation",
                T.plusSeconds(60),
                "0x00000000000000000000000000000000000000a2")));
    assertThat(
            c.observe(
                List.of(
                    named(
                        "x",
                        "chain.flash-loan-exploit",
                        "exploitation",
                        T.plusSeconds(120),
                        "0x00000000000000000000000000000000000000a3"))))
        .isEmpty();
  }
}
