package dev.bulwark.server.auth;

import dev.bulwark.engine.BulwarkException;
import dev.bulwark.server.db.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * Organisations and API tokens. A token is 32 random bytes shown once; only its SHA-256 is stored,
 * which is enough for a secret of that entropy (no password hashing needed) and lets a lookup be
 * one indexed query.
 */
public final class TokenStore {
  private static final Pattern ORG_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");
  private static final String PREFIX = "bwk_";
  private final Jdbi jdbi;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public TokenStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** A newly created token: the secret (shown once) and its id (safe to show and log). */
  public record Created(String id, String token, Organisation org, Role role) {
    @Override
    public String toString() {
      return "Created[id=%s, org=%s, role=%s]".formatted(id, org.name(), role.label());
    }
  }

  /** The organisation of that name, if it exists (never creates one). */
  public Optional<Organisation> findOrganisation(String name) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT id, name FROM organisations WHERE name = :name")
                .bind("name", name)
                .map((rs, ctx) -> new Organisation(rs.getLong("id"), rs.getString("name")))
                .findOne());
  }

  /** An organisation's name by id ("org #id" if there is none). */
  public String organisationName(long id) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT name FROM organisations WHERE id = :id")
                .bind("id", id)
                .mapTo(String.class)
                .findOne()
                .orElse("org #" + id));
  }

  /** The organisation of that name, created if it does not exist yet. */
  public Organisation organisation(String name) {
    if (name == null || !ORG_NAME.matcher(name).matches()) {
      throw new BulwarkException(
          "invalid organisation name '%s'; use 1-100 letters, digits, spaces, '.', '_' or '-'"
              .formatted(name));
    }
    return jdbi.inTransaction(
        h -> {
          Optional<Organisation> found =
              h.createQuery("SELECT id, name FROM organisations WHERE name = :name")
                  .bind("name", name)
                  .map((rs, ctx) -> new Organisation(rs.getLong("id"), rs.getString("name")))
                  .findOne();
          if (found.isPresent()) {
            return found.get();
          }
          long id =
              h.createUpdate("INSERT INTO organisations (name, created_at) VALUES (:name, :now)")
                  .bind("name", name)
                  .bind("now", Database.utc(clock.instant()))
                  .executeAndReturnGeneratedKeys("id")
                  .mapTo(Long.class)
                  .one();
          return new Organisation(id, name);
        });
  }

  /** Creates a token for the organisation (created if needed) with the given role. */
  public Created create(String orgName, Role role, String label) {
    Organisation org = organisation(orgName);
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    byte[] idBytes = new byte[8];
    random.nextBytes(idBytes);
    String id = "tok_" + HexFormat.of().formatHex(idBytes);
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    """
                    INSERT INTO api_tokens (id, org_id, token_role, token_hash, label, created_at)
                    VALUES (:id, :org, :role, :hash, :label, :now)
                    """)
                .bind("id", id)
                .bind("org", org.id())
                .bind("role", role.label())
                .bind("hash", hash(token))
                .bind("label", label)
                .bind("now", Database.utc(clock.instant()))
                .execute());
    return new Created(id, token, org, role);
  }

  /** The caller a presented token stands for, if it is known and not revoked. */
  public Optional<Caller> authenticate(String token) {
    if (token == null || !token.startsWith(PREFIX) || token.length() > 100) {
      return Optional.empty();
    }
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT t.id, t.org_id, o.name, t.token_role
                    FROM api_tokens t JOIN organisations o ON o.id = t.org_id
                    WHERE t.token_hash = :hash AND t.revoked_at IS NULL
                    """)
                .bind("hash", hash(token))
                .map(
                    (rs, ctx) ->
                        new Caller(
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getString(3),
                            Role.parse(rs.getString(4))))
                .findOne());
  }

  static String hash(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
