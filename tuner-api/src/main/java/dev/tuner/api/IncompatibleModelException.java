package dev.tuner.api;

/** A model was built for another feature schema or another API version than the one at hand. */
public class IncompatibleModelException extends ModelLoadException {
  private static final long serialVersionUID = 1L;

  public IncompatibleModelException(String what, String expected, String found) {
    super(what + " mismatch: this host expects " + expected + " but the model declares " + found);
  }
}
