package dev.tuner.api;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a model's raw output means. Tokens/s is always aggregate over the batch for decode and prompt tokens/s for
 * prefill; logarithms are natural. The roofline fraction is measured tokens/s divided by the roofline bound of the
 * same scenario, so a model of that kind transfers across hardware and can never exceed the bound when it stays
 * at or below 1.
 */
public enum OutputKind {
  TOKENS_PER_SECOND("tokens_per_s"),
  LOG_TOKENS_PER_SECOND("log_tokens_per_s"),
  ROOFLINE_FRACTION("roofline_fraction"),
  LOG_ROOFLINE_FRACTION("log_roofline_fraction"),
  /**
   * Log of measured tokens/s over the scenario's serial roof (see {@link #usesSerialRoof()}).
   *
   * @since 1.1
   */
  LOG_SERIAL_ROOF_FRACTION("log_serial_roof_fraction");

  private final String id;

  OutputKind(String id) {
    this.id = id;
  }

  /** Stable name used in files and on the command line. */
  public String id() {
    return id;
  }

  /**
   * Whether outputs of this kind are relative to the scenario's <em>serial roof</em> rather than its roofline: the
   * tokens/s if a decode step took its memory time plus the time its FLOPs take at the device's vector (non-tensor
   * FP32) peak, one after the other, never above the roofline; for prefill, and where the vector peak is unknown, the
   * roofline itself. The host computes it and passes it wherever this enum asks for the roofline; predictions are
   * still bounded by the roofline.
   */
  public boolean usesSerialRoof() {
    return this == LOG_SERIAL_ROOF_FRACTION;
  }

  /**
   * Converts a raw model output of this kind into tokens/s, given the scenario's roofline in tokens/s (its serial
   * roof for a kind that {@link #usesSerialRoof()}).
   */
  public double toTokensPerSecond(double raw, double rooflineTokensPerSecond) {
    switch (this) {
      case TOKENS_PER_SECOND:
        return raw;
      case LOG_TOKENS_PER_SECOND:
        return Math.exp(raw);
      case ROOFLINE_FRACTION:
        return raw * rooflineTokensPerSecond;
      case LOG_ROOFLINE_FRACTION:
      case LOG_SERIAL_ROOF_FRACTION:
        return Math.exp(raw) * rooflineTokensPerSecond;
      default:
        throw new IllegalStateException(name());
    }
  }

  /** The inverse of {@link #toTokensPerSecond}: the training target for a measured tokens/s. */
  public double fromTokensPerSecond(double tokensPerSecond, double rooflineTokensPerSecond) {
    switch (this) {
      case TOKENS_PER_SECOND:
        return tokensPerSecond;
      case LOG_TOKENS_PER_SECOND:
        return Math.log(tokensPerSecond);
      case ROOFLINE_FRACTION:
        return tokensPerSecond / rooflineTokensPerSecond;
      case LOG_ROOFLINE_FRACTION:
      case LOG_SERIAL_ROOF_FRACTION:
        return Math.log(tokensPerSecond / rooflineTokensPerSecond);
      default:
        throw new IllegalStateException(name());
    }
  }

  /** Whether outputs of this kind live on a log scale (so a spread there is multiplicative in tokens/s). */
  public boolean isLogarithmic() {
    return this == LOG_TOKENS_PER_SECOND || this == LOG_ROOFLINE_FRACTION || this == LOG_SERIAL_ROOF_FRACTION;
  }

  /** Parses {@link #id()} (or the enum name), case-insensitively. */
  public static OutputKind fromId(String text) {
    for (OutputKind k : values()) {
      if (k.id.equalsIgnoreCase(text) || k.name().equalsIgnoreCase(text)) {
        return k;
      }
    }
    throw new InvalidInputException(
        "output kind",
        String.valueOf(text),
        "one of " + Arrays.stream(values()).map(OutputKind::id).collect(Collectors.joining(", ")));
  }
}
