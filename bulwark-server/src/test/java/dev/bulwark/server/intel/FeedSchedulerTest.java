package dev.bulwark.server.intel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.server.config.Config;
import dev.bulwark.server.config.Secret;
import dev.bulwark.server.db.Database;
import dev.bulwark.server.db.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled feed refresh from a real HTTP server and from a file. */
final class FeedSchedulerTest {
  @TempDir Path dir;

  private static String feed(String name) throws IOException {
    try (InputStream in = FeedSchedulerTest.class.getResourceAsStream("/feeds/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aUrlFeedIsFetchedWhenItChangesAndABadCopyKeepsThePreviousOne() throws Exception {
    AtomicReference<String> body = new AtomicReference<>(feed("ofac-eth-2024-09-27.txt"));
    AtomicReference<String> etag = new AtomicReference<>("\"v1\"");
    AtomicInteger status = new AtomicInteger(200);
    AtomicInteger conditional = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/sanctioned_addresses_ETH.txt",
        exchange -> {
          String ifNone = exchange.getRequestHeaders().getFirst("If-None-Match");
          if (ifNone != null) {
            conditional.incrementAndGet();
          }
          if (etag.get().equals(ifNone)) {
            exchange.sendResponseHeaders(304, -1);
            exchange.close();
            return;
          }
          byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("ETag", etag.get());
          exchange.sendResponseHeaders(status.get(), bytes.length == 0 ? -1 : bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    try (Database db = Database.open(TestDatabases.storage(TestDatabases.Kind.H2, dir))) {
      IntelStore store = new IntelStore(db.jdbi(), Clock.systemUTC());
      IntelService intel = new IntelService(store, Clock.systemUTC());
      Config.Feed f =
          new Config.Feed(
              "ofac-eth",
              "ofac-list",
              new Secret(
                  "http://127.0.0.1:"
                      + server.getAddress().getPort()
                      + "/sanctioned_addresses_ETH.txt"),
              100,
              Duration.ofHours(1),
              Duration.ofSeconds(10));
      FeedScheduler feeds =
          new FeedScheduler(
              java.util.List.of(f), intel, Clock.systemUTC(), new SimpleMeterRegistry(), "test");
      assertThat(feeds.refresh(f)).isTrue();
      assertThat(store.count("ofac-eth")).isEqualTo(152);
      assertThat(feeds.refresh(f)).as("unchanged: 304").isFalse();
      assertThat(conditional.get()).isEqualTo(1);

      body.set(feed("ofac-eth-2025-11-19.txt"));
      etag.set("\"v2\"");
      assertThat(feeds.refresh(f)).isTrue();
      assertThat(store.count("ofac-eth")).as("delisted ones are gone").isEqualTo(77);

      body.set("");
      etag.set("\"v3-broken\"");
      assertThatThrownBy(() -> feeds.refresh(f)).hasMessageContaining("lists nothing");
      assertThat(store.count("ofac-eth")).as("the previous copy stays").isEqualTo(77);

      body.set("0x12 not an address\n");
      etag.set("\"v4-garbage\"");
      assertThatThrownBy(() -> feeds.refresh(f)).hasMessageContaining("problem");
      assertThat(store.count("ofac-eth")).isEqualTo(77);

      status.set(503);
      etag.set("\"v5\"");
      assertThatThrownBy(() -> feeds.refresh(f)).hasMessageContaining("HTTP 503");
      assertThat(store.count("ofac-eth")).isEqualTo(77);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aFileFeedIsReimportedWhenTheFileChanges() throws Exception {
    Path file = Files.writeString(dir.resolve("eth.txt"), feed("ofac-eth-2024-09-27.txt"));
    try (Database db =
        Database.open(TestDatabases.storage(TestDatabases.Kind.H2, dir.resolve("db")))) {
      IntelStore store = new IntelStore(db.jdbi(), Clock.systemUTC());
      IntelService intel = new IntelService(store, Clock.systemUTC());
      Config.Feed f =
          new Config.Feed(
              "ofac-eth",
              "ofac-list",
              new Secret(file.toString()),
              100,
              Duration.ofHours(1),
              Duration.ofSeconds(10));
      FeedScheduler feeds =
          new FeedScheduler(
              java.util.List.of(f), intel, Clock.systemUTC(), new SimpleMeterRegistry(), "test");
      assertThat(feeds.refresh(f)).isTrue();
      assertThat(feeds.refresh(f)).isFalse();
      Files.writeString(file, feed("ofac-eth-2025-11-19.txt"));
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
      assertThat(feeds.refresh(f)).isTrue();
      assertThat(store.count("ofac-eth")).isEqualTo(77);
    }
  }
}
