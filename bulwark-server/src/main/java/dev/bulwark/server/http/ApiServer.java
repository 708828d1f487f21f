package dev.bulwark.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import dev.bulwark.server.auth.Caller;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.detect.RuleCatalog;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.javalin.util.JavalinBindException;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: {@code /health} open, everything else behind a bearer token, JSON in and out, RFC
 * 9457 problem documents for every failure.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  static final String PROBLEM_JSON = "application/problem+json";
  private static final String CALLER = "bulwark.caller";

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private final Javalin app;
  private final TokenStore tokens;
  private final String host;
  private final int port;
  private final SecureRandom random = new SecureRandom();

  /** What the routes need from the rest of the application. */
  public record Services(
      TokenStore tokens,
      EventRoutes events,
      AlertRoutes alerts,
      StatusRoutes status,
      RuleRoutes rules,
      NotifierRoutes notifiers,
      ChainRoutes chains,
      TaxiiRoutes taxii,
      ShareRoutes shares,
      PublishRoutes publishing,
      PrometheusMeterRegistry metrics,
      BooleanSupplier healthy) {}

  public ApiServer(Config.Server config, Services s) {
    this.tokens = s.tokens();
    this.host = config.host();
    this.port = config.port();
    this.app =
        Javalin.create(
            c -> {
              c.startup.showJavalinBanner = false;
              c.startup.showOldJavalinVersionWarning = false;
              c.http.maxRequestSize = config.maxBodyBytes();
              c.jetty.host = config.host();
              c.jetty.port = config.port();
              c.jsonMapper(new JavalinJackson(JSON, false));
              c.requestLogger.http((ctx, ms) -> timer(s.metrics(), ctx, ms));
              c.routes.beforeMatched(this::authenticate);
              c.routes.get("/health", ctx -> health(ctx, s.healthy()), Permission.PUBLIC);
              c.routes.get(
                  "/metrics",
                  ctx ->
                      ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                          .result(s.metrics().scrape()),
                  Permission.OPERATE);
              c.routes.post(
                  "/api/v1/events",
                  ctx -> s.events().post(ctx, caller(ctx)),
                  Permission.WRITE_EVENTS);
              c.routes.get(
                  // <id>: an event id may contain '/' (the ingest format allows it)
                  "/api/v1/events/<id>", ctx -> s.events().get(ctx, caller(ctx)), Permission.READ);
              c.routes.get(
                  "/api/v1/alerts", ctx -> s.alerts().list(ctx, caller(ctx)), Permission.READ);
              c.routes.get(
                  "/api/v1/alerts/{id}", ctx -> s.alerts().get(ctx, caller(ctx)), Permission.READ);
              c.routes.post(
                  "/api/v1/alerts/{id}/share",
                  ctx -> s.shares().share(ctx, caller(ctx)),
                  Permission.READ);
              c.routes.get(
                  "/api/v1/alerts/{id}/share",
                  ctx -> s.shares().shares(ctx, caller(ctx)),
                  Permission.READ);
              c.routes.post(
                  "/api/v1/rules/{id}/publish",
                  ctx -> s.publishing().publishRule(ctx, caller(ctx)),
                  Permission.ADMIN);
              c.routes.post(
                  "/api/v1/intel/documents",
                  ctx -> s.publishing().publishDocument(ctx, caller(ctx)),
                  Permission.READ);
              c.routes.post(
                  "/api/v1/intel/subscriptions",
                  ctx -> s.publishing().subscribe(ctx, caller(ctx)),
                  Permission.ADMIN);
              c.routes.get(
                  "/api/v1/status", ctx -> s.status().status(ctx, caller(ctx)), Permission.OPERATE);
              c.routes.get(
                  "/api/v1/rules", ctx -> s.rules().list(ctx, caller(ctx)), Permission.READ);
              c.routes.get(
                  "/api/v1/rules/{id}", ctx -> s.rules().get(ctx, caller(ctx)), Permission.READ);
              c.routes.put(
                  "/api/v1/rules/{id}", ctx -> s.rules().put(ctx, caller(ctx)), Permission.ADMIN);
              c.routes.delete(
                  "/api/v1/rules/{id}",
                  ctx -> s.rules().delete(ctx, caller(ctx)),
                  Permission.ADMIN);
              c.routes.post(
                  "/api/v1/rules/{id}/enable",
                  ctx -> s.rules().enable(ctx, caller(ctx), true),
                  Permission.ADMIN);
              c.routes.post(
                  "/api/v1/rules/{id}/disable",
                  ctx -> s.rules().enable(ctx, caller(ctx), false),
                  Permission.ADMIN);
              c.routes.get(
                  "/api/v1/notifiers",
                  ctx -> s.notifiers().list(ctx, caller(ctx)),
                  Permission.ADMIN);
              c.routes.post(
                  "/api/v1/notifiers",
                  ctx -> s.notifiers().create(ctx, caller(ctx)),
                  Permission.ADMIN);
              c.routes.delete(
                  "/api/v1/notifiers/{id}",
                  ctx -> s.notifiers().delete(ctx, caller(ctx)),
                  Permission.ADMIN);
              c.routes.get(
                  "/api/v1/notifiers/{id}/deliveries",
                  ctx -> s.notifiers().deliveries(ctx, caller(ctx)),
                  Permission.ADMIN);
              c.routes.get(
                  "/api/v1/chain/networks",
                  ctx -> s.chains().networks(ctx, caller(ctx)),
                  Permission.READ);
              c.routes.get("/api/v1/me", ctx -> me(ctx, caller(ctx)), Permission.AUTHENTICATED);
              taxii(c.routes, s.taxii());
              c.routes.exception(ProblemException.class, (e, ctx) -> problem(ctx, e));
              c.routes.exception(
                  RuleCatalog.NoSuchRuleException.class,
                  (e, ctx) -> problem(ctx, ProblemException.notFound(e.getMessage())));
              c.routes.exception(
                  RuleCatalog.RuleConflictException.class,
                  (e, ctx) ->
                      problem(
                          ctx,
                          new ProblemException(
                              409, "conflict", "Conflict", e.getMessage(), List.of(), Map.of())));
              c.routes.exception(ValidationException.class, (e, ctx) -> invalid(ctx, e));
              c.routes.exception(HttpResponseException.class, (e, ctx) -> javalinProblem(ctx, e));
              c.routes.exception(Exception.class, (e, ctx) -> internal(ctx, e));
              c.routes.error(
                  404,
                  ctx -> {
                    String written = ctx.res().getContentType();
                    if (!PROBLEM_JSON.equals(written) && !TaxiiRoutes.TAXII.equals(written)) {
                      problem(
                          ctx,
                          ProblemException.notFound(
                              "no such resource: " + ctx.method() + " " + ctx.path()));
                    }
                  });
              c.routes.error(
                  405,
                  ctx ->
                      problem(
                          ctx,
                          new ProblemException(
                              405,
                              "method-not-allowed",
                              "Method not allowed",
                              ctx.method() + " is not allowed on " + ctx.path(),
                              List.of(),
                              Map.of())));
            });
  }

  private static void taxii(io.javalin.config.RoutesConfig r, TaxiiRoutes t) {
    String root = "/taxii2/{root}/";
    String collection = root + "collections/{collection}/";
    String object = collection + "objects/{object}/";
    Permission p = Permission.TAXII;
    r.get("/taxii2/", ctx -> t.discovery(ctx, caller(ctx)), p);
    r.get(root, ctx -> t.apiRoot(ctx, caller(ctx)), p);
    r.get(root + "status/{status}/", ctx -> t.status(ctx, caller(ctx)), p);
    r.get(root + "collections/", ctx -> t.collections(ctx, caller(ctx)), p);
    r.get(collection, ctx -> t.collection(ctx, caller(ctx)), p);
    r.get(collection + "manifest/", ctx -> t.manifest(ctx, caller(ctx)), p);
    r.get(collection + "objects/", ctx -> t.objects(ctx, caller(ctx)), p);
    r.post(collection + "objects/", ctx -> t.add(ctx, caller(ctx)), p);
    r.get(object, ctx -> t.object(ctx, caller(ctx)), p);
    r.delete(object, ctx -> t.delete(ctx, caller(ctx)), p);
    r.get(object + "versions/", ctx -> t.versions(ctx, caller(ctx)), p);
  }

  /** Binds and serves; a port already taken is a clear error, not a stack trace. */
  public ApiServer start() {
    try {
      app.start();
    } catch (JavalinBindException e) {
      throw new BulwarkException(
          "port %d on %s is already in use; choose another with --port (0 picks a free one)"
              .formatted(port, host),
          e);
    }
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  private void authenticate(Context ctx) {
    var roles = ctx.routeRoles();
    if (roles.contains(Permission.PUBLIC)) {
      return;
    }
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw ProblemException.unauthorized(
          "missing credential; send 'Authorization: Bearer <token>' (create one with: bulwark token create --org NAME --role analyst)");
    }
    String token;
    if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).trim();
    } else if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
      token = basicToken(header.substring(6).trim());
    } else {
      throw ProblemException.unauthorized(
          "unsupported authorization scheme; use 'Authorization: Bearer <token>' or HTTP Basic"
              + " with the token as the password");
    }
    Optional<Caller> caller = tokens.authenticate(token);
    if (caller.isEmpty()) {
      throw ProblemException.unauthorized("invalid or revoked token");
    }
    Caller c = caller.get();
    boolean allowed =
        roles.stream().anyMatch(r -> r instanceof Permission p && p.grantedTo(c.role()));
    if (!allowed) {
      throw ProblemException.forbidden(
          "a token with role '%s' may not %s %s"
              .formatted(c.role().label(), ctx.method(), ctx.path()));
    }
    ctx.attribute(CALLER, c);
  }

  /**
   * The token in HTTP Basic credentials: the password (any user name), or the user name when the
   * password is empty; a value that is not base64 is taken as the token itself (as some TAXII
   * clients send it).
   */
  static String basicToken(String credentials) {
    String decoded;
    try {
      decoded =
          new String(
              java.util.Base64.getDecoder().decode(credentials),
              java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return credentials;
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return decoded;
    }
    String password = decoded.substring(colon + 1);
    return password.isEmpty() ? decoded.substring(0, colon) : password;
  }

  private static Caller caller(Context ctx) {
    Caller c = ctx.attribute(CALLER);
    if (c == null) {
      throw new IllegalStateException("route reached without authentication: " + ctx.path());
    }
    return c;
  }

  private static void health(Context ctx, BooleanSupplier healthy) {
    boolean ok = healthy.getAsBoolean();
    ctx.status(ok ? 200 : 503)
        .json(Map.of("status", ok ? "ok" : "degraded", "database", ok ? "ok" : "unavailable"));
  }

  private static void me(Context ctx, Caller c) {
    ctx.json(
        Map.of("organisation", c.orgName(), "role", c.role().label(), "token_id", c.tokenId()));
  }

  private static void timer(PrometheusMeterRegistry metrics, Context ctx, float ms) {
    String route;
    try {
      route = ctx.endpoints().matchedHttpEndpoint().path;
    } catch (RuntimeException e) {
      route = "unmatched";
    }
    Timer.builder("bulwark.http.requests")
        .tag("method", ctx.method().name())
        .tag("route", route == null ? "unmatched" : route)
        .tag("status", Integer.toString(ctx.statusCode()))
        .register(metrics)
        .record((long) (ms * 1000), TimeUnit.MICROSECONDS);
  }

  static void problem(Context ctx, ProblemException e) {
    e.headers.forEach(ctx::header);
    write(ctx, e.status, e.type, e.title, e.getMessage(), e.errors, null);
  }

  private static void invalid(Context ctx, ValidationException e) {
    boolean malformed =
        e.problems().stream().anyMatch(p -> p.message().startsWith("malformed JSON"));
    String summary = e.getMessage().lines().findFirst().orElse("invalid input");
    write(
        ctx,
        malformed ? 400 : 422,
        malformed ? "malformed-json" : "invalid-input",
        malformed ? "Malformed JSON" : "Invalid input",
        summary + "; nothing was stored",
        e.problems(),
        null);
  }

  private static void javalinProblem(Context ctx, HttpResponseException e) {
    if (e.getStatus() == 413) {
      problem(ctx, ProblemException.tooLarge(0));
      return;
    }
    write(
        ctx,
        e.getStatus(),
        "http-" + e.getStatus(),
        e.getMessage(),
        e.getMessage(),
        List.of(),
        null);
  }

  private void internal(Context ctx, Exception e) {
    String errorId = "err_" + HexFormat.of().formatHex(randomBytes());
    LOG.error("error {} on {} {}", errorId, ctx.method(), ctx.path(), e);
    write(
        ctx,
        500,
        "internal-error",
        "Internal server error",
        "the server failed; quote error id "
            + errorId
            + " to the operator (details are in the server log)",
        List.of(),
        errorId);
  }

  private byte[] randomBytes() {
    byte[] b = new byte[6];
    random.nextBytes(b);
    return b;
  }

  /**
   * A TAXII 2.1 error message (spec 3.6.1): {@code http_status} as a string, the problems with
   * their JSON paths under {@code details}.
   */
  private static void taxiiError(
      Context ctx, int status, String title, String detail, List<Problem> errors, String errorId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("title", title);
    body.put("description", detail);
    if (errorId != null) {
      body.put("error_id", errorId);
    }
    body.put("http_status", Integer.toString(status));
    if (!errors.isEmpty()) {
      body.put(
          "details",
          Map.of(
              "errors",
              errors.stream()
                  .map(p -> Map.of("location", p.location(), "message", p.message()))
                  .toList()));
    }
    try {
      ctx.status(status).contentType(TaxiiRoutes.TAXII).result(JSON.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      ctx.status(status).contentType("text/plain").result(detail);
    }
  }

  private static void write(
      Context ctx,
      int status,
      String type,
      String title,
      String detail,
      List<Problem> errors,
      String errorId) {
    if (ctx.path().startsWith("/taxii2")) {
      taxiiError(ctx, status, title, detail, errors, errorId);
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "urn:bulwark:problem:" + type.toLowerCase(Locale.ROOT));
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", ctx.path());
    if (!errors.isEmpty()) {
      body.put(
          "errors",
          errors.stream()
              .map(p -> Map.of("location", p.location(), "message", p.message()))
              .toList());
    }
    if (errorId != null) {
      body.put("error_id", errorId);
    }
    try {
      ctx.status(status).contentType(PROBLEM_JSON).result(JSON.writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      ctx.status(status).contentType("text/plain").result(detail);
    }
  }
}
