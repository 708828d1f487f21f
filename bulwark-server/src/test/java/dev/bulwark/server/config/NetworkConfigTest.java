package dev.bulwark.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.engine.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class NetworkConfigTest {
  @TempDir Path dir;

  @Test
  void networksAreReadAndTheirRpcKeysNeverPrinted() throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("bulwark.yml"),
            """
            networks:
              - id: eip155:1
                rpc: https://mainnet.example.org/v3/SECRETKEY
                organisation: acme
                confirmations: 12
                start_block: latest
            """);
    ConfigLoader.Loaded loaded = new ConfigLoader(Map.of()).load(Optional.of(f), Map.of());
    Config.Network n = loaded.config().networks().get(0);
    assertThat(n.chainId()).isEqualTo(1);
    assertThat(n.confirmations()).isEqualTo(12);
    assertThat(n.startBlock()).isEmpty();
    assertThat(String.join("\n", loaded.describe()))
        .contains("network eip155:1")
        .contains("https://mainnet.example.org/****")
        .doesNotContain("SECRETKEY");
    assertThat(n.toString()).doesNotContain("SECRETKEY");
  }

  @Test
  void everyProblemOfEveryNetworkIsListed() throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("bulwark.yml"),
            """
            networks:
              - id: ethereum
                rpc: ftp://node
                colour: red
              - id: eip155:1
                organisation: acme
                rpc: http://node:8545
                confirmations: many
            """);
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(Map.of()).load(Optional.of(f), Map.of()));
    assertThat(e.problems())
        .extracting(Problem::toString)
        .containsExactly(
            f
                + ":4:5 networks.colour: unknown key; expected batch, chain_id, confirmations, id, native_asset, organisation, poll_interval, rpc, start_block, traces",
            f + ":2:9 networks.id: 'ethereum' is not an EVM CAIP-2 id such as eip155:1",
            f + ":3:10 networks.rpc: expected an http(s):// JSON-RPC URL",
            f + ":2:5 networks.organisation: missing",
            f + ":8:20 networks.confirmations: 'many' is not a whole number");
  }
}
