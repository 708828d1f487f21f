package dev.bulwark.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bulwark.server.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;

/**
 * The store: a pooled connection to H2 (file, the default) or PostgreSQL, migrated by Flyway on
 * open. The same migrations run on both.
 */
public final class Database implements AutoCloseable {
  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final boolean postgres;

  private Database(HikariDataSource pool, boolean postgres) {
    this.pool = pool;
    this.jdbi = Jdbi.create(pool);
    this.postgres = postgres;
  }

  /** Opens (creating if needed) and migrates the database the config names. */
  public static Database open(Config.Storage storage) {
    String url = storage.jdbcUrl();
    if (storage.url().isEmpty()) {
      try {
        Files.createDirectories(storage.dataDir());
      } catch (IOException e) {
        throw new StorageException(
            "cannot create the data directory " + storage.dataDir() + ": " + e.getMessage(), e);
      }
    }
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(url);
    storage.user().ifPresent(hc::setUsername);
    storage.password().ifPresent(p -> hc.setPassword(p.reveal()));
    hc.setMaximumPoolSize(storage.poolSize());
    hc.setPoolName("bulwark-db");
    hc.setInitializationFailTimeout(10_000);
    hc.setConnectionTimeout(10_000);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StorageException(
          "cannot open the database at " + Config.Storage.redact(url) + ": " + rootMessage(e), e);
    }
    try {
      Flyway.configure()
          .dataSource(pool)
          .locations("classpath:db/migration")
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      pool.close();
      throw new StorageException(
          "cannot migrate the database at " + Config.Storage.redact(url) + ": " + rootMessage(e),
          e);
    }
    return new Database(pool, url.startsWith("jdbc:postgresql:"));
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public boolean isPostgres() {
    return postgres;
  }

  /** True when a connection can be had and answers. */
  public boolean isHealthy() {
    try (Connection c = pool.getConnection()) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  /** Instants are stored as UTC timestamps with time zone on both databases. */
  public static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  @Override
  public void close() {
    pool.close();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
