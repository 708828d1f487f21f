package dev.bulwark.server.detect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.rule.Rule;
import dev.bulwark.engine.rule.RuleTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The built-in detection pack: complete, compiled, and every rule tested both ways. */
final class PackTest {
  @Test
  void theIndexListsEveryShippedRuleAndEveryRuleCompiles() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src", "main", "resources", "pack"))) {
      List<String> shipped =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yml"))
              .sorted()
              .toList();
      assertThat(RuleLoader.packFiles())
          .as("pack.txt lists every file")
          .containsExactlyElementsOf(shipped);
    }
    List<Rule> pack = new RuleLoader().loadPack();
    assertThat(pack).hasSize(RuleLoader.packFiles().size());
    assertThat(pack).allSatisfy(r -> assertThat(r.source()).startsWith("pack:"));
  }

  @Test
  void everyRuleCatchesItsAttackAndStaysQuietOnItsLookAlike() {
    for (Rule r : new RuleLoader().loadPack()) {
      assertThat(r.tests()).as(r.id() + " has tests").hasSizeGreaterThanOrEqualTo(2);
      assertThat(r.tests())
          .as(r.id() + ": at least one attack and one benign look-alike")
          .anyMatch(t -> t.expectedCount() > 0)
          .anyMatch(t -> t.expectedCount() == 0);
      for (RuleTest t : r.tests()) {
        RuleTest.Outcome o = t.run(r);
        assertThat(o.passed()).as(r.id() + " / " + o.test() + ": " + o.detail()).isTrue();
      }
    }
  }

  @Test
  void theDetectionsPageDocumentsEveryDetectionAndEverySetting() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "detections.md"));
    for (Rule r : new RuleLoader().loadPack()) {
      assertThat(docs).as("a row for rule " + r.id()).contains("| `" + r.id() + "` |");
    }
    for (var d : dev.bulwark.engine.pack.Pack.detectors()) {
      assertThat(docs).as("a row for detector " + d.id()).contains("| `" + d.id() + "` (code) |");
    }
    dev.bulwark.engine.pack.Pack.settings()
        .forEach(
            (id, settings) -> {
              String row =
                  docs.lines()
                      .filter(l -> l.startsWith("| `" + id + "` | `"))
                      .findFirst()
                      .orElseThrow(() -> new AssertionError("no tuning row for " + id));
              settings
                  .keySet()
                  .forEach(
                      name ->
                          assertThat(row)
                              .as("the tuning table names " + id + "'s " + name)
                              .contains("`" + name + "`"));
            });
  }

  @Test
  void aDirectoryRuleWithAPackIdIsRefusedWithTheWayOut() {
    List<Rule> pack = new RuleLoader().loadPack();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> RuleLoader.combine(pack, List.of(pack.get(0))))
        .hasMessageContaining("built-in pack rule")
        .hasMessageContaining("rules.pack: false");
  }
}
