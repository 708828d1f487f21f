package dev.bulwark.server.alert;

import dev.bulwark.engine.BulwarkException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Where a page of alerts ended: the (time, id) of its last alert. Opaque to clients. It only moves
 * the keyset; the organisation always comes from the caller's token, so a cursor can never widen
 * what a caller sees.
 */
public record AlertCursor(Instant time, String alertId) {
  private static final String VERSION = "a1";

  public String encode() {
    String raw = VERSION + "|" + time + "|" + alertId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  public static AlertCursor decode(String text) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      String[] parts = raw.split("\\|", 3);
      if (parts.length != 3 || !parts[0].equals(VERSION) || parts[2].isEmpty()) {
        throw new InvalidCursorException();
      }
      return new AlertCursor(Instant.parse(parts[1]), parts[2]);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new InvalidCursorException();
    }
  }

  /** The cursor was not one this server handed out. */
  public static final class InvalidCursorException extends BulwarkException {
    InvalidCursorException() {
      super("invalid cursor; pass the next_cursor of a previous page unchanged");
    }
  }
}
