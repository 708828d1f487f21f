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
                prices:
                  native: "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419"
                  "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48": 1.0
                official_tokens: {usdc: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"}
            """);
    ConfigLoader.Loaded loaded = new ConfigLoader(Map.of()).load(Optional.of(f), Map.of());
    Config.Network n = loaded.config().networks().get(0);
    assertThat(n.chainId()).isEqualTo(1);
    assertThat(n.confirmations()).isEqualTo(12);
    assertThat(n.startBlock()).isEmpty();
    assertThat(n.rpcUrls()).extracting(Secret::reveal).hasSize(2);
    assertThat(n.rpcTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
    assertThat(n.watch()).containsExactly("0x28c6c06298d514db089934071355e5743bf21d60");
    assertThat(n.prices())
        .containsEntry(
            "native", new Config.Price(null, "0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419"))
        .containsEntry("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", new Config.Price(1.0, null));
    assertThat(n.officialTokens())
        .containsExactly(Map.entry("USDC", "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"));
    assertThat(String.join("\n", loaded.describe()))
        .contains("network eip155:1")
        .contains("watching 1 address, 2 prices (1 from feeds)")
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
                prices:
                  USDC: 1.0
                  "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48": free
                  native: -3
                official_tokens: {USDC: "0x12", "us dc": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"}
            """);
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(Map.of()).load(Optional.of(f), Map.of()));
    assertThat(e.problems())
        .extracting(Problem::toString)
        .containsExactly(
            f
                + ":4:5 networks.colour: unknown key; expected batch, chain_id, concurrency, confirmations, id, native_asset, official_tokens, organisation, poll_interval, prices, rpc, rpc_timeout, start_block, traces, watch, ws",
            f + ":2:9 networks.id: 'ethereum' is not an EVM CAIP-2 id such as eip155:1",
            f + ":3:10 networks.rpc: expected an http(s):// JSON-RPC URL",
            f + ":2:5 networks.organisation: missing",
            f
                + ":12:7 networks.prices: 'USDC' is not an asset; write a token's address (0x and 40 hex digits) or native",
            f
                + ":13:53 networks.prices: 'free' is neither a positive USD price nor a price feed's address (0x and 40 hex digits)",
            f
                + ":14:15 networks.prices: '-3' is neither a positive USD price nor a price feed's address (0x and 40 hex digits)",
            f
                + ":15:29 networks.official_tokens: '0x12' is not a contract address; write 0x and 40 hex digits",
            f + ":15:37 networks.official_tokens: 'us dc' is not a token symbol",
            f + ":7:29 networks.rpc: expected an http(s):// JSON-RPC URL",
            f + ":10:18 networks.rpc_timeout: not a duration; write e.g. 10s",
            f
                + ":9:13 networks.watch: '0x12' is not an address; write 0x and 40 hex digits, or leave watch out to keep everything",
            f + ":8:20 networks.confirmations: 'many' is not a whole number");
  }
}
