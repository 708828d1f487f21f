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
