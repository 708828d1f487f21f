package dev.bulwark.server.http;

import dev.bulwark.engine.rule.Rule;
import dev.bulwark.server.auth.Caller;
import dev.bulwark.server.detect.RuleCatalog;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/rules}: an organisation's rules — the shared file rules and its own, managed here.
 * A change applies to detection at once, without a restart.
 */
public final class RuleRoutes {
  private static final int MAX_RULE_BYTES = 200_000;
  private static final Set<String> TEXT_TYPES =
      Set.of("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain");
  private final RuleCatalog catalog;

  public RuleRoutes(RuleCatalog catalog) {
    this.catalog = catalog;
  }

  void list(Context ctx, Caller caller) {
    List<Map<String, Object>> rules = new java.util.ArrayList<>();
    catalog.list(caller.orgId()).forEach(v -> rules.add(summary(v, caller)));
    catalog.builtIns(caller.orgId()).forEach(b -> rules.add(summary(b)));
    ctx.json(Map.of("rules", rules));
  }

  void get(Context ctx, Caller caller) {
    String id = ctx.pathParam("id");
    var builtIn = catalog.findBuiltIn(caller.orgId(), id);
    if (builtIn.isPresent()) {
      ctx.json(summary(builtIn.get()));
      return;
    }
    RuleCatalog.View v =
        catalog
            .find(caller.orgId(), id)
            .orElseThrow(
                () -> ProblemException.notFound("no rule '%s' in your organisation".formatted(id)));
    Map<String, Object> out = summary(v, caller);
    out.put("text", v.rule().text());
    ctx.json(out);
  }

  void put(Context ctx, Caller caller) {
    String id = ctx.pathParam("id");
    String type = ctx.contentType();
    if (type != null
        && !TEXT_TYPES.contains(type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT))) {
      throw new ProblemException(
          415,
          "unsupported-media-type",
          "Unsupported media type",
          "send the rule's YAML text as application/yaml (or text/plain)",
          List.of(),
          Map.of());
    }
    byte[] body = ctx.bodyAsBytes();
    if (body.length > MAX_RULE_BYTES) {
      throw ProblemException.tooLarge(MAX_RULE_BYTES);
    }
    boolean created = catalog.put(caller.orgId(), id, new String(body, StandardCharsets.UTF_8));
    RuleCatalog.View v = catalog.find(caller.orgId(), id).orElseThrow();
    ctx.status(created ? 201 : 200).json(summary(v, caller));
  }

  void enable(Context ctx, Caller caller, boolean on) {
    String id = ctx.pathParam("id");
    catalog.setEnabled(caller.orgId(), id, on);
    var builtIn = catalog.findBuiltIn(caller.orgId(), id);
    ctx.json(
        builtIn.isPresent()
            ? summary(builtIn.get())
            : summary(catalog.find(caller.orgId(), id).orElseThrow(), caller));
  }

  void delete(Context ctx, Caller caller) {
    catalog.delete(caller.orgId(), ctx.pathParam("id"));
    ctx.status(204);
  }

  /** A built-in detector in code: its id, and whether it runs for the organisation. */
  private static Map<String, Object> summary(RuleCatalog.BuiltIn b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", b.detector().id());
    m.put("kind", "code");
    m.put("enabled", b.enabled());
    m.put("origin", "built-in");
    m.put("docs", "docs/detections.md");
    return m;
  }

  private static Map<String, Object> summary(RuleCatalog.View v, Caller caller) {
    Rule r = v.rule();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("kind", r.kind());
    m.put("title", r.title());
    m.put("severity", r.severity().label());
    m.put("enabled", v.enabled());
    m.put("origin", v.fromFile() ? "file" : "api");
    m.put("source", v.fromFile() ? r.source() : "api");
    m.put("tests", r.tests().size());
    return m;
  }
}
