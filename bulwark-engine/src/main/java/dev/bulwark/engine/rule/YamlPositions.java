package dev.bulwark.engine.rule;

import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Maps a position inside a YAML scalar's value back to the file's line and column. */
final class YamlPositions {
  private YamlPositions() {}

  /**
   * @param line 1-based line within the scalar's value
   * @param column 1-based column within that line
   * @return the 1-based {line, column} in the file; exact for one-line plain and quoted scalars and
   *     for literal blocks ({@code |}), the scalar's start line otherwise
   */
  static int[] locate(String text, ScalarNode node, int line, int column) {
    int startLine = node.getStartMark().getLine(); // 0-based
    int startColumn = node.getStartMark().getColumn(); // 0-based
    ScalarStyle style = node.getScalarStyle();
    if (style == ScalarStyle.LITERAL) {
      String[] lines = text.split("\n", -1);
      int first = startLine + 1;
      int indent = 0;
      for (int i = first; i < lines.length; i++) {
        if (!lines[i].isBlank()) {
          indent = lines[i].length() - lines[i].stripLeading().length();
          break;
        }
      }
      return new int[] {first + line, indent + column};
    }
    if (line == 1) {
      boolean quoted = style == ScalarStyle.SINGLE_QUOTED || style == ScalarStyle.DOUBLE_QUOTED;
      return new int[] {startLine + 1, startColumn + (quoted ? 1 : 0) + column};
    }
    return new int[] {startLine + line, column};
  }
}
