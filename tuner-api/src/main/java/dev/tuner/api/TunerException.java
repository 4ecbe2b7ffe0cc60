package dev.tuner.api;

/** Root of every error tuner reports on purpose. Messages are written for the user who caused them. */
public class TunerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TunerException(String message) {
    super(message);
  }

  public TunerException(String message, Throwable cause) {
    super(message, cause);
  }
}
