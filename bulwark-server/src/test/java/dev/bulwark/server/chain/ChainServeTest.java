package dev.bulwark.server.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.server.App;
import dev.bulwark.server.alert.AlertQuery;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.config.Secret;
import dev.bulwark.server.db.TestDatabases;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.methods.request.Transaction;

/** A configured network is watched by {@code serve}: chain events reach the rules. */
final class ChainServeTest {
  @TempDir Path dir;

  private Config config(Path rules, String rpc, long chainId) {
    return new Config(
        new Config.Server("127.0.0.1", 0, 1 << 20),
        TestDatabases.h2(dir.resolve("data")),
        new Config.Rules(Optional.of(rules)),
        new Config.Ingest(1000, Duration.ZERO),
        new Config.Detection(1, Duration.ofMinutes(5)),
        Config.Notify.defaults(),
        List.of(
            new Config.Network(
                "eip155:31337",
                List.of(new Secret(rpc)),
                Optional.empty(),
                Duration.ofSeconds(5),
                chainId,
                "acme",
                0,
                Duration.ofMillis(100),
                Optional.of(0L),
                "ETH",
                100,
                2,
                true,
                java.util.Set.of(),
                java.util.Map.of(),
                java.util.Map.of())));
  }

  @Test
  void aLargeNativeTransferOnAWatchedChainRaisesAnAlert() throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(
        rules.resolve("big.yml"),
        """
        id: chain.big-native-transfer
        title: "{{e.amount}} wei from {{e.from}}"
        severity: high
        match: {where: 'e.type == "chain.transfer" && e.attrs.standard == "native" && e.amount > 1e18'}
        """);
    try (Anvil anvil = new Anvil()) {
      List<String> accounts = anvil.accounts();
      try (App app = App.serve(config(rules, anvil.url, 31337), Clock.systemUTC())) {
        long org = app.tokens().organisation("acme").id();
        anvil
            .web3j
            .ethSendTransaction(
                new Transaction(
                    accounts.get(0),
                    null,
                    null,
                    BigInteger.valueOf(21_000),
                    accounts.get(1),
                    new BigInteger("2000000000000000000"),
                    null))
            .send();
        Instant deadline = Instant.now().plusSeconds(30);
        while (app.alerts().count(org) == 0) {
          assertThat(Instant.now()).as("the chain event reached detection").isBefore(deadline);
          Thread.sleep(50);
        }
        assertThat(app.alerts().list(org, AlertQuery.all(1)).alerts().get(0).title())
            .startsWith("2000000000000000000 wei from 0x");
      }
    }
  }

  @Test
  void aNodeOfAnotherChainStopsStartUp() throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    try (Anvil anvil = new Anvil()) {
      assertThatThrownBy(() -> App.serve(config(rules, anvil.url, 1), Clock.systemUTC()))
          .hasMessageContaining("reports chain id 31337, but 1 is configured");
    }
  }
}
