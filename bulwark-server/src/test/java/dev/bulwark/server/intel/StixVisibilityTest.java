package dev.bulwark.server.intel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.engine.intel.Tlp;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.db.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every TLP level seen from every side: producer, reader, named recipient, outsider. */
final class StixVisibilityTest {
  @TempDir Path dir;

  private static String indicator(int n, String marking) {
    return """
        {"type": "indicator", "spec_version": "2.1",
         "id": "indicator--00000000-0000-4000-8000-00000000000%d",
         "created": "2026-11-26T09:00:00.000Z", "modified": "2026-11-26T09:00:00.000Z",
         "name": "%s",
         "pattern": "[domain-name:value = 'drainer%d.example']", "pattern_type": "stix",
         "valid_from": "2026-11-26T09:00:00Z"%s}
        """
        .formatted(
            n,
            marking == null ? "unmarked" : marking,
            n,
            marking == null
                ? ""
                : ", \"object_marking_refs\": [\"%s\"]"
                    .formatted(Tlp.parse(marking).orElseThrow().id()));
  }

  private static List<String> names(List<StixStore.Stored> stored) throws Exception {
    List<String> out = new ArrayList<>();
    for (StixStore.Stored s : stored) {
      out.add(StixStore.parse(s.body()).get("name").asText());
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void eachLevelReachesExactlyWhomItMayAndPagingNeverWidensIt(TestDatabases.Kind kind)
      throws Exception {
    try (Database db = Database.open(TestDatabases.storage(kind, dir))) {
      TokenStore orgs = new TokenStore(db.jdbi(), Clock.systemUTC());
      long producer = orgs.organisation("exchange-a").id();
      long reader = orgs.organisation("exchange-b").id();
      long recipient = orgs.organisation("custodian-d").id();
      long outsider = orgs.organisation("stranger-c").id();
      StixStore store = new StixStore(db.jdbi(), Clock.systemUTC());
      store.createCollection("crypto-intel", "Crypto intel", null, producer);
      store.grant("crypto-intel", reader, true, false);
      store.grant("crypto-intel", recipient, true, false);
      JsonNode bundle =
          StixStore.parse(
              """
              {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000099", "objects": [
              %s, %s, %s, %s, %s, %s]}
              """
                  .formatted(
                      indicator(1, "TLP:CLEAR"),
                      indicator(2, "TLP:GREEN"),
                      indicator(3, "TLP:AMBER"),
                      indicator(4, "TLP:AMBER+STRICT"),
                      indicator(5, "TLP:RED"),
                      indicator(6, null)));
      store.add(producer, "crypto-intel", bundle);
      long red =
          store.after("crypto-intel", 0, 100).stream()
              .filter(s -> s.tlp().equals(java.util.Optional.of(Tlp.RED)))
              .findFirst()
              .orElseThrow()
              .seq();
      store.addRecipients(red, Set.of(recipient));

      assertThat(names(store.visible("crypto-intel", producer, 0, 100)))
          .containsExactly(
              "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED", "unmarked");
      assertThat(names(store.visible("crypto-intel", reader, 0, 100)))
          .containsExactly("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "unmarked");
      assertThat(names(store.visible("crypto-intel", recipient, 0, 100)))
          .containsExactly("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:RED", "unmarked");
      assertThat(store.visible("crypto-intel", outsider, 0, 100)).as("no grant").isEmpty();

      // page by page with the last seq as the cursor: the same set, never more
      List<StixStore.Stored> paged = new ArrayList<>();
      long cursor = 0;
      for (List<StixStore.Stored> page;
          !(page = store.visible("crypto-intel", reader, cursor, 1)).isEmpty(); ) {
        paged.addAll(page);
        cursor = page.get(page.size() - 1).seq();
      }
      assertThat(names(paged)).containsExactly("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "unmarked");

      assertThat(store.collections(reader))
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.canRead()).isTrue();
                assertThat(c.canWrite()).isFalse();
              });
      assertThat(store.collections(outsider)).isEmpty();
    }
  }
}
