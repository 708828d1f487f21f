package dev.bulwark.engine.intel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class IndicatorIndexTest {
  private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");
  private static final String LAZARUS = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96";
  private final IndicatorIndex index = new IndicatorIndex();

  private static Indicator indicator(String id, String pattern, Optional<Instant> until) {
    return new Indicator(
        id, "name of " + id, "identity--ofac", 90, T0.minusSeconds(3600), until, pattern);
  }

  private static Event withdrawal(String id, String to, Instant at) {
    return new Event(
        id,
        "wallet.withdrawal_requested",
        at,
        null,
        "u-1",
        "203.0.113.7",
        null,
        "eip155:1",
        "ETH",
        null,
        5000.0,
        null,
        to,
        null,
        Map.of());
  }

  @Test
  void walletsMatchWhateverTheirCase() {
    index.put(
        indicator(
            "indicator--1",
            "[cryptocurrency-wallet:value = '" + LAZARUS.toLowerCase() + "']",
            Optional.empty()));
    assertThat(index.lookup(List.of(Observable.wallet(LAZARUS)), T0))
        .singleElement()
        .satisfies(m -> assertThat(m.indicator().id()).isEqualTo("indicator--1"));
    index.put(
        indicator(
            "indicator--2",
            "[cryptocurrency-wallet:address = '" + LAZARUS.toUpperCase().replace("0X", "0x") + "']",
            Optional.empty()));
    assertThat(index.lookup(List.of(Observable.wallet(LAZARUS)), T0)).hasSize(2);
    // the third convention: MISP's export of an attribute STIX has no object for
    index.put(
        indicator(
            "indicator--3",
            "[x-misp-attribute:type = 'eth' AND x-misp-attribute:value = '" + LAZARUS + "']",
            Optional.empty()));
    index.put(
        indicator(
            "indicator--4",
            "[x-misp-attribute:value = '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2' AND x-misp-attribute:type = 'btc']",
            Optional.empty()));
    assertThat(index.lookup(List.of(Observable.wallet(LAZARUS)), T0)).hasSize(3);
    assertThat(index.lookup(List.of(Observable.wallet("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")), T0))
        .hasSize(1);
    assertThat(index.lookup(List.of(Observable.wallet("1bvbmseystwetqtfn5au4m4gfg7xjanvn2")), T0))
        .as("base58 is case-sensitive")
        .isEmpty();
  }

  @Test
  void contractCodeHashesMatchWithOrWithout0x() {
    String keccak = "5c29f4e4a4a03e6e0e1c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192";
    index.put(
        indicator(
            "indicator--code",
            "[file:hashes.'KECCAK-256' = '0x" + keccak + "']",
            Optional.empty()));
    assertThat(index.lookup(List.of(Observable.hash("KECCAK-256", keccak.toUpperCase())), T0))
        .hasSize(1);
    assertThat(index.lookup(List.of(Observable.hash("keccak-256", "0x" + keccak)), T0)).hasSize(1);
  }

  @Test
  void ipRangesMatchEveryAddressInside() {
    index.put(
        indicator("indicator--v4", "[ipv4-addr:value = '198.51.100.0/24']", Optional.empty()));
    index.put(
        indicator(
            "indicator--v6",
            "[ipv6-addr:value IN ('2001:db8::/32', '2001:db9::1')]",
            Optional.empty()));
    assertThat(index.lookup(List.of(new Observable(Observable.Kind.IP, "198.51.100.77")), T0))
        .hasSize(1);
    assertThat(index.lookup(List.of(new Observable(Observable.Kind.IP, "198.51.101.1")), T0))
        .isEmpty();
    assertThat(
            index.lookup(
                List.of(
                    new Observable(Observable.Kind.IP, IndicatorIndex.canonical("2001:db8::beef"))),
                T0))
        .hasSize(1);
    assertThat(
            index.lookup(
                List.of(
                    new Observable(Observable.Kind.IP, IndicatorIndex.canonical("2001:db9::1"))),
                T0))
        .hasSize(1);
  }

  @Test
  void expiryRevocationAndNewVersionsApplyInPlace() {
    index.put(
        indicator(
            "indicator--1",
            "[domain-name:value = 'evil.example.']",
            Optional.of(T0.plusSeconds(60))));
    List<Observable> evil = List.of(Observable.domain("EVIL.example"));
    assertThat(index.lookup(evil, T0)).hasSize(1);
    assertThat(index.lookup(evil, T0.plusSeconds(60))).as("valid_until is exclusive").isEmpty();
    assertThat(index.lookup(evil, T0.minusSeconds(7200))).as("before valid_from").isEmpty();

    index.put(indicator("indicator--1", "[domain-name:value = 'other.example']", Optional.empty()));
    assertThat(index.lookup(evil, T0)).as("the new version replaced the old").isEmpty();
    assertThat(index.lookup(List.of(Observable.domain("other.example")), T0)).hasSize(1);
    index.remove("indicator--1");
    assertThat(index.lookup(List.of(Observable.domain("other.example")), T0)).isEmpty();
    assertThat(index.size()).isZero();
  }

  @Test
  void patternsThatAreNotSimpleLookupsAreRefusedWithTheReason() {
    assertThatThrownBy(
            () ->
                index.put(
                    indicator(
                        "i", "[url:value = 'a'] FOLLOWEDBY [url:value = 'b']", Optional.empty())))
        .hasMessageContaining("FOLLOWEDBY needs several events");
    assertThatThrownBy(
            () ->
                index.put(indicator("i", "[url:value = 'a'] WITHIN 60 SECONDS", Optional.empty())))
        .hasMessageContaining("qualifiers");
    assertThatThrownBy(
            () ->
                index.put(
                    indicator("i", "[url:value = 'a' AND url:value = 'b']", Optional.empty())))
        .hasMessageContaining("AND inside an observation");
    assertThatThrownBy(
            () -> index.put(indicator("i", "[url:value LIKE 'http://%']", Optional.empty())))
        .hasMessageContaining("operator LIKE");
    assertThatThrownBy(
            () -> index.put(indicator("i", "[email-addr:value = 'a@b.c']", Optional.empty())))
        .hasMessageContaining("email-addr:value is not an indexed path");
    assertThatThrownBy(() -> index.put(indicator("i", "[url:value = 'a'", Optional.empty())))
        .isInstanceOf(PatternParser.InvalidPatternException.class);
    assertThat(index.size()).as("nothing half-added").isZero();
  }

  @Test
  void aLargePaymentToAListedAddressIsOneLevelWorse() {
    index.put(
        indicator(
            "indicator--ofac-2",
            "[cryptocurrency-wallet:value = '" + LAZARUS + "']",
            Optional.empty()));
    IntelDetector detector = new IntelDetector(index);
    Event big =
        new Event(
            "w9",
            "wallet.withdrawal_requested",
            T0,
            null,
            "u-1",
            null,
            null,
            "eip155:1",
            "USDT",
            null,
            250_000.0,
            null,
            LAZARUS,
            null,
            Map.of());
    assertThat(detector.inspect(big, State.inMemory()))
        .singleElement()
        .satisfies(a -> assertThat(a.severity()).isEqualTo(Severity.CRITICAL));
    Event deposit =
        new Event(
            "d9",
            "wallet.deposit",
            T0,
            null,
            "u-1",
            null,
            null,
            "eip155:1",
            "USDT",
            null,
            250_000.0,
            LAZARUS,
            null,
            null,
            Map.of());
    assertThat(detector.inspect(deposit, State.inMemory()))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).as("received from it: as listed").isEqualTo(Severity.HIGH);
              assertThat(a.summary()).contains("incoming");
            });
  }

  @Test
  void anEventTouchingAnIndicatorRaisesAnAlertNamingItsSourceAndConfidence() {
    index.put(
        indicator(
            "indicator--ofac-1",
            "[cryptocurrency-wallet:value = '" + LAZARUS + "']",
            Optional.of(T0.plusSeconds(600))));
    IntelDetector detector = new IntelDetector(index);
    List<Alert> alerts = detector.inspect(withdrawal("w1", LAZARUS, T0), State.inMemory());
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.severity()).isEqualTo(Severity.HIGH);
              assertThat(a.score()).isEqualTo(0.9);
              assertThat(a.title())
                  .isEqualTo(
                      "wallet.withdrawal_requested touches wallet "
                          + LAZARUS.toLowerCase()
                          + " named by indicator 'name of indicator--ofac-1'");
              assertThat(a.summary())
                  .contains("identity--ofac")
                  .contains("confidence 90")
                  .contains("outgoing, $5000");
              assertThat(a.entities())
                  .contains(
                      new Entity(Entity.Kind.ADDRESS, LAZARUS, Entity.Role.ATTACKER),
                      new Entity(Entity.Kind.ACCOUNT, "u-1", Entity.Role.VICTIM));
            });
    assertThat(detector.inspect(withdrawal("w2", LAZARUS, T0.plusSeconds(601)), State.inMemory()))
        .as("expired")
        .isEmpty();
    index.remove("indicator--ofac-1");
    assertThat(detector.inspect(withdrawal("w3", LAZARUS, T0), State.inMemory()))
        .as("delisted")
        .isEmpty();
  }
}
