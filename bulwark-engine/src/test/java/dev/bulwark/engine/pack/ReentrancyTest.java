package dev.bulwark.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.event.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ReentrancyTest {
  private static final String TX = "0x" + "ab".repeat(32);
  private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");
  private static final String VAULT = "0x00000000000000000000000000000000000000aa";
  private static final String ATTACKER = "0x00000000000000000000000000000000000000bb";
  private static final String TOKEN = "0x00000000000000000000000000000000000000cc";
  private static final String EOA = "0x00000000000000000000000000000000000000ee";

  private static Event tx(String to) {
    return Detectors.chain("base", "chain.transaction", T, null, null, null, EOA, to, TX, Map.of());
  }

  private static Event call(String path, String to, String type) {
    return Detectors.chain(
        "base:trace:" + path,
        "chain.call",
        T,
        null,
        null,
        null,
        null,
        to,
        TX,
        Map.of("call_type", type, "depth", (long) (path.split("\\.").length)));
  }

  private static List<Alert> run(List<Event> events) {
    return Detectors.run(new Reentrancy(), events);
  }

  @Test
  void aVaultEnteredAgainOnTheSamePathRaisesOneAlertPerLevel() {
    List<Event> events = new ArrayList<>(List.of(tx(ATTACKER)));
    // attacker -> vault -> attacker -> vault -> attacker -> vault -> attacker -> vault -> ...
    String path = "0";
    for (int i = 0; i < 8; i++) {
      events.add(call(path, i % 2 == 0 ? VAULT : ATTACKER, "call"));
      path = path + ".0";
    }
    // the vault is entered four times; the attacker's contract (the root, called back each time)
    // five: both are re-entered, each alerts on its own
    List<Alert> alerts = run(events).stream().filter(a -> a.title().startsWith(VAULT)).toList();
    assertThat(alerts).extracting(Alert::severity).containsExactly(Severity.MEDIUM);
    assertThat(run(events).stream().filter(a -> a.title().startsWith(ATTACKER)))
        .extracting(Alert::severity)
        .containsExactly(Severity.MEDIUM, Severity.HIGH);
    assertThat(alerts.get(0).title()).isEqualTo(VAULT + " re-entered 3 times in one transaction");
    assertThat(alerts.get(0).entities()).anySatisfy(e -> assertThat(e.value()).isEqualTo(EOA));
    assertThat(alerts.get(0).entities())
        .as("the vault, called back into, is the victim")
        .contains(
            new dev.bulwark.engine.detect.Entity(
                dev.bulwark.engine.detect.Entity.Kind.CONTRACT,
                VAULT,
                dev.bulwark.engine.detect.Entity.Role.VICTIM));
    assertThat(run(events).stream().filter(a -> a.title().startsWith(ATTACKER)))
        .as("the contract the transaction called is only related: often the attacker's own")
        .allSatisfy(
            a ->
                assertThat(a.entities())
                    .contains(
                        new dev.bulwark.engine.detect.Entity(
                            dev.bulwark.engine.detect.Entity.Kind.CONTRACT,
                            ATTACKER,
                            dev.bulwark.engine.detect.Entity.Role.RELATED)));

    // deeper: seven entries into the vault reach critical
    List<Event> deep = new ArrayList<>(List.of(tx(ATTACKER)));
    path = "0";
    for (int i = 0; i < 14; i++) {
      deep.add(call(path, i % 2 == 0 ? VAULT : ATTACKER, "call"));
      path = path + ".0";
    }
    assertThat(run(deep).stream().filter(a -> a.title().startsWith(VAULT)))
        .extracting(Alert::severity)
        .containsExactly(Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL);
  }

  @Test
  void aRouterCallingOneTokenManyTimesInARowIsNotReentrancy() {
    List<Event> events = new ArrayList<>(List.of(tx(VAULT)));
    for (int i = 0; i < 6; i++) {
      events.add(call(Integer.toString(i), TOKEN, "call"));
    }
    // a proxy: CALL proxy then DELEGATECALL implementation, repeated on siblings
    events.add(call("6", TOKEN, "call"));
    events.add(call("6.0", TOKEN, "delegatecall"));
    assertThat(run(events)).isEmpty();
  }
}
