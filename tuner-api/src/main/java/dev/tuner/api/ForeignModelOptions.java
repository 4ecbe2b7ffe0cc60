package dev.tuner.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What the user states about a foreign model file that does not describe itself, and how it should run when
 * embedded: {@code threads} bounds the native threads per model ({@code 0} lets the runtime decide);
 * {@code nativeLogLevel} is the least severe message the provider's native runtime may print on stderr.
 */
public record ForeignModelOptions(
    Optional<SchemaRef> schema, Optional<OutputKind> outputKind, int threads, NativeLogLevel nativeLogLevel) {
  public ForeignModelOptions {
    InvalidInputException.requireInRange("threads", threads, 0, 256, "threads");
    Objects.requireNonNull(nativeLogLevel, "nativeLogLevel");
  }

  /** Options whose native runtime prints nothing below {@link NativeLogLevel#FATAL}. */
  public ForeignModelOptions(Optional<SchemaRef> schema, Optional<OutputKind> outputKind, int threads) {
    this(schema, outputKind, threads, NativeLogLevel.FATAL);
  }

  public static ForeignModelOptions defaults() {
    return new ForeignModelOptions(Optional.empty(), Optional.empty(), 1);
  }
}
