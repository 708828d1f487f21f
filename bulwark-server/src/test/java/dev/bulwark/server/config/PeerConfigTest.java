package dev.bulwark.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.engine.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PeerConfigTest {
  @TempDir Path dir;

  @Test
  void peersAreReadWithTheirTokenFromTheEnvironmentAndNeverPrinted() throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("bulwark.yml"),
            """
            peers:
              - name: exchange-a
                url: https://intel.exchange-a.example/taxii2/
                token_env: PEER_A_TOKEN
                organisation: exchange-b
                interval: 10s
                pull:
                  - {remote: outbound, local: from-exchange-a}
                push:
                  - {remote: inbound, local: to-exchange-a}
            """);
    ConfigLoader.Loaded loaded =
        new ConfigLoader(Map.of("PEER_A_TOKEN", "bwk_SECRETTOKEN")).load(Optional.of(f), Map.of());
    Config.Peer p = loaded.config().peers().get(0);
    assertThat(p.token().reveal()).isEqualTo("bwk_SECRETTOKEN");
    assertThat(p.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.pull()).containsExactly(new Config.Link("outbound", "from-exchange-a"));
    assertThat(p.push()).containsExactly(new Config.Link("inbound", "to-exchange-a"));
    assertThat(String.join("\n", loaded.describe()))
        .contains("peer exchange-a: https://intel.exchange-a.example/****")
        .doesNotContain("SECRETTOKEN");
    assertThat(p.toString()).doesNotContain("SECRETTOKEN");
  }

  @Test
  void everyProblemOfEveryPeerIsListed() throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("bulwark.yml"),
            """
            peers:
              - name: exchange-a
                url: https://intel.exchange-a.example/taxii2
                token_env: UNSET_VARIABLE
                pull: [{remote: outbound}]
                colour: red
              - name: exchange-c
                url: ftp://c.example/
                token: t
                organisation: acme
                interval: often
            """);
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(Map.of()).load(Optional.of(f), Map.of()));
    assertThat(e.problems())
        .extracting(Problem::toString)
        .containsExactly(
            f
                + ":6:5 peers.colour: unknown key; expected interval, name, organisation, pull, push, timeout, token, token_env, url",
            f
                + ":3:10 peers.url: TAXII URLs end with '/'; write https://intel.exchange-a.example/taxii2/",
            f + ":4:16 peers.token_env: environment variable UNSET_VARIABLE is not set",
            f + ":2:5 peers.organisation: missing",
            f + ":5:12 peers.pull: each link needs remote and local",
            f
                + ":8:10 peers.url: expected the peer's https:// TAXII discovery URL (…/taxii2/) or API root",
            f + ":11:15 peers.interval: not a duration; write e.g. 30s or 5m");
  }
}
