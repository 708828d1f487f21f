package dev.bulwark.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.server.auth.Caller;
import dev.bulwark.server.notify.Channel;
import dev.bulwark.server.notify.Notifier;
import dev.bulwark.server.notify.NotifierService;
import dev.bulwark.server.notify.NotifierStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /api/v1/notifiers}: where an organisation's alerts go. Secrets (the webhook signing key, a
 * Slack URL, an SMTP password) are never shown back, except the signing key once at creation.
 */
public final class NotifierRoutes {
  private static final Set<String> STATUSES = Set.of("pending", "delivered", "dead");
  private final NotifierService service;

  public NotifierRoutes(NotifierService service) {
    this.service = service;
  }

  void create(Context ctx, Caller caller) throws IOException {
    JsonNode body;
    try {
      body = ApiServer.JSON.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      throw ProblemException.badRequest(
          "malformed JSON",
          List.of(new dev.bulwark.engine.Problem("$", "malformed JSON: " + e.getMessage())));
    }
    NotifierService.Created created = service.create(caller.orgId(), body);
    Map<String, Object> out = view(created.notifier());
    created.signingSecret().ifPresent(s -> out.put("signing_secret", s));
    ctx.status(201).json(out);
  }

  void list(Context ctx, Caller caller) {
    ctx.json(
        Map.of(
            "notifiers", service.list(caller.orgId()).stream().map(NotifierRoutes::view).toList()));
  }

  void delete(Context ctx, Caller caller) {
    String id = ctx.pathParam("id");
    if (!service.delete(caller.orgId(), id)) {
      throw ProblemException.notFound("no notifier '%s' in your organisation".formatted(id));
    }
    ctx.status(204);
  }

  void deliveries(Context ctx, Caller caller) {
    String id = ctx.pathParam("id");
    if (service.find(caller.orgId(), id).isEmpty()) {
      throw ProblemException.notFound("no notifier '%s' in your organisation".formatted(id));
    }
    Optional<String> status = Optional.ofNullable(ctx.queryParam("status"));
    if (status.isPresent() && !STATUSES.contains(status.get())) {
      throw ProblemException.badParameter("status", "expected pending, delivered or dead");
    }
    List<Map<String, Object>> rows =
        service.deliveries(caller.orgId(), id, status, 100).stream()
            .map(NotifierRoutes::view)
            .toList();
    ctx.json(Map.of("deliveries", rows));
  }

  private static Map<String, Object> view(NotifierStore.Delivery d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("alert_id", d.alertId());
    m.put("status", d.status());
    m.put("attempts", d.attempts());
    m.put("next_attempt_at", d.nextAttempt().toString());
    m.put("last_error", d.lastError());
    return m;
  }

  private static Map<String, Object> view(Notifier n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", n.id());
    m.put("name", n.name());
    m.put("kind", n.channel().kind());
    m.put("min_severity", n.minSeverity().label());
    m.put("rules", n.rules().stream().sorted().toList());
    if (n.channel() instanceof Channel.Webhook w) {
      m.put("url", w.url().toString());
    } else if (n.channel() instanceof Channel.Slack) {
      m.put("url", "****");
    } else if (n.channel() instanceof Channel.Email e) {
      m.put("smtp_host", e.host());
      m.put("smtp_port", e.port());
      m.put("from", e.from());
      m.put("to", e.to());
      m.put("starttls", e.starttls());
    }
    return m;
  }
}
