package dev.bulwark.server.detect;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.rule.InvalidRuleException;
import dev.bulwark.engine.rule.Rule;
import dev.bulwark.engine.rule.RuleCompiler;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads every {@code *.yml} / {@code *.yaml} file under a directory (recursively, in path order)
 * and compiles it. Problems of all files are collected and reported together.
 */
public final class RuleLoader {
  private final RuleCompiler compiler = new RuleCompiler();

  /** Where the built-in pack's rules are, on the class path; {@code pack.txt} lists them. */
  public static final String PACK = "/pack/";

  /**
   * The built-in detection pack (docs/detections.md), compiled from the class path; sources read
   * {@code pack:<file>}.
   */
  public List<Rule> loadPack() {
    List<Problem> problems = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    for (String file : packFiles()) {
      try (var in = RuleLoader.class.getResourceAsStream(PACK + file)) {
        if (in == null) {
          problems.add(new Problem("pack:" + file, "listed in pack.txt but not shipped"));
          continue;
        }
        rules.add(
            compiler.compile(
                "pack:" + file, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        problems.add(new Problem("pack:" + file, "cannot read: " + e.getMessage()));
      } catch (InvalidRuleException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRuleException(problems);
    }
    return rules;
  }

  /** The pack's file names, from {@code pack.txt}. */
  public static List<String> packFiles() {
    try (var in = RuleLoader.class.getResourceAsStream(PACK + "pack.txt")) {
      if (in == null) {
        return List.of();
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new IllegalStateException("the built-in pack's index cannot be read", e);
    }
  }

  /**
   * The pack's rules, then the directory's; an id used by both is an error that says how to resolve
   * it.
   */
  public static List<Rule> combine(List<Rule> pack, List<Rule> dir) {
    Map<String, Rule> ids = new HashMap<>();
    pack.forEach(r -> ids.put(r.id(), r));
    List<Problem> problems = new ArrayList<>();
    for (Rule r : dir) {
      if (ids.containsKey(r.id())) {
        problems.add(
            new Problem(
                r.source(),
                "rule id '%s' is a built-in pack rule; rename yours, or set rules.pack: false to run only your own"
                    .formatted(r.id())));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRuleException(problems);
    }
    List<Rule> all = new ArrayList<>(pack);
    all.addAll(dir);
    return List.copyOf(all);
  }

  /** Every rule in the directory, enabled or not. */
  public List<Rule> load(Path dir) {
    List<Problem> problems = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      throw new InvalidRuleException(
          List.of(new Problem(dir.toString(), "not a directory of rule files")));
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new InvalidRuleException(
          List.of(new Problem(dir.toString(), "cannot list rule files: " + e.getMessage())));
    }
    List<Rule> rules = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (Path file : files) {
      String source = file.toString();
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (MalformedInputException e) {
        problems.add(new Problem(source, "not UTF-8 text"));
        continue;
      } catch (IOException e) {
        problems.add(new Problem(source, "cannot read: " + e.getMessage()));
        continue;
      }
      try {
        Rule rule = compiler.compile(source, text);
        String first = seen.putIfAbsent(rule.id(), source);
        if (first != null) {
          problems.add(
              new Problem(
                  source, "rule id '%s' is already used by %s".formatted(rule.id(), first)));
        } else {
          rules.add(rule);
        }
      } catch (InvalidRuleException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRuleException(problems);
    }
    return rules;
  }
}
