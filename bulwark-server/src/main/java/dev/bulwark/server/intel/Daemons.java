package dev.bulwark.server.intel;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Background schedulers of daemon threads, stopped so that a run in progress ends first. */
final class Daemons {
  private Daemons() {}

  static ScheduledExecutorService scheduler(String name, int threads) {
    return Executors.newScheduledThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Interrupts, then waits up to ten seconds, so a run in progress ends before the store closes.
   */
  static void stop(ScheduledExecutorService scheduler) {
    if (scheduler == null) {
      return;
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
