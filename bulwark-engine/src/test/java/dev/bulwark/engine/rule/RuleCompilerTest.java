package dev.bulwark.engine.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class RuleCompilerTest {
  private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");
  private final RuleCompiler compiler = new RuleCompiler();

  private static Event withdrawal(String id, double usd) {
    return new Event(
        id,
        "wallet.withdrawal_requested",
        T0,
        "core",
        "u-1",
        "203.0.113.7",
        null,
        "eip155:1",
        "USDC",
        null,
        usd,
        null,
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        null,
        Map.of());
  }

  private List<Problem> problems(String text) {
    return catchThrowableOfType(InvalidRuleException.class, () -> compiler.compile("r.yml", text))
        .problems();
  }

  @Test
  void matchingEventRaisesAnAlertWithRenderedTitleEntitiesAndEvidence() {
    Rule rule =
        compiler.compile(
            "big.yml",
            """
            id: wallet.big-withdrawal
            title: Withdrawal over $100k to {{e.to}}
            summary: "{{e.account}} asked for {{e.amount_usd}} USD of {{e.asset}} ({{e.attrs.note}})"
            severity: high
            tags: [custody]
            entities:
              victim: [account]
              attacker: [ip]
            match:
              where: e.type == "wallet.withdrawal_requested" && e.amount_usd > 100000
            """);
    assertThat(rule.inspect(withdrawal("w-1", 5_000), State.inMemory())).isEmpty();
    List<Alert> alerts = rule.inspect(withdrawal("w-2", 250_000), State.inMemory());
    assertThat(alerts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.rule()).isEqualTo("wallet.big-withdrawal");
              assertThat(a.severity()).isEqualTo(Severity.HIGH);
              assertThat(a.title())
                  .isEqualTo("Withdrawal over $100k to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
              assertThat(a.summary()).isEqualTo("u-1 asked for 250000 USD of USDC (?)");
              assertThat(a.time()).isEqualTo(T0);
              assertThat(a.tags()).containsExactly("custody");
              assertThat(a.evidence().eventIds()).containsExactly("w-2");
              assertThat(a.entities())
                  .containsExactly(
                      new Entity(Entity.Kind.IP, "203.0.113.7", Entity.Role.ATTACKER),
                      new Entity(Entity.Kind.ACCOUNT, "u-1", Entity.Role.VICTIM));
            });
    assertThat(rule.inspect(withdrawal("w-2", 250_000), State.inMemory()).get(0).id())
        .as("the same event raises the same alert id")
        .isEqualTo(alerts.get(0).id());
  }

  @Test
  void celSyntaxErrorPointsAtFileLineAndColumn() {
    // "e.amount_usd >> 5": the parser stops at the second '>' (column 20 of line 4 in the file).
    List<Problem> p =
        problems(
            """
            id: x
            title: t
            severity: low
            match: {where: e.amount_usd >> 5}
            """);
    assertThat(p).isNotEmpty();
    assertThat(p.get(0).location()).isEqualTo("r.yml:4:30");
    assertThat(p.get(0).message()).startsWith("CEL: ");
  }

  @Test
  void celErrorInsideALiteralBlockIsMappedToItsLine() {
    List<Problem> p =
        problems(
            """
            id: x
            title: t
            severity: low
            match:
              where: |
                e.type == "auth.login" &&
                  e.nope(1)
            """);
    assertThat(p)
        .singleElement()
        .satisfies(
            pr -> {
              assertThat(pr.location()).startsWith("r.yml:7:");
              assertThat(pr.message()).contains("nope");
            });
  }

  @Test
  void celTypeErrorIsReported() {
    List<Problem> p =
        problems("id: x\ntitle: t\nseverity: low\nmatch:\n  where: e.amount_usd + 1\n");
    assertThat(p)
        .singleElement()
        .satisfies(
            pr -> {
              assertThat(pr.location()).startsWith("r.yml:5:");
              assertThat(pr.message()).contains("bool");
            });
  }

  @Test
  void everyProblemOfTheFileIsReportedAtOnce() {
    List<Problem> p =
        problems(
            """
            id: Bad Id
            titel: oops
            severity: urgent
            colour: red
            entities: {villain: [ip], victim: [amount]}
            threshold: {}
            """);
    assertThat(p)
        .extracting(Problem::toString)
        .containsExactly(
            "r.yml:2:1: unknown key 'titel' in rule; expected one of anomaly, enabled, entities, escalate, id, match, sequence, severity, severity_if, summary, suppress, tags, tests, threshold, title",
            "r.yml:4:1: unknown key 'colour' in rule; expected one of anomaly, enabled, entities, escalate, id, match, sequence, severity, severity_if, summary, suppress, tags, tests, threshold, title",
            "r.yml:1:5: invalid id 'Bad Id'; use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit",
            "r.yml:1:1: missing 'title'",
            "r.yml:3:11: unknown severity 'urgent'; expected one of info, low, medium, high, critical",
            "r.yml:5:12: unknown key 'villain' in entities; expected one of attacker, related, victim",
            "r.yml:5:36: 'amount' is not an entity field; use one of account, device, from, ip, to",
            "r.yml:6:12: missing 'where' (a CEL condition over the event e)",
            "r.yml:6:12: missing 'by' (the event field, or list of fields, to group by; e.g. by: account)",
            "r.yml:6:12: missing 'window' (a duration such as 30s, 5m, 1h30m or 7d)",
            "r.yml:6:12: missing 'at_least' or 'at_most' (the limit that fires the rule)");
  }

  @Test
  void badTemplatePlaceholderIsReported() {
    List<Problem> p =
        problems("id: x\ntitle: Hi {{e.nosuch}}\nseverity: low\nmatch: {where: 'true'}\n");
    assertThat(p)
        .singleElement()
        .extracting(Problem::toString)
        .asString()
        .startsWith("r.yml:2:8: in 'title': unknown placeholder {{e.nosuch}}");
  }

  @Test
  void yamlSyntaxErrorHasAPosition() {
    List<Problem> p = problems("id: x\ntitle: [unclosed\n");
    assertThat(p)
        .singleElement()
        .satisfies(
            pr -> {
              assertThat(pr.location()).matches("r\\.yml:\\d+:\\d+");
              assertThat(pr.message()).startsWith("YAML syntax");
            });
  }

  @Test
  void standardMacrosGuardOptionalFields() {
    Rule rule =
        compiler.compile(
            "r.yml",
            "id: x\ntitle: t\nseverity: low\nmatch:\n  where: has(e.amount_usd) && e.amount_usd > 1 && e.attrs.exists(k, k == 'vip')\n");
    Event login = Event.of("l-1", "auth.login", T0);
    assertThat(rule.inspect(login, State.inMemory())).isEmpty();
    Event vip =
        new Event(
            "w-3",
            "wallet.withdrawal_requested",
            T0,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            5.0,
            null,
            null,
            null,
            Map.of("vip", true));
    assertThat(rule.inspect(vip, State.inMemory())).hasSize(1);
  }

  @Test
  void theEventTypesARuleCanMatchAreReadOffItsCondition() {
    assertThat(types("e.type == 'auth.login' && e.ip == '1.2.3.4'")).containsExactly("auth.login");
    assertThat(types("'auth.login' == e.type")).containsExactly("auth.login");
    assertThat(types("e.type in ['a.b', 'c.d'] && has(e.ip)"))
        .containsExactlyInAnyOrder("a.b", "c.d");
    assertThat(types("e.type == 'a.b' || e.type == 'c.d'")).containsExactlyInAnyOrder("a.b", "c.d");
    assertThat(types("e.type in ['a.b', 'c.d'] && e.type == 'c.d'")).containsExactly("c.d");
    assertThat(types("e.type == 'a.b' || e.ip == '1.2.3.4'"))
        .as("an || with an open side matches any type")
        .isEmpty();
    assertThat(types("!(e.type == 'a.b')")).isEmpty();
    assertThat(types("e.amount_usd > 5.0")).isEmpty();
  }

  private Set<String> types(String where) {
    String text = "id: x\ntitle: t\nseverity: low\nmatch:\n  where: \"" + where + "\"\n";
    return compiler.compile("r.yml", text).eventTypes();
  }

  @Test
  void missingFieldAtRuntimeIsAnErrorNotAMatch() {
    Rule rule =
        compiler.compile(
            "r.yml", "id: x\ntitle: t\nseverity: low\nmatch: {where: e.amount_usd > 1}\n");
    Event login = Event.of("l-1", "auth.login", T0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> rule.inspect(login, State.inMemory()))
        .hasMessageContaining("amount_usd");
  }
}
