package dev.bulwark.server.ingest;

import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventParser;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * Validates a batch of events and stores it durably, whole or not at all. Returns only after the
 * commit, so an acknowledged batch survives a crash; then wakes detection.
 */
public final class IngestService {
  private final EventParser parser;
  private final EventStore store;
  private final Runnable onStored;
  private final Counter accepted;
  private final Counter duplicates;
  private final Counter rejected;

  public IngestService(
      int maxBatchEvents, EventStore store, MeterRegistry metrics, Runnable onStored) {
    this.parser = new EventParser(maxBatchEvents);
    this.store = store;
    this.onStored = onStored;
    this.accepted =
        Counter.builder("bulwark.events.accepted")
            .description("new events stored")
            .register(metrics);
    this.duplicates =
        Counter.builder("bulwark.events.duplicates")
            .description("events already stored, skipped")
            .register(metrics);
    this.rejected =
        Counter.builder("bulwark.events.rejected.batches")
            .description("batches rejected as invalid")
            .register(metrics);
  }

  /**
   * Parses and stores a JSON array or NDJSON body for an organisation.
   *
   * @throws dev.bulwark.engine.event.InvalidEventException with every problem; nothing stored
   */
  public EventStore.Appended ingest(long orgId, byte[] body) {
    List<Event> events;
    try {
      events = parser.parse(body);
    } catch (RuntimeException e) {
      rejected.increment();
      throw e;
    }
    return store(orgId, events);
  }

  /** Stores events that are already parsed (validated). */
  public EventStore.Appended store(long orgId, List<Event> events) {
    EventStore.Appended result = store.append(orgId, events);
    accepted.increment(result.accepted());
    duplicates.increment(result.duplicates());
    if (result.accepted() > 0) {
      onStored.run();
    }
    return result;
  }
}
