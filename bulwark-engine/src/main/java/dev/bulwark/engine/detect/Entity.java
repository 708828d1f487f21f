package dev.bulwark.engine.detect;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Objects;

/** Something an alert is about: an address, account, IP, contract or device, and its role. */
public record Entity(Kind kind, String value, Role role) {
  public Entity {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(role, "role");
  }

  /** What sort of identifier {@code value} is. */
  public enum Kind {
    ADDRESS,
    ACCOUNT,
    IP,
    CONTRACT,
    DEVICE;

    @JsonValue
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Kind parse(String label) {
      return valueOf(label.toUpperCase(Locale.ROOT));
    }
  }

  /** Which side of the activity the entity is on. */
  public enum Role {
    ATTACKER,
    VICTIM,
    RELATED;

    @JsonValue
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Role parse(String label) {
      return valueOf(label.toUpperCase(Locale.ROOT));
    }
  }
}
