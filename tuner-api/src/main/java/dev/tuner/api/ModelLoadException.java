package dev.tuner.api;

/** A model artifact or file cannot be used: unreadable, corrupt, inconsistent or too large. */
public class ModelLoadException extends TunerException {
  private static final long serialVersionUID = 1L;

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
