package dev.bulwark.engine.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The documented JSON Schema and the parser name the same fields and required set. */
final class EventSchemaTest {
  @Test
  void schemaListsExactlyTheFieldsTheParserAccepts() throws Exception {
    JsonNode schema =
        new ObjectMapper().readTree(Files.readString(Path.of("../docs/event.schema.json")));
    List<String> properties = new ArrayList<>();
    schema.get("properties").fieldNames().forEachRemaining(properties::add);
    assertThat(properties).containsExactlyElementsOf(EventFields.ALL);
    assertThat(schema.get("required").toString()).isEqualTo("[\"id\",\"type\",\"time\"]");
    assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
  }
}
