package dev.bulwark.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import dev.bulwark.engine.intel.Tlp;
import dev.bulwark.server.auth.Caller;
import dev.bulwark.server.intel.AlertSharing;
import dev.bulwark.server.intel.Publishing;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Publishing best practices: {@code POST /api/v1/rules/{id}/publish}, {@code POST
 * /api/v1/intel/documents} (note, report or Sigma rule) and {@code POST
 * /api/v1/intel/subscriptions} (load a collection's Bulwark rules as disabled drafts).
 */
public final class PublishRoutes {
  private final Publishing publishing;

  public PublishRoutes(Publishing publishing) {
    this.publishing = publishing;
  }

  void publishRule(Context ctx, Caller caller) throws IOException {
    JsonNode body = body(ctx, Set.of("collection", "tlp"));
    List<Problem> problems = new ArrayList<>();
    String collection = text(body, "collection", true, problems);
    Tlp tlp = tlp(body, problems);
    check(problems);
    Publishing.Published p =
        access(
            () ->
                publishing.publishRule(
                    caller.orgId(), caller.orgName(), ctx.pathParam("id"), collection, tlp));
    answer(ctx, p, tlp);
  }

  void publishDocument(Context ctx, Caller caller) throws IOException {
    JsonNode body = body(ctx, Set.of("kind", "title", "content", "labels", "collection", "tlp"));
    List<Problem> problems = new ArrayList<>();
    String kind = text(body, "kind", true, problems);
    if (kind != null && !Set.of("note", "report", "sigma").contains(kind)) {
      problems.add(new Problem("$.kind", "expected note, report or sigma"));
    }
    String title = text(body, "title", true, problems);
    String content = text(body, "content", true, problems);
    String collection = text(body, "collection", true, problems);
    Tlp tlp = tlp(body, problems);
    List<String> labels = new ArrayList<>();
    JsonNode l = body.path("labels");
    if (!l.isMissingNode()) {
      if (!l.isArray()) {
        problems.add(new Problem("$.labels", "expected a list of strings"));
      } else {
        for (int i = 0; i < l.size(); i++) {
          if (!l.get(i).isTextual() || l.get(i).asText().isBlank()) {
            problems.add(new Problem("$.labels[" + i + "]", "expected a non-empty string"));
          } else {
            labels.add(l.get(i).asText());
          }
        }
      }
    }
    check(problems);
    Publishing.Published p =
        access(
            () ->
                publishing.publishDocument(
                    caller.orgId(),
                    caller.orgName(),
                    kind,
                    title,
                    content,
                    labels,
                    collection,
                    tlp));
    answer(ctx, p, tlp);
  }

  void subscribe(Context ctx, Caller caller) throws IOException {
    JsonNode body = body(ctx, Set.of("collection"));
    List<Problem> problems = new ArrayList<>();
    String collection = text(body, "collection", true, problems);
    check(problems);
    access(
        () -> {
          publishing.subscribe(collection, caller.orgId());
          return null;
        });
    ctx.status(201)
        .json(
            Map.of(
                "collection",
                collection,
                "loads",
                "Bulwark rules published there, as disabled drafts (GET /api/v1/rules)"));
  }

  private interface Action<T> {
    T run();
  }

  private static <T> T access(Action<T> action) {
    try {
      return action.run();
    } catch (AlertSharing.NoAccessException e) {
      throw e.exists
          ? ProblemException.forbidden(e.getMessage())
          : ProblemException.notFound(e.getMessage());
    }
  }

  private static void answer(Context ctx, Publishing.Published p, Tlp tlp) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("collection", p.collection());
    out.put("tlp", tlp.label());
    out.put("objects", p.ids());
    out.put("stored", p.stored());
    ctx.status(p.stored() > 0 ? 201 : 200).json(out);
  }

  private static JsonNode body(Context ctx, Set<String> fields) throws IOException {
    JsonNode body;
    try {
      body =
          ApiServer.JSON.readTree(
              new String(Bodies.readBounded(ctx, 1024 * 1024), StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ProblemException.badRequest(
          "the body is not JSON", List.of(new Problem("$", e.getOriginalMessage())));
    }
    if (body == null || !body.isObject()) {
      throw new ValidationException(
          "expected a JSON object", List.of(new Problem("$", "expected a JSON object")));
    }
    List<Problem> unknown = new ArrayList<>();
    body.fieldNames()
        .forEachRemaining(
            f -> {
              if (!fields.contains(f)) {
                unknown.add(
                    new Problem(
                        "$." + f,
                        "unknown field; expected "
                            + String.join(", ", fields.stream().sorted().toList())));
              }
            });
    check(unknown);
    return body;
  }

  private static String text(
      JsonNode body, String field, boolean required, List<Problem> problems) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      if (required || v != null) {
        problems.add(new Problem("$." + field, "required: a non-empty string"));
      }
      return null;
    }
    return v.asText();
  }

  private static Tlp tlp(JsonNode body, List<Problem> problems) {
    if (!body.has("tlp")) {
      return Tlp.AMBER;
    }
    return Tlp.parse(body.get("tlp").asText(null))
        .orElseGet(
            () -> {
              problems.add(
                  new Problem("$.tlp", "expected clear, green, amber, amber+strict or red"));
              return Tlp.AMBER;
            });
  }

  private static void check(List<Problem> problems) {
    if (!problems.isEmpty()) {
      throw new ValidationException(
          "the request has %d problem(s)".formatted(problems.size()), problems);
    }
  }
}
