package dev.bulwark.server.chain;

import dev.bulwark.server.config.Secret;
import io.reactivex.disposables.Disposable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.websocket.WebSocketService;

/**
 * A {@code newHeads} subscription over WebSocket that wakes a source the moment the node has a new
 * block, instead of at the next poll. Polling goes on underneath at its interval, so a lost
 * subscription costs latency, never blocks: it is re-established with backoff (1 s doubling to 60
 * s), logged once when lost and once when back.
 */
final class HeadSubscription implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeadSubscription.class);
  private static final long MAX_DELAY_MS = 60_000;

  private final String network;
  private final String url;
  private final Runnable onHead;
  private final ScheduledExecutorService timer;
  private Web3j web3j;
  private Disposable subscription;
  private int generation;
  private long delayMs = 1_000;
  private boolean lost;
  private boolean closed;

  HeadSubscription(String network, String url, Runnable onHead) {
    this.network = network;
    this.url = url;
    this.onHead = onHead;
    this.timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bulwark-chain-heads-" + network);
              t.setDaemon(true);
              return t;
            });
  }

  void start() {
    timer.execute(this::connect);
  }

  private void connect() {
    int gen;
    synchronized (this) {
      if (closed) {
        return;
      }
      gen = ++generation;
    }
    try {
      WebSocketService ws = new WebSocketService(url, false);
      ws.connect(message -> {}, error -> {}, () -> lost(gen, "the connection closed"));
      Web3j client = Web3j.build(ws);
      Disposable sub =
          client
              .newHeadsNotifications()
              .subscribe(head -> onHead.run(), error -> lost(gen, error.getMessage()));
      synchronized (this) {
        web3j = client;
        subscription = sub;
        delayMs = 1_000;
        if (lost) {
          LOG.info("network {}: new-heads subscription at {} is back", network, masked());
          lost = false;
        } else {
          LOG.info("network {}: subscribed to new heads at {}", network, masked());
        }
      }
    } catch (Exception e) {
      lost(gen, e.getMessage());
    }
  }

  /** The connection of generation {@code gen} is gone: reconnect later, once. */
  private synchronized void lost(int gen, String why) {
    if (closed || gen != generation) {
      return;
    }
    generation++; // later reports about this connection are ignored
    if (!lost) {
      LOG.warn(
          "network {}: new-heads subscription at {} lost ({}); polling meanwhile, reconnecting",
          network,
          masked(),
          why);
      lost = true;
    }
    release();
    long delay = delayMs;
    delayMs = Math.min(delayMs * 2, MAX_DELAY_MS);
    try {
      timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down
    }
  }

  private void release() {
    if (subscription != null) {
      subscription.dispose();
      subscription = null;
    }
    if (web3j != null) {
      web3j.shutdown();
      web3j = null;
    }
  }

  /** Whether the subscription is established right now. */
  synchronized boolean connected() {
    return subscription != null;
  }

  private String masked() {
    return Secret.maskedUrl(url);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      release();
    }
    timer.shutdownNow();
  }
}
