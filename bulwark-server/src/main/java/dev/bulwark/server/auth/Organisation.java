package dev.bulwark.server.auth;

/** A member organisation; every event, alert and token belongs to exactly one. */
public record Organisation(long id, String name) {}
