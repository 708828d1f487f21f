package dev.bulwark.engine.rule;

import dev.bulwark.engine.Problem;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.event.EventFields;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Rule text → compiled detector. Parses one YAML rule, checks every key and value, compiles the CEL
 * condition and the templates, and reports every problem at once with file, line and column.
 */
public final class RuleCompiler {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,127}");
  private static final Set<String> KEYS =
      Set.of("id", "title", "summary", "severity", "tags", "enabled", "entities", "match");
  private static final Set<String> LATER_KINDS = Set.of("threshold", "sequence", "anomaly");
  private static final Set<String> LATER_KEYS = Set.of("suppress", "tests");
  private static final Set<String> MATCH_KEYS = Set.of("where");

  /**
   * Compiles one rule file.
   *
   * @param source the file name used in problem locations and kept on the rule
   * @throws InvalidRuleException listing every problem of the file
   */
  public MatchRule compile(String source, String text) {
    Parse p = new Parse(source, text);
    MatchRule rule = p.rule();
    if (!p.problems.isEmpty()) {
      throw new InvalidRuleException(p.problems);
    }
    return rule;
  }

  /** The state of one parse: the text, its lines and the problems found so far. */
  private static final class Parse {
    private final String source;
    private final String text;
    private final List<Problem> problems = new ArrayList<>();

    Parse(String source, String text) {
      this.source = source;
      this.text = text;
    }

    private void problem(Mark at, String message) {
      problems.add(new Problem(where(at.getLine() + 1, at.getColumn() + 1), message));
    }

    private void problem(Node node, String message) {
      problem(node.getStartMark(), message);
    }

    private String where(int line, int column) {
      return source + ":" + line + ":" + column;
    }

    MatchRule rule() {
      Node root;
      try {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit(1_000_000);
        root = new Yaml(options).compose(new StringReader(text));
      } catch (MarkedYAMLException e) {
        Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String why = e.getProblem() != null ? e.getProblem() : e.getMessage();
        problems.add(
            new Problem(
                at == null ? source : where(at.getLine() + 1, at.getColumn() + 1),
                "YAML syntax: " + why));
        return null;
      } catch (RuntimeException e) {
        problems.add(new Problem(source, "YAML syntax: " + e.getMessage()));
        return null;
      }
      if (root == null) {
        problems.add(
            new Problem(
                where(1, 1),
                "the file is empty; a rule needs at least id, title, severity and match"));
        return null;
      }
      if (!(root instanceof MappingNode map)) {
        problem(root, "a rule is a YAML mapping (key: value lines)");
        return null;
      }
      Map<String, NodeTuple> keys = keys(map, KEYS, "rule");
      String id = requiredText(map, keys, "id");
      if (id != null && !ID.matcher(id).matches()) {
        problem(
            keys.get("id").getValueNode(),
            "invalid id '%s'; use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit"
                .formatted(id));
      }
      Template title = template(map, keys, "title", true);
      Template summary = template(map, keys, "summary", false);
      Severity severity = severity(map, keys);
      List<String> tags = tags(keys);
      boolean enabled = bool(keys, "enabled", true);
      Map<Entity.Role, List<String>> entities = entities(keys);
      Condition where = match(map, keys);
      if (!problems.isEmpty()) {
        return null;
      }
      String titleText = ((ScalarNode) keys.get("title").getValueNode()).getValue();
      return new MatchRule(
          id, source, severity, titleText, title, summary, tags, entities, where, enabled);
    }

    /** The keys of a mapping, reporting unknown, unsupported and duplicate ones. */
    private Map<String, NodeTuple> keys(MappingNode map, Set<String> allowed, String what) {
      Map<String, NodeTuple> out = new LinkedHashMap<>();
      for (NodeTuple t : map.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode k)) {
          problem(t.getKeyNode(), "keys must be plain words");
          continue;
        }
        String key = k.getValue();
        if (out.containsKey(key)) {
          problem(k, "duplicate key '" + key + "'");
        } else if (allowed.contains(key)) {
          out.put(key, t);
        } else if (what.equals("rule") && LATER_KINDS.contains(key)) {
          problem(
              k,
              "'%s' rules are not supported by this version yet; only 'match' rules are (see docs/rules.md)"
                  .formatted(key));
        } else if (what.equals("rule") && LATER_KEYS.contains(key)) {
          problem(
              k, "'%s' is not supported by this version yet (see docs/rules.md)".formatted(key));
        } else {
          problem(
              k,
              "unknown key '%s' in %s; expected one of %s"
                  .formatted(key, what, String.join(", ", allowed.stream().sorted().toList())));
        }
      }
      return out;
    }

    private ScalarNode scalar(NodeTuple t, String key) {
      if (t.getValueNode() instanceof ScalarNode s) {
        return s;
      }
      problem(
          t.getValueNode(), "'%s' must be a single value, not a list or mapping".formatted(key));
      return null;
    }

    private String requiredText(MappingNode map, Map<String, NodeTuple> keys, String key) {
      NodeTuple t = keys.get(key);
      if (t == null) {
        problem(map, "missing '%s'".formatted(key));
        return null;
      }
      ScalarNode s = scalar(t, key);
      if (s == null) {
        return null;
      }
      if (s.getValue().isBlank()) {
        problem(s, "'%s' must not be empty".formatted(key));
        return null;
      }
      return s.getValue();
    }

    private Template template(
        MappingNode map, Map<String, NodeTuple> keys, String key, boolean required) {
      if (!required && !keys.containsKey(key)) {
        return null;
      }
      String value = requiredText(map, keys, key);
      if (value == null) {
        return null;
      }
      Template.Parsed parsed = Template.parse(value);
      if (parsed.template() == null) {
        problem(keys.get(key).getValueNode(), "in '%s': %s".formatted(key, parsed.error()));
      }
      return parsed.template();
    }

    private Severity severity(MappingNode map, Map<String, NodeTuple> keys) {
      String value = requiredText(map, keys, "severity");
      if (value == null) {
        return null;
      }
      try {
        return Severity.parse(value);
      } catch (RuntimeException e) {
        problem(keys.get("severity").getValueNode(), e.getMessage());
        return null;
      }
    }

    private List<String> tags(Map<String, NodeTuple> keys) {
      NodeTuple t = keys.get("tags");
      if (t == null) {
        return List.of();
      }
      return textList(t.getValueNode(), "tags");
    }

    private List<String> textList(Node node, String key) {
      if (!(node instanceof SequenceNode seq)) {
        problem(node, "'%s' must be a list, e.g. [a, b]".formatted(key));
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (Node item : seq.getValue()) {
        if (item instanceof ScalarNode s && !s.getValue().isBlank()) {
          out.add(s.getValue());
        } else {
          problem(item, "each item of '%s' must be a non-empty word".formatted(key));
        }
      }
      return out;
    }

    private boolean bool(Map<String, NodeTuple> keys, String key, boolean fallback) {
      NodeTuple t = keys.get(key);
      if (t == null) {
        return fallback;
      }
      ScalarNode s = scalar(t, key);
      if (s == null) {
        return fallback;
      }
      return switch (s.getValue()) {
        case "true" -> true;
        case "false" -> false;
        default -> {
          problem(s, "'%s' must be true or false".formatted(key));
          yield fallback;
        }
      };
    }

    private Map<Entity.Role, List<String>> entities(Map<String, NodeTuple> keys) {
      NodeTuple t = keys.get("entities");
      Map<Entity.Role, List<String>> out = new EnumMap<>(Entity.Role.class);
      if (t == null) {
        return out;
      }
      if (!(t.getValueNode() instanceof MappingNode map)) {
        problem(
            t.getValueNode(),
            "'entities' maps a role (attacker, victim, related) to a list of event fields");
        return out;
      }
      Set<String> roles = new HashSet<>();
      for (Entity.Role r : Entity.Role.values()) {
        roles.add(r.label());
      }
      Map<String, NodeTuple> byRole = keys(map, roles, "entities");
      byRole.forEach(
          (role, tuple) -> {
            List<String> fields = textList(tuple.getValueNode(), "entities." + role);
            if (tuple.getValueNode() instanceof SequenceNode seq) {
              for (Node item : seq.getValue()) {
                if (item instanceof ScalarNode s
                    && !EventFields.ENTITY_FIELDS.contains(s.getValue())) {
                  problem(
                      item,
                      "'%s' is not an entity field; use one of %s"
                          .formatted(
                              s.getValue(),
                              String.join(
                                  ", ", EventFields.ENTITY_FIELDS.stream().sorted().toList())));
                }
              }
            }
            out.put(Entity.Role.valueOf(role.toUpperCase(Locale.ROOT)), fields);
          });
      return out;
    }

    private Condition match(MappingNode map, Map<String, NodeTuple> keys) {
      NodeTuple t = keys.get("match");
      if (t == null) {
        problem(
            map,
            "missing 'match' (the rule kind); e.g. match: {where: 'e.type == \"auth.login\"'}");
        return null;
      }
      if (!(t.getValueNode() instanceof MappingNode body)) {
        problem(t.getValueNode(), "'match' must be a mapping with 'where'");
        return null;
      }
      Map<String, NodeTuple> matchKeys = keys(body, MATCH_KEYS, "match");
      NodeTuple w = matchKeys.get("where");
      if (w == null) {
        problem(body, "missing 'where' (a CEL condition over the event e)");
        return null;
      }
      ScalarNode expr = scalar(w, "where");
      if (expr == null) {
        return null;
      }
      Condition.Compiled compiled = Condition.compile(expr.getValue());
      for (Condition.Issue issue : compiled.issues()) {
        int[] at = YamlPositions.locate(text, expr, issue.line(), issue.column());
        problems.add(new Problem(where(at[0], at[1]), "CEL: " + issue.message()));
      }
      return compiled.condition();
    }
  }
}
