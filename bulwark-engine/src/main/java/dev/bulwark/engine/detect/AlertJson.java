package dev.bulwark.engine.detect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.bulwark.engine.BulwarkException;

/** The JSON form of an alert, shared by the store, the API and the Kafka runner. */
public final class AlertJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private AlertJson() {}

  public static String write(Alert alert) {
    try {
      return MAPPER.writeValueAsString(alert);
    } catch (JsonProcessingException e) {
      throw new BulwarkException("could not write alert " + alert.id(), e);
    }
  }

  public static Alert read(String json) {
    try {
      return MAPPER.readValue(json, Alert.class);
    } catch (JsonProcessingException e) {
      throw new BulwarkException("could not read a stored alert: " + e.getOriginalMessage(), e);
    }
  }
}
