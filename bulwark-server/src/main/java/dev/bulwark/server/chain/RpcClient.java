package dev.bulwark.server.chain;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.server.config.Secret;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.exceptions.ClientConnectionException;
import org.web3j.protocol.http.HttpService;

/**
 * JSON-RPC calls to one network through one or more node URLs. A timeout, an HTTP 429 or 5xx, a
 * refused connection or a JSON-RPC error envelope is retried with exponential backoff and jitter,
 * rotating to the next URL; the URL that answered last is tried first next time. Each failure is
 * counted ({@code bulwark.chain.rpc.failures}, by network and reason) and logged once per URL and
 * reason until that URL answers again, so a node that is down for an hour writes two lines, not
 * thousands. URLs are only ever logged masked: providers put API keys in them.
 */
final class RpcClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcClient.class);
  private static final Pattern HTTP_STATUS = Pattern.compile("Invalid response received: (\\d{3})");

  /** How a call failed; the tag of the failure counter. */
  enum Reason {
    TIMEOUT,
    HTTP_429,
    HTTP_5XX,
    HTTP_OTHER,
    CONNECTION,
    RPC_ERROR,
    EMPTY;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A failed call: why, and the message (without the URL). */
  record Failure(Reason reason, String message) {}

  private record Endpoint(String masked, HttpService service, Web3j web3j) {}

  private final String network;
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final int attempts;
  private final Duration backoff;
  private final Duration maxBackoff;
  private final Map<Reason, Counter> failures = new HashMap<>();
  private final Map<String, Reason> reported = new java.util.concurrent.ConcurrentHashMap<>();
  // the URL to try first; calls from several threads share it (a lost update only reorders tries)
  private volatile int current;

  RpcClient(
      String network,
      List<String> urls,
      Duration timeout,
      Duration backoff,
      MeterRegistry metrics) {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("network " + network + " has no RPC URL");
    }
    this.network = network;
    this.backoff = backoff;
    this.maxBackoff = backoff.multipliedBy(32);
    // every URL at least twice, and never fewer than three tries in all
    this.attempts = Math.max(3, 2 * urls.size());
    OkHttpClient http =
        new OkHttpClient.Builder()
            .connectTimeout(timeout)
            .readTimeout(timeout)
            .writeTimeout(timeout)
            .callTimeout(timeout)
            .build();
    for (String url : urls) {
      HttpService service = new HttpService(url, http);
      endpoints.add(new Endpoint(Secret.maskedUrl(url), service, Web3j.build(service)));
    }
    for (Reason r : Reason.values()) {
      failures.put(
          r,
          Counter.builder("bulwark.chain.rpc.failures")
              .description("JSON-RPC calls that failed and were retried")
              .tag("network", network)
              .tag("reason", r.tag())
              .register(metrics));
    }
  }

  /**
   * Sends a request built for the current URL, retrying and rotating as described above; throws a
   * {@link BulwarkException} naming the last failure when every attempt failed (its cause is an
   * {@link IOException} when the nodes could not be reached at all).
   */
  <T extends Response<?>> T send(Function<Web3j, Request<?, T>> call) {
    return attempt(e -> call.apply(e.web3j()), true);
  }

  /**
   * As {@link #send}, but a JSON-RPC error envelope is an answer, returned as is (a call that
   * reverts, say): only transport faults are retried.
   */
  <T extends Response<?>> T call(Function<Web3j, Request<?, T>> call) {
    return attempt(e -> call.apply(e.web3j()), false);
  }

  /** As {@link #send}, for a method web3j has no wrapper for (traces). */
  <T extends Response<?>> T sendRaw(Function<Web3jService, Request<?, T>> call) {
    return attempt(e -> call.apply(e.service()), true);
  }

  private <T extends Response<?>> T attempt(
      Function<Endpoint, Request<?, T>> call, boolean retryErrors) {
    Failure last = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        pause(attempt);
      }
      int at = current;
      Endpoint endpoint = endpoints.get(at);
      Failure failure;
      try {
        T response = call.apply(endpoint).send();
        if (response == null) {
          failure = new Failure(Reason.EMPTY, "the node sent an empty answer");
        } else if (response.hasError() && retryErrors) {
          failure =
              new Failure(
                  Reason.RPC_ERROR,
                  "JSON-RPC error %d: %s"
                      .formatted(response.getError().getCode(), response.getError().getMessage()));
        } else {
          recovered(endpoint);
          return response;
        }
      } catch (IOException | ClientConnectionException e) {
        failure = classify(e);
      }
      last = failure;
      failed(endpoint, failure);
      current = (at + 1) % endpoints.size();
    }
    String message =
        "network %s: %d JSON-RPC attempts over %d URL(s) failed; last: %s"
            .formatted(network, attempts, endpoints.size(), last.message());
    if (last.reason() == Reason.CONNECTION || last.reason() == Reason.TIMEOUT) {
      throw new BulwarkException(message, new IOException(last.message()));
    }
    throw new BulwarkException(message);
  }

  static Failure classify(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof ClientConnectionException) {
      Matcher m = HTTP_STATUS.matcher(message);
      int status = m.find() ? Integer.parseInt(m.group(1)) : 0;
      // the body after the status can be a whole HTML error page: keep the start
      String shortMessage = message.length() > 200 ? message.substring(0, 200) + "…" : message;
      if (status == 429) {
        return new Failure(Reason.HTTP_429, "HTTP 429 (rate limited)");
      }
      if (status >= 500) {
        return new Failure(Reason.HTTP_5XX, "HTTP " + status + ": " + shortMessage);
      }
      return new Failure(Reason.HTTP_OTHER, shortMessage);
    }
    if (e instanceof InterruptedIOException) {
      return new Failure(Reason.TIMEOUT, "timed out: " + message);
    }
    if (e instanceof ConnectException) {
      return new Failure(Reason.CONNECTION, "connection refused: " + message);
    }
    return new Failure(Reason.CONNECTION, message);
  }

  private void failed(Endpoint endpoint, Failure failure) {
    failures.get(failure.reason()).increment();
    Reason before = reported.put(endpoint.masked(), failure.reason());
    if (before != failure.reason()) {
      LOG.warn(
          "network {}: {} failed ({}): {}; retrying{}",
          network,
          endpoint.masked(),
          failure.reason().tag(),
          failure.message(),
          endpoints.size() > 1 ? " on the next URL" : "");
    }
  }

  private void recovered(Endpoint endpoint) {
    if (reported.remove(endpoint.masked()) != null) {
      LOG.info("network {}: {} answers again", network, endpoint.masked());
    }
  }

  private void pause(int attempt) {
    long base = backoff.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(base, maxBackoff.toMillis());
    long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    try {
      Thread.sleep(jittered);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BulwarkException("network %s: interrupted while retrying".formatted(network));
    }
  }

  @Override
  public void close() {
    endpoints.forEach(e -> e.web3j().shutdown());
  }
}
