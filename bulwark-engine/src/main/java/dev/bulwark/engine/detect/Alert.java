package dev.bulwark.engine.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bulwark.engine.event.Event;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What a detector raises. The id is derived from the dedup key, so raising the same alert twice (a
 * replay, a re-sent batch) yields the same id and the store keeps one.
 */
public record Alert(
    String id,
    String rule,
    Severity severity,
    String title,
    String summary,
    Instant time,
    List<Entity> entities,
    Evidence evidence,
    List<String> tags,
    double score,
    @JsonProperty("dedup_key") String dedupKey) {

  public Alert {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(dedupKey, "dedupKey");
    summary = summary == null ? "" : summary;
    entities = List.copyOf(entities);
    tags = List.copyOf(tags);
    Objects.requireNonNull(evidence, "evidence");
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new IllegalArgumentException("score must be within 0..1, was " + score);
    }
  }

  /** The events and transactions that made the detector fire. */
  public record Evidence(
      @JsonProperty("event_ids") List<String> eventIds,
      @JsonProperty("tx_hashes") List<String> txHashes) {
    public Evidence {
      eventIds = List.copyOf(eventIds);
      txHashes = List.copyOf(txHashes);
    }

    /** The evidence of a single event. */
    public static Evidence of(Event e) {
      return new Evidence(List.of(e.id()), e.tx() == null ? List.of() : List.of(e.tx()));
    }
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
          });

  /** A stable alert id for a dedup key: {@code alr_} and 24 hex digits of its SHA-256. */
  public static String idFor(String dedupKey) {
    byte[] hash = SHA256.get().digest(dedupKey.getBytes(StandardCharsets.UTF_8));
    return "alr_" + HexFormat.of().formatHex(hash, 0, 12);
  }
}
