package dev.bulwark.engine.rule;

import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A title or summary with {@code {{e.field}}} and {@code {{e.attrs.key}}} placeholders, parsed once
 * at compile time. A placeholder whose field is absent renders as {@code ?}.
 */
final class Template {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^}]*?)\\s*}}");

  private sealed interface Part permits Text, Field, Attr {}

  private record Text(String text) implements Part {}

  private record Field(String name) implements Part {}

  private record Attr(String key) implements Part {}

  private final List<Part> parts;

  private Template(List<Part> parts) {
    this.parts = List.copyOf(parts);
  }

  /**
   * Parses the text; on a bad placeholder returns the message and the offset of the placeholder.
   */
  static Parsed parse(String text) {
    List<Part> parts = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        parts.add(new Text(text.substring(last, m.start())));
      }
      String ref = m.group(1);
      Optional<Part> part = reference(ref);
      if (part.isEmpty()) {
        return new Parsed(
            null,
            "unknown placeholder {{%s}}; use {{e.<field>}} with a field of docs/events.md or {{e.attrs.<key>}}"
                .formatted(ref),
            m.start());
      }
      parts.add(part.get());
      last = m.end();
    }
    if (last < text.length()) {
      parts.add(new Text(text.substring(last)));
    }
    return new Parsed(new Template(parts), null, 0);
  }

  private static Optional<Part> reference(String ref) {
    if (ref.startsWith("e.attrs.") && ref.length() > "e.attrs.".length()) {
      return Optional.of(new Attr(ref.substring("e.attrs.".length())));
    }
    if (ref.startsWith("e.")) {
      String name = ref.substring(2);
      if (EventFields.ALL.contains(name) && !name.equals("attrs")) {
        return Optional.of(new Field(name));
      }
    }
    return Optional.empty();
  }

  String render(Event event) {
    if (parts.size() == 1 && parts.get(0) instanceof Text t) {
      return t.text();
    }
    Map<String, Object> fields = event.asMap();
    StringBuilder out = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Text t) {
        out.append(t.text());
      } else if (p instanceof Field f) {
        Object v = f.name().equals("amount") ? event.amount() : fields.get(f.name());
        out.append(v == null ? "?" : text(v));
      } else if (p instanceof Attr a) {
        Object v = event.attrs().get(a.key());
        out.append(v == null ? "?" : text(v));
      }
    }
    return out.toString();
  }

  /** Numbers as people write them: full decimal precision, no trailing ".0" on whole values. */
  private static String text(Object v) {
    if (v instanceof java.math.BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return v.toString();
  }

  /** A parsed template, or why it could not be parsed and where in the text. */
  record Parsed(Template template, String error, int offset) {}
}
