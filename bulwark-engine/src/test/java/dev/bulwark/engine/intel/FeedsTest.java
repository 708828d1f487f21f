package dev.bulwark.engine.intel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bulwark.engine.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

final class FeedsTest {
  private static final Instant AS_OF = Instant.parse("2026-11-26T00:00:00Z");

  private static String resource(String name) throws IOException {
    try (InputStream in = FeedsTest.class.getResourceAsStream("/feeds/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void fortaLabelledDatasetsBecomeAddressIndicatorsWithTheirTags() throws IOException {
    List<Indicator> labels =
        Feeds.parse(
            Feeds.Format.FORTA,
            "forta",
            resource("forta/etherscan_malicious_labels.csv"),
            60,
            AS_OF);
    assertThat(labels).hasSize(7259); // 7,780 rows, 7,259 distinct addresses
    assertThat(labels.get(0).name())
        .isEqualTo("Fake_Phishing1772, etherscan-phish-hack-list (Forta labelled dataset)");
    assertThat(labels.get(0).pattern())
        .isEqualTo("[cryptocurrency-wallet:value = '0x80d7bb18521acbef32d7906502ebe94928690e93']");
    List<Indicator> phishing =
        Feeds.parse(Feeds.Format.FORTA, "forta", resource("forta/phishing_scams.csv"), 60, AS_OF);
    assertThat(phishing).hasSize(6205);
    List<Indicator> contracts =
        Feeds.parse(
            Feeds.Format.FORTA,
            "forta",
            resource("forta/malicious_smart_contracts.csv"),
            60,
            AS_OF);
    assertThat(contracts.size()).as("contracts and their deployers").isGreaterThan(719);
    assertThat(contracts)
        .anySatisfy(
            i ->
                assertThat(i.name())
                    .isEqualTo("Multichain Exploiter 10, exploit (Forta labelled dataset)"))
        .anySatisfy(
            i -> {
              assertThat(i.pattern()).contains("0x98f5b0a99f258a09403d965647ee9d53677914af");
              assertThat(i.name())
                  .startsWith(
                      "deployer of malicious contract 0x04ae3226c80e8c04d35e6e56089345bdd06da6de");
            });
    IndicatorIndex index = new IndicatorIndex();
    contracts.forEach(index::put);
    assertThat(
            index.lookup(
                List.of(Observable.wallet("0x98F5B0A99F258A09403D965647EE9D53677914AF")), AS_OF))
        .hasSize(1);

    {
      Feeds.InvalidFeedException e =
          catchThrowableOfType(
              Feeds.InvalidFeedException.class,
              () ->
                  Feeds.parse(
                      Feeds.Format.FORTA,
                      "forta",
                      "banned_address,wallet_tag,data_source\n0x12,x,y\n",
                      60,
                      AS_OF));
      assertThat(e.problems())
          .extracting(Problem::toString)
          .containsExactly("line 2, column banned_address: '0x12' is not an EVM address");
    }
  }

  @Test
  void csvIsReadByTheBookWithTheLineEachRecordStartsOn() {
    List<Problem> problems = new java.util.ArrayList<>();
    List<Feeds.Row> rows =
        Feeds.rows(
            "address,name\n\n\"0xab\",\"a \"\"quoted\"\", two-line\nname\"\n0xcd,plain\n",
            problems);
    assertThat(problems).isEmpty();
    assertThat(rows)
        .extracting(Feeds.Row::line, Feeds.Row::cells)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, List.of("address", "name")),
            org.assertj.core.groups.Tuple.tuple(
                3L, List.of("0xab", "a \"quoted\", two-line\nname")),
            org.assertj.core.groups.Tuple.tuple(5L, List.of("0xcd", "plain")));
    Feeds.rows("address,name\n0xab,\"unclosed\n", problems);
    assertThat(problems)
        .singleElement()
        .satisfies(p -> assertThat(p.toString()).startsWith("line 2: not valid CSV"));
  }

  @Test
  void mispAttributesFlaggedForDetectionBecomeIndicators() throws IOException {
    List<Indicator> misp =
        Feeds.parse(Feeds.Format.MISP, "misp-seal", resource("misp-event.json"), 75, AS_OF);
    assertThat(misp)
        .extracting(Indicator::pattern)
        .containsExactly(
            "[domain-name:value = 'claim-airdrop.example']",
            "[ipv4-addr:value = '198.51.100.23']",
            "[url:value = 'https://claim-airdrop.example/connect']",
            "[cryptocurrency-wallet:value = '0x098b716b8aaf21512996dc57eb0615e2383e2f96']",
            "[file:hashes.'SHA-256' = 'a3c5f1e0b2d4c6e8f0a1b3c5d7e9f1a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3f5']");
    assertThat(misp.get(0).name())
        .isEqualTo(
            "MISP: Wallet drainer kit 'Inferno' campaign (event 5e8f0a4c-7d2b-4a0e-9f1c-3b6d8e2a4c10)");
    Feeds.InvalidFeedException e =
        catchThrowableOfType(
            Feeds.InvalidFeedException.class,
            () ->
                Feeds.parse(
                    Feeds.Format.MISP,
                    "m",
                    "{\"Event\": {\"Attribute\": [{\"type\": \"domain\", \"to_ids\": true}]}}",
                    75,
                    AS_OF));
    assertThat(e.problems())
        .extracting(Problem::toString)
        .containsExactly("$.Event.Attribute[0].value: missing");
  }

  @Test
  void myEtherWalletDarklistsBecomeWalletAndDomainIndicators() throws IOException {
    List<Indicator> addresses =
        Feeds.parse(
            Feeds.Format.MEW_ADDRESSES, "mew", resource("mew-addresses-excerpt.json"), 70, AS_OF);
    assertThat(addresses)
        .hasSize(8)
        .allSatisfy(
            i -> {
              assertThat(i.pattern()).startsWith("[cryptocurrency-wallet:value = '0x");
              assertThat(i.source()).isEqualTo("feed:mew");
              assertThat(i.confidence()).isEqualTo(70);
            });
    assertThat(addresses.get(0).name()).startsWith("XRP phishing website");
    List<Indicator> urls =
        Feeds.parse(
            Feeds.Format.MEW_URLS, "mew-urls", resource("mew-urls-excerpt.json"), 70, AS_OF);
    assertThat(urls.get(0).pattern()).isEqualTo("[domain-name:value = 'web3nodes.network']");
    IndicatorIndex index = new IndicatorIndex();
    addresses.forEach(index::put);
    urls.forEach(index::put);
    assertThat(index.size()).isEqualTo(16);
    assertThat(index.lookup(List.of(Observable.domain("Web3Nodes.Network")), AS_OF)).hasSize(1);
  }

  @Test
  void idsAreStableAcrossImportsAndCaseInsensitiveForEvmAddresses() {
    String a = "0x722122dF12D4e14e13Ac3b6895a86e84145b6967\n";
    List<Indicator> first = Feeds.parse(Feeds.Format.OFAC_LIST, "ofac-eth", a, 100, AS_OF);
    List<Indicator> again =
        Feeds.parse(
            Feeds.Format.OFAC_LIST, "ofac-eth", a.toLowerCase(), 100, AS_OF.plusSeconds(86400));
    assertThat(again.get(0).id()).isEqualTo(first.get(0).id());
    assertThat(Feeds.parse(Feeds.Format.OFAC_LIST, "other-feed", a, 100, AS_OF).get(0).id())
        .isNotEqualTo(first.get(0).id());
  }

  @Test
  void csvWithQuotedCells() {
    List<Indicator> list =
        Feeds.parse(
            Feeds.Format.CSV,
            "forta",
            "banned,address,name\nyes,0x0000000000000000000000000000000000000bad,\"Fake \"\"Airdrop\"\", drainer\"\n",
            60,
            AS_OF);
    assertThat(list)
        .singleElement()
        .satisfies(i -> assertThat(i.name()).isEqualTo("Fake \"Airdrop\", drainer"));
  }

  @Test
  void everyBadEntryIsReportedAndNothingIsReturned() {
    var e =
        catchThrowableOfType(
            Feeds.InvalidFeedException.class,
            () ->
                Feeds.parse(
                    Feeds.Format.MEW_ADDRESSES,
                    "mew",
                    "[{\"address\":\"nope\"},{\"comment\":\"x\"}]",
                    70,
                    AS_OF));
    assertThat(e.problems())
        .extracting(Problem::toString)
        .containsExactly("$[0].address: not an EVM address", "$[1].address: missing");
    var csv =
        catchThrowableOfType(
            Feeds.InvalidFeedException.class,
            () -> Feeds.parse(Feeds.Format.CSV, "f", "name,label\na,b\n", 60, AS_OF));
    assertThat(csv.problems().get(0).message()).contains("no 'address' column");
  }
}
