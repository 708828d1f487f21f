package dev.bulwark.engine.rule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventFields;
import dev.bulwark.engine.event.EventParser;
import dev.bulwark.engine.event.InvalidEventException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Rule text → compiled rule. Parses one YAML rule of any kind ({@code match}, {@code threshold},
 * {@code sequence}, {@code anomaly}), checks every key and value, compiles the CEL expressions,
 * templates and inline tests, and reports every problem at once with file, line and column.
 */
public final class RuleCompiler {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,127}");
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,63}");
  private static final List<String> KINDS = List.of("match", "threshold", "sequence", "anomaly");
  private static final Set<String> COMMON =
      Set.of(
          "id",
          "title",
          "summary",
          "severity",
          "severity_if",
          "tags",
          "enabled",
          "entities",
          "suppress",
          "escalate",
          "tests");
  private static final Set<String> RULE_KEYS = union(COMMON, Set.copyOf(KINDS));
  private static final Map<String, Set<String>> VARS =
      Map.of(
          "match", Set.of(),
          "threshold", Set.of("key", "count", "value", "sum", "distinct", "window"),
          "sequence", Set.of("key", "count", "window"),
          "anomaly", Set.of("key", "value", "mean", "stddev", "score", "count"));
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Compiles one rule file.
   *
   * @param source the file name used in problem locations and kept on the rule
   * @throws InvalidRuleException listing every problem of the file
   */
  public Rule compile(String source, String text) {
    Parse p = new Parse(source, text);
    Rule rule = p.rule();
    if (!p.problems.isEmpty()) {
      throw new InvalidRuleException(p.problems);
    }
    return rule;
  }

  /** A duration the way rules write it: {@code 90s} → {@code 1m30s}. */
  static String describe(Duration d) {
    StringBuilder out = new StringBuilder();
    long days = d.toDays();
    if (days > 0) {
      out.append(days).append('d');
    }
    if (d.toHoursPart() > 0) {
      out.append(d.toHoursPart()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      out.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0) {
      out.append(d.toSecondsPart()).append('s');
    }
    if (d.toMillisPart() > 0) {
      out.append(d.toMillisPart()).append("ms");
    }
    return out.length() == 0 ? "0s" : out.toString();
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new HashSet<>(a);
    u.addAll(b);
    return Set.copyOf(u);
  }

  /** The state of one parse: the text and the problems found so far. */
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

    Rule rule() {
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
                "the file is empty; a rule needs at least id, title, severity and a kind (match, threshold, sequence or anomaly)"));
        return null;
      }
      if (!(root instanceof MappingNode map)) {
        problem(root, "a rule is a YAML mapping (key: value lines)");
        return null;
      }
      Map<String, NodeTuple> keys = keys(map, RULE_KEYS, "rule");
      List<String> kinds = KINDS.stream().filter(keys::containsKey).toList();
      String kind = null;
      if (kinds.isEmpty()) {
        problem(
            map,
            "missing the rule kind: one of match, threshold, sequence or anomaly; e.g. match: {where: 'e.type == \"auth.login\"'}");
      } else if (kinds.size() > 1) {
        problem(
            keys.get(kinds.get(1)).getKeyNode(),
            "one kind per rule; this one has both '%s' and '%s'"
                .formatted(kinds.get(0), kinds.get(1)));
      } else {
        kind = kinds.get(0);
      }
      String id = requiredText(map, keys, "id");
      if (id != null && id.equals(dev.bulwark.engine.intel.IntelDetector.ID)) {
        problem(
            keys.get("id").getValueNode(),
            "'%s' is reserved for the built-in indicator matcher; choose another id".formatted(id));
      } else if (id != null && !ID.matcher(id).matches()) {
        problem(
            keys.get("id").getValueNode(),
            "invalid id '%s'; use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit"
                .formatted(id));
      }
      Set<String> vars = kind == null ? Set.of() : VARS.get(kind);
      boolean bindings = "sequence".equals(kind);
      Template title = template(map, keys, "title", true, vars, bindings);
      Template summary = template(map, keys, "summary", false, vars, bindings);
      Severity severity = severity(map, keys);
      List<Rule.SeverityIf> severityIf = severityIf(keys, bindings);
      List<String> tags =
          keys.containsKey("tags") ? textList(keys.get("tags").getValueNode(), "tags") : List.of();
      boolean enabled = bool(keys, "enabled", true);
      Map<Entity.Role, List<String>> entities = entities(keys);
      Optional<Rule.Suppress> suppress = suppress(keys);
      Optional<Duration> escalate =
          Optional.ofNullable(
              keys.containsKey("escalate") ? duration(map, keys, "escalate", false) : null);
      if (keys.containsKey("escalate")
          && "match".equals(kind)
          && suppress.flatMap(Rule.Suppress::key).isEmpty()) {
        problem(
            keys.get("escalate").getKeyNode(),
            "a match rule escalates per key: set suppress.key (e.g. suppress: {window: 1h, key: account})");
      }
      List<RuleTest> tests = tests(keys);
      if (kind == null) {
        return null;
      }
      NodeTuple body = keys.get(kind);
      if (!(body.getValueNode() instanceof MappingNode kindMap)) {
        problem(
            body.getValueNode(),
            "'%s' must be a mapping of its settings (see docs/rules.md)".formatted(kind));
        return null;
      }
      if (!problems.isEmpty()) {
        // Still check the kind's body, so that all problems come out at once.
        kindBody(kind, kindMap, null);
        return null;
      }
      String titleText = ((ScalarNode) keys.get("title").getValueNode()).getValue();
      Rule.Meta meta =
          new Rule.Meta(
              id,
              source,
              text,
              severity,
              severityIf,
              titleText,
              title,
              summary,
              tags,
              entities,
              suppress,
              escalate,
              enabled,
              tests);
      return kindBody(kind, kindMap, meta);
    }

    /** Compiles the kind's settings; returns the rule when meta is given and nothing was wrong. */
    private Rule kindBody(String kind, MappingNode body, Rule.Meta meta) {
      int before = problems.size();
      Rule rule =
          switch (kind) {
            case "match" -> match(body, meta);
            case "threshold" -> threshold(body, meta);
            case "sequence" -> sequence(body, meta);
            default -> anomaly(body, meta);
          };
      return problems.size() > before || meta == null ? null : rule;
    }

    private Rule match(MappingNode body, Rule.Meta meta) {
      Map<String, NodeTuple> k = keys(body, Set.of("where"), "match");
      Condition where = requiredCel(body, k, "where", Condition.Env.CONDITION);
      return meta == null || where == null ? null : new MatchRule(meta, where);
    }

    private Rule threshold(MappingNode body, Rule.Meta meta) {
      Map<String, NodeTuple> k =
          keys(
              body,
              Set.of("where", "by", "window", "count", "sum", "distinct", "at_least", "at_most"),
              "threshold");
      Condition where = requiredCel(body, k, "where", Condition.Env.CONDITION);
      KeyFn by = key(body, k, "by", true);
      Duration window = duration(body, k, "window", true);
      List<String> measures =
          List.of("count", "sum", "distinct").stream().filter(k::containsKey).toList();
      ThresholdRule.Measure measure = ThresholdRule.Measure.COUNT;
      String field = null;
      if (measures.size() > 1) {
        problem(
            k.get(measures.get(1)).getKeyNode(),
            "measure one thing: count, sum or distinct, not both '%s' and '%s'"
                .formatted(measures.get(0), measures.get(1)));
      } else if (measures.contains("sum") || measures.contains("distinct")) {
        String m = measures.get(0);
        measure = m.equals("sum") ? ThresholdRule.Measure.SUM : ThresholdRule.Measure.DISTINCT;
        field = text(k.get(m), m);
        if (field != null && !KeyFn.valid(field)) {
          problem(
              k.get(m).getValueNode(),
              "'%s' is not an event field; use one of %s or attrs.<key>"
                  .formatted(field, groupable()));
          field = null;
        }
      } else if (measures.contains("count")) {
        ScalarNode c = scalar(k.get("count"), "count");
        if (c != null && !c.getValue().equals("true")) {
          problem(
              c,
              "'count' takes no field: write 'count: true', or leave it out (counting is the default)");
        }
      }
      Double atLeast = number(k, "at_least");
      Double atMost = number(k, "at_most");
      if ((atLeast == null) == (atMost == null)
          && !k.containsKey("at_least")
          && !k.containsKey("at_most")) {
        problem(body, "missing 'at_least' or 'at_most' (the limit that fires the rule)");
      } else if (k.containsKey("at_least") && k.containsKey("at_most")) {
        problem(k.get("at_most").getKeyNode(), "use 'at_least' or 'at_most', not both");
      }
      if (meta == null
          || where == null
          || by == null
          || window == null
          || (atLeast == null && atMost == null)) {
        return null;
      }
      return new ThresholdRule(meta, where, by, window, measure, field, atLeast, atMost);
    }

    private Rule sequence(MappingNode body, Rule.Meta meta) {
      Map<String, NodeTuple> k = keys(body, Set.of("by", "within", "steps"), "sequence");
      KeyFn by = key(body, k, "by", true);
      Duration within = duration(body, k, "within", true);
      NodeTuple stepsTuple = k.get("steps");
      List<SequenceRule.Step> steps = new ArrayList<>();
      SequenceRule.Absent absent = null;
      if (stepsTuple == null) {
        problem(body, "missing 'steps' (the ordered list of conditions)");
      } else if (!(stepsTuple.getValueNode() instanceof SequenceNode list)
          || list.getValue().isEmpty()) {
        problem(
            stepsTuple.getValueNode(),
            "'steps' must be a non-empty list of steps, each with 'where' (or a last 'absent')");
      } else {
        Set<String> bound = new LinkedHashSet<>();
        List<Node> items = list.getValue();
        for (int i = 0; i < items.size(); i++) {
          Node item = items.get(i);
          if (!(item instanceof MappingNode step)) {
            problem(
                item,
                "a step is a mapping with 'where' (and optionally 'bind'), or 'absent' with 'within'");
            continue;
          }
          Map<String, NodeTuple> sk =
              keys(step, Set.of("where", "bind", "absent", "within"), "step");
          if (sk.containsKey("absent")) {
            if (i != items.size() - 1 || i == 0) {
              problem(
                  step, "an 'absent' step must be the last step, after at least one 'where' step");
            }
            for (String extra : List.of("where", "bind")) {
              if (sk.containsKey(extra)) {
                problem(
                    sk.get(extra).getKeyNode(), "an 'absent' step has only 'absent' and 'within'");
              }
            }
            Condition never = requiredCel(step, sk, "absent", Condition.Env.STEP);
            Duration quiet = duration(step, sk, "within", true);
            if (never != null && quiet != null) {
              absent = new SequenceRule.Absent(never, quiet);
            }
            continue;
          }
          if (sk.containsKey("within")) {
            problem(
                sk.get("within").getKeyNode(),
                "'within' belongs to the sequence (or to an 'absent' step), not to a step");
          }
          Condition where =
              requiredCel(step, sk, "where", i == 0 ? Condition.Env.CONDITION : Condition.Env.STEP);
          Map<String, Condition> bind = new LinkedHashMap<>();
          if (sk.containsKey("bind")) {
            if (!(sk.get("bind").getValueNode() instanceof MappingNode bindMap)) {
              problem(
                  sk.get("bind").getValueNode(),
                  "'bind' maps names to CEL expressions, e.g. bind: {addr: e.to}");
            } else {
              for (NodeTuple t : bindMap.getValue()) {
                String name = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
                if (!NAME.matcher(name).matches()) {
                  problem(
                      t.getKeyNode(),
                      "'%s' is not a valid name; use lower-case letters, digits and '_'"
                          .formatted(name));
                  continue;
                }
                if (!bound.add(name)) {
                  problem(t.getKeyNode(), "'%s' is bound twice".formatted(name));
                }
                if (t.getValueNode() instanceof ScalarNode expr) {
                  Condition c = cel(expr, Condition.Env.VALUE);
                  if (c != null) {
                    bind.put(name, c);
                  }
                } else {
                  problem(t.getValueNode(), "a bound value is one CEL expression");
                }
              }
            }
          }
          if (where != null) {
            steps.add(new SequenceRule.Step(where, bind));
          }
        }
        if (steps.isEmpty() && absent == null && problems.isEmpty()) {
          problem(stepsTuple.getValueNode(), "a sequence needs at least one 'where' step");
        }
      }
      if (meta == null || by == null || within == null || steps.isEmpty()) {
        return null;
      }
      return new SequenceRule(meta, by, within, steps, Optional.ofNullable(absent));
    }

    private Rule anomaly(MappingNode body, Rule.Meta meta) {
      Map<String, NodeTuple> k =
          keys(
              body,
              Set.of("where", "by", "value", "model", "threshold", "min_samples", "forget_after"),
              "anomaly");
      Condition where = requiredCel(body, k, "where", Condition.Env.CONDITION);
      KeyFn by = key(body, k, "by", true);
      Condition value = requiredCel(body, k, "value", Condition.Env.VALUE);
      if (k.containsKey("model")) {
        String model = text(k.get("model"), "model");
        if (model != null && !model.equals("zscore")) {
          problem(
              k.get("model").getValueNode(),
              "unknown model '%s'; this version has 'zscore'".formatted(model));
        }
      }
      Double threshold = number(k, "threshold");
      Double minSamples = number(k, "min_samples");
      if (minSamples != null && (minSamples < 2 || minSamples != Math.rint(minSamples))) {
        problem(
            k.get("min_samples").getValueNode(),
            "'min_samples' must be a whole number of at least 2");
      }
      Duration forget =
          k.containsKey("forget_after")
              ? duration(body, k, "forget_after", false)
              : Duration.ofDays(30);
      if (meta == null || where == null || by == null || value == null || forget == null) {
        return null;
      }
      return new AnomalyRule(
          meta,
          where,
          by,
          value,
          threshold == null ? 4.0 : threshold,
          minSamples == null ? 30 : minSamples.intValue(),
          forget);
    }

    /** The keys of a mapping, reporting unknown and duplicate ones. */
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

    private String text(NodeTuple t, String key) {
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

    private String requiredText(MappingNode map, Map<String, NodeTuple> keys, String key) {
      NodeTuple t = keys.get(key);
      if (t == null) {
        problem(map, "missing '%s'".formatted(key));
        return null;
      }
      return text(t, key);
    }

    private Double number(Map<String, NodeTuple> keys, String key) {
      NodeTuple t = keys.get(key);
      if (t == null) {
        return null;
      }
      ScalarNode s = scalar(t, key);
      if (s == null) {
        return null;
      }
      try {
        double d = Double.parseDouble(s.getValue());
        if (!Double.isFinite(d) || d < 0) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException e) {
        problem(s, "'%s' must be a number of at least 0, was '%s'".formatted(key, s.getValue()));
        return null;
      }
    }

    private Duration duration(
        MappingNode map, Map<String, NodeTuple> keys, String key, boolean required) {
      NodeTuple t = keys.get(key);
      if (t == null) {
        if (required) {
          problem(map, "missing '%s' (%s)".formatted(key, Durations.EXPECTED));
        }
        return null;
      }
      String v = text(t, key);
      if (v == null) {
        return null;
      }
      Optional<Duration> d = Durations.parse(v);
      if (d.isEmpty()) {
        problem(
            t.getValueNode(),
            "'%s' is not a duration; expected %s".formatted(v, Durations.EXPECTED));
      }
      return d.orElse(null);
    }

    private static String groupable() {
      return String.join(", ", EventFields.ALL.stream().filter(f -> !f.equals("attrs")).toList());
    }

    private KeyFn key(MappingNode map, Map<String, NodeTuple> keys, String key, boolean required) {
      NodeTuple t = keys.get(key);
      if (t == null) {
        if (required) {
          problem(
              map,
              "missing '%s' (the event field, or list of fields, to group by; e.g. by: account)"
                  .formatted(key));
        }
        return null;
      }
      List<String> fields;
      if (t.getValueNode() instanceof ScalarNode s) {
        fields = List.of(s.getValue());
      } else {
        fields = textList(t.getValueNode(), key);
      }
      boolean ok = !fields.isEmpty();
      for (String f : fields) {
        if (!KeyFn.valid(f)) {
          problem(
              t.getValueNode(),
              "'%s' is not an event field to group by; use one of %s or attrs.<key>"
                  .formatted(f, groupable()));
          ok = false;
        }
      }
      return ok ? new KeyFn(fields) : null;
    }

    private Template template(
        MappingNode map,
        Map<String, NodeTuple> keys,
        String key,
        boolean required,
        Set<String> vars,
        boolean bindings) {
      if (!required && !keys.containsKey(key)) {
        return null;
      }
      String value = requiredText(map, keys, key);
      if (value == null) {
        return null;
      }
      Template.Parsed parsed = Template.parse(value, vars, bindings);
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

    /**
     * {@code severity_if}: a list of {@code {when: <CEL over e (and b in a sequence)>, severity:
     * <level>}}; the first that holds for the firing event sets the alert's severity.
     */
    private List<Rule.SeverityIf> severityIf(Map<String, NodeTuple> keys, boolean bindings) {
      NodeTuple t = keys.get("severity_if");
      if (t == null) {
        return List.of();
      }
      if (!(t.getValueNode() instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
        problem(
            t.getValueNode(),
            "'severity_if' is a list of {when: <condition>, severity: <level>}, first match wins");
        return List.of();
      }
      List<Rule.SeverityIf> out = new ArrayList<>();
      for (Node item : seq.getValue()) {
        if (!(item instanceof MappingNode m)) {
          problem(item, "each item of 'severity_if' is {when: <condition>, severity: <level>}");
          continue;
        }
        Map<String, NodeTuple> k = keys(m, Set.of("when", "severity"), "severity_if");
        Condition when =
            requiredCel(m, k, "when", bindings ? Condition.Env.STEP : Condition.Env.CONDITION);
        Severity level = null;
        String text = requiredText(m, k, "severity");
        if (text != null) {
          try {
            level = Severity.parse(text);
          } catch (RuntimeException e) {
            problem(k.get("severity").getValueNode(), e.getMessage());
          }
        }
        if (when != null && level != null) {
          out.add(new Rule.SeverityIf(when, level));
        }
      }
      return List.copyOf(out);
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

    private Optional<Rule.Suppress> suppress(Map<String, NodeTuple> keys) {
      NodeTuple t = keys.get("suppress");
      if (t == null) {
        return Optional.empty();
      }
      if (!(t.getValueNode() instanceof MappingNode map)) {
        problem(t.getValueNode(), "'suppress' is a mapping: {window: 1h, key: account}");
        return Optional.empty();
      }
      Map<String, NodeTuple> k = keys(map, Set.of("window", "key"), "suppress");
      Duration window = duration(map, k, "window", true);
      KeyFn key = key(map, k, "key", false);
      if (window == null || (k.containsKey("key") && key == null)) {
        return Optional.empty();
      }
      return Optional.of(new Rule.Suppress(window, Optional.ofNullable(key)));
    }

    private List<RuleTest> tests(Map<String, NodeTuple> keys) {
      NodeTuple t = keys.get("tests");
      if (t == null) {
        return List.of();
      }
      if (!(t.getValueNode() instanceof SequenceNode list)) {
        problem(t.getValueNode(), "'tests' is a list of {name, events, expect}");
        return List.of();
      }
      List<RuleTest> out = new ArrayList<>();
      EventParser parser = new EventParser(1);
      int n = 0;
      for (Node item : list.getValue()) {
        n++;
        if (!(item instanceof MappingNode test)) {
          problem(item, "a test is a mapping {name, events, expect}");
          continue;
        }
        Map<String, NodeTuple> k = keys(test, Set.of("name", "events", "expect"), "test");
        String name = k.containsKey("name") ? text(k.get("name"), "name") : "test " + n;
        List<Event> events = new ArrayList<>();
        if (!k.containsKey("events")
            || !(k.get("events").getValueNode() instanceof SequenceNode evs)) {
          problem(
              k.containsKey("events") ? k.get("events").getValueNode() : test,
              "a test needs 'events': a list of events");
        } else {
          for (Node ev : evs.getValue()) {
            try {
              events.add(parser.parseOne(JSON.writeValueAsString(json(ev))));
            } catch (InvalidEventException e) {
              for (Problem p : e.problems()) {
                problem(ev, "test event " + p.location() + ": " + p.message());
              }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
              problem(ev, "test event is not JSON-like: " + e.getOriginalMessage());
            }
          }
        }
        int count = -1;
        List<Map<String, String>> expected = new ArrayList<>();
        NodeTuple expect = k.get("expect");
        if (expect == null) {
          problem(
              test,
              "a test needs 'expect': a number of alerts, or a list of alerts ({severity, title, summary})");
        } else if (expect.getValueNode() instanceof ScalarNode s) {
          try {
            count = Integer.parseInt(s.getValue());
            if (count < 0) {
              throw new NumberFormatException();
            }
          } catch (NumberFormatException e) {
            problem(s, "'expect' is a number of alerts (0 or more) or a list of alerts");
          }
        } else if (expect.getValueNode() instanceof SequenceNode alerts) {
          for (Node a : alerts.getValue()) {
            if (!(a instanceof MappingNode am)) {
              problem(a, "an expected alert is a mapping of severity, title and/or summary");
              continue;
            }
            Map<String, String> want = new LinkedHashMap<>();
            keys(am, Set.of("severity", "title", "summary"), "expected alert")
                .forEach(
                    (key, tuple) -> {
                      String v = text(tuple, key);
                      if (v != null) {
                        want.put(key, v);
                      }
                    });
            expected.add(want);
          }
          count = expected.size();
        } else {
          problem(expect.getValueNode(), "'expect' is a number of alerts or a list of alerts");
        }
        out.add(new RuleTest(name == null ? "test " + n : name, events, count, expected));
      }
      return out;
    }

    /** A YAML node as JSON, scalars typed by their resolved YAML tag. */
    private JsonNode json(Node node) {
      JsonNodeFactory f = JsonNodeFactory.instance;
      if (node instanceof MappingNode m) {
        ObjectNode o = f.objectNode();
        for (NodeTuple t : m.getValue()) {
          String key =
              t.getKeyNode() instanceof ScalarNode s ? s.getValue() : t.getKeyNode().toString();
          o.set(key, json(t.getValueNode()));
        }
        return o;
      }
      if (node instanceof SequenceNode s) {
        ArrayNode a = f.arrayNode();
        s.getValue().forEach(v -> a.add(json(v)));
        return a;
      }
      ScalarNode s = (ScalarNode) node;
      String v = s.getValue();
      Tag tag = s.getTag();
      try {
        if (Tag.INT.equals(tag)) {
          return f.numberNode(new BigInteger(v.replace("_", "")));
        }
        if (Tag.FLOAT.equals(tag)) {
          return f.numberNode(new BigDecimal(v.replace("_", "")));
        }
      } catch (NumberFormatException e) {
        return f.textNode(v);
      }
      if (Tag.BOOL.equals(tag)) {
        return f.booleanNode(
            v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on"));
      }
      if (Tag.NULL.equals(tag)) {
        return f.nullNode();
      }
      return f.textNode(v);
    }

    private Condition requiredCel(
        MappingNode map, Map<String, NodeTuple> keys, String key, Condition.Env env) {
      NodeTuple t = keys.get(key);
      if (t == null) {
        problem(
            map,
            "missing '%s' (a CEL %s over the event e)"
                .formatted(key, env == Condition.Env.VALUE ? "expression" : "condition"));
        return null;
      }
      ScalarNode expr = scalar(t, key);
      return expr == null ? null : cel(expr, env);
    }

    private Condition cel(ScalarNode expr, Condition.Env env) {
      Condition.Compiled compiled = Condition.compile(expr.getValue(), env);
      for (Condition.Issue issue : compiled.issues()) {
        int[] at = YamlPositions.locate(text, expr, issue.line(), issue.column());
        problems.add(new Problem(where(at[0], at[1]), "CEL: " + issue.message()));
      }
      return compiled.condition();
    }
  }
}
