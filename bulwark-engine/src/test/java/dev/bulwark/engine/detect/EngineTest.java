package dev.bulwark.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.engine.event.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class EngineTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** Raises one alert for every event it is shown, and remembers what it saw. */
  private static class Recorder implements Detector {
    final String id;
    final Set<String> types;
    final List<String> seen = new ArrayList<>();

    Recorder(String id, Set<String> types) {
      this.id = id;
      this.types = types;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Set<String> eventTypes() {
      return types;
    }

    @Override
    public List<Alert> inspect(Event event, State state) {
      seen.add(event.id());
      String key = id + "|" + event.id();
      return List.of(
          new Alert(
              Alert.idFor(key),
              id,
              Severity.LOW,
              "t",
              "",
              event.time(),
              List.of(),
              Alert.Evidence.of(event),
              List.of(),
              0.3,
              key));
    }
  }

  @Test
  void detectorsOnlySeeTheEventTypesTheyDeclare() {
    Recorder logins = new Recorder("logins", Set.of("auth.login"));
    Recorder all = new Recorder("all", Set.of());
    Engine engine = new Engine(List.of(logins, all), State.inMemory());
    engine.process(Event.of("a", "auth.login", T0));
    engine.process(Event.of("b", "wallet.deposit", T0));
    assertThat(logins.seen).containsExactly("a");
    assertThat(all.seen).containsExactly("a", "b");
  }

  @Test
  void aThrowingDetectorIsCountedAndDoesNotStopTheOthers() {
    Detector broken =
        new Detector() {
          @Override
          public String id() {
            return "broken";
          }

          @Override
          public List<Alert> inspect(Event event, State state) {
            throw new IllegalStateException("odd data in " + event.id());
          }
        };
    Recorder ok = new Recorder("ok", Set.of());
    Engine engine = new Engine(List.of(broken, ok), State.inMemory());
    assertThat(engine.process(Event.of("a", "auth.login", T0))).hasSize(1);
    assertThat(engine.process(Event.of("b", "auth.login", T0))).hasSize(1);
    assertThat(engine.failures()).containsOnlyKeys("broken");
    assertThat(engine.failures().get("broken").count()).isEqualTo(2);
    assertThat(engine.failures().get("broken").lastMessage()).isEqualTo("odd data in b");
  }

  @Test
  void duplicateDetectorIdsAreRefused() {
    assertThatThrownBy(
            () ->
                new Engine(
                    List.of(new Recorder("x", Set.of()), new Recorder("x", Set.of())),
                    State.inMemory()))
        .hasMessageContaining("'x'");
  }

  @Test
  void stateEntriesExpireOnceTheWatermarkPassesThem() {
    State state = State.inMemory();
    state.entry("d", "k", StringBuilder::new).append("x");
    state.keepUntil("d", "k", T0.plusSeconds(60));
    state.schedule("d", "k", T0.plusSeconds(30));
    assertThat(state.advance(T0.plusSeconds(29))).isEmpty();
    assertThat(state.advance(T0.plusSeconds(30)))
        .containsExactly(new State.Timer("d", "k", T0.plusSeconds(30)));
    assertThat(state.entry("d", "k", StringBuilder::new).toString()).isEqualTo("x");
    state.advance(T0.plusSeconds(61));
    assertThat(state.size()).as("timers run before entries expire").isEqualTo(1);
    state.expire();
    assertThat(state.size()).isZero();
    assertThat(state.advance(T0)).as("the watermark never moves back").isEmpty();
    assertThat(state.watermark()).isEqualTo(T0.plusSeconds(61));
  }

  @Test
  void eventsLaterThanTheAllowedLatenessAreCountedAndSkippedByWindowedDetectors() {
    Recorder stateless = new Recorder("stateless", Set.of());
    Recorder windowed =
        new Recorder("windowed", Set.of()) {
          @Override
          public boolean windowed() {
            return true;
          }
        };
    Engine engine =
        new Engine(List.of(stateless, windowed), State.inMemory(), java.time.Duration.ofMinutes(5));
    engine.process(Event.of("now", "auth.login", T0.plusSeconds(600)));
    engine.process(Event.of("within", "auth.login", T0.plusSeconds(301)));
    engine.process(Event.of("too-late", "auth.login", T0.plusSeconds(299)));
    assertThat(stateless.seen).containsExactly("now", "within", "too-late");
    assertThat(windowed.seen).containsExactly("now", "within");
    assertThat(engine.lateEvents()).isEqualTo(1);
  }
}
