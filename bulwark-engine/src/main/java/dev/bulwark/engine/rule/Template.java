package dev.bulwark.engine.rule;

import dev.bulwark.engine.event.Event;
import dev.bulwark.engine.event.EventFields;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A title or summary with placeholders, parsed once at compile time: {@code {{e.field}}} and {@code
 * {{e.attrs.key}}} from the triggering event, {@code {{b.name}}} for values a sequence bound, and
 * the kind's own values such as {@code {{count}}} or {@code {{key}}}. A placeholder whose value is
 * absent renders as {@code ?}.
 */
final class Template {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^}]*?)\\s*}}");

  private sealed interface Part permits Text, Field, Attr, Var, Bound, Units {}

  /** {@code {{e.amount_units}}}: the amount in whole tokens with the token's name. */
  private record Units() implements Part {}

  private record Text(String text) implements Part {}

  private record Field(String name) implements Part {}

  private record Attr(String key) implements Part {}

  private record Var(String name) implements Part {}

  private record Bound(String name) implements Part {}

  private final List<Part> parts;

  private Template(List<Part> parts) {
    this.parts = List.copyOf(parts);
  }

  /** A parsed template, or why it could not be parsed and where in the text. */
  record Parsed(Template template, String error, int offset) {}

  /**
   * @param vars the kind's own placeholders ({@code count}, {@code key}…)
   * @param bindings whether {@code {{b.name}}} is allowed (sequences)
   */
  static Parsed parse(String text, Set<String> vars, boolean bindings) {
    List<Part> parts = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        parts.add(new Text(text.substring(last, m.start())));
      }
      String ref = m.group(1);
      Optional<Part> part = reference(ref, vars, bindings);
      if (part.isEmpty()) {
        String extra =
            vars.isEmpty()
                ? ""
                : ", "
                    + String.join(", ", vars.stream().sorted().map(v -> "{{" + v + "}}").toList());
        return new Parsed(
            null,
            "unknown placeholder {{%s}}; use {{e.<field>}}, {{e.amount_units}}, {{e.attrs.<key>}}%s%s"
                .formatted(ref, bindings ? ", {{b.<name>}}" : "", extra),
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

  private static Optional<Part> reference(String ref, Set<String> vars, boolean bindings) {
    if (ref.equals("e.amount_units")) {
      return Optional.of(new Units());
    }
    if (ref.startsWith("e.attrs.") && ref.length() > "e.attrs.".length()) {
      return Optional.of(new Attr(ref.substring("e.attrs.".length())));
    }
    if (ref.startsWith("e.")) {
      String name = ref.substring(2);
      if (EventFields.ALL.contains(name) && !name.equals("attrs")) {
        return Optional.of(new Field(name));
      }
    }
    if (bindings && ref.startsWith("b.") && ref.length() > 2) {
      return Optional.of(new Bound(ref.substring(2)));
    }
    if (vars.contains(ref)) {
      return Optional.of(new Var(ref));
    }
    return Optional.empty();
  }

  String render(Event event) {
    return render(event, Map.of(), Map.of());
  }

  String render(Event event, Map<String, Object> vars, Map<String, Object> bound) {
    if (parts.size() == 1 && parts.get(0) instanceof Text t) {
      return t.text();
    }
    Map<String, Object> fields = event.asMap();
    StringBuilder out = new StringBuilder();
    for (Part p : parts) {
      Object v;
      if (p instanceof Text t) {
        out.append(t.text());
        continue;
      } else if (p instanceof Field f) {
        v = f.name().equals("amount") ? event.amount() : fields.get(f.name());
      } else if (p instanceof Attr a) {
        v = event.attrs().get(a.key());
      } else if (p instanceof Units) {
        v = units(event);
      } else if (p instanceof Var var) {
        v = vars.get(var.name());
      } else {
        v = bound.get(((Bound) p).name());
      }
      out.append(v == null ? "?" : text(v));
    }
    return out.toString();
  }

  /**
   * The amount in whole tokens when the event says its decimals ({@code attrs.decimals}), named by
   * {@code attrs.symbol} or the asset — {@code 1500000 USDT}; else the raw amount, {@code
   * 1500000000000 raw units of 0xdac1…}; null without an amount.
   */
  private static String units(Event e) {
    if (e.amount() == null) {
      return null;
    }
    Object symbol = e.attrs().get("symbol");
    String name = symbol instanceof String sym ? sym : e.asset() == null ? "" : e.asset();
    if (e.attrs().get("decimals") instanceof Number d && d.intValue() >= 0 && d.intValue() <= 77) {
      BigDecimal whole = e.amount().movePointLeft(d.intValue()).stripTrailingZeros();
      return (whole.scale() < 0 ? whole.setScale(0) : whole).toPlainString() + " " + name;
    }
    return e.amount().toPlainString() + " raw units of " + name;
  }

  /** Numbers as people write them: full decimal precision, no trailing ".0" on whole values. */
  private static String text(Object v) {
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    if (v instanceof Double d) {
      return String.format(java.util.Locale.ROOT, "%.4g", d).replaceAll("\\.?0+(?=$|e)", "");
    }
    return v.toString();
  }
}
