package dev.bulwark.engine.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.engine.Problem;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every validation error of the rule language, each with where it points. */
final class RuleValidationTest {
  private static final String HEAD = "id: x\ntitle: t\nseverity: low\n";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          two kinds              | match: {where: 'true'}\\nthreshold: {}                                                                 | r.yml:5:1  | one kind per rule; this one has both 'match' and 'threshold'
          no kind                | tags: [a]                                                                                             | r.yml:1:1  | missing the rule kind
          bad duration           | threshold: {where: 'true', by: account, window: 5 minutes, at_least: 3}                               | r.yml:4:49 | '5 minutes' is not a duration
          zero duration          | threshold: {where: 'true', by: account, window: 0s, at_least: 3}                                      | r.yml:4:49 | '0s' is not a duration
          both limits            | threshold: {where: 'true', by: account, window: 5m, at_least: 3, at_most: 1}                          | r.yml:4:66 | use 'at_least' or 'at_most', not both
          negative limit         | threshold: {where: 'true', by: account, window: 5m, at_least: -3}                                     | r.yml:4:63 | 'at_least' must be a number of at least 0
          two measures           | threshold: {where: 'true', by: account, window: 5m, sum: amount_usd, distinct: ip, at_least: 3}       | r.yml:4:70 | measure one thing: count, sum or distinct
          sum of no field        | threshold: {where: 'true', by: account, window: 5m, sum: colour, at_least: 3}                         | r.yml:4:58 | 'colour' is not an event field
          count with a field     | threshold: {where: 'true', by: account, window: 5m, count: ip, at_least: 3}                           | r.yml:4:60 | 'count' takes no field
          bad group field        | threshold: {where: 'true', by: wallet, window: 5m, at_least: 3}                                       | r.yml:4:32 | 'wallet' is not an event field to group by
          sequence without by    | sequence: {within: 5m, steps: [{where: 'true'}]}                                                      | r.yml:4:11 | missing 'by'
          empty steps            | sequence: {by: account, within: 5m, steps: []}                                                        | r.yml:4:44 | 'steps' must be a non-empty list
          within on a step       | sequence: {by: account, within: 5m, steps: [{where: 'true', within: 1m}]}                             | r.yml:4:61 | 'within' belongs to the sequence
          bad bind name          | sequence: {by: account, within: 5m, steps: [{where: 'true', bind: {Bad-Name: e.to}}]}                 | r.yml:4:68 | 'Bad-Name' is not a valid name
          absent with where      | sequence: {by: account, within: 5m, steps: [{where: 'true'}, {absent: 'true', where: 'true', within: 1m}]} | r.yml:4:79 | an 'absent' step has only 'absent' and 'within'
          unknown model          | anomaly: {where: 'true', by: account, value: e.amount_usd, model: forest}                            | r.yml:4:67 | unknown model 'forest'
          bad min_samples        | anomaly: {where: 'true', by: account, value: e.amount_usd, min_samples: 1}                           | r.yml:4:73 | 'min_samples' must be a whole number of at least 2
          condition not bool     | match: {where: '1 + 2'}                                                                               | r.yml:4:19 | CEL: expected type 'bool'
          suppress not a mapping | suppress: 1h\\nmatch: {where: 'true'}                                                                  | r.yml:4:11 | 'suppress' is a mapping
          suppress bad key       | suppress: {window: 1h, key: wallet}\\nmatch: {where: 'true'}                                          | r.yml:4:29 | 'wallet' is not an event field to group by
          tests not a list       | tests: {}\\nmatch: {where: 'true'}                                                                     | r.yml:4:8  | 'tests' is a list
          test without events    | tests: [{expect: 0}]\\nmatch: {where: 'true'}                                                          | r.yml:4:9  | a test needs 'events'
          bad expected alert key | tests: [{events: [], expect: [{colour: red}]}]\\nmatch: {where: 'true'}                                | r.yml:4:32 | unknown key 'colour' in expected alert
          enabled not a bool     | enabled: maybe\\nmatch: {where: 'true'}                                                                | r.yml:4:10 | 'enabled' must be true or false
          duplicate key          | match: {where: 'true'}\\nmatch: {where: 'false'}                                                       | r.yml:5:1  | duplicate key 'match'
          kind not a mapping     | match: yes                                                                                            | r.yml:4:8  | 'match' must be a mapping
          severity_if not a list | severity_if: high\\nmatch: {where: 'true'}                                                           | r.yml:4:14 | 'severity_if' is a list of {when: <condition>, severity: <level>}
          severity_if bad level  | severity_if: [{when: 'true', severity: urgent}]\\nmatch: {where: 'true'}                              | r.yml:4:40 | unknown severity 'urgent'
          severity_if no when    | severity_if: [{severity: high}]\\nmatch: {where: 'true'}                                              | r.yml:4:15 | missing 'when'
          severity_if not bool   | severity_if: [{when: '1 + 2', severity: high}]\\nmatch: {where: 'true'}                            | r.yml:4:25 | CEL: expected type 'bool'
          """)
  void isReportedWithItsPosition(String name, String body, String location, String message) {
    String text = HEAD + body.replace("\\n", "\n") + "\n";
    List<Problem> problems =
        catchThrowableOfType(
                InvalidRuleException.class, () -> new RuleCompiler().compile("r.yml", text))
            .problems();
    assertThat(problems)
        .as(name)
        .anySatisfy(
            p -> {
              assertThat(p.location()).isEqualTo(location);
              assertThat(p.message()).contains(message);
            });
  }
}
