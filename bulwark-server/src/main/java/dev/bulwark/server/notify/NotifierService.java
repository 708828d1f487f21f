package dev.bulwark.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.server.config.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Creates notifiers from API requests, validating every field, and lists and removes them. */
public final class NotifierService {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  private static final Set<String> COMMON = Set.of("kind", "name", "min_severity", "rules");
  private static final Set<String> WEBHOOK = Set.of("url");
  private static final Set<String> EMAIL_KEYS =
      Set.of("smtp_host", "smtp_port", "from", "to", "username", "password", "starttls");
  private final NotifierStore store;
  private final UrlGuard guard;
  private final SecureRandom random = new SecureRandom();

  public NotifierService(NotifierStore store, boolean allowPrivateNetworks) {
    this.store = store;
    this.guard = new UrlGuard(allowPrivateNetworks);
  }

  /** A new notifier and, for a webhook, its signing secret (shown once). */
  public record Created(Notifier notifier, Optional<String> signingSecret) {}

  /** The request was invalid; every problem has its JSON path. */
  public static final class InvalidNotifierException extends ValidationException {
    InvalidNotifierException(List<Problem> problems) {
      super(problems.size() + " problem(s) in the notifier", problems);
    }
  }

  public Created create(long orgId, JsonNode body) {
    List<Problem> problems = new ArrayList<>();
    if (body == null || !body.isObject()) {
      throw new InvalidNotifierException(List.of(new Problem("$", "expected a JSON object")));
    }
    String kind = text(body, "kind", problems, true);
    Set<String> allowed = new LinkedHashSet<>(COMMON);
    if ("webhook".equals(kind) || "slack".equals(kind)) {
      allowed.addAll(WEBHOOK);
    } else if ("email".equals(kind)) {
      allowed.addAll(EMAIL_KEYS);
    } else if (kind != null) {
      problems.add(
          new Problem(
              "$.kind", "unknown kind '%s'; expected webhook, slack or email".formatted(kind)));
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)
          && kind != null
          && problems.stream().noneMatch(p -> p.location().equals("$.kind"))) {
        problems.add(
            new Problem(
                "$." + f,
                "unknown field for a %s notifier; expected %s"
                    .formatted(kind, String.join(", ", allowed))));
      }
    }
    String name =
        Optional.ofNullable(text(body, "name", problems, false))
            .orElse(kind == null ? "notifier" : kind);
    Severity min = Severity.MEDIUM;
    String minText = text(body, "min_severity", problems, false);
    if (minText != null) {
      try {
        min = Severity.parse(minText);
      } catch (BulwarkException e) {
        problems.add(new Problem("$.min_severity", e.getMessage()));
      }
    }
    Set<String> rules = new LinkedHashSet<>();
    JsonNode r = body.get("rules");
    if (r != null && !r.isNull()) {
      if (!r.isArray()) {
        problems.add(new Problem("$.rules", "expected a list of rule ids"));
      } else {
        for (int i = 0; i < r.size(); i++) {
          if (r.get(i).isTextual()
              && !r.get(i).asText().isBlank()
              && !r.get(i).asText().contains(",")) {
            rules.add(r.get(i).asText());
          } else {
            problems.add(new Problem("$.rules[" + i + "]", "expected a rule id"));
          }
        }
      }
    }
    Channel channel = null;
    Optional<Secret> secret = Optional.empty();
    Optional<String> shown = Optional.empty();
    if ("webhook".equals(kind) || "slack".equals(kind)) {
      URI url = url(body, problems);
      if (url != null) {
        channel = kind.equals("webhook") ? new Channel.Webhook(url) : new Channel.Slack(url);
      }
      if (kind.equals("webhook")) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        String s = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(key);
        secret = Optional.of(new Secret(s));
        shown = Optional.of(s);
      }
    } else if ("email".equals(kind)) {
      String host = text(body, "smtp_host", problems, true);
      int port = body.path("smtp_port").isMissingNode() ? 587 : body.path("smtp_port").asInt(-1);
      if (port < 1 || port > 65535) {
        problems.add(new Problem("$.smtp_port", "expected a port within 1..65535"));
      }
      String from = text(body, "from", problems, true);
      if (from != null && !EMAIL.matcher(from).matches()) {
        problems.add(new Problem("$.from", "not an email address"));
      }
      List<String> to = new ArrayList<>();
      JsonNode t = body.get("to");
      if (t == null || !t.isArray() || t.isEmpty()) {
        problems.add(new Problem("$.to", "expected a non-empty list of email addresses"));
      } else {
        for (int i = 0; i < t.size(); i++) {
          if (t.get(i).isTextual() && EMAIL.matcher(t.get(i).asText()).matches()) {
            to.add(t.get(i).asText());
          } else {
            problems.add(new Problem("$.to[" + i + "]", "not an email address"));
          }
        }
      }
      String username = text(body, "username", problems, false);
      String password = text(body, "password", problems, false);
      boolean starttls = !body.has("starttls") || body.get("starttls").asBoolean(true);
      if (body.has("starttls") && !body.get("starttls").isBoolean()) {
        problems.add(new Problem("$.starttls", "expected true or false"));
      }
      if (host != null && from != null) {
        channel = new Channel.Email(host, port, from, to, username, starttls);
      }
      secret = Optional.ofNullable(password).map(Secret::new);
    }
    if (!problems.isEmpty()) {
      throw new InvalidNotifierException(problems);
    }
    byte[] id = new byte[8];
    random.nextBytes(id);
    Notifier n =
        new Notifier(
            "ntf_" + HexFormat.of().formatHex(id), orgId, name, channel, min, rules, secret);
    store.create(n);
    return new Created(n, shown);
  }

  private URI url(JsonNode body, List<Problem> problems) {
    String text = text(body, "url", problems, true);
    if (text == null) {
      return null;
    }
    try {
      URI url = new URI(text);
      String why = guard.reject(url);
      if (why != null) {
        problems.add(new Problem("$.url", "the URL " + why));
        return null;
      }
      return url;
    } catch (URISyntaxException e) {
      problems.add(new Problem("$.url", "not a URL: " + e.getReason()));
      return null;
    }
  }

  private static String text(
      JsonNode body, String field, List<Problem> problems, boolean required) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        problems.add(new Problem("$." + field, "missing"));
      }
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      problems.add(new Problem("$." + field, "expected a non-empty string"));
      return null;
    }
    return v.asText();
  }

  public List<Notifier> list(long orgId) {
    return store.list(orgId);
  }

  public Optional<Notifier> find(long orgId, String id) {
    return store.find(orgId, id);
  }

  public boolean delete(long orgId, String id) {
    return store.delete(orgId, id);
  }

  public List<NotifierStore.Delivery> deliveries(
      long orgId, String id, Optional<String> status, int limit) {
    return store.deliveries(orgId, id, status, limit);
  }
}
