package dev.bulwark.server.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.server.cli.Main;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.db.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.methods.request.Transaction;

/** {@code bulwark chain backfill} against a real anvil node. */
final class ChainBackfillTest {
  @TempDir Path dir;
  private Anvil anvil;
  private Path config;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream realOut;
  private PrintStream realErr;

  @BeforeEach
  void start() throws Exception {
    anvil = new Anvil();
    List<String> accounts = anvil.accounts();
    for (int i = 0; i < 6; i++) {
      anvil.mine(
          new Transaction(
              accounts.get(0),
              null,
              null,
              BigInteger.valueOf(21_000),
              accounts.get(1),
              BigInteger.valueOf(1000 + i),
              null));
    }
    config =
        Files.writeString(
            dir.resolve("bulwark.yml"),
            """
            storage:
              data_dir: %s
            networks:
              - id: eip155:31337
                rpc: %s
                organisation: acme
            """
                .formatted(dir.resolve("data"), anvil.url));
    realOut = System.out;
    realErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    System.setOut(realOut);
    System.setErr(realErr);
    anvil.close();
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    return Main.run(args);
  }

  private long transfers() {
    try (Database db = Database.open(TestDatabases.h2(dir.resolve("data")))) {
      return db.jdbi()
          .withHandle(
              h ->
                  h.createQuery("SELECT COUNT(*) FROM events WHERE event_type = 'chain.transfer'")
                      .mapTo(Long.class)
                      .one());
    }
  }

  @Test
  void aRangeIsReadWithProgressAndASecondRunStoresNothingTwice() {
    String[] backfill = {
      "chain",
      "backfill",
      "--config",
      config.toString(),
      "--network",
      "eip155:31337",
      "--from",
      "1",
      "--to",
      "4"
    };
    assertThat(run(backfill)).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("eip155:31337: block 1 (1/4), 2 events")
        .contains("eip155:31337: block 4 (4/4), 8 events")
        .contains("backfilled eip155:31337 blocks 1..4: 8 events read");
    assertThat(transfers()).as("blocks 1 to 4, one transfer each").isEqualTo(4);
    assertThat(run(backfill)).isZero();
    assertThat(transfers()).as("idempotent").isEqualTo(4);
  }

  @Test
  void aRangeBeyondTheHeadAndAnUnknownNetworkAreClearErrors() {
    assertThat(
            run(
                "chain",
                "backfill",
                "--config",
                config.toString(),
                "--network",
                "eip155:31337",
                "--from",
                "1",
                "--to",
                "999"))
        .isEqualTo(Main.FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("block 999 is beyond the node's head 6; backfill up to 6 at most");
    assertThat(
            run(
                "chain",
                "backfill",
                "--config",
                config.toString(),
                "--network",
                "eip155:1",
                "--from",
                "1",
                "--to",
                "2"))
        .isEqualTo(Main.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--network eip155:1 is not in the config; configured: eip155:31337");
    assertThat(transfers()).isZero();
  }
}
