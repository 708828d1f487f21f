package dev.bulwark.server.intel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.BulwarkException;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.config.Secret;
import dev.bulwark.server.db.Database;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TAXII 2.1 client that federates with peers: pulls their collections incrementally into local
 * ones (paging with {@code next}, resuming after a restart from the last {@code
 * X-TAXII-Date-Added-Last} stored), and pushes the local organisation's own objects to their
 * collections (resuming from the last sequence number sent). Objects are stored per version, so
 * nothing is ever duplicated; a failing link is retried with exponential backoff and logged once
 * per failure streak.
 */
public final class Federation implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Federation.class);
  private static final String TAXII = "application/taxii+json;version=2.1";
  private static final int PUSH_BATCH = 500;
  private static final Pattern OBJECT_INDEX = Pattern.compile("^\\$\\.objects\\[(\\d+)]");
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  private final List<Config.Peer> peers;
  private final StixStore stix;
  private final TokenStore orgs;
  private final Jdbi jdbi;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final String userAgent;
  private final HttpClient http;
  private final Map<String, URI> roots = new ConcurrentHashMap<>();
  private final Map<String, LinkState> states = new ConcurrentHashMap<>();
  private ScheduledExecutorService scheduler;

  public Federation(
      List<Config.Peer> peers,
      StixStore stix,
      TokenStore orgs,
      Jdbi jdbi,
      Clock clock,
      MeterRegistry metrics,
      String userAgent) {
    this.peers = List.copyOf(peers);
    this.stix = stix;
    this.orgs = orgs;
    this.jdbi = jdbi;
    this.clock = clock;
    this.metrics = metrics;
    this.userAgent = userAgent;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** A failure talking to a peer. */
  public static final class PeerException extends BulwarkException {
    PeerException(String message) {
      super(message);
    }
  }

  /** The state of one link, for status pages. */
  public record LinkState(
      String peer,
      String direction,
      String remote,
      String local,
      int failures,
      Optional<String> lastError,
      Optional<java.time.Instant> lastSuccess) {}

  public List<LinkState> states() {
    return List.copyOf(states.values());
  }

  /**
   * Creates what the links need (the peer's organisation, local collections, the peer's read grant
   * on collections pushed to it) and starts polling every link.
   */
  public void start() {
    prepare();
    if (peers.isEmpty()) {
      return;
    }
    scheduler = Daemons.scheduler("bulwark-federation", 2);
    for (Config.Peer p : peers) {
      for (Config.Link l : p.pull()) {
        schedule(p, l, true, 0, Duration.ZERO);
      }
      for (Config.Link l : p.push()) {
        schedule(p, l, false, 0, Duration.ZERO);
      }
    }
  }

  /** Makes sure every local organisation and collection a link names exists. */
  public void prepare() {
    for (Config.Peer p : peers) {
      if (p.url().startsWith("http://") && !isLoopback(p.url())) {
        LOG.warn("peer {} is reached over plain HTTP; TAXII requires HTTPS", p.name());
      }
      long local = orgs.organisation(p.organisation()).id();
      long peer = orgs.organisation(p.name()).id();
      for (Config.Link l : p.pull()) {
        localCollection(l.local(), local, "Pulled from " + p.name());
      }
      for (Config.Link l : p.push()) {
        String c = localCollection(l.local(), local, "Shared with " + p.name());
        boolean canRead =
            stix.collections(peer).stream().anyMatch(x -> x.id().equals(c) && x.canRead());
        if (!canRead) {
          stix.grant(c, peer, true, false);
          LOG.info("peer {} may now read collection {} (it is pushed to it)", p.name(), l.local());
        }
      }
    }
  }

  private String localCollection(String idOrAlias, long owner, String title) {
    return stix.collection(idOrAlias, owner)
        .map(StixStore.Collection::id)
        .orElseGet(
            () -> {
              String id = UUID.randomUUID().toString();
              stix.createCollection(id, title, null, idOrAlias, owner);
              LOG.info("created collection {} ({})", idOrAlias, id);
              return id;
            });
  }

  private void schedule(Config.Peer p, Config.Link l, boolean pull, int failures, Duration delay) {
    scheduler.schedule(
        () -> {
          int f = failures;
          try {
            int n = pull ? pullOnce(p, l) : pushOnce(p, l);
            if (f > 0) {
              LOG.info("{} {} with {} works again", pull ? "pulling" : "pushing", l, p.name());
            }
            if (n > 0) {
              LOG.info(
                  "{} {} object(s) {} {} ({})",
                  pull ? "pulled" : "pushed",
                  n,
                  pull ? "from" : "to",
                  p.name(),
                  l);
            }
            f = 0;
            schedule(p, l, pull, 0, p.interval());
          } catch (RuntimeException e) {
            f++;
            if (f == 1) {
              LOG.warn(
                  "{} {} with {} failed ({}); retrying with backoff",
                  pull ? "pulling" : "pushing",
                  l,
                  p.name(),
                  e.getMessage());
            }
            metrics.counter("bulwark.federation.failures", "peer", p.name()).increment();
            String key = p.name() + "|" + (pull ? "pull" : "push") + "|" + l;
            LinkState before = states.get(key);
            states.put(
                key,
                new LinkState(
                    p.name(),
                    pull ? "pull" : "push",
                    l.remote(),
                    l.local(),
                    f,
                    Optional.ofNullable(e.getMessage()),
                    before == null ? Optional.empty() : before.lastSuccess()));
            long base = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(f, 9));
            long jitter = ThreadLocalRandom.current().nextLong(base / 4 + 1);
            schedule(p, l, pull, f, Duration.ofMillis(base + jitter));
          }
        },
        delay.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Pulls what the peer added to the remote collection since the last pull into the local one.
   *
   * @return how many new versions were stored
   */
  public synchronized int pullOnce(Config.Peer p, Config.Link l) {
    long peerOrg = orgs.organisation(p.name()).id();
    long localOrg = orgs.organisation(p.organisation()).id();
    String local = localCollection(l.local(), localOrg, "Pulled from " + p.name());
    URI root = root(p);
    Optional<String> after = cursor(p, "pull", l);
    String next = null;
    int stored = 0;
    try {
      while (true) {
        StringBuilder q = new StringBuilder("?match%5Bversion%5D=all&limit=1000");
        after.ifPresent(a -> q.append("&added_after=").append(enc(a)));
        if (next != null) {
          q.append("&next=").append(enc(next));
        }
        URI uri = root.resolve("collections/" + enc(l.remote()) + "/objects/" + q);
        HttpResponse<String> r = send(p, HttpRequest.newBuilder(uri).GET());
        expect(p, r, 200, "GET " + uri.getPath());
        JsonNode envelope = StixStore.parse(r.body());
        stored += store(p, peerOrg, localOrg, local, envelope);
        Optional<String> last = r.headers().firstValue("X-TAXII-Date-Added-Last");
        if (last.isPresent()) {
          after = last;
          saveCursor(p, "pull", l, last.get());
        }
        if (!envelope.path("more").asBoolean(false)) {
          break;
        }
        next = envelope.path("next").asText(null);
        if (next == null && last.isEmpty()) {
          throw new PeerException(
              "peer %s said more:true with neither next nor X-TAXII-Date-Added-Last"
                  .formatted(p.name()));
        }
      }
    } catch (IOException e) {
      throw new PeerException("peer %s: %s".formatted(p.name(), e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerException("interrupted");
    }
    ok(p, "pull", l);
    metrics.counter("bulwark.federation.pulled", "peer", p.name()).increment(stored);
    return stored;
  }

  /**
   * Stores a page from a peer. Objects that fail validation are left out (and logged with their
   * problems); the valid rest is stored, so one bad object of a peer does not stall the link.
   */
  private int store(Config.Peer p, long peerOrg, long localOrg, String local, JsonNode envelope) {
    JsonNode received = envelope.path("objects");
    if (!received.isArray() || received.isEmpty()) {
      return 0;
    }
    metrics.counter("bulwark.federation.received", "peer", p.name()).increment(received.size());
    // our own objects coming back (say our sighting of the peer's indicator) are not the peer's
    String ours = AlertSharing.identityId(p.organisation());
    ArrayNode objects = JsonNodeFactory.instance.arrayNode();
    for (JsonNode o : received) {
      if (!ours.equals(o.path("created_by_ref").asText()) && !ours.equals(o.path("id").asText())) {
        objects.add(o);
      }
    }
    if (objects.isEmpty()) {
      return 0;
    }
    ObjectNode page = JsonNodeFactory.instance.objectNode();
    page.set("objects", objects);
    try {
      return stix.addEnvelope(peerOrg, local, page, Set.of(localOrg)).stored();
    } catch (ValidationException e) {
      Set<Integer> bad = new HashSet<>();
      for (Problem problem : e.problems()) {
        Matcher m = OBJECT_INDEX.matcher(problem.location());
        if (m.find()) {
          bad.add(Integer.parseInt(m.group(1)));
        }
        LOG.warn(
            "peer {} sent an invalid object: {}: {}",
            p.name(),
            problem.location(),
            problem.message());
      }
      ArrayNode good = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < objects.size(); i++) {
        if (!bad.contains(i)) {
          good.add(objects.get(i));
        }
      }
      metrics.counter("bulwark.federation.rejected", "peer", p.name()).increment(bad.size());
      if (good.isEmpty() || bad.isEmpty()) {
        return 0;
      }
      page.set("objects", good);
      return stix.addEnvelope(peerOrg, local, page, Set.of(localOrg)).stored();
    }
  }

  /**
   * Pushes the local organisation's own objects added to the local collection since the last push
   * (what the peer may see of it under TLP) to the remote collection.
   *
   * @return how many objects were sent
   */
  public synchronized int pushOnce(Config.Peer p, Config.Link l) {
    long peerOrg = orgs.organisation(p.name()).id();
    long localOrg = orgs.organisation(p.organisation()).id();
    String local = localCollection(l.local(), localOrg, "Shared with " + p.name());
    URI root = root(p);
    long position = cursor(p, "push", l).map(Long::parseLong).orElse(0L);
    int sent = 0;
    try {
      while (true) {
        List<StixStore.Stored> rows =
            stix.find(
                local,
                peerOrg,
                StixStore.Filter.everything(),
                Optional.empty(),
                position,
                PUSH_BATCH);
        if (rows.isEmpty()) {
          break;
        }
        List<String> own = new ArrayList<>();
        for (StixStore.Stored s : rows) {
          if (s.producerOrg() == localOrg) {
            own.add(s.body());
          }
        }
        if (!own.isEmpty()) {
          URI uri = root.resolve("collections/" + enc(l.remote()) + "/objects/");
          HttpResponse<String> r =
              send(
                  p,
                  HttpRequest.newBuilder(uri)
                      .header("Content-Type", TAXII)
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"objects\":[" + String.join(",", own) + "]}")));
          expect(p, r, 202, "POST " + uri.getPath());
          JsonNode status = StixStore.parse(r.body());
          if (status.path("failure_count").asInt(0) > 0) {
            throw new PeerException(
                "peer %s refused %d object(s): %s"
                    .formatted(
                        p.name(), status.get("failure_count").asInt(), status.path("failures")));
          }
          sent += own.size();
        }
        position = rows.get(rows.size() - 1).seq();
        saveCursor(p, "push", l, Long.toString(position));
        if (rows.size() < PUSH_BATCH) {
          break;
        }
      }
    } catch (IOException e) {
      throw new PeerException("peer %s: %s".formatted(p.name(), e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerException("interrupted");
    }
    ok(p, "push", l);
    metrics.counter("bulwark.federation.pushed", "peer", p.name()).increment(sent);
    return sent;
  }

  private void ok(Config.Peer p, String direction, Config.Link l) {
    states.put(
        p.name() + "|" + direction + "|" + l,
        new LinkState(
            p.name(),
            direction,
            l.remote(),
            l.local(),
            0,
            Optional.empty(),
            Optional.of(clock.instant())));
  }

  /** The peer's API root: the URL itself, or the discovery document's default root. */
  private URI root(Config.Peer p) {
    URI cached = roots.get(p.name());
    if (cached != null) {
      return cached;
    }
    URI url = URI.create(p.url());
    URI root = url;
    if (url.getPath().endsWith("/taxii2/")) {
      try {
        HttpResponse<String> r = send(p, HttpRequest.newBuilder(url).GET());
        expect(p, r, 200, "GET " + url.getPath());
        JsonNode discovery = StixStore.parse(r.body());
        String chosen = discovery.path("default").asText(null);
        if (chosen == null && discovery.path("api_roots").size() > 0) {
          chosen = discovery.path("api_roots").get(0).asText();
        }
        if (chosen == null) {
          throw new PeerException(
              "peer %s lists no API root at %s".formatted(p.name(), Secret.maskedUrl(p.url())));
        }
        root = url.resolve(chosen);
      } catch (IOException e) {
        throw new PeerException("peer %s: %s".formatted(p.name(), e.getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PeerException("interrupted");
      }
    }
    roots.put(p.name(), root);
    return root;
  }

  private HttpResponse<String> send(Config.Peer p, HttpRequest.Builder b)
      throws IOException, InterruptedException {
    return http.send(
        b.timeout(p.timeout())
            .header("Accept", TAXII)
            .header("Authorization", "Bearer " + p.token().reveal())
            .header("User-Agent", userAgent)
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static void expect(Config.Peer p, HttpResponse<String> r, int status, String what) {
    if (r.statusCode() == status) {
      return;
    }
    String detail = r.body();
    try {
      JsonNode error = StixStore.parse(r.body());
      detail = error.path("description").asText(error.path("title").asText(detail));
    } catch (IOException | RuntimeException e) {
      // not a TAXII error message: keep the start of the body
    }
    if (detail.length() > 300) {
      detail = detail.substring(0, 300) + "…";
    }
    throw new PeerException(
        "peer %s answered %s with HTTP %d: %s".formatted(p.name(), what, r.statusCode(), detail));
  }

  private Optional<String> cursor(Config.Peer p, String direction, Config.Link l) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT position FROM federation_cursors WHERE peer = :p AND direction = :d AND remote_collection = :r AND local_collection = :l")
                .bind("p", p.name())
                .bind("d", direction)
                .bind("r", l.remote())
                .bind("l", l.local())
                .mapTo(String.class)
                .findOne());
  }

  private void saveCursor(Config.Peer p, String direction, Config.Link l, String position) {
    jdbi.useTransaction(
        h -> {
          h.createUpdate(
                  "DELETE FROM federation_cursors WHERE peer = :p AND direction = :d AND remote_collection = :r AND local_collection = :l")
              .bind("p", p.name())
              .bind("d", direction)
              .bind("r", l.remote())
              .bind("l", l.local())
              .execute();
          h.createUpdate(
                  """
                  INSERT INTO federation_cursors (peer, direction, remote_collection, local_collection, position, updated_at)
                  VALUES (:p, :d, :r, :l, :pos, :now)
                  """)
              .bind("p", p.name())
              .bind("d", direction)
              .bind("r", l.remote())
              .bind("l", l.local())
              .bind("pos", position)
              .bind("now", Database.utc(clock.instant()))
              .execute();
        });
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static boolean isLoopback(String url) {
    String host = URI.create(url).getHost();
    return host != null
        && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
  }

  @Override
  public void close() {
    Daemons.stop(scheduler);
    scheduler = null;
  }
}
