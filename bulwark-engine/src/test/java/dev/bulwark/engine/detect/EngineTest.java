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
  private static final class Recorder implements Detector {
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
  void windowCountsInEventTimeAndForgetsExpiredEntries() {
    State state = State.inMemory();
    State.Window w = state.window("d", "k", java.time.Duration.ofMinutes(5));
    assertThat(w.add(T0)).isEqualTo(1);
    assertThat(w.add(T0.plusSeconds(240))).isEqualTo(2);
    assertThat(w.add(T0.plusSeconds(60))).as("late event placed where it belongs").isEqualTo(3);
    assertThat(w.add(T0.plusSeconds(300))).as("an entry exactly 5m old has left").isEqualTo(3);
    state.expire(T0.plusSeconds(3600));
    assertThat(((MemoryState) state).keys()).isZero();
  }
}
