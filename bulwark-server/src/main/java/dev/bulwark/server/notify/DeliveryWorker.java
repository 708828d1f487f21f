package dev.bulwark.server.notify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends queued deliveries on a small pool, so one slow receiver cannot hold up the others (nor
 * detection, which only writes the outbox). A failure is retried with exponential backoff and
 * jitter; after the last attempt the delivery is kept as a dead letter with the reason.
 */
public final class DeliveryWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(30);

  private final NotifierStore store;
  private final Sender sender;
  private final Clock clock;
  private final Duration retryBase;
  private final int maxAttempts;
  private final MeterRegistry metrics;
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
  private final ExecutorService pool;
  private final Random jitter = new Random();
  private final Object signal = new Object();
  private volatile boolean running;
  private Thread thread;

  public DeliveryWorker(
      NotifierStore store,
      NotifySettings settings,
      Clock clock,
      MeterRegistry metrics,
      String version) {
    this.store = store;
    this.sender =
        new Sender(
            settings.timeout(), new UrlGuard(settings.allowPrivateNetworks()), clock, version);
    this.clock = clock;
    this.retryBase = settings.retryBase();
    this.maxAttempts = settings.maxAttempts();
    this.metrics = metrics;
    this.pool =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "bulwark-notify");
              t.setDaemon(true);
              return t;
            });
  }

  /** How notifications are sent; from the {@code notify.*} configuration. */
  public record NotifySettings(
      boolean allowPrivateNetworks, Duration retryBase, int maxAttempts, Duration timeout) {}

  public void start() {
    running = true;
    thread = new Thread(this::loop, "bulwark-notify-poll");
    thread.setDaemon(true);
    thread.start();
  }

  /** Something was queued: look now rather than at the next poll. */
  public void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  private void loop() {
    while (running) {
      try {
        for (NotifierStore.Delivery d : store.due(32, inFlight)) {
          inFlight.add(d.id());
          pool.submit(() -> attempt(d));
        }
      } catch (RuntimeException e) {
        LOG.warn("notification outbox unavailable: {}", e.getMessage());
      }
      synchronized (signal) {
        try {
          signal.wait(250);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void attempt(NotifierStore.Delivery d) {
    int attempts = d.attempts() + 1;
    try {
      Optional<Notifier> n = store.findAny(d.notifierId());
      if (n.isEmpty()) {
        return; // deleted meanwhile; its deliveries went with it
      }
      try {
        sender.send(n.get(), d);
        store.delivered(d.id(), attempts);
        count(n.get(), "delivered");
      } catch (RuntimeException e) {
        String why = e.getMessage();
        if (attempts >= maxAttempts) {
          store.dead(d.id(), attempts, why);
          count(n.get(), "dead");
          LOG.warn(
              "notifier {} gave up on alert {} after {} attempts: {}",
              d.notifierId(),
              d.alertId(),
              attempts,
              why);
        } else {
          store.retry(d.id(), attempts, clock.instant().plus(backoff(attempts)), why);
          count(n.get(), "retry");
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("could not record the outcome of delivery {}: {}", d.id(), e.getMessage());
    } finally {
      inFlight.remove(d.id());
    }
  }

  /** Exponential, capped, with "equal jitter": half fixed, half random. */
  Duration backoff(int attempts) {
    long base = retryBase.toMillis() << Math.min(20, attempts - 1);
    long capped = Math.min(base, MAX_BACKOFF.toMillis());
    long half = capped / 2;
    synchronized (jitter) {
      return Duration.ofMillis(half + (half == 0 ? 0 : (long) (jitter.nextDouble() * half)));
    }
  }

  private void count(Notifier n, String outcome) {
    Counter.builder("bulwark.notifications")
        .tag("kind", n.channel().kind())
        .tag("outcome", outcome)
        .register(metrics)
        .increment();
  }

  @Override
  public void close() {
    running = false;
    wake();
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
  }
}
