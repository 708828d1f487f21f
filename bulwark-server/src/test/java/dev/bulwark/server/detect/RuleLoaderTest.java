package dev.bulwark.server.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.rule.InvalidRuleException;
import dev.bulwark.engine.rule.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RuleLoaderTest {
  private static final String GOOD =
      "id: %s\ntitle: t\nseverity: low\nmatch:\n  where: e.type == 'auth.login'\n";

  @TempDir Path dir;

  @Test
  void loadsEveryYamlFileBelowTheDirectoryInPathOrder() throws Exception {
    Files.createDirectories(dir.resolve("auth"));
    Files.writeString(dir.resolve("auth/b.yaml"), GOOD.formatted("b"));
    Files.writeString(dir.resolve("a.yml"), GOOD.formatted("a"));
    Files.writeString(dir.resolve("c.yml"), GOOD.formatted("c") + "enabled: false\n");
    Files.writeString(dir.resolve("README.md"), "not a rule");
    List<Rule> rules = new RuleLoader().load(dir);
    assertThat(rules).extracting(Rule::id).containsExactly("a", "b", "c");
    assertThat(rules).extracting(Rule::enabled).containsExactly(true, true, false);
    assertThat(rules.get(1).source()).endsWith("auth/b.yaml");
  }

  @Test
  void problemsOfAllFilesAreReportedTogether() throws Exception {
    Files.writeString(dir.resolve("a.yml"), GOOD.formatted("same"));
    Files.writeString(dir.resolve("b.yml"), GOOD.formatted("same"));
    Files.writeString(
        dir.resolve("c.yml"), "id: c\ntitle: t\nseverity: low\nmatch:\n  where: e.type ==\n");
    Files.writeString(
        dir.resolve("d.yml"), "id: d\ntitle: t\nseverity: loud\nmatch: {where: 'true'}\n");
    InvalidRuleException e =
        catchThrowableOfType(InvalidRuleException.class, () -> new RuleLoader().load(dir));
    assertThat(e.problems())
        .extracting(Problem::location)
        .containsExactly(
            dir.resolve("b.yml").toString(),
            dir.resolve("c.yml") + ":5:19",
            dir.resolve("d.yml") + ":3:11");
    assertThat(e.problems().get(0).message())
        .isEqualTo("rule id 'same' is already used by " + dir.resolve("a.yml"));
    assertThat(e.problems().get(1).message()).startsWith("CEL: ");
  }

  @Test
  void aMissingDirectoryIsAClearError() {
    InvalidRuleException e =
        catchThrowableOfType(
            InvalidRuleException.class, () -> new RuleLoader().load(dir.resolve("nope")));
    assertThat(e.problems())
        .singleElement()
        .extracting(Problem::message)
        .isEqualTo("not a directory of rule files");
  }
}
