package dev.bulwark.server.intel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.engine.Problem;
import dev.bulwark.engine.ValidationException;
import dev.bulwark.engine.intel.Tlp;
import dev.bulwark.server.auth.TokenStore;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.db.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

final class StixStoreTest {
  @TempDir Path dir;

  private static JsonNode bundle() throws Exception {
    return StixStore.parse(
        """
        {"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
          {"type": "indicator", "spec_version": "2.1",
           "id": "indicator--a932fcc6-e032-476c-826f-cb970a5a1ade",
           "created": "2026-11-26T09:05:00.000Z", "modified": "2026-11-26T09:05:00.000Z",
           "pattern": "[cryptocurrency-wallet:value = '0x098b716b8aaf21512996dc57eb0615e2383e2f96']",
           "pattern_type": "stix", "valid_from": "2026-11-26T09:05:00Z",
           "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
                                   "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"],
           "x_custom": {"kept": [1, 2.50, "as sent"]}},
          {"type": "cryptocurrency-wallet",
           "id": "cryptocurrency-wallet--1c8ea5c4-6f5e-5b6a-9a8b-3b1b3f6c2f10",
           "value": "0x098b716b8aaf21512996dc57eb0615e2383e2f96"}
        ]}
        """);
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void versionsAreStoredOnceInOrderWithTheirTlpAndCustomPropertiesKept(TestDatabases.Kind kind)
      throws Exception {
    try (Database db = Database.open(TestDatabases.storage(kind, dir))) {
      long org = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation("acme").id();
      StixStore store = new StixStore(db.jdbi(), Clock.systemUTC());
      store.createCollection("shared", "Shared", null, org);
      assertThat(store.add(org, "shared", bundle()).stored()).isEqualTo(2);
      StixStore.Added again = store.add(org, "shared", bundle());
      assertThat(again.stored()).isZero();
      assertThat(again.duplicates()).isEqualTo(2);

      JsonNode next = bundle();
      ObjectNode indicator = (ObjectNode) next.get("objects").get(0);
      indicator.put("modified", "2026-11-26T10:00:00.000Z");
      indicator.put("revoked", true);
      assertThat(store.add(org, "shared", next).stored()).as("a new version").isEqualTo(1);

      List<StixStore.Stored> all = store.after("shared", 0, 100);
      assertThat(all)
          .extracting(StixStore.Stored::type, StixStore.Stored::version, StixStore.Stored::tlp)
          .containsExactly(
              tuple("indicator", "2026-11-26T09:05:00.000Z", Optional.of(Tlp.AMBER_STRICT)),
              tuple("cryptocurrency-wallet", "", Optional.empty()),
              tuple("indicator", "2026-11-26T10:00:00.000Z", Optional.of(Tlp.AMBER_STRICT)));
      assertThat(StixStore.parse(all.get(0).body()).get("x_custom"))
          .isEqualTo(bundle().get("objects").get(0).get("x_custom"));
      assertThat(all.get(0).body()).contains("2.50");
      assertThat(store.after("shared", all.get(1).seq(), 100)).hasSize(1);
      assertThat(store.after("other", 0, 100)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void oneBadObjectStoresNothingAndEveryProblemIsNamed(TestDatabases.Kind kind) throws Exception {
    try (Database db = Database.open(TestDatabases.storage(kind, dir))) {
      long org = new TokenStore(db.jdbi(), Clock.systemUTC()).organisation("acme").id();
      StixStore store = new StixStore(db.jdbi(), Clock.systemUTC());
      store.createCollection("shared", "Shared", null, org);
      JsonNode bad = bundle();
      ((ObjectNode) bad.get("objects").get(0)).remove("valid_from");
      ((ObjectNode) bad.get("objects").get(1)).put("id", "wallet--1");
      ValidationException e =
          catchThrowableOfType(ValidationException.class, () -> store.add(org, "shared", bad));
      assertThat(e.problems())
          .extracting(Problem::location)
          .containsExactly("$.objects[0].valid_from", "$.objects[1].id");
      assertThat(store.after("shared", 0, 100)).isEmpty();
    }
  }
}
