package dev.bulwark.engine.intel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class PatternParserTest {
  @Test
  void aSimpleComparison() {
    Pattern p = PatternParser.parse("[ipv4-addr:value = '198.51.100.1']");
    assertThat(p)
        .isEqualTo(
            new Pattern.Observation(
                new Pattern.Compare(
                    new Pattern.Path("ipv4-addr", List.of("value")), "=", false, "198.51.100.1")));
  }

  @Test
  void quotedPathStepsListsAndObservationOr() {
    Pattern p =
        PatternParser.parse(
            "[file:hashes.'SHA-256' = 'aa' OR file:name = 'x.exe'] OR [domain-name:value IN ('a.com', 'b.com')]");
    assertThat(p).isInstanceOf(Pattern.ObservationOp.class);
    Pattern.ObservationOp or = (Pattern.ObservationOp) p;
    assertThat(or.op()).isEqualTo("OR");
    Pattern.Or inner = (Pattern.Or) ((Pattern.Observation) or.left()).comparison();
    assertThat(((Pattern.Compare) inner.left()).path().steps())
        .containsExactly("hashes", "SHA-256");
    assertThat(((Pattern.Compare) ((Pattern.Observation) or.right()).comparison()).value())
        .isEqualTo(List.of("a.com", "b.com"));
  }

  @Test
  void observationOperatorsQualifiersAndConstants() {
    Pattern p =
        PatternParser.parse(
            "([network-traffic:dst_port = 443 AND network-traffic:x_score >= 0.5] FOLLOWEDBY [file:name MATCHES '^evil.*\\\\.exe$']) WITHIN 300 SECONDS "
                + "AND [artifact:payload_bin = b'aGVsbG8='] REPEATS 3 TIMES "
                + "AND [x-event:seen = t'2026-11-26T06:00:00Z'] START t'2026-01-01T00:00:00Z' STOP t'2027-01-01T00:00:00Z'");
    assertThat(p).isInstanceOf(Pattern.ObservationOp.class);
    Pattern.Qualified within =
        (Pattern.Qualified) ((Pattern.ObservationOp) ((Pattern.ObservationOp) p).left()).left();
    assertThat(within.qualifier()).isEqualTo(new Pattern.Within(300));
    Pattern.Qualified startStop = (Pattern.Qualified) ((Pattern.ObservationOp) p).right();
    assertThat(startStop.qualifier())
        .isEqualTo(
            new Pattern.StartStop(
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")));
  }

  @Test
  void escapedQuotesAndNegation() {
    Pattern.Compare c =
        (Pattern.Compare)
            ((Pattern.Observation) PatternParser.parse("[x-note:text NOT LIKE 'it\\'s %']"))
                .comparison();
    assertThat(c.not()).isTrue();
    assertThat(c.op()).isEqualTo("LIKE");
    assertThat(c.value()).isEqualTo("it's %");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          [ipv4-addr:value = '1.2.3.4'                  | 29 | expected ']' to close the observation expression
          ipv4-addr:value = '1.2.3.4'                   | 1  | expected '[' to start an observation expression
          [ipv4-addr:value ~ '1.2.3.4']                 | 18 | expected a comparison operator
          [ipv4-addr:value = 'unterminated]             | 20 | unterminated string
          [IPV4-ADDR:value = '1.2.3.4']                 | 2  | expected an object path
          [file:name MATCHES '([']                      | 20 | MATCHES has an invalid regular expression
          [ipv4-addr:value NOT = '1.2.3.4']             | 22 | NOT does not go with '='
          [x:y = 1] WITHIN 5 MINUTES                    | 20 | expected SECONDS
          [x:y = t'yesterday']                          | 9  | invalid timestamp constant
          [x:y = 1] [x:y = 2]                           | 11 | unexpected '['
          """)
  void errorsNameTheColumn(String pattern, int column, String message) {
    var e =
        catchThrowableOfType(
            PatternParser.InvalidPatternException.class,
            () -> PatternParser.parse(pattern.strip()));
    assertThat(e.getMessage()).contains(message);
    assertThat(e.column()).isEqualTo(column);
  }
}
