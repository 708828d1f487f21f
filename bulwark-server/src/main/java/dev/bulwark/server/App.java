package dev.bulwark.server;

import dev.bulwark.engine.rule.Rule;
import dev.bulwark.server.alert.AlertStore;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.chain.ChainSources;
import dev.bulwark.server.chain.EvmSource;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.detect.DetectionPump;
import dev.bulwark.server.detect.RuleCatalog;
import dev.bulwark.server.detect.RuleLoader;
import dev.bulwark.server.detect.RuleStore;
import dev.bulwark.server.detect.RuleWatcher;
import dev.bulwark.server.http.AlertRoutes;
import dev.bulwark.server.http.ApiServer;
import dev.bulwark.server.http.ChainRoutes;
import dev.bulwark.server.http.EventRoutes;
import dev.bulwark.server.http.NotifierRoutes;
import dev.bulwark.server.http.RuleRoutes;
import dev.bulwark.server.http.ShareRoutes;
import dev.bulwark.server.http.StatusRoutes;
import dev.bulwark.server.http.TaxiiRoutes;
import dev.bulwark.server.ingest.EventStore;
import dev.bulwark.server.ingest.IngestService;
import dev.bulwark.server.intel.AlertSharing;
import dev.bulwark.server.intel.IntelService;
import dev.bulwark.server.intel.IntelStore;
import dev.bulwark.server.intel.StixIntel;
import dev.bulwark.server.intel.StixStore;
import dev.bulwark.server.notify.DeliveryWorker;
import dev.bulwark.server.notify.NotifierService;
import dev.bulwark.server.notify.NotifierStore;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds the object graph with {@code new}, starts it, and stops it. */
public final class App implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(App.class);
  private static final int DETECTION_BATCH = 500;

  private final Clock clock;
  private final Database db;
  private final TokenStore tokens;
  private final EventStore events;
  private final AlertStore alerts;
  private final List<Rule> rules;
  private final List<Rule> pack;
  private final List<dev.bulwark.engine.detect.Detector> packDetectors;
  private final RuleCatalog catalog;
  private final IntelService intel;
  private final StixStore stix;
  private final StixIntel stixIntel;
  private final dev.bulwark.server.intel.Publishing publishing;
  private final List<ChainSources.Watched> chains = new java.util.ArrayList<>();
  private java.util.concurrent.ScheduledExecutorService intelRefresh;
  private final NotifierStore notifiers;
  private final DeliveryWorker delivery;
  private RuleWatcher watcher;
  private final DetectionPump pump;
  private final IngestService ingest;
  private final PrometheusMeterRegistry metrics;
  private ApiServer api;
  private dev.bulwark.server.intel.Federation federation;
  private dev.bulwark.server.intel.FeedScheduler feeds;
  private JvmGcMetrics gc;

  private App(Config config, Clock clock) {
    this.clock = clock;
    this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.pack = config.rules().pack() ? new RuleLoader().loadPack() : List.of();
    this.packDetectors =
        config.rules().pack()
            ? dev.bulwark.engine.pack.Pack.detectors(
                config.rules().tuning(), officialTokens(config.networks()))
            : List.of();
    this.rules =
        RuleLoader.combine(
            pack, config.rules().dir().map(dir -> new RuleLoader().load(dir)).orElse(List.of()));
    this.db = Database.open(config.storage());
    try {
      this.tokens = new TokenStore(db.jdbi(), clock);
      this.events = new EventStore(db.jdbi(), clock);
      this.alerts = new AlertStore(db.jdbi(), clock);
      this.catalog = new RuleCatalog(rules, packDetectors, new RuleStore(db.jdbi(), clock));
      this.intel = new IntelService(new IntelStore(db.jdbi(), clock), clock);
      this.stix = new StixStore(db.jdbi(), clock);
      this.stixIntel = new StixIntel(stix, tokens::organisationName);
      this.publishing = new dev.bulwark.server.intel.Publishing(stix, catalog, db.jdbi(), clock);
      stixIntel.refresh();
      this.notifiers = new NotifierStore(db.jdbi(), clock);
      Config.Notify n = config.notifications();
      this.delivery =
          new DeliveryWorker(
              notifiers,
              new DeliveryWorker.NotifySettings(
                  n.allowPrivateNetworks(), n.retryBase(), n.maxAttempts(), n.timeout()),
              clock,
              metrics,
              Version.current());
      this.pump =
          new DetectionPump(
              db.jdbi(),
              events,
              alerts,
              org -> withIntel(org, catalog.detectorsFor(org)),
              config.detection().allowedLateness(),
              config.detection().partitions(),
              notifiers::enqueue,
              delivery::wake,
              metrics,
              clock,
              DETECTION_BATCH);
      catalog.onChange(pump::reload);
      this.ingest =
          new IngestService(config.ingest().maxBatchEvents(), events, metrics, pump::wake);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /**
   * An organisation's rules, then the intel detector: the feeds (which apply to every organisation)
   * and the STIX indicators this organisation may see.
   */
  private List<dev.bulwark.engine.detect.Detector> withIntel(long org, List<Rule> rules) {
    List<dev.bulwark.engine.detect.Detector> all = new java.util.ArrayList<>(rules);
    all.addAll(catalog.builtInsFor(org));
    java.util.function.Supplier<List<dev.bulwark.engine.intel.IndicatorIndex>> indexes =
        () -> List.of(intel.index(), stixIntel.index(org));
    all.add(new dev.bulwark.engine.intel.IntelDetector(indexes));
    all.add(new dev.bulwark.engine.intel.OneHopExposure(indexes));
    return all;
  }

  /** Each watched network's official token contracts by symbol, keyed by the network's id. */
  private static java.util.Map<String, java.util.Map<String, String>> officialTokens(
      List<Config.Network> networks) {
    java.util.Map<String, java.util.Map<String, String>> out = new java.util.HashMap<>();
    for (Config.Network n : networks) {
      if (!n.officialTokens().isEmpty()) {
        out.merge(
            n.id(),
            n.officialTokens(),
            (a, b) -> {
              java.util.Map<String, String> m = new java.util.HashMap<>(a);
              m.putAll(b);
              return m;
            });
      }
    }
    return out;
  }

  /** The store, rules and detection, without HTTP: for CLI commands that work on local data. */
  public static App local(Config config, Clock clock) {
    return new App(config, clock);
  }

  /** Everything, serving HTTP and detecting in the background. */
  public static App serve(Config config, Clock clock) {
    App app = new App(config, clock);
    try {
      app.startServing(config);
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
    return app;
  }

  private void startServing(Config config) {
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    gc = new JvmGcMetrics();
    gc.bindTo(metrics);
    long enabled = rules.stream().filter(Rule::enabled).count();
    ApiServer.Services services =
        new ApiServer.Services(
            tokens,
            new EventRoutes(
                ingest,
                events,
                pump,
                config.server().maxBodyBytes(),
                config.ingest().awaitDetection()),
            new AlertRoutes(alerts),
            new StatusRoutes(events, alerts, pump, catalog),
            new RuleRoutes(catalog),
            new NotifierRoutes(
                new NotifierService(notifiers, config.notifications().allowPrivateNetworks())),
            new ChainRoutes(chains),
            new TaxiiRoutes(stix, config.server().maxBodyBytes(), clock),
            new ShareRoutes(alerts, new AlertSharing(stix, db.jdbi(), clock), tokens),
            new dev.bulwark.server.http.PublishRoutes(publishing),
            metrics,
            db::isHealthy);
    for (Config.Network n : config.networks()) {
      long org = tokens.organisation(n.organisation()).id();
      EvmSource source =
          new EvmSource(EvmSource.network(n), org, db.jdbi(), ingest, clock, metrics);
      chains.add(new ChainSources.Watched(org, source));
      ChainSources.verify(source, n.id());
      source.start();
    }
    pump.start();
    delivery.start();
    federation =
        new dev.bulwark.server.intel.Federation(
            config.peers(),
            stix,
            tokens,
            db.jdbi(),
            clock,
            metrics,
            "bulwark/" + Version.current());
    federation.start();
    feeds =
        new dev.bulwark.server.intel.FeedScheduler(
            config.feeds(), intel, clock, metrics, "bulwark/" + Version.current());
    feeds.start();
    intelRefresh =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bulwark-intel-refresh");
              t.setDaemon(true);
              return t;
            });
    intelRefresh.scheduleWithFixedDelay(
        () -> {
          try {
            intel.refresh();
            stixIntel.refresh();
            publishing.loadDrafts();
          } catch (RuntimeException e) {
            LOG.warn("intel refresh failed: {}", e.getMessage());
          }
        },
        5,
        5,
        java.util.concurrent.TimeUnit.SECONDS);
    java.util.concurrent.ScheduledExecutorService refresher = intelRefresh;
    stix.onAdded(
        () -> {
          try {
            refresher.execute(this::refreshStixIntel); // new indicators reach detection at once
          } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
          }
        });
    api = new ApiServer(config.server(), services).start();
    config
        .rules()
        .dir()
        .ifPresent(
            dir ->
                watcher =
                    new RuleWatcher(
                        dir,
                        java.time.Duration.ofSeconds(2),
                        changed -> catalog.setFileRules(RuleLoader.combine(pack, changed))));
    LOG.info(
        "rules: {} enabled of {} loaded ({} of the built-in pack{}), {} pack detectors in code",
        enabled,
        rules.size(),
        pack.size(),
        config
            .rules()
            .dir()
            .map(d -> ", " + (rules.size() - pack.size()) + " from " + d)
            .orElse(", no rules directory (use --rules DIR)"),
        packDetectors.size());
  }

  private void refreshStixIntel() {
    try {
      stixIntel.refresh();
      publishing.loadDrafts();
    } catch (RuntimeException e) {
      LOG.warn("STIX intel refresh failed: {}", e.getMessage());
    }
  }

  /** The total of every counter with this name (all tags), for tests and status pages. */
  public double counter(String name) {
    return metrics.find(name).counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count)
        .sum();
  }

  /** Federation with peers (serving only). */
  public dev.bulwark.server.intel.Federation federation() {
    return federation;
  }

  public StixIntel stixIntel() {
    return stixIntel;
  }

  public int port() {
    return api.port();
  }

  public TokenStore tokens() {
    return tokens;
  }

  public EventStore events() {
    return events;
  }

  public AlertStore alerts() {
    return alerts;
  }

  public IngestService ingest() {
    return ingest;
  }

  public DetectionPump pump() {
    return pump;
  }

  public List<Rule> rules() {
    return rules;
  }

  public RuleCatalog catalog() {
    return catalog;
  }

  public StixStore stix() {
    return stix;
  }

  public IntelService intel() {
    return intel;
  }

  private boolean closed;

  /** Stops serving, lets detection finish its batch, closes the store. Safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return; // stopped by a signal, then again by the shutdown hook
    }
    closed = true;
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
    if (federation != null) {
      federation.close();
    }
    if (feeds != null) {
      feeds.close();
    }
    chains.forEach(c -> c.source().close());
    chains.clear();
    if (intelRefresh != null) {
      intelRefresh.shutdownNow();
      try {
        intelRefresh.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      intelRefresh = null;
    }
    if (api != null) {
      api.close();
      api = null;
      LOG.info("stopped; detection at event {}", pump.position());
    }
    pump.close();
    delivery.close();
    if (gc != null) {
      gc.close();
      gc = null;
    }
    db.close();
  }
}
