package dev.bulwark.engine.intel;

import dev.bulwark.engine.BulwarkException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A recursive-descent parser of STIX 2.1 patterns, written from the grammar in the spec's §9 prose
 * (no generated or copied grammar). Errors name the column and what was expected.
 */
public final class PatternParser {
  private static final Set<String> COMPARISON_OPS = Set.of("=", "!=", ">", "<", ">=", "<=");
  private static final Set<String> WORD_OPS =
      Set.of("IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET");

  private final String text;
  private int pos;

  private PatternParser(String text) {
    this.text = text;
  }

  /** The pattern could not be parsed; the message names the 1-based column. */
  public static final class InvalidPatternException extends BulwarkException {
    private final int column;

    InvalidPatternException(int column, String message) {
      super("column %d: %s".formatted(column, message));
      this.column = column;
    }

    public int column() {
      return column;
    }
  }

  public static Pattern parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidPatternException(1, "the pattern is empty");
    }
    PatternParser p = new PatternParser(text);
    Pattern pattern = p.observationOr();
    p.skip();
    if (p.pos < text.length()) {
      throw p.error("unexpected '%s' after the pattern".formatted(p.peekWord()));
    }
    return pattern;
  }

  /** An error at the next token (whitespace skipped, so the column points at what is wrong). */
  private InvalidPatternException error(String message) {
    skip();
    return new InvalidPatternException(pos + 1, message);
  }

  private void skip() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private String peekWord() {
    skip();
    int end = pos;
    while (end < text.length()
        && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
      end++;
    }
    return end == pos
        ? (pos < text.length() ? String.valueOf(text.charAt(pos)) : "end")
        : text.substring(pos, end);
  }

  private boolean keyword(String word) {
    skip();
    if (text.regionMatches(true, pos, word, 0, word.length())) {
      int end = pos + word.length();
      if (end == text.length()
          || !(Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
        pos = end;
        return true;
      }
    }
    return false;
  }

  private boolean symbol(String s) {
    skip();
    if (text.startsWith(s, pos)) {
      pos += s.length();
      return true;
    }
    return false;
  }

  private void expect(String s, String what) {
    if (!symbol(s)) {
      throw error("expected %s, found '%s'".formatted(what, peekWord()));
    }
  }

  // observation expressions: OR binds loosest, then AND, then FOLLOWEDBY (spec precedence)
  private Pattern observationOr() {
    Pattern left = observationAnd();
    while (keyword("OR")) {
      left = new Pattern.ObservationOp("OR", left, observationAnd());
    }
    return left;
  }

  private Pattern observationAnd() {
    Pattern left = observationFollowedBy();
    while (keyword("AND")) {
      left = new Pattern.ObservationOp("AND", left, observationFollowedBy());
    }
    return left;
  }

  private Pattern observationFollowedBy() {
    Pattern left = qualified();
    while (keyword("FOLLOWEDBY")) {
      left = new Pattern.ObservationOp("FOLLOWEDBY", left, qualified());
    }
    return left;
  }

  private Pattern qualified() {
    Pattern p = observation();
    while (true) {
      if (keyword("WITHIN")) {
        double seconds = number();
        if (!keyword("SECONDS")) {
          throw error("expected SECONDS after WITHIN " + seconds);
        }
        p = new Pattern.Qualified(p, new Pattern.Within(seconds));
      } else if (keyword("REPEATS")) {
        double times = number();
        if (times != Math.rint(times) || times < 1 || !keyword("TIMES")) {
          throw error("expected REPEATS <whole number> TIMES");
        }
        p = new Pattern.Qualified(p, new Pattern.Repeats((long) times));
      } else if (keyword("START")) {
        Instant start = timestamp();
        if (!keyword("STOP")) {
          throw error("expected STOP after START");
        }
        p = new Pattern.Qualified(p, new Pattern.StartStop(start, timestamp()));
      } else {
        return p;
      }
    }
  }

  private Pattern observation() {
    skip();
    if (symbol("(")) {
      Pattern inner = observationOr();
      expect(")", "')'");
      return inner;
    }
    if (!symbol("[")) {
      throw error(
          "expected '[' to start an observation expression, found '%s'".formatted(peekWord()));
    }
    Pattern.Comparison c = comparisonOr();
    expect("]", "']' to close the observation expression");
    return new Pattern.Observation(c);
  }

  private Pattern.Comparison comparisonOr() {
    Pattern.Comparison left = comparisonAnd();
    while (keyword("OR")) {
      left = new Pattern.Or(left, comparisonAnd());
    }
    return left;
  }

  private Pattern.Comparison comparisonAnd() {
    Pattern.Comparison left = comparison();
    while (keyword("AND")) {
      left = new Pattern.And(left, comparison());
    }
    return left;
  }

  private Pattern.Comparison comparison() {
    skip();
    if (symbol("(")) {
      Pattern.Comparison inner = comparisonOr();
      expect(")", "')'");
      return inner;
    }
    if (keyword("EXISTS")) {
      return new Pattern.Compare(path(), "EXISTS", false, null);
    }
    Pattern.Path path = path();
    boolean not = keyword("NOT");
    skip();
    int opAt = pos;
    for (String op : List.of(">=", "<=", "!=", "=", ">", "<")) {
      if (symbol(op)) {
        if (not) {
          pos = opAt;
          throw error("NOT does not go with '%s'; write the opposite comparison".formatted(op));
        }
        return new Pattern.Compare(path, op, false, constant());
      }
    }
    for (String op : WORD_OPS) {
      if (keyword(op)) {
        skip();
        int valueAt = pos;
        Object value = op.equals("IN") ? list() : constant();
        if (op.equals("LIKE") || op.equals("MATCHES")) {
          if (!(value instanceof String s)) {
            throw error(op + " needs a string");
          }
          if (op.equals("MATCHES")) {
            try {
              java.util.regex.Pattern.compile(s);
            } catch (java.util.regex.PatternSyntaxException e) {
              pos = valueAt;
              throw error("MATCHES has an invalid regular expression: " + e.getDescription());
            }
          }
        }
        return new Pattern.Compare(path, op, not, value);
      }
    }
    throw error(
        "expected a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET) after "
            + path);
  }

  private Pattern.Path path() {
    skip();
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos))
            || text.charAt(pos) == '-'
            || text.charAt(pos) == '_')) {
      pos++;
    }
    String type = text.substring(start, pos);
    if (type.isEmpty() || !type.equals(type.toLowerCase(Locale.ROOT))) {
      pos = start;
      throw error(
          "expected an object path such as ipv4-addr:value, found '%s'".formatted(peekWord()));
    }
    if (!symbol(":")) {
      throw error("expected ':' after the object type '%s'".formatted(type));
    }
    List<String> steps = new ArrayList<>();
    steps.add(step());
    while (true) {
      if (symbol(".")) {
        steps.add(step());
      } else if (symbol("[")) {
        skip();
        int s = pos;
        while (pos < text.length()
            && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '*')) {
          pos++;
        }
        String index = text.substring(s, pos);
        expect("]", "']' after a list index");
        steps.add("[" + index + "]");
      } else {
        return new Pattern.Path(type, steps);
      }
    }
  }

  private String step() {
    skip();
    if (pos < text.length() && text.charAt(pos) == '\'') {
      return quoted();
    }
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos))
            || text.charAt(pos) == '_'
            || text.charAt(pos) == '-')) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a property name");
    }
    return text.substring(start, pos);
  }

  private String quoted() {
    int start = pos;
    pos++; // the opening quote
    StringBuilder out = new StringBuilder();
    while (pos < text.length()) {
      char c = text.charAt(pos++);
      if (c == '\\') {
        if (pos >= text.length() || (text.charAt(pos) != '\'' && text.charAt(pos) != '\\')) {
          pos--;
          throw error("only \\' and \\\\ may be escaped in a string");
        }
        out.append(text.charAt(pos++));
      } else if (c == '\'') {
        return out.toString();
      } else {
        out.append(c);
      }
    }
    pos = start;
    throw error("unterminated string");
  }

  private List<Object> list() {
    expect("(", "'(' to start the IN list");
    List<Object> items = new ArrayList<>();
    do {
      items.add(constant());
    } while (symbol(","));
    expect(")", "')' to close the IN list");
    return items;
  }

  private Object constant() {
    skip();
    if (pos >= text.length()) {
      throw error("expected a constant, found the end of the pattern");
    }
    char c = text.charAt(pos);
    if (c == '\'') {
      return quoted();
    }
    if ((c == 't' || c == 'h' || c == 'b')
        && pos + 1 < text.length()
        && text.charAt(pos + 1) == '\'') {
      pos++;
      int at = pos;
      String body = quoted();
      try {
        return switch (c) {
          case 't' -> Instant.parse(body);
          case 'h' -> new Pattern.Binary(HexFormat.of().parseHex(body));
          default -> new Pattern.Binary(Base64.getDecoder().decode(body));
        };
      } catch (DateTimeParseException | IllegalArgumentException e) {
        pos = at;
        throw error(
            "invalid %s constant '%s'"
                .formatted(c == 't' ? "timestamp" : c == 'h' ? "hex" : "base64", body));
      }
    }
    if (keyword("true")) {
      return Boolean.TRUE;
    }
    if (keyword("false")) {
      return Boolean.FALSE;
    }
    if (c == '-' || c == '+' || Character.isDigit(c)) {
      double d = number();
      return d == Math.rint(d) && Math.abs(d) < 9e15 && !text.substring(0, pos).endsWith(".0")
          ? (Object) (long) d
          : (Object) d;
    }
    throw error(
        "expected a constant ('string', number, true/false, t'…', h'…', b'…'), found '%s'"
            .formatted(peekWord()));
  }

  private double number() {
    skip();
    int start = pos;
    if (pos < text.length() && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
      pos++;
    }
    while (pos < text.length()
        && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
      pos++;
    }
    try {
      return Double.parseDouble(text.substring(start, pos));
    } catch (NumberFormatException e) {
      pos = start;
      throw error("expected a number");
    }
  }

  private Instant timestamp() {
    skip();
    if (!text.startsWith("t'", pos)) {
      throw error("expected a timestamp t'…'");
    }
    Object v = constant();
    return (Instant) v;
  }
}
