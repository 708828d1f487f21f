package dev.bulwark.engine.pack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AI-agent and automated intrusion on {@code api.request} events, per API key (else account, else
 * IP), over the key's last 64 requests. Five signals, each explained with its numbers:
 *
 * <ul>
 *   <li><b>regular</b> — intervals too even for a person (coefficient of variation below 0.15 over
 *       at least 30 requests less than 10 s apart on average);
 *   <li><b>burst</b> — 10 or more requests within one second;
 *   <li><b>enumeration</b> — 20 or more distinct numeric ids in the paths, mostly consecutive;
 *   <li><b>probing</b> — 10 or more client errors (400, 401, 403, 404, 405, 422) over at least 5
 *       distinct paths;
 *   <li><b>headless</b> — a browser session (no API key) whose user agent is a headless browser or
 *       an HTTP library.
 * </ul>
 *
 * An alert needs two signals, one of them enumeration, probing or a headless session: a busy but
 * honest API client is regular and bursty by design, and raises nothing. Two signals are medium,
 * three or more high; one alert per key per hour unless more signals raise the severity.
 */
public final class AutomatedIntrusion implements Detector {
  public static final String ID = "api.automated-intrusion";

  /**
   * The settings an operator may tune ({@code tuning:} in the config file), with their defaults.
   */
  public static final Map<String, Object> DEFAULTS =
      Map.of(
          "regular_requests", 30,
          "regular_cv", 0.15,
          "burst_per_second", 10,
          "enumeration_ids", 20,
          "probing_errors", 10,
          "probing_endpoints", 5);

  private final int regularRequests;
  private final double regularCv;
  private final int burstPerSecond;
  private final int enumerationIds;
  private final int probingErrors;
  private final int probingEndpoints;

  public AutomatedIntrusion() {
    this(Map.of());
  }

  /** With some settings changed; see {@link #DEFAULTS}. */
  public AutomatedIntrusion(Map<String, Object> tuning) {
    Tuning t = new Tuning(ID, DEFAULTS, tuning);
    this.regularRequests = t.integer("regular_requests");
    this.regularCv = t.number("regular_cv");
    this.burstPerSecond = t.integer("burst_per_second");
    this.enumerationIds = t.integer("enumeration_ids");
    this.probingErrors = t.integer("probing_errors");
    this.probingEndpoints = t.integer("probing_endpoints");
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SIZE = 64;
  private static final Duration QUIET = Duration.ofHours(1);
  private static final Duration MEMORY = Duration.ofHours(6);
  private static final Pattern NUMBER = Pattern.compile("/(\\d{1,12})(?=/|$|\\?)");
  private static final Pattern HEADLESS =
      Pattern.compile(
          "(?i)headlesschrome|phantomjs|puppeteer|playwright|selenium|python-requests|python-urllib|httpx|aiohttp|curl/|wget/|go-http-client|node-fetch|axios/|okhttp|java/|libwww|scrapy");
  private static final Set<Integer> CLIENT_ERRORS = Set.of(400, 401, 403, 404, 405, 422);

  /** The key's recent requests, oldest first. */
  static final class Recent {
    final long[] times = new long[SIZE];
    final String[] paths = new String[SIZE];
    final int[] statuses = new int[SIZE];
    int size;
    int start;
    long lastAlert = Long.MIN_VALUE;
    int lastSeverity = -1;

    void add(long time, String path, int status) {
      int at = (start + size) % SIZE;
      if (size == SIZE) {
        start = (start + 1) % SIZE;
      } else {
        size++;
      }
      times[at] = time;
      paths[at] = path;
      statuses[at] = status;
    }

    int index(int i) {
      return (start + i) % SIZE;
    }
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Set<String> eventTypes() {
    return Set.of("api.request");
  }

  @Override
  public String route(Event e) {
    String key = key(e);
    return key == null ? e.id() : key;
  }

  private static String key(Event e) {
    if (e.attrs().get("key_id") instanceof String k) {
      return "key:" + k;
    }
    if (e.account() != null) {
      return "account:" + e.account();
    }
    return e.ip() == null ? null : "ip:" + e.ip();
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    String key = key(e);
    if (key == null) {
      return List.of();
    }
    Recent r = state.entry(ID, key, Recent::new);
    state.keepUntil(ID, key, e.time().plus(MEMORY));
    String path = e.attrs().get("path") instanceof String p ? p : "";
    int status = e.attrs().get("status") instanceof Number n ? n.intValue() : 0;
    r.add(e.time().toEpochMilli(), path, status);
    boolean session = !(e.attrs().get("key_id") instanceof String);

    List<String> signals = new ArrayList<>();
    boolean intrusive = false;
    String regular = regular(r);
    if (regular != null) {
      signals.add(regular);
    }
    String burst = burst(r);
    if (burst != null) {
      signals.add(burst);
    }
    String enumeration = enumeration(r);
    if (enumeration != null) {
      signals.add(enumeration);
      intrusive = true;
    }
    String probing = probing(r);
    if (probing != null) {
      signals.add(probing);
      intrusive = true;
    }
    if (session
        && e.attrs().get("user_agent") instanceof String ua
        && HEADLESS.matcher(ua).find()) {
      signals.add("headless: a browser session with the user agent of a script (" + ua + ")");
      intrusive = true;
    }
    long now = e.time().toEpochMilli();
    Severity s = signals.size() >= 3 ? Severity.HIGH : Severity.MEDIUM;
    boolean quiet =
        r.lastAlert != Long.MIN_VALUE
            && now - r.lastAlert < QUIET.toMillis()
            && s.rank() <= r.lastSeverity;
    if (signals.size() < 2 || !intrusive || quiet) {
      return List.of();
    }
    r.lastAlert = now;
    r.lastSeverity = s.rank();
    String dedup = ID + "|" + key + "|" + e.id();
    List<Entity> entities = new ArrayList<>();
    if (e.ip() != null) {
      entities.add(new Entity(Entity.Kind.IP, e.ip(), Entity.Role.ATTACKER));
    }
    if (e.account() != null) {
      entities.add(new Entity(Entity.Kind.ACCOUNT, e.account(), Entity.Role.VICTIM));
    }
    return List.of(
        new Alert(
            Alert.idFor(dedup),
            ID,
            s,
            "Automated intrusion by %s: %d signals".formatted(key, signals.size()),
            "Over its last %d requests %s showed: %s."
                .formatted(r.size, key, String.join("; ", signals)),
            e.time(),
            entities,
            Alert.Evidence.of(e),
            List.of("automation", "ai-agent", "attack.t1595", "attack.t1190"),
            s.defaultScore(),
            dedup));
  }

  private String regular(Recent r) {
    if (r.size < regularRequests) {
      return null;
    }
    double sum = 0;
    double sq = 0;
    int n = r.size - 1;
    for (int i = 1; i < r.size; i++) {
      double d = r.times[r.index(i)] - r.times[r.index(i - 1)];
      sum += d;
      sq += d * d;
    }
    double mean = sum / n;
    double sd = Math.sqrt(Math.max(0, sq / n - mean * mean));
    if (mean <= 0 || mean > 10_000) {
      return null;
    }
    double cv = sd / mean;
    return cv < regularCv
        ? "regular: %d requests %.0f ms apart, varying by %.0f%% (people vary by far more)"
            .formatted(r.size, mean, cv * 100)
        : null;
  }

  private String burst(Recent r) {
    int best = 0;
    int j = 0;
    for (int i = 0; i < r.size; i++) {
      while (r.times[r.index(i)] - r.times[r.index(j)] >= 1000) {
        j++;
      }
      best = Math.max(best, i - j + 1);
    }
    return best >= burstPerSecond ? "burst: %d requests within one second".formatted(best) : null;
  }

  private String enumeration(Recent r) {
    TreeSet<Long> ids = new TreeSet<>();
    for (int i = 0; i < r.size; i++) {
      Matcher m = NUMBER.matcher(r.paths[r.index(i)]);
      while (m.find()) {
        ids.add(Long.parseLong(m.group(1)));
      }
    }
    if (ids.size() < enumerationIds) {
      return null;
    }
    int consecutive = 0;
    Long previous = null;
    for (long id : ids) {
      if (previous != null && id - previous <= 2) {
        consecutive++;
      }
      previous = id;
    }
    return consecutive >= 0.8 * (ids.size() - 1)
        ? "enumeration: %d distinct ids from %d to %d, mostly consecutive"
            .formatted(ids.size(), ids.first(), ids.last())
        : null;
  }

  private String probing(Recent r) {
    int errors = 0;
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < r.size; i++) {
      if (CLIENT_ERRORS.contains(r.statuses[r.index(i)])) {
        errors++;
        paths.add(NUMBER.matcher(r.paths[r.index(i)]).replaceAll("/{id}"));
      }
    }
    return errors >= probingErrors && paths.size() >= probingEndpoints
        ? "probing: %d client errors over %d distinct endpoints".formatted(errors, paths.size())
        : null;
  }

  @Override
  public JsonNode saveEntry(String key, Object value) {
    Recent r = (Recent) value;
    ObjectNode n = JSON.createObjectNode();
    ArrayNode requests = n.putArray("requests");
    for (int i = 0; i < r.size; i++) {
      int at = r.index(i);
      requests.addObject().put("t", r.times[at]).put("p", r.paths[at]).put("s", r.statuses[at]);
    }
    n.put("last_alert", r.lastAlert);
    n.put("last_severity", r.lastSeverity);
    return n;
  }

  @Override
  public Object loadEntry(String key, JsonNode json) {
    Recent r = new Recent();
    json.path("requests")
        .forEach(x -> r.add(x.get("t").asLong(), x.get("p").asText(), x.get("s").asInt()));
    r.lastAlert = json.path("last_alert").asLong(Long.MIN_VALUE);
    r.lastSeverity = json.path("last_severity").asInt(-1);
    return r;
  }
}
