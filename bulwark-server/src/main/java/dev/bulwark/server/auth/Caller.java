package dev.bulwark.server.auth;

/** The authenticated holder of a token: its organisation and role. */
public record Caller(String tokenId, long orgId, String orgName, Role role) {}
