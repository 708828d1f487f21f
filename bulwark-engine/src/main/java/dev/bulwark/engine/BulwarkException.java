package dev.bulwark.engine;

/** The one unchecked root of every Bulwark failure; subclasses live in their feature package. */
public class BulwarkException extends RuntimeException {
  public BulwarkException(String message) {
    super(message);
  }

  public BulwarkException(String message, Throwable cause) {
    super(message, cause);
  }
}
