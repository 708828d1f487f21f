package dev.bulwark.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code bulwark demo}: the whole pack end to end — ingestion, storage, detection — on a generated
 * day. Every woven attack must be caught, and nothing in the background traffic may alert.
 */
final class DemoTest {
  @Test
  void theDemoDayCatchesEveryAttackAndNothingElse() {
    PrintStream real = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.run("demo", "--exit", "--customers", "300", "--seed", "11");
    } finally {
      System.setOut(real);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    assertThat(text)
        .contains("17 of 17 attacks caught")
        .contains("alerts on background traffic (false positives): 0")
        .doesNotContain("MISSED")
        .contains("/api/v1/alerts");
  }
}
