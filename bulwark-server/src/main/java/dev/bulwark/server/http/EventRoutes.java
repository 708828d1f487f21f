package dev.bulwark.server.http;

import dev.bulwark.engine.event.EventJson;
import dev.bulwark.server.auth.Caller;
import dev.bulwark.server.detect.DetectionPump;
import dev.bulwark.server.ingest.EventStore;
import dev.bulwark.server.ingest.IngestService;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code POST /api/v1/events} and {@code GET /api/v1/events/{id}}. */
public final class EventRoutes {
  private static final Set<String> ACCEPTED_TYPES =
      Set.of(
          "application/json",
          "application/x-ndjson",
          "application/jsonl",
          "application/json-seq",
          "text/plain");
  private final IngestService ingest;
  private final EventStore store;
  private final DetectionPump detection;
  private final long maxBody;
  private final Duration awaitDetection;

  /**
   * @param awaitDetection how long a request waits, after the durable commit, for detection to see
   *     its batch, so that a client can read the alerts it raised right away; zero answers at once
   */
  public EventRoutes(
      IngestService ingest,
      EventStore store,
      DetectionPump detection,
      long maxBody,
      Duration awaitDetection) {
    this.ingest = ingest;
    this.store = store;
    this.detection = detection;
    this.maxBody = maxBody;
    this.awaitDetection = awaitDetection;
  }

  void post(Context ctx, Caller caller) throws IOException, InterruptedException {
    String type = ctx.contentType();
    if (type != null && !type.isBlank()) {
      String bare = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (!ACCEPTED_TYPES.contains(bare)) {
        throw ProblemException.unsupportedMediaType(bare);
      }
    }
    byte[] body = Bodies.readBounded(ctx, maxBody);
    EventStore.Appended result = ingest.ingest(caller.orgId(), body);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("received", result.received());
    out.put("accepted", result.accepted());
    out.put("duplicates", result.duplicates());
    // The batch is durable here; detected=false only means its alerts may appear a moment later.
    out.put("detected", detection.awaitPosition(result.lastSeq(), awaitDetection));
    ctx.status(202).json(out);
  }

  void get(Context ctx, Caller caller) {
    String id = ctx.pathParam("id");
    var event =
        store
            .find(caller.orgId(), id)
            .orElseThrow(
                () ->
                    ProblemException.notFound("no event '%s' in your organisation".formatted(id)));
    ctx.contentType("application/json").result(EventJson.write(event));
  }
}
