package dev.bulwark.engine.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.engine.Problem;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class EventParserTest {
  private final EventParser parser = new EventParser(100);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private InvalidEventException rejected(String body) {
    return catchThrowableOfType(InvalidEventException.class, () -> parser.parse(utf8(body)));
  }

  @Test
  void arrayOfEventsParsesEveryField() {
    var events =
        parser.parse(
            utf8(
                """
                [{"id":"evt-1","type":"wallet.withdrawal_requested","time":"2026-11-26T06:00:00.123Z",
                  "source":"exchange-core","account":"u-1842","ip":"203.0.113.7","device":"d-9f1",
                  "chain":"eip155:1","asset":"USDC","amount":"12500.000000000000000001","amount_usd":12500.0,
                  "to":"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed","attrs":{"user_agent":"curl","n":3}}]
                """));
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.time()).isEqualTo(Instant.parse("2026-11-26T06:00:00.123Z"));
              assertThat(e.amount())
                  .isEqualByComparingTo(new BigDecimal("12500.000000000000000001"));
              assertThat(e.to()).isEqualTo("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
              assertThat(e.attrs()).containsEntry("n", 3L).containsEntry("user_agent", "curl");
            });
  }

  @Test
  void ndjsonPathsCountLines() {
    var events =
        parser.parse(
            utf8(
                """
                {"id":"a","type":"auth.login","time":"2026-11-26T06:00:00Z"}

                {"id":"b","type":"auth.login","time":"2026-11-26T07:00:00+01:00"}
                """));
    assertThat(events).extracting(Event::id).containsExactly("a", "b");
    assertThat(events.get(1).time()).isEqualTo(Instant.parse("2026-11-26T06:00:00Z"));

    var e =
        rejected(
            """
            {"id":"a","type":"auth.login","time":"2026-11-26T06:00:00Z"}
            {"id":"b","type":"auth.login","time":"yesterday"}
            """);
    assertThat(e.problems())
        .containsExactly(
            new Problem("$[1].time", "not an ISO-8601 instant (e.g. 2026-11-26T06:00:00.123Z)"));
  }

  @Test
  void everyProblemOfEveryEventIsReportedWithItsPath() {
    var e =
        rejected(
            """
            [{"id":"ok","type":"auth.login","time":"2026-11-26T06:00:00Z"},
             {"type":"Auth","time":5,"amount_usd":"lots","colour":"red"},
             "not an event",
             {"id":"x","type":"auth.login","time":"2026-11-26T06:00:00Z","ip":"example.com","from":"0x12"}]
            """);
    assertThat(e.problems())
        .extracting(Problem::location)
        .containsExactly(
            "$[1].colour",
            "$[1].id",
            "$[1].type",
            "$[1].time",
            "$[1].amount_usd",
            "$[2]",
            "$[3].ip",
            "$[3].from");
    assertThat(e.problems().get(0).message()).contains("unknown field").contains("attrs");
    assertThat(e.problems().get(1).message()).startsWith("missing");
    assertThat(e.problems().get(3).message()).isEqualTo("expected a string, got number");
    assertThat(e.problems().get(5).message()).contains("expected a JSON object");
  }

  @Test
  void malformedJsonNamesLineAndColumn() {
    var e = rejected("[{\"id\":\"a\",\n \"type\": oops}]");
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.location()).isEqualTo("$");
              assertThat(p.message()).startsWith("malformed JSON at line 2, column");
            });
  }

  @Test
  void duplicateKeysAreMalformed() {
    var e =
        rejected(
            "[{\"id\":\"a\",\"id\":\"b\",\"type\":\"auth.login\",\"time\":\"2026-11-26T06:00:00Z\"}]");
    assertThat(e.problems().get(0).message()).contains("Duplicate field 'id'");
  }

  @Test
  void batchesOverTheLimitAreRejectedWhole() {
    var small = new EventParser(2);
    var body = new StringBuilder("[");
    for (int i = 0; i < 3; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"id\":\"e")
          .append(i)
          .append("\",\"type\":\"auth.login\",\"time\":\"2026-11-26T06:00:00Z\"}");
    }
    var e = catchThrowableOfType(InvalidEventException.class, () -> small.parse(utf8(body + "]")));
    assertThat(e.problems())
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .contains("limit is 2");
  }

  @Test
  void emptyBodyIsRejected() {
    assertThat(rejected("  \n").problems())
        .singleElement()
        .extracting(Problem::location)
        .isEqualTo("$");
  }

  @Test
  void canonicalJsonRoundTrips() {
    var original =
        parser
            .parse(
                utf8(
                    "[{\"id\":\"a\",\"type\":\"chain.transfer\",\"time\":\"2026-11-26T06:00:00Z\",\"chain\":\"eip155:1\","
                        + "\"amount\":\"1e-18\",\"tx\":\"0x"
                        + "AB".repeat(32)
                        + "\",\"attrs\":{\"k\":[1,2.5,\"x\"]}}]"))
            .get(0);
    assertThat(original.tx()).isEqualTo("0x" + "ab".repeat(32));
    assertThat(parser.parseOne(EventJson.write(original))).isEqualTo(original);
  }
}
