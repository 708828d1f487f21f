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

final class ConfigLoaderTest {
  @TempDir Path dir;

  private Path file(String yaml) throws Exception {
    return Files.writeString(dir.resolve("bulwark.yml"), yaml);
  }

  @Test
  void defaultsServeWithZeroSetup() {
    Config c = new ConfigLoader(Map.of()).load(Optional.empty(), Map.of()).config();
    assertThat(c.server().host()).isEqualTo("127.0.0.1");
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.storage().jdbcUrl()).startsWith("jdbc:h2:file:").contains("/data/bulwark");
    assertThat(c.ingest().maxBatchEvents()).isEqualTo(10_000);
  }

  @Test
  void fileThenEnvironmentThenFlags() throws Exception {
    Path f =
        file(
            "server:\n  port: 9000\n  host: 0.0.0.0\nstorage:\n  pool_size: 3\n  max_body: 1\n"
                .replace("  max_body: 1\n", ""));
    ConfigLoader.Loaded loaded =
        new ConfigLoader(
                Map.of(
                    "BULWARK_SERVER_PORT",
                    "9100",
                    "BULWARK_STORAGE_POOL_SIZE",
                    "5",
                    "HOME",
                    "/root"))
            .load(Optional.of(f), Map.of("server.port", "9200"));
    assertThat(loaded.config().server().port()).isEqualTo(9200);
    assertThat(loaded.config().server().host()).isEqualTo("0.0.0.0");
    assertThat(loaded.config().storage().poolSize()).isEqualTo(5);
    assertThat(loaded.describe())
        .anySatisfy(l -> assertThat(l).startsWith("server.port:").endsWith("9200  # flag"))
        .anySatisfy(
            l -> assertThat(l).startsWith("server.host:").endsWith("0.0.0.0  # " + f + ":3:9"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("storage.pool_size:")
                    .endsWith("5  # env BULWARK_STORAGE_POOL_SIZE"));
  }

  @Test
  void everyUnknownKeyAndBadValueIsListedWithWhereItWasSet() throws Exception {
    Path f =
        file(
            "server:\n  prot: 80\n  port: http\nstorage: ./db\ncolour: red\ningest:\n  max_batch_events: 0\n");
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                new ConfigLoader(Map.of("BULWARK_SERVER_MAX_BODY", "huge", "BULWARK_NOPE", "1"))
                    .load(Optional.of(f), Map.of()));
    assertThat(e.problems())
        .extracting(Problem::toString)
        .containsExactly(
            f + ":2:3 server.prot: unknown key; did you mean server.port?",
            f
                + ":4:1 storage: expected a mapping of storage.data_dir, storage.url, storage.user, storage.password, storage.pool_size",
            f
                + ":5:1 colour: unknown key; known keys: server.host, server.port, server.max_body, storage.data_dir, storage.url, storage.user, storage.password, storage.pool_size, rules.dir, rules.pack, ingest.max_batch_events, ingest.await_detection_ms, detection.partitions, detection.allowed_lateness, notify.allow_private_networks, notify.retry_base, notify.max_attempts, notify.timeout",
            "env BULWARK_NOPE: unknown variable; known: BULWARK_SERVER_HOST, BULWARK_SERVER_PORT, BULWARK_SERVER_MAX_BODY, BULWARK_STORAGE_DATA_DIR, BULWARK_STORAGE_URL, BULWARK_STORAGE_USER, BULWARK_STORAGE_PASSWORD, BULWARK_STORAGE_POOL_SIZE, BULWARK_RULES_DIR, BULWARK_RULES_PACK, BULWARK_INGEST_MAX_BATCH_EVENTS, BULWARK_INGEST_AWAIT_DETECTION_MS, BULWARK_DETECTION_PARTITIONS, BULWARK_DETECTION_ALLOWED_LATENESS, BULWARK_NOTIFY_ALLOW_PRIVATE_NETWORKS, BULWARK_NOTIFY_RETRY_BASE, BULWARK_NOTIFY_MAX_ATTEMPTS, BULWARK_NOTIFY_TIMEOUT",
            f + ":3:9 server.port: 'http' is not a whole number; expected 0..65535",
            "env BULWARK_SERVER_MAX_BODY server.max_body: 'HUGE' is not a size; write e.g. 16MB, 512KB or 1048576",
            f + ":7:21 ingest.max_batch_events: 0 is out of range; expected 1..1000000");
  }

  @Test
  void secretsAreMaskedEverywhere() throws Exception {
    Path f =
        file(
            "storage:\n  url: jdbc:postgresql://db/bulwark?user=b&password=hunter2\n  password: hunter2\n");
    ConfigLoader.Loaded loaded = new ConfigLoader(Map.of()).load(Optional.of(f), Map.of());
    assertThat(String.join("\n", loaded.describe()))
        .doesNotContain("hunter2")
        .contains("password=****")
        .containsPattern("storage\\.password: +\\*\\*\\*\\*  # ");
    assertThat(loaded.config().storage().password().orElseThrow().toString()).isEqualTo("****");
    assertThat(loaded.config().toString()).doesNotContain("hunter2").contains("password=****");
  }

  @Test
  void yamlSyntaxErrorsHaveAPosition() throws Exception {
    Path f = file("server:\n  port: [8080\n");
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader(Map.of()).load(Optional.of(f), Map.of()));
    assertThat(e.problems())
        .singleElement()
        .extracting(Problem::location)
        .asString()
        .startsWith(f + ":");
  }

  @Test
  void anUnsupportedDatabaseUrlIsRejected() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                new ConfigLoader(Map.of())
                    .load(Optional.empty(), Map.of("storage.url", "jdbc:mysql://x/y")));
    assertThat(e.problems())
        .singleElement()
        .extracting(Problem::message)
        .asString()
        .contains("jdbc:postgresql://");
  }
}
