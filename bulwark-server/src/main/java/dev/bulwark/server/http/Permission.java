package dev.bulwark.server.http;

import dev.bulwark.server.auth.Role;
import io.javalin.security.RouteRole;
import java.util.Set;

/** What a route needs; each names the token roles that grant it. */
enum Permission implements RouteRole {
  /** No credential: health only. */
  PUBLIC(Set.of()),
  /** Any valid token. */
  AUTHENTICATED(Set.of(Role.values())),
  READ(Set.of(Role.ADMIN, Role.ANALYST)),
  /** Change configuration such as rules. */
  ADMIN(Set.of(Role.ADMIN)),
  WRITE_EVENTS(Set.of(Role.ADMIN, Role.INGEST)),
  OPERATE(Set.of(Role.ADMIN, Role.ANALYST)),
  /** The TAXII server; collection grants and TLP decide the rest. */
  TAXII(Set.of(Role.ADMIN, Role.ANALYST, Role.PEER));

  private final Set<Role> granted;

  Permission(Set<Role> granted) {
    this.granted = granted;
  }

  boolean grantedTo(Role role) {
    return granted.contains(role);
  }
}
