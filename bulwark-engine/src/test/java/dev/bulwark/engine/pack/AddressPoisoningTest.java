package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.event.Event;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class AddressPoisoningTest {
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
  private static final String USDT = "0xdac17f958d2ee523a2206206994597c13d831ec7";
  private static final String VICTIM = "0x1111000000000000000000000000000000002222";
  private static final String FRIEND = "0xa1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
  private static final String IMITATOR = "0xa1b2ffffffffffffffffffffffffffffffff5678";
  private static final String STRANGER = "0x9999888877776666555544443333222211110000";
  private int seq;

  private Event transfer(String from, String to, String units, int minutes) {
    return new Event(
        "t" + (seq++),
        "chain.transfer",
        T.plusSeconds(minutes * 60L),
        null,
        null,
        null,
        null,
        "eip155:1",
        USDT,
        new BigDecimal(units),
        null,
        from,
        to,
        "0x" + "ab".repeat(32),
        Map.of("standard", "erc20", "decimals", 6L));
  }

  private static List<Alert> run(List<Event> events) {
    return Detectors.run(new AddressPoisoning(), events);
  }

  @Test
  void dustFromAnImitatorThenThePaymentToIt() {
    List<Alert> alerts =
        run(
            List.of(
                transfer(VICTIM, FRIEND, "25000000000", 0), // 25 000 USDT to a known counterparty
                transfer(IMITATOR, VICTIM, "1", 3), // 0.000001 USDT from the look-alike
                transfer(VICTIM, IMITATOR, "25000000000", 60))); // the mistaken payment
    assertThat(alerts)
        .extracting(Alert::severity)
        .containsExactly(Severity.MEDIUM, Severity.CRITICAL);
    assertThat(alerts.get(0).title()).contains(IMITATOR).contains(FRIEND);
    assertThat(alerts.get(1).entities()).anySatisfy(e -> assertThat(e.value()).isEqualTo(IMITATOR));
  }

  @Test
  void aZeroValueTransferFromPlantsAFakeOutgoingRecord() {
    List<Alert> alerts =
        run(List.of(transfer(VICTIM, FRIEND, "5000000", 0), transfer(VICTIM, IMITATOR, "0", 1)));
    assertThat(alerts)
        .singleElement()
        .satisfies(a -> assertThat(a.severity()).isEqualTo(Severity.MEDIUM));
  }

  @Test
  void honestLookAlikesStayQuiet() {
    assertThat(
            run(
                List.of(
                    transfer(VICTIM, FRIEND, "25000000000", 0),
                    transfer(STRANGER, VICTIM, "1", 1), // dust from an address that imitates nobody
                    transfer(
                        IMITATOR, VICTIM, "500000000", 2), // a real payment from the look-alike
                    transfer(FRIEND, VICTIM, "0", 3)))) // zero-value from the real counterparty
        .isEmpty();
  }

  @Test
  void theLookAlikeTestNeedsBothEnds() {
    assertThat(new AddressPoisoning().imitates(IMITATOR, FRIEND)).isTrue();
    assertThat(new AddressPoisoning().imitates(FRIEND, FRIEND)).isFalse();
    assertThat(
            new AddressPoisoning().imitates("0xa1b2ffffffffffffffffffffffffffffffff0000", FRIEND))
        .isFalse();
  }
}
