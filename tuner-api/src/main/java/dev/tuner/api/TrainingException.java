package dev.tuner.api;

/** Training could not produce a model (too few rows, a degenerate design matrix, a bad hyper-parameter). */
public class TrainingException extends TunerException {
  private static final long serialVersionUID = 1L;

  public TrainingException(String message) {
    super(message);
  }

  public TrainingException(String message, Throwable cause) {
    super(message, cause);
  }
}
