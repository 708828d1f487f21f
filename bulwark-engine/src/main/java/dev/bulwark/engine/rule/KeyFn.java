package dev.bulwark.engine.rule;

import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventFields;
import java.util.List;

/**
 * The key a rule groups events by: one or more event fields ({@code account}, {@code ip}, {@code
 * attrs.asn}…). An event that lacks any of them has no key and is not grouped.
 */
record KeyFn(List<String> fields) {
  KeyFn {
    fields = List.copyOf(fields);
  }

  /** Whether a name is a field events can be grouped by. */
  static boolean valid(String field) {
    return (EventFields.ALL.contains(field) && !field.equals("attrs"))
        || (field.startsWith("attrs.") && field.length() > "attrs.".length());
  }

  /** The key of the event, or null when it lacks one of the fields. */
  String of(Event e) {
    if (fields.size() == 1) {
      Object v = value(e, fields.get(0));
      return v == null ? null : v.toString();
    }
    StringBuilder key = new StringBuilder();
    for (String f : fields) {
      Object v = value(e, f);
      if (v == null) {
        return null;
      }
      if (key.length() > 0) {
        key.append('|');
      }
      key.append(v);
    }
    return key.toString();
  }

  static Object value(Event e, String field) {
    return field.startsWith("attrs.")
        ? e.attrs().get(field.substring("attrs.".length()))
        : e.field(field);
  }

  @Override
  public String toString() {
    return String.join(",", fields);
  }
}
