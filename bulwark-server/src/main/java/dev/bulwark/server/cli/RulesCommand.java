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

/**
 * {@code bulwark rules check DIR}, {@code bulwark rules test DIR} and {@code bulwark rules pack}.
 */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    description = "Check rule files, run their inline tests, and list the built-in pack.",
    subcommands = {RulesCommand.Check.class, RulesCommand.Test.class, RulesCommand.Pack.class})
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

  @Command(
      name = "pack",
      mixinStandardHelpOptions = true,
      description =
          "List the built-in detection pack: its rules, and its detectors in code with the settings in force (tuning: in the config file).")
  static final class Pack implements Callable<Integer> {
    @CommandLine.Mixin StoreOptions store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      dev.bulwark.server.config.Config config = store.config();
      PrintWriter out = spec.commandLine().getOut();
      if (!config.rules().pack()) {
        out.println("the built-in pack is off (rules.pack: false)");
      }
      List<String[]> rules = new ArrayList<>();
      rules.add(new String[] {"RULE", "KIND", "SEVERITY", "TITLE"});
      for (Rule r : new RuleLoader().loadPack()) {
        rules.add(new String[] {r.id(), r.kind(), r.severity().label(), r.title()});
      }
      Table.print(out, rules);
      out.println();
      Map<String, Map<String, Object>> tuning = config.rules().tuning();
      Map<String, Map<String, Object>> settings = dev.bulwark.engine.pack.Pack.settings();
      List<String[]> detectors = new ArrayList<>();
      detectors.add(new String[] {"DETECTOR (CODE)", "SETTINGS (* tuned)"});
      for (var d : dev.bulwark.engine.pack.Pack.detectors(tuning)) {
        List<String> parts = new ArrayList<>();
        Map<String, Object> tuned = tuning.getOrDefault(d.id(), Map.of());
        settings
            .getOrDefault(d.id(), Map.of())
            .forEach(
                (name, fallback) ->
                    parts.add(
                        tuned.containsKey(name)
                            ? name + "=" + text(tuned.get(name)) + "*"
                            : name + "=" + text(fallback)));
        detectors.add(new String[] {d.id(), parts.isEmpty() ? "-" : String.join(" ", parts)});
      }
      Table.print(out, detectors);
      out.println("docs/detections.md explains each; tune them under tuning: in the config file");
      return Main.OK;
    }

    /** Durations as the config file writes them (30d, 6h, 1h30m), numbers as they are. */
    private static String text(Object v) {
      if (!(v instanceof java.time.Duration d)) {
        return String.valueOf(v);
      }
      StringBuilder b = new StringBuilder();
      long s = d.getSeconds();
      long[] units = {86_400, 3_600, 60, 1};
      String[] names = {"d", "h", "m", "s"};
      for (int i = 0; i < units.length; i++) {
        if (s >= units[i]) {
          b.append(s / units[i]).append(names[i]);
          s %= units[i];
        }
      }
      return b.length() == 0 ? "0s" : b.toString();
    }
  }
}
