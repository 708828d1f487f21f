package dev.bulwark.server.detect;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.rule.InvalidRuleException;
import dev.bulwark.engine.rule.Rule;
import dev.bulwark.engine.rule.RuleCompiler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which rules run for each organisation: the file rules (shared by all), minus those an
 * organisation disabled, plus the rules it manages through the API. Every change is announced to
 * the listeners (detection reloads without a restart, keeping the state of unchanged rules).
 */
public final class RuleCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(RuleCatalog.class);

  /** The organisation argument of a change that concerns every organisation. */
  public static final long ALL = -1;

  private final RuleStore store;
  private final RuleCompiler compiler = new RuleCompiler();
  private volatile Map<String, Rule> fileRules;
  private final Map<Long, Map<String, Rule>> apiRules = new ConcurrentHashMap<>();
  private final Map<Long, Map<String, Boolean>> enabled = new ConcurrentHashMap<>();
  private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Detector> builtIns;

  /** A rule as an organisation sees it. */
  public record View(Rule rule, boolean fromFile, boolean enabled) {}

  /**
   * A built-in detector in code (the pack's) as an organisation sees it: on unless switched off.
   */
  public record BuiltIn(Detector detector, boolean enabled) {}

  /** The rule conflicts with one defined in a file. */
  public static final class RuleConflictException extends BulwarkException {
    RuleConflictException(String message) {
      super(message);
    }
  }

  public RuleCatalog(List<Rule> fileRules, RuleStore store) {
    this(fileRules, List.of(), store);
  }

  /**
   * @param builtIns the pack's detectors in code: they run for every organisation unless it
   *     disables them, like file rules
   */
  public RuleCatalog(List<Rule> fileRules, List<Detector> builtIns, RuleStore store) {
    this.store = store;
    Map<String, Detector> b = new LinkedHashMap<>();
    builtIns.forEach(d -> b.put(d.id(), d));
    this.builtIns = java.util.Collections.unmodifiableMap(b);
    this.fileRules = index(fileRules);
    for (RuleStore.Row row : store.all()) {
      enabled
          .computeIfAbsent(row.orgId(), k -> new ConcurrentHashMap<>())
          .put(row.ruleId(), row.enabled());
      if (row.text() != null) {
        try {
          apiRules
              .computeIfAbsent(row.orgId(), k -> new ConcurrentHashMap<>())
              .put(row.ruleId(), compile(row.ruleId(), row.text()));
        } catch (InvalidRuleException e) {
          LOG.warn(
              "stored rule {} of organisation {} no longer compiles and is skipped: {}",
              row.ruleId(),
              row.orgId(),
              e.getMessage());
        }
      }
    }
  }

  private static Map<String, Rule> index(List<Rule> rules) {
    Map<String, Rule> m = new LinkedHashMap<>();
    rules.forEach(r -> m.put(r.id(), r));
    return Map.copyOf(m);
  }

  public void onChange(LongConsumer listener) {
    listeners.add(listener);
  }

  private void changed(long org) {
    listeners.forEach(l -> l.accept(org));
  }

  /** The rules that run for an organisation, file rules first. */
  public List<Rule> detectorsFor(long org) {
    return list(org).stream().filter(View::enabled).map(View::rule).toList();
  }

  /** Every rule an organisation sees, enabled or not. */
  public List<View> list(long org) {
    Map<String, Boolean> flags = enabled.getOrDefault(org, Map.of());
    List<View> out = new ArrayList<>();
    fileRules
        .values()
        .forEach(r -> out.add(new View(r, true, flags.getOrDefault(r.id(), r.enabled()))));
    apiRules.getOrDefault(org, Map.of()).values().stream()
        .sorted((a, b) -> a.id().compareTo(b.id()))
        .forEach(r -> out.add(new View(r, false, flags.getOrDefault(r.id(), r.enabled()))));
    return out;
  }

  /** The built-in detectors, each with whether it runs for the organisation. */
  public List<BuiltIn> builtIns(long org) {
    Map<String, Boolean> flags = enabled.getOrDefault(org, Map.of());
    return builtIns.values().stream()
        .map(d -> new BuiltIn(d, flags.getOrDefault(d.id(), true)))
        .toList();
  }

  /** The built-in detectors that run for an organisation. */
  public List<Detector> builtInsFor(long org) {
    return builtIns(org).stream().filter(BuiltIn::enabled).map(BuiltIn::detector).toList();
  }

  public Optional<BuiltIn> findBuiltIn(long org, String id) {
    return builtIns(org).stream().filter(b -> b.detector().id().equals(id)).findFirst();
  }

  public Optional<View> find(long org, String id) {
    return list(org).stream().filter(v -> v.rule().id().equals(id)).findFirst();
  }

  /** How many rules run for an organisation. */
  public int enabledCount(long org) {
    return detectorsFor(org).size();
  }

  private Rule compile(String id, String text) {
    Rule rule = compiler.compile("api:" + id, text);
    if (!rule.id().equals(id)) {
      throw new InvalidRuleException(
          List.of(
              new Problem(
                  "api:" + id + ":1:1",
                  "the rule's id is '%s' but it is stored as '%s'; make them equal"
                      .formatted(rule.id(), id))));
    }
    return rule;
  }

  /**
   * Creates or replaces an organisation's rule from its YAML text.
   *
   * @return whether the rule is new
   * @throws InvalidRuleException with every problem (nothing is stored)
   */
  public boolean put(long org, String id, String text) {
    return put(org, id, text, Optional.empty());
  }

  /**
   * {@link #put(long, String, String)}, with the enabled flag set here rather than by the text (a
   * draft is stored disabled whatever its text says, so it never runs before it is reviewed).
   */
  public boolean put(long org, String id, String text, Optional<Boolean> enabledOverride) {
    if (fileRules.containsKey(id)) {
      throw new RuleConflictException(
          "'%s' is defined in a rule file; choose another id (or disable that rule)".formatted(id));
    }
    if (builtIns.containsKey(id)) {
      throw new RuleConflictException(
          "'%s' is a built-in detector; choose another id (or disable it)".formatted(id));
    }
    Rule rule = compile(id, text);
    boolean on = enabledOverride.orElse(rule.enabled());
    boolean created = store.put(new RuleStore.Row(org, id, text, on));
    apiRules.computeIfAbsent(org, k -> new ConcurrentHashMap<>()).put(id, rule);
    enabled.computeIfAbsent(org, k -> new ConcurrentHashMap<>()).put(id, on);
    changed(org);
    return created;
  }

  /**
   * Enables or disables a rule for one organisation (for a file rule, only for that organisation).
   */
  public void setEnabled(long org, String id, boolean on) {
    if (builtIns.containsKey(id)) {
      store.put(new RuleStore.Row(org, id, null, on));
      enabled.computeIfAbsent(org, k -> new ConcurrentHashMap<>()).put(id, on);
      changed(org);
      return;
    }
    View view = find(org, id).orElseThrow(() -> new NoSuchRuleException(id));
    String text =
        view.fromFile() ? null : store.find(org, id).map(RuleStore.Row::text).orElse(null);
    store.put(new RuleStore.Row(org, id, text, on));
    enabled.computeIfAbsent(org, k -> new ConcurrentHashMap<>()).put(id, on);
    changed(org);
  }

  /** Deletes an organisation's rule. */
  public void delete(long org, String id) {
    if (builtIns.containsKey(id)) {
      throw new RuleConflictException(
          "'%s' is a built-in detector; disable it instead".formatted(id));
    }
    View view = find(org, id).orElseThrow(() -> new NoSuchRuleException(id));
    if (view.fromFile()) {
      throw new RuleConflictException(
          "'%s' is defined in a rule file; disable it instead, or remove the file".formatted(id));
    }
    store.delete(org, id);
    apiRules.getOrDefault(org, new ConcurrentHashMap<>()).remove(id);
    enabled.getOrDefault(org, new ConcurrentHashMap<>()).remove(id);
    changed(org);
  }

  /** Replaces the file rules (after the rules directory changed). */
  public void setFileRules(List<Rule> rules) {
    this.fileRules = index(rules);
    changed(ALL);
  }

  /** No rule of that id for the organisation. */
  public static final class NoSuchRuleException extends BulwarkException {
    public NoSuchRuleException(String id) {
      super("no rule '%s' in your organisation".formatted(id));
    }
  }
}
