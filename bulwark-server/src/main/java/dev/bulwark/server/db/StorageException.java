package dev.bulwark.server.db;

import dev.bulwark.engine.BulwarkException;

/** The database could not be opened, migrated or used. */
public final class StorageException extends BulwarkException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
