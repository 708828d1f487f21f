package dev.bulwark.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import dev.bulwark.server.auth.Caller;
import dev.bulwark.server.intel.StixStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A TAXII 2.1 Collections Server at {@code /taxii2/} over the {@link StixStore}: discovery, one API
 * root, collections, objects (get, add, delete), manifests, versions and status resources. What a
 * caller sees is decided in the store's queries (collection grants and TLP), so every page and
 * every cursor is bounded by the caller's rights. Errors are TAXII error messages (see {@link
 * ApiServer}).
 */
public final class TaxiiRoutes {
  public static final String TAXII = "application/taxii+json;version=2.1";
  public static final String STIX = "application/stix+json;version=2.1";
  public static final String ROOT_NAME = "bulwark";
  public static final String API_ROOT = "/taxii2/" + ROOT_NAME + "/";

  /** The largest page; a larger {@code limit} is lowered to it. */
  public static final int MAX_PAGE = 1000;

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern STIX_ID =
      Pattern.compile(
          "[a-z0-9][a-z0-9-]*--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern STIX_TYPE = Pattern.compile("[a-z0-9][a-z0-9-]*");
  private static final Pattern SPEC_VERSION = Pattern.compile("[0-9]+\\.[0-9]+");

  private final StixStore store;
  private final long maxBody;
  private final Clock clock;

  public TaxiiRoutes(StixStore store, long maxBody, Clock clock) {
    this.store = store;
    this.maxBody = maxBody;
    this.clock = clock;
  }

  // --- discovery, API root, collections -------------------------------------------------------

  void discovery(Context ctx, Caller caller) {
    accept(ctx, false);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("title", "Bulwark TAXII 2.1");
    body.put(
        "description",
        "Crypto threat intelligence shared between members, with TLP 2.0 enforced per object");
    body.put("default", API_ROOT);
    body.put("api_roots", List.of(API_ROOT));
    json(ctx, 200, body);
  }

  void apiRoot(Context ctx, Caller caller) {
    accept(ctx, false);
    root(ctx);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("title", "Bulwark");
    body.put("description", "Collections of this Bulwark instance");
    body.put("versions", List.of(TAXII));
    body.put("max_content_length", maxBody);
    json(ctx, 200, body);
  }

  void collections(Context ctx, Caller caller) {
    accept(ctx, false);
    root(ctx);
    List<Map<String, Object>> list =
        store.collections(caller.orgId()).stream().map(TaxiiRoutes::collection).toList();
    json(ctx, 200, list.isEmpty() ? Map.of() : Map.of("collections", list));
  }

  void collection(Context ctx, Caller caller) {
    accept(ctx, false);
    root(ctx);
    json(ctx, 200, collection(find(ctx, caller)));
  }

  private static Map<String, Object> collection(StixStore.Collection c) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", c.id());
    body.put("title", c.title());
    if (c.description() != null) {
      body.put("description", c.description());
    }
    c.alias().ifPresent(a -> body.put("alias", a));
    body.put("can_read", c.canRead());
    body.put("can_write", c.canWrite());
    body.put("media_types", List.of(STIX));
    return body;
  }

  // --- objects, manifest, versions -------------------------------------------------------------

  void objects(Context ctx, Caller caller) {
    accept(ctx, false);
    root(ctx);
    StixStore.Collection c = readable(ctx, caller);
    Page page = page(ctx, c, caller, Optional.empty(), Endpoint.OBJECTS);
    raw(ctx, page, envelope(page));
  }

  void object(Context ctx, Caller caller) {
    accept(ctx, false);
    root(ctx);
    StixStore.Collection c = readable(ctx, caller);
    String id = objectId(ctx, caller, c);
    Page page = page(ctx, c, caller, Optional.of(id), Endpoint.OBJECT);
    raw(ctx, page, envelope(page));
  }

  void manifest(Context ctx, Caller caller) {
    accept(ctx, true);
    root(ctx);
    StixStore.Collection c = readable(ctx, caller);
    Page page = page(ctx, c, caller, Optional.empty(), Endpoint.MANIFEST);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("more", page.more());
    page.next().ifPresent(n -> body.put("next", n));
    if (!page.items().isEmpty()) {
      body.put(
          "objects",
          page.items().stream()
              .map(
                  s -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", s.id());
                    m.put("date_added", timestamp(s.dateAdded()));
                    m.put("version", version(s));
                    m.put("media_type", STIX);
                    return m;
                  })
              .toList());
    }
    raw(ctx, page, write(body));
  }

  void versions(Context ctx, Caller caller) {
    accept(ctx, false);
    root(ctx);
    StixStore.Collection c = readable(ctx, caller);
    String id = objectId(ctx, caller, c);
    Page page = page(ctx, c, caller, Optional.of(id), Endpoint.VERSIONS);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("more", page.more());
    page.next().ifPresent(n -> body.put("next", n));
    if (!page.items().isEmpty()) {
      body.put("versions", page.items().stream().map(TaxiiRoutes::version).toList());
    }
    raw(ctx, page, write(body));
  }

  // --- add, delete, status ---------------------------------------------------------------------

  void add(Context ctx, Caller caller) throws IOException {
    accept(ctx, false);
    root(ctx);
    contentType(ctx);
    StixStore.Collection c = find(ctx, caller);
    if (!c.canWrite()) {
      throw ProblemException.forbidden(
          "your organisation may not add objects to collection '%s'".formatted(c.id()));
    }
    byte[] bytes = Bodies.readBounded(ctx, maxBody);
    JsonNode envelope;
    try {
      envelope = StixStore.parse(new String(bytes, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw ProblemException.badRequest(
          "the body is not JSON",
          List.of(
              new Problem(
                  "line %d, column %d"
                      .formatted(e.getLocation().getLineNr(), e.getLocation().getColumnNr()),
                  e.getOriginalMessage())));
    }
    Instant requested = clock.instant();
    StixStore.Added added;
    try {
      added = store.addEnvelope(caller.orgId(), c.id(), envelope);
    } catch (ValidationException e) {
      throw new ProblemException(
          422,
          "unprocessable",
          "Unprocessable envelope",
          e.getMessage().lines().findFirst().orElse("invalid objects")
              + "; fix every object listed and send the envelope again",
          e.problems(),
          Map.of());
    }
    String statusId = UUID.randomUUID().toString();
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("id", statusId);
    status.put("status", "complete");
    status.put("request_timestamp", timestamp(requested));
    status.put("total_count", added.outcomes().size());
    status.put("success_count", added.outcomes().size());
    if (!added.outcomes().isEmpty()) {
      status.put(
          "successes",
          added.outcomes().stream()
              .map(
                  o -> {
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("id", o.id());
                    d.put("version", o.version().isEmpty() ? timestamp(requested) : o.version());
                    if (o.duplicate()) {
                      d.put("message", "already in the collection");
                    }
                    return d;
                  })
              .toList());
    }
    status.put("failure_count", 0);
    status.put("pending_count", 0);
    String body = write(status);
    store.saveStatus(statusId, c.id(), caller.orgId(), body);
    ctx.status(202).contentType(TAXII).result(body);
  }

  void delete(Context ctx, Caller caller) {
    accept(ctx, false);
    root(ctx);
    StixStore.Collection c = find(ctx, caller);
    if (!c.canRead() || !c.canWrite()) {
      throw ProblemException.forbidden(
          "deleting needs both read and write access to collection '%s'".formatted(c.id()));
    }
    String id = objectId(ctx, caller, c);
    Filters f = filters(ctx, Endpoint.DELETE);
    StixStore.Deleted d = store.delete(c.id(), caller.orgId(), id, f.filter());
    if (d.othersSelected()) {
      throw ProblemException.forbidden(
          "only the organisation that produced a version may delete it; narrow match[version]"
              + " to your own versions");
    }
    ctx.status(200).contentType(TAXII).result("");
  }

  void status(Context ctx, Caller caller) {
    accept(ctx, false);
    root(ctx);
    String id = ctx.pathParam("status");
    String body =
        store
            .status(id, caller.orgId())
            .orElseThrow(
                () ->
                    ProblemException.notFound(
                        "no status '%s' for your organisation (statuses are kept %d days)"
                            .formatted(id, StixStore.STATUS_RETENTION.toDays())));
    ctx.status(200).contentType(TAXII).result(body);
  }

  // --- paging and filters ----------------------------------------------------------------------

  private enum Endpoint {
    OBJECTS(true, true, true),
    MANIFEST(true, true, true),
    OBJECT(false, false, true),
    VERSIONS(false, false, false),
    DELETE(false, false, true);

    final boolean ids;
    final boolean types;
    final boolean versions;

    Endpoint(boolean ids, boolean types, boolean versions) {
      this.ids = ids;
      this.types = types;
      this.versions = versions;
    }
  }

  private record Filters(StixStore.Filter filter, String fingerprint) {}

  private record Page(List<StixStore.Stored> items, boolean more, Optional<String> next) {}

  private Page page(
      Context ctx,
      StixStore.Collection c,
      Caller caller,
      Optional<String> objectId,
      Endpoint endpoint) {
    Filters f = filters(ctx, endpoint);
    int limit = limit(ctx);
    long after = cursor(ctx, f.fingerprint());
    List<StixStore.Stored> rows =
        store.find(c.id(), caller.orgId(), f.filter(), objectId, after, limit + 1);
    boolean more = rows.size() > limit;
    List<StixStore.Stored> items = more ? rows.subList(0, limit) : rows;
    Optional<String> next =
        more
            ? Optional.of(cursor(items.get(items.size() - 1).seq(), f.fingerprint()))
            : Optional.empty();
    return new Page(items, more, next);
  }

  private static Filters filters(Context ctx, Endpoint endpoint) {
    Map<String, String> seen = new TreeMap<>();
    Optional<Instant> addedAfter = Optional.empty();
    if (endpoint != Endpoint.DELETE) {
      String text = single(ctx, "added_after");
      if (text != null) {
        seen.put("added_after", text);
        try {
          addedAfter = Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
          throw ProblemException.badParameter(
              "added_after", "expected a timestamp such as 2026-11-26T09:00:00.000000Z");
        }
      }
    }
    List<String> ids = List.of();
    if (endpoint.ids) {
      ids = values(ctx, "match[id]", STIX_ID, "a STIX id such as indicator--<uuid>");
      seen.put("match[id]", String.join(",", ids));
    }
    List<String> types = List.of();
    if (endpoint.types) {
      types = values(ctx, "match[type]", STIX_TYPE, "a STIX type such as indicator");
      seen.put("match[type]", String.join(",", types));
    }
    boolean first = false;
    boolean last = endpoint.versions;
    boolean all = !endpoint.versions;
    List<String> exact = new ArrayList<>();
    if (endpoint.versions) {
      String text = single(ctx, "match[version]");
      if (text != null) {
        seen.put("match[version]", text);
        List<String> parts = List.of(text.split(",", -1));
        if (parts.size() != parts.stream().distinct().count()) {
          throw ProblemException.badParameter("match[version]", "a value is repeated");
        }
        last = false;
        for (String p : parts) {
          switch (p) {
            case "all" -> {
              if (parts.size() > 1) {
                throw ProblemException.badParameter(
                    "match[version]", "'all' cannot be combined with other values");
              }
              all = true;
            }
            case "first" -> first = true;
            case "last" -> last = true;
            default ->
                exact.add(
                    StixStore.parseVersionKey(p)
                        .orElseThrow(
                            () ->
                                ProblemException.badParameter(
                                    "match[version]",
                                    "'%s' is not first, last, all or a timestamp".formatted(p))));
          }
        }
      }
    }
    boolean spec = true;
    String specText = single(ctx, "match[spec_version]");
    if (specText != null) {
      seen.put("match[spec_version]", specText);
      List<String> specs = List.of(specText.split(",", -1));
      for (String v : specs) {
        if (!SPEC_VERSION.matcher(v).matches()) {
          throw ProblemException.badParameter(
              "match[spec_version]", "'%s' is not a STIX version such as 2.1".formatted(v));
        }
      }
      spec = specs.contains("2.1");
    }
    return new Filters(
        new StixStore.Filter(addedAfter, ids, types, first, last, all, exact, spec),
        fingerprint(seen));
  }

  private static List<String> values(Context ctx, String name, Pattern valid, String expected) {
    String text = single(ctx, name);
    if (text == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String v : text.split(",", -1)) {
      if (!valid.matcher(v).matches()) {
        throw ProblemException.badParameter(
            name, "'%s' is not %s (separate values with commas, no spaces)".formatted(v, expected));
      }
      out.add(v);
    }
    return out;
  }

  private static String single(Context ctx, String name) {
    List<String> all = ctx.queryParams(name);
    if (all.size() > 1) {
      throw ProblemException.badParameter(
          name, "given %d times; give it once with comma-separated values".formatted(all.size()));
    }
    return all.isEmpty() ? null : all.get(0);
  }

  private static int limit(Context ctx) {
    String text = single(ctx, "limit");
    if (text == null) {
      return MAX_PAGE;
    }
    try {
      int n = Integer.parseInt(text);
      if (n > 0) {
        return Math.min(n, MAX_PAGE);
      }
    } catch (NumberFormatException e) {
      // fall through to the error
    }
    throw ProblemException.badParameter("limit", "expected a positive integer");
  }

  /**
   * The position after which a page starts. A cursor is the last position served plus a digest of
   * the filters it was issued for; it carries no rights (the query applies the caller's), so a
   * forged one can only move the start, never widen what is seen.
   */
  private static long cursor(Context ctx, String fingerprint) {
    String text = single(ctx, "next");
    if (text == null) {
      return 0;
    }
    String decoded;
    try {
      decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badParameter("next", "not a cursor issued by this server");
    }
    String[] parts = decoded.split("\\.", 2);
    if (parts.length != 2 || !parts[0].matches("[0-9]{1,18}")) {
      throw ProblemException.badParameter("next", "not a cursor issued by this server");
    }
    if (!parts[1].equals(fingerprint)) {
      throw ProblemException.badParameter(
          "next",
          "the cursor was issued for other filters; repeat the query with the same added_after"
              + " and match[...] parameters");
    }
    return Long.parseLong(parts[0]);
  }

  private static String cursor(long seq, String fingerprint) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((seq + "." + fingerprint).getBytes(StandardCharsets.US_ASCII));
  }

  private static String fingerprint(Map<String, String> params) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(params.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static void root(Context ctx) {
    if (!ROOT_NAME.equals(ctx.pathParam("root"))) {
      throw ProblemException.notFound(
          "no API root '%s'; this server has %s".formatted(ctx.pathParam("root"), API_ROOT));
    }
  }

  /**
   * The collection, when the caller has any right in it; otherwise 404 (its existence is not told).
   */
  private StixStore.Collection find(Context ctx, Caller caller) {
    String id = ctx.pathParam("collection");
    return store
        .collection(id, caller.orgId())
        .orElseThrow(
            () ->
                ProblemException.notFound(
                    "no collection '%s' that your organisation may use".formatted(id)));
  }

  private StixStore.Collection readable(Context ctx, Caller caller) {
    StixStore.Collection c = find(ctx, caller);
    if (!c.canRead()) {
      throw ProblemException.forbidden(
          "your organisation may add to collection '%s' but not read it".formatted(c.id()));
    }
    return c;
  }

  /** The object id from the path; 404 when the caller can see no version of it. */
  private String objectId(Context ctx, Caller caller, StixStore.Collection c) {
    String id = ctx.pathParam("object");
    if (store
        .find(c.id(), caller.orgId(), StixStore.Filter.everything(), Optional.of(id), 0, 1)
        .isEmpty()) {
      throw ProblemException.notFound("no object '%s' in collection '%s'".formatted(id, c.id()));
    }
    return id;
  }

  /** A media type and its {@code version} parameter, if any. */
  private record MediaType(String type, String version) {
    static MediaType of(String text) {
      String[] parts = text.split(";");
      String version = null;
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].trim().split("=", 2);
        if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("version")) {
          version = kv[1].trim().replace("\"", "");
        }
      }
      return new MediaType(parts[0].trim().toLowerCase(Locale.ROOT), version);
    }

    /** No version (the highest is served) or 2.1. */
    boolean version21() {
      return version == null || version.equals("2.1");
    }
  }

  /**
   * 406 unless {@code Accept} allows TAXII 2.1 JSON (or, for manifests, STIX 2.1). Lenient: no
   * header, wildcards, {@code application/json} and the media types without a version are served.
   */
  private static void accept(Context ctx, boolean stixToo) {
    String header = ctx.header("Accept");
    if (header == null || header.isBlank()) {
      return;
    }
    for (String entry : header.split(",")) {
      MediaType m = MediaType.of(entry);
      String media = m.type();
      boolean versionOk = m.version21();
      if (media.equals("*/*")
          || media.equals("application/*")
          || media.equals("application/json")) {
        return;
      }
      if (media.equals("application/taxii+json") && versionOk) {
        return;
      }
      if (stixToo && media.equals("application/stix+json") && versionOk) {
        return;
      }
    }
    throw new ProblemException(
        406,
        "not-acceptable",
        "Not acceptable",
        "this server answers with %s; '%s' does not allow it".formatted(TAXII, header),
        List.of(),
        Map.of());
  }

  /** 415 unless the body is declared as TAXII 2.1 JSON (STIX 2.1 and plain JSON are tolerated). */
  private static void contentType(Context ctx) {
    String header = ctx.header("Content-Type");
    if (header != null) {
      MediaType m = MediaType.of(header);
      String media = m.type();
      if (m.version21()
          && List.of(
                  "application/taxii+json",
                  "application/stix+json",
                  "application/vnd.oasis.stix+json",
                  "application/json")
              .contains(media)) {
        return;
      }
    }
    throw new ProblemException(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        "send the envelope with 'Content-Type: %s' (got %s)"
            .formatted(TAXII, header == null ? "none" : "'" + header + "'"),
        List.of(),
        Map.of());
  }

  /** An envelope of stored bodies, written as they are (not parsed again). */
  private static String envelope(Page page) {
    StringBuilder out = new StringBuilder(256 + page.items().size() * 512);
    out.append("{\"more\":").append(page.more());
    page.next().ifPresent(n -> out.append(",\"next\":\"").append(n).append('"'));
    if (!page.items().isEmpty()) {
      out.append(",\"objects\":[");
      for (int i = 0; i < page.items().size(); i++) {
        out.append(i == 0 ? "" : ",").append(page.items().get(i).body());
      }
      out.append(']');
    }
    return out.append('}').toString();
  }

  /** A version as TAXII shows it: the object's own, or its date added when it has none. */
  private static String version(StixStore.Stored s) {
    return s.version().isEmpty() ? timestamp(s.dateAdded()) : s.version();
  }

  /** A TAXII timestamp: UTC with microseconds. */
  public static String timestamp(Instant instant) {
    return TIMESTAMP.format(instant);
  }

  private static void raw(Context ctx, Page page, String body) {
    if (!page.items().isEmpty()) {
      Instant first = page.items().get(0).dateAdded();
      Instant last = page.items().get(page.items().size() - 1).dateAdded();
      ctx.header("X-TAXII-Date-Added-First", timestamp(first));
      ctx.header("X-TAXII-Date-Added-Last", timestamp(last));
    }
    ctx.status(200).contentType(TAXII).result(body);
  }

  private static void json(Context ctx, int status, Object body) {
    ctx.status(status).contentType(TAXII).result(write(body));
  }

  private static String write(Object body) {
    try {
      return ApiServer.JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
