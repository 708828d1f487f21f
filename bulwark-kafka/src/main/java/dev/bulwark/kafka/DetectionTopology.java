package dev.bulwark.kafka;

import dev.bulwark.engine.ValidationException;
import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.AlertJson;
import dev.bulwark.engine.detect.Detector;
import dev.bulwark.engine.detect.Engine;
import dev.bulwark.engine.detect.State;
import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventParser;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The scale-out runner's graph: events (canonical JSON, keyed by entity so one key stays on one
 * partition) → the engine's detectors → alerts (JSON, keyed by alert id). Invalid events go to a
 * dead-letter topic with the reason, never silently dropped.
 *
 * <p>State is per stream task and in memory for now; moving it into Kafka Streams state stores is
 * the detection-engine issue's work.
 */
public final class DetectionTopology {
  public static final String SOURCE = "events";
  public static final String DETECT = "detect";
  public static final String ALERTS_SINK = "alerts";
  public static final String INVALID_SINK = "invalid";

  private DetectionTopology() {}

  /**
   * @param detectors builds a fresh detector list for each stream task
   */
  public static Topology build(
      String eventsTopic,
      String alertsTopic,
      String invalidTopic,
      Supplier<List<Detector>> detectors) {
    Topology t = new Topology();
    t.addSource(
        SOURCE, Serdes.String().deserializer(), Serdes.String().deserializer(), eventsTopic);
    t.addProcessor(DETECT, () -> new Detect(detectors.get()), SOURCE);
    t.addSink(
        ALERTS_SINK,
        alertsTopic,
        Serdes.String().serializer(),
        Serdes.String().serializer(),
        DETECT);
    t.addSink(
        INVALID_SINK,
        invalidTopic,
        Serdes.String().serializer(),
        Serdes.String().serializer(),
        DETECT);
    return t;
  }

  /** Runs one task's engine over its records. */
  private static final class Detect implements Processor<String, String, String, String> {
    private final Engine engine;
    private final EventParser parser = new EventParser(1);
    private ProcessorContext<String, String> context;

    Detect(List<Detector> detectors) {
      this.engine = new Engine(detectors, State.inMemory());
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, String> record) {
      Event event;
      try {
        event = parser.parseOne(record.value() == null ? "null" : record.value());
      } catch (ValidationException e) {
        context.forward(record.withValue(e.getMessage()), INVALID_SINK);
        return;
      }
      for (Alert a : engine.process(event)) {
        context.forward(new Record<>(a.id(), AlertJson.write(a), record.timestamp()), ALERTS_SINK);
      }
    }
  }
}
