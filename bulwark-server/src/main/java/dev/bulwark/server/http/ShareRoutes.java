package dev.bulwark.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.intel.Tlp;
import dev.bulwark.server.alert.AlertStore;
import dev.bulwark.server.auth.Caller;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.intel.AlertSharing;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/alerts/{id}/share} (the alert as a STIX indicator and sighting in a
 * collection) and {@code GET /api/v1/alerts/{id}/share} (what it was shared as, and the sightings
 * members reported since).
 */
public final class ShareRoutes {
  private static final Set<String> FIELDS =
      Set.of("collection", "tlp", "recipients", "valid_days", "include_related");
  private final AlertStore alerts;
  private final AlertSharing sharing;
  private final TokenStore orgs;

  public ShareRoutes(AlertStore alerts, AlertSharing sharing, TokenStore orgs) {
    this.alerts = alerts;
    this.sharing = sharing;
    this.orgs = orgs;
  }

  void share(Context ctx, Caller caller) throws IOException {
    Alert alert = alert(ctx, caller);
    JsonNode body;
    try {
      body =
          ApiServer.JSON.readTree(
              new String(Bodies.readBounded(ctx, 64 * 1024), StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ProblemException.badRequest(
          "the body is not JSON", List.of(new Problem("$", e.getOriginalMessage())));
    }
    List<Problem> problems = new ArrayList<>();
    if (body == null || !body.isObject()) {
      throw new ValidationException(
          "expected a JSON object",
          List.of(
              new Problem("$", "send {\"collection\": \"<id or alias>\", \"tlp\": \"amber\"}")));
    }
    body.fieldNames()
        .forEachRemaining(
            f -> {
              if (!FIELDS.contains(f)) {
                problems.add(
                    new Problem("$." + f, "unknown field; expected " + String.join(", ", FIELDS)));
              }
            });
    String collection = body.path("collection").asText("");
    if (!body.path("collection").isTextual() || collection.isBlank()) {
      problems.add(
          new Problem("$.collection", "required: the collection id or alias to share into"));
    }
    Tlp tlp = Tlp.AMBER;
    if (body.has("tlp")) {
      tlp = Tlp.parse(body.get("tlp").asText(null)).orElse(null);
      if (tlp == null) {
        problems.add(new Problem("$.tlp", "expected clear, green, amber, amber+strict or red"));
      }
    }
    Set<Long> recipients = new HashSet<>();
    JsonNode r = body.path("recipients");
    if (!r.isMissingNode()) {
      if (!r.isArray()) {
        problems.add(new Problem("$.recipients", "expected a list of organisation names"));
      } else {
        for (int i = 0; i < r.size(); i++) {
          String name = r.get(i).asText("");
          var org = orgs.findOrganisation(name);
          if (org.isEmpty()) {
            problems.add(new Problem("$.recipients[" + i + "]", "no organisation '" + name + "'"));
          } else {
            recipients.add(org.get().id());
          }
        }
        if (tlp != Tlp.RED && r.size() > 0) {
          problems.add(
              new Problem(
                  "$.recipients", "recipients are for TLP:RED; other levels reach every reader"));
        }
      }
    }
    int days = 90;
    if (body.has("valid_days")) {
      days = body.get("valid_days").asInt(-1);
      if (!body.get("valid_days").canConvertToInt() || days < 1 || days > 3650) {
        problems.add(new Problem("$.valid_days", "expected a whole number of days, 1..3650"));
      }
    }
    boolean includeRelated = false;
    if (body.has("include_related")) {
      if (!body.get("include_related").isBoolean()) {
        problems.add(new Problem("$.include_related", "expected true or false"));
      } else {
        includeRelated = body.get("include_related").asBoolean();
      }
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(
          "the share request has %d problem(s)".formatted(problems.size()), problems);
    }
    AlertSharing.Shared shared;
    try {
      shared =
          sharing.share(
              caller.orgId(),
              caller.orgName(),
              alert,
              collection,
              tlp,
              recipients,
              Duration.ofDays(days),
              includeRelated);
    } catch (AlertSharing.NoAccessException e) {
      throw e.exists
          ? ProblemException.forbidden(e.getMessage())
          : ProblemException.notFound(e.getMessage());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("alert", alert.id());
    out.put("collection", shared.collection());
    out.put("tlp", shared.tlp().label());
    out.put("identity", shared.identity());
    out.put("indicators", shared.indicators());
    out.put("sightings", shared.sightings());
    out.put("stored", shared.stored());
    ctx.status(shared.stored() > 0 ? 201 : 200).json(out);
  }

  void shares(Context ctx, Caller caller) {
    Alert alert = alert(ctx, caller);
    AlertSharing.Shares s = sharing.shares(caller.orgId(), alert.id(), orgs::organisationName);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("alert", alert.id());
    out.put("shares", s.shares());
    out.put("sightings", s.sightings());
    ctx.json(out);
  }

  private Alert alert(Context ctx, Caller caller) {
    String id = ctx.pathParam("id");
    return alerts
        .find(caller.orgId(), id)
        .orElseThrow(
            () -> ProblemException.notFound("no alert '%s' in your organisation".formatted(id)));
  }
}
