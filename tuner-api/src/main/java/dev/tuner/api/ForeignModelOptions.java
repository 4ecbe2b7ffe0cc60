package dev.tuner.api;

import java.util.Optional;

/**
 * What the user states about a foreign model file that does not describe itself, and how it should run when
 * embedded: {@code threads} bounds the native threads per model ({@code 0} lets the runtime decide).
 */
public record ForeignModelOptions(Optional<SchemaRef> schema, Optional<OutputKind> outputKind, int threads) {
  public ForeignModelOptions {
    InvalidInputException.requireInRange("threads", threads, 0, 256, "threads");
  }

  public static ForeignModelOptions defaults() {
    return new ForeignModelOptions(Optional.empty(), Optional.empty(), 1);
  }
}
