package dev.bulwark.server.http;

import dev.bulwark.server.alert.AlertStore;
import dev.bulwark.server.auth.Caller;
import dev.bulwark.server.detect.DetectionPump;
import dev.bulwark.server.detect.RuleCatalog;
import dev.bulwark.server.ingest.EventStore;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/status}: the caller's organisation's counts and how detection is doing. Rule
 * failures show counts and messages only — never the event (it may be another organisation's).
 */
public final class StatusRoutes {
  private final EventStore events;
  private final AlertStore alerts;
  private final DetectionPump pump;
  private final RuleCatalog rules;

  public StatusRoutes(EventStore events, AlertStore alerts, DetectionPump pump, RuleCatalog rules) {
    this.events = events;
    this.alerts = alerts;
    this.pump = pump;
    this.rules = rules;
  }

  void status(Context ctx, Caller caller) {
    long last = events.lastSeq();
    Map<String, Object> detection = new LinkedHashMap<>();
    detection.put("rules", rules.enabledCount(caller.orgId()));
    detection.put("position", pump.position());
    detection.put("lag", Math.max(0, last - pump.position()));
    detection.put("late_events", pump.lateEvents());
    List<Map<String, Object>> failures =
        pump.failures().values().stream()
            .map(
                f ->
                    Map.<String, Object>of(
                        "rule", f.detector(), "count", f.count(), "last_message", f.lastMessage()))
            .toList();
    detection.put("rule_errors", failures);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("organisation", caller.orgName());
    out.put("events", events.count(caller.orgId()));
    out.put("alerts", alerts.count(caller.orgId()));
    out.put("detection", detection);
    ctx.json(out);
  }
}
