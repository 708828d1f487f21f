package dev.bulwark.server.cli;

import dev.bulwark.engine.rule.Rule;
import dev.bulwark.engine.rule.RuleTest;
import dev.bulwark.server.detect.RuleLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bulwark rules check DIR} and {@code bulwark rules test DIR}. */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    description = "Check rule files and run their inline tests.",
    subcommands = {RulesCommand.Check.class, RulesCommand.Test.class})
final class RulesCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Compile every rule under DIR and report every problem of every file, with file, line and column.")
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "directory of rule files (*.yml, *.yaml)")
    Path dir;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      List<Rule> rules = new RuleLoader().load(dir);
      Map<String, Integer> kinds = new TreeMap<>();
      rules.forEach(r -> kinds.merge(r.kind(), 1, Integer::sum));
      long disabled = rules.stream().filter(r -> !r.enabled()).count();
      List<String> parts = new ArrayList<>();
      kinds.forEach((k, n) -> parts.add(n + " " + k));
      spec.commandLine()
          .getOut()
          .printf(
              "%d rule(s) OK in %s%s%s%n",
              rules.size(),
              dir,
              parts.isEmpty() ? "" : ": " + String.join(", ", parts),
              disabled == 0 ? "" : " (" + disabled + " disabled)");
      return Main.OK;
    }
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = "Run the inline tests of every rule under DIR; exit code 1 if any fails.")
  static final class Test implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "directory of rule files (*.yml, *.yaml)")
    Path dir;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      List<Rule> rules = new RuleLoader().load(dir);
      List<RuleTest.Outcome> outcomes = new ArrayList<>();
      List<String> untested = new ArrayList<>();
      for (Rule r : rules) {
        if (r.tests().isEmpty()) {
          untested.add(r.id());
        }
        r.tests().forEach(t -> outcomes.add(t.run(r)));
      }
      PrintWriter out = spec.commandLine().getOut();
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"RULE", "TEST", "RESULT", "DETAIL"});
      outcomes.forEach(
          o ->
              rows.add(
                  new String[] {o.rule(), o.test(), o.passed() ? "pass" : "FAIL", o.detail()}));
      Table.print(out, rows);
      long failed = outcomes.stream().filter(o -> !o.passed()).count();
      out.printf(
          "%d passed, %d failed%s%n",
          outcomes.size() - failed,
          failed,
          untested.isEmpty() ? "" : "; no tests: " + String.join(", ", untested));
      return failed == 0 ? Main.OK : Main.FAILED;
    }
  }
}
