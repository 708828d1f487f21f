package dev.bulwark.engine.pack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Entity;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Impossible travel: two successful logins of one account from places farther apart than an
 * airliner could cover in the time between them (900 km/h), at least 500 km apart. Locations are
 * the platform's IP geolocation in {@code attrs.lat} / {@code attrs.lon}. Short hops (a VPN exit or
 * a mobile carrier moving a user a few hundred kilometres) stay under the distance floor; a login
 * marked {@code attrs.vpn} is not compared.
 */
public final class ImpossibleTravel implements Detector {
  public static final String ID = "ato.impossible-travel";

  /**
   * The settings an operator may tune ({@code tuning:} in the config file), with their defaults.
   */
  public static final Map<String, Object> DEFAULTS = Map.of("speed_kmh", 900.0, "min_km", 500.0);

  private final double maxKmh;
  private final double minKm;

  public ImpossibleTravel() {
    this(Map.of());
  }

  /** With some settings changed; see {@link #DEFAULTS}. */
  public ImpossibleTravel(Map<String, Object> tuning) {
    Tuning t = new Tuning(ID, DEFAULTS, tuning);
    this.maxKmh = t.number("speed_kmh");
    this.minKm = t.number("min_km");
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration MEMORY = Duration.ofDays(2);

  /** The account's last located login. */
  record Last(Instant time, double lat, double lon, String ip) {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Set<String> eventTypes() {
    return Set.of("auth.login");
  }

  @Override
  public String route(Event e) {
    return e.account() == null ? e.id() : e.account();
  }

  @Override
  public List<Alert> inspect(Event e, State state) {
    if (e.account() == null
        || !(e.attrs().get("lat") instanceof Number lat)
        || !(e.attrs().get("lon") instanceof Number lon)
        || Boolean.TRUE.equals(e.attrs().get("vpn"))) {
      return List.of();
    }
    Last[] holder = state.entry(ID, e.account(), () -> new Last[1]);
    state.keepUntil(ID, e.account(), e.time().plus(MEMORY));
    Last before = holder[0];
    Last now = new Last(e.time(), lat.doubleValue(), lon.doubleValue(), e.ip());
    if (before == null || now.time().isAfter(before.time())) {
      holder[0] = now;
    }
    if (before == null) {
      return List.of();
    }
    double km = km(before.lat(), before.lon(), now.lat(), now.lon());
    double hours = Math.abs(Duration.between(before.time(), now.time()).toMillis()) / 3_600_000.0;
    double kmh = hours == 0 ? Double.POSITIVE_INFINITY : km / hours;
    if (km < minKm || kmh <= maxKmh) {
      return List.of();
    }
    String dedup = ID + "|" + e.id();
    List<Entity> entities = new ArrayList<>();
    entities.add(new Entity(Entity.Kind.ACCOUNT, e.account(), Entity.Role.VICTIM));
    if (e.ip() != null) {
      entities.add(new Entity(Entity.Kind.IP, e.ip(), Entity.Role.ATTACKER));
    }
    return List.of(
        new Alert(
            Alert.idFor(dedup),
            ID,
            Severity.HIGH,
            "Impossible travel for %s: %.0f km in %s".formatted(e.account(), km, human(hours)),
            "%s logged in from %s and then from %s, %.0f km apart %s later (%.0f km/h; an airliner does %.0f)."
                .formatted(
                    e.account(),
                    before.ip() == null ? "an earlier location" : before.ip(),
                    e.ip() == null ? "another location" : e.ip(),
                    km,
                    human(hours),
                    Math.min(kmh, 99_999),
                    maxKmh),
            e.time(),
            entities,
            Alert.Evidence.of(e),
            List.of("account-takeover", "attack.t1078"),
            Severity.HIGH.defaultScore(),
            dedup));
  }

  private static String human(double hours) {
    long minutes = Math.round(hours * 60);
    return minutes < 120 ? minutes + " min" : (minutes / 60) + " h";
  }

  /** Great-circle distance (haversine, mean Earth radius). */
  static double km(double lat1, double lon1, double lat2, double lon2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dp = p2 - p1;
    double dl = Math.toRadians(lon2 - lon1);
    double a =
        Math.sin(dp / 2) * Math.sin(dp / 2)
            + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 6371.0 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }

  @Override
  public JsonNode saveEntry(String key, Object value) {
    Last l = ((Last[]) value)[0];
    var n = JSON.createObjectNode();
    if (l != null) {
      n.put("time", l.time().toString()).put("lat", l.lat()).put("lon", l.lon());
      if (l.ip() != null) {
        n.put("ip", l.ip());
      }
    }
    return n;
  }

  @Override
  public Object loadEntry(String key, JsonNode json) {
    Last[] holder = new Last[1];
    if (json.has("time")) {
      holder[0] =
          new Last(
              Instant.parse(json.get("time").asText()),
              json.get("lat").asDouble(),
              json.get("lon").asDouble(),
              json.path("ip").asText(null));
    }
    return holder;
  }
}
