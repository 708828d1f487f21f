package dev.bulwark.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.engine.detect.Alert;
import dev.bulwark.engine.detect.AlertJson;
import dev.bulwark.engine.detect.Severity;
import dev.bulwark.engine.rule.RuleCompiler;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

final class DetectionTopologyTest {
  private static final String RULE =
      """
      id: wallet.big-withdrawal
      title: big withdrawal by {{e.account}}
      severity: critical
      match:
        where: e.type == "wallet.withdrawal_requested" && e.amount_usd > 100000.0
      """;

  @Test
  void eventsBecomeAlertsAndInvalidEventsGoToTheDeadLetterTopic() {
    var topology =
        DetectionTopology.build(
            "events",
            "alerts",
            "events.invalid",
            () -> List.of(new RuleCompiler().compile("big.yml", RULE)));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bulwark-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      TestInputTopic<String, String> in =
          driver.createInputTopic(
              "events", Serdes.String().serializer(), Serdes.String().serializer());
      TestOutputTopic<String, String> alerts =
          driver.createOutputTopic(
              "alerts", Serdes.String().deserializer(), Serdes.String().deserializer());
      TestOutputTopic<String, String> invalid =
          driver.createOutputTopic(
              "events.invalid", Serdes.String().deserializer(), Serdes.String().deserializer());

      in.pipeInput(
          "u-1",
          "{\"id\":\"w-1\",\"type\":\"wallet.withdrawal_requested\",\"time\":\"2026-11-26T06:00:00Z\",\"account\":\"u-1\",\"amount_usd\":250000.0}");
      in.pipeInput(
          "u-2",
          "{\"id\":\"w-2\",\"type\":\"wallet.withdrawal_requested\",\"time\":\"2026-11-26T06:00:00Z\",\"account\":\"u-2\",\"amount_usd\":5.0}");
      in.pipeInput("u-3", "{\"id\":\"w-3\",\"type\":\"wallet.withdrawal_requested\"}");

      var out = alerts.readKeyValuesToList();
      assertThat(out).hasSize(1);
      Alert a = AlertJson.read(out.get(0).value);
      assertThat(out.get(0).key).isEqualTo(a.id());
      assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(a.title()).isEqualTo("big withdrawal by u-1");
      var bad = invalid.readKeyValuesToList();
      assertThat(bad)
          .singleElement()
          .satisfies(
              kv -> {
                assertThat(kv.key).isEqualTo("u-3");
                assertThat(kv.value).contains("$.time: missing");
              });
    }
  }
}
