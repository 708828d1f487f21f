package dev.bulwark.server.db;

import dev.bulwark.server.config.Config;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real databases for tests: a fresh H2 file database in a directory, or a fresh database on one
 * embedded PostgreSQL server shared by the whole test JVM (started on first use).
 */
public final class TestDatabases {
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private TestDatabases() {}

  /** The two kinds of store every store test runs against. */
  public enum Kind {
    H2,
    POSTGRES
  }

  public static Config.Storage storage(Kind kind, Path dir) {
    return kind == Kind.H2 ? h2(dir) : postgres();
  }

  public static Config.Storage h2(Path dir) {
    return new Config.Storage(dir, Optional.empty(), Optional.empty(), Optional.empty(), 4);
  }

  /** A new, empty PostgreSQL database. */
  public static Config.Storage postgres() {
    EmbeddedPostgres pg = server();
    String name = "bulwark_test_" + NEXT.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/" + name;
    return new Config.Storage(
        Path.of("unused"), Optional.of(url), Optional.of("postgres"), Optional.empty(), 4);
  }

  private static synchronized EmbeddedPostgres server() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
      }
      EmbeddedPostgres started = postgres;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (IOException e) {
                      // the JVM is going away; the temp directory goes with it
                    }
                  }));
    }
    return postgres;
  }
}
