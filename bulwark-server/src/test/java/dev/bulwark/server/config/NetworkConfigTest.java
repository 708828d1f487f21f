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
                rpc:
                  - https://mainnet.example.org/v3/SECRETKEY
                  - https://backup.example.net:8443/OTHERKEY
                rpc_timeout: 3s
                organisation: acme
                confirmations: 12
                start_block: latest
                watch: [ "0x28C6c06298d514Db089934071355E5743bf21d60" ]
            """);
    ConfigLoader.Loaded loaded = new ConfigLoader(Map.of()).load(Optional.of(f), Map.of());
    Config.Network n = loaded.config().networks().get(0);
    assertThat(n.chainId()).isEqualTo(1);
    assertThat(n.confirmations()).isEqualTo(12);
    assertThat(n.startBlock()).isEmpty();
    assertThat(n.rpcUrls()).extracting(Secret::reveal).hasSize(2);
    assertThat(n.rpcTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
    assertThat(n.watch()).containsExactly("0x28c6c06298d514db089934071355e5743bf21d60");
    assertThat(String.join("\n", loaded.describe()))
        .contains("network eip155:1")
        .contains("https://mainnet.example.org/****, https://backup.example.net:8443/****")
        .doesNotContain("SECRETKEY")
        .doesNotContain("OTHERKEY");
    assertThat(n.toString()).doesNotContain("SECRETKEY").doesNotContain("OTHERKEY");
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
                rpc: [http://node:8545, "node2:8545"]
                confirmations: many
                watch: [0x12]
                rpc_timeout: soon
            """);
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(Map.of()).load(Optional.of(f), Map.of()));
    assertThat(e.problems())
        .extracting(Problem::toString)
        .containsExactly(
            f
                + ":4:5 networks.colour: unknown key; expected batch, chain_id, concurrency, confirmations, id, native_asset, organisation, poll_interval, rpc, rpc_timeout, start_block, traces, watch, ws",
            f + ":2:9 networks.id: 'ethereum' is not an EVM CAIP-2 id such as eip155:1",
            f + ":3:10 networks.rpc: expected an http(s):// JSON-RPC URL",
            f + ":2:5 networks.organisation: missing",
            f + ":7:29 networks.rpc: expected an http(s):// JSON-RPC URL",
            f + ":10:18 networks.rpc_timeout: not a duration; write e.g. 10s",
            f
                + ":9:13 networks.watch: '0x12' is not an address; write 0x and 40 hex digits, or leave watch out to keep everything",
            f + ":8:20 networks.confirmations: 'many' is not a whole number");
  }
}
