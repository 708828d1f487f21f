package dev.bulwark.server.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server in front of a node that answers the next requests with scripted faults — rate
 * limits, server errors, JSON-RPC error envelopes, stalls — and forwards the rest.
 */
final class FaultyRpc implements AutoCloseable {
  enum Fault {
    FORWARD,
    HTTP_429,
    HTTP_503,
    RPC_ERROR,
    STALL
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final HttpClient client = HttpClient.newHttpClient();
  private final String upstream;
  private final Queue<Fault> script = new ConcurrentLinkedQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile boolean down;
  final String url;

  FaultyRpc(String upstream) throws IOException {
    this.upstream = upstream;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v3/secret-project-key";
  }

  /** The next requests' faults, in order; requests after them are forwarded. */
  void script(Fault... faults) {
    script.addAll(List.of(faults));
  }

  /** While down, every request gets HTTP 503. */
  void down(boolean down) {
    this.down = down;
  }

  int requests() {
    return requests.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    byte[] body = ex.getRequestBody().readAllBytes();
    Fault fault = down ? Fault.HTTP_503 : script.poll();
    try {
      switch (fault == null ? Fault.FORWARD : fault) {
        case HTTP_429 -> reply(ex, 429, "{\"error\":\"too many requests\"}");
        case HTTP_503 -> reply(ex, 503, "<html><body>upstream unavailable</body></html>");
        case RPC_ERROR -> {
          JsonNode id = JSON.readTree(body).get("id");
          reply(
              ex,
              200,
              "{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{\"code\":-32005,\"message\":\"limit exceeded\"}}"
                  .formatted(id));
        }
        case STALL -> {
          Thread.sleep(2_000);
          reply(ex, 503, "late");
        }
        case FORWARD -> {
          HttpResponse<byte[]> r =
              client.send(
                  HttpRequest.newBuilder(URI.create(upstream))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(r.statusCode(), r.body().length);
          ex.getResponseBody().write(r.body());
          ex.close();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ex.close();
    } catch (IOException e) {
      ex.close(); // the client gave up (a stall past its timeout)
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
