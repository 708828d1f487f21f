package dev.bulwark.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class UrlGuardTest {
  private final UrlGuard guard = new UrlGuard(false);

  @Test
  void privateLoopbackAndLinkLocalDestinationsAreRefused() {
    assertThat(guard.reject(URI.create("https://127.0.0.1/hook")))
        .contains("private address (127.0.0.1)");
    assertThat(guard.reject(URI.create("https://10.1.2.3/hook"))).contains("private address");
    assertThat(guard.reject(URI.create("https://169.254.169.254/latest/meta-data")))
        .contains("private address");
    assertThat(guard.reject(URI.create("https://[::1]/hook"))).contains("private address");
    assertThat(guard.reject(URI.create("https://[fd00::1]/hook"))).contains("private address");
    assertThat(guard.reject(URI.create("http://8.8.8.8/hook")))
        .isEqualTo("must be an https:// URL");
    assertThat(guard.reject(URI.create("https://user:pw@8.8.8.8/hook")))
        .contains("no user:password");
    assertThat(guard.reject(URI.create("https://8.8.8.8/hook"))).isNull();
    assertThat(new UrlGuard(true).reject(URI.create("http://127.0.0.1:9/hook"))).isNull();
  }

  @Test
  void backoffDoublesWithJitterAndIsCapped() {
    DeliveryWorker w =
        new DeliveryWorker(
            null,
            new DeliveryWorker.NotifySettings(
                false, Duration.ofSeconds(1), 8, Duration.ofSeconds(1)),
            null,
            null,
            "t");
    for (int attempt = 1; attempt <= 5; attempt++) {
      long full = 1000L << (attempt - 1);
      assertThat(w.backoff(attempt).toMillis()).isBetween(full / 2, full);
    }
    assertThat(w.backoff(40).toMillis()).isBetween(15 * 60_000L, 30 * 60_000L);
    w.close();
  }
}
