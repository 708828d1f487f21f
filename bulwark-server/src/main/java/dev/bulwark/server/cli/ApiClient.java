package dev.bulwark.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.engine.BulwarkException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** A small client of the Bulwark HTTP API for the CLI. */
final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  ApiClient(String base, String token) {
    this.base = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    if (token == null || token.isBlank()) {
      throw new BulwarkException(
          "no API token; pass --token or set BULWARK_TOKEN (create one with: bulwark token create --org NAME --role analyst)");
    }
    this.token = token;
  }

  /** A response the server sent: its status and JSON body. */
  record Reply(int status, JsonNode body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The problem document rendered for a terminal: detail, then one line per error. */
    String problem() {
      StringBuilder out = new StringBuilder("HTTP " + status);
      if (body.hasNonNull("detail")) {
        out.append(": ").append(body.get("detail").asText());
      }
      body.path("errors")
          .forEach(
              e ->
                  out.append("\n  ")
                      .append(e.path("location").asText())
                      .append(": ")
                      .append(e.path("message").asText()));
      return out.toString();
    }
  }

  Reply get(String path, Map<String, String> query) {
    String q =
        query.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return send(HttpRequest.newBuilder(base.resolve(path + (q.isEmpty() ? "" : "?" + q))).GET());
  }

  Reply postNdjson(String path, byte[] body) {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  Reply postJson(String path, JsonNode body) {
    try {
      return send(
          HttpRequest.newBuilder(base.resolve(path))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private Reply send(HttpRequest.Builder request) {
    HttpRequest r =
        request
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json")
            .timeout(Duration.ofMinutes(2))
            .build();
    try {
      HttpResponse<byte[]> response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
      JsonNode body =
          response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
      return new Reply(response.statusCode(), body);
    } catch (ConnectException e) {
      throw new BulwarkException(
          "cannot reach the server at " + base + "; is 'bulwark serve' running? (or use --local)",
          e);
    } catch (IOException e) {
      throw new BulwarkException("request to " + base + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BulwarkException("interrupted", e);
    }
  }
}
