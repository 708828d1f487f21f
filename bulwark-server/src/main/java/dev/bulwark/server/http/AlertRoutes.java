package dev.bulwark.server.http;

import dev.bulwark.engine.detect.Severity;
import dev.bulwark.server.alert.AlertCursor;
import dev.bulwark.server.alert.AlertQuery;
import dev.bulwark.server.alert.AlertStore;
import dev.bulwark.server.auth.Caller;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/v1/alerts} (filters: severity, min_severity, rule, since, until; paging: limit
 * and cursor) and {@code GET /api/v1/alerts/{id}}.
 */
public final class AlertRoutes {
  private static final Set<String> PARAMS =
      Set.of("severity", "min_severity", "rule", "since", "until", "limit", "cursor");
  private final AlertStore store;

  public AlertRoutes(AlertStore store) {
    this.store = store;
  }

  void list(Context ctx, Caller caller) {
    for (String name : ctx.queryParamMap().keySet()) {
      if (!PARAMS.contains(name)) {
        throw ProblemException.badParameter(
            name,
            "unknown parameter; known: " + String.join(", ", PARAMS.stream().sorted().toList()));
      }
    }
    Set<Severity> severities = EnumSet.noneOf(Severity.class);
    String exact = ctx.queryParam("severity");
    if (exact != null) {
      for (String s : exact.split(",")) {
        severities.add(severity("severity", s.trim()));
      }
    }
    String min = ctx.queryParam("min_severity");
    if (min != null) {
      Severity floor = severity("min_severity", min);
      Set<Severity> atLeast = EnumSet.noneOf(Severity.class);
      Arrays.stream(Severity.values()).filter(s -> s.rank() >= floor.rank()).forEach(atLeast::add);
      if (severities.isEmpty()) {
        severities = atLeast;
      } else {
        severities.retainAll(atLeast);
        if (severities.isEmpty()) {
          throw ProblemException.badParameter(
              "min_severity", "excludes every severity given in 'severity'");
        }
      }
    }
    Optional<Instant> since = instant(ctx, "since");
    Optional<Instant> until = instant(ctx, "until");
    if (since.isPresent() && until.isPresent() && !since.get().isBefore(until.get())) {
      throw ProblemException.badParameter("until", "must be after 'since'");
    }
    int limit = limit(ctx);
    Optional<AlertCursor> cursor;
    try {
      cursor = Optional.ofNullable(ctx.queryParam("cursor")).map(AlertCursor::decode);
    } catch (AlertCursor.InvalidCursorException e) {
      throw ProblemException.badParameter("cursor", e.getMessage());
    }
    AlertQuery q =
        new AlertQuery(
            severities, Optional.ofNullable(ctx.queryParam("rule")), since, until, limit, cursor);
    AlertStore.Page page = store.list(caller.orgId(), q);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(
        "alerts",
        page.alerts().stream()
            .map(a -> view(a, Optional.ofNullable(page.retracted().get(a.id()))))
            .toList());
    out.put("next_cursor", page.next().map(AlertCursor::encode).orElse(null));
    ctx.json(out);
  }

  void get(Context ctx, Caller caller) {
    String id = ctx.pathParam("id");
    ctx.json(
        store
            .find(caller.orgId(), id)
            .orElseThrow(
                () ->
                    ProblemException.notFound("no alert '%s' in your organisation".formatted(id))));
  }

  /** The alert as JSON, with {@code retracted_at} when its chain events were orphaned. */
  private static com.fasterxml.jackson.databind.node.ObjectNode view(
      dev.bulwark.engine.detect.Alert a, Optional<Instant> retracted) {
    com.fasterxml.jackson.databind.node.ObjectNode n = ApiServer.JSON.valueToTree(a);
    retracted.ifPresent(t -> n.put("retracted_at", t.toString()));
    return n;
  }

  private static Severity severity(String param, String text) {
    try {
      return Severity.parse(text);
    } catch (RuntimeException e) {
      throw ProblemException.badParameter(param, e.getMessage());
    }
  }

  private static Optional<Instant> instant(Context ctx, String name) {
    String text = ctx.queryParam(name);
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(OffsetDateTime.parse(text).toInstant());
      } catch (DateTimeParseException e2) {
        throw ProblemException.badParameter(
            name, "not an ISO-8601 instant (e.g. 2026-11-26T06:00:00Z)");
      }
    }
  }

  private static int limit(Context ctx) {
    String text = ctx.queryParam("limit");
    if (text == null) {
      return 50;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= 1 && n <= AlertQuery.MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ProblemException.badParameter(
        "limit", "expected a whole number within 1.." + AlertQuery.MAX_LIMIT);
  }
}
