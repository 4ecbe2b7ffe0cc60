package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.util.Locale;

/** The arithmetic a quantization computes in, which picks the compute roof (FP8 tensor math is twice FP16's). */
public enum Activation {
  FP16,
  FP8,
  FP32;

  public static Activation parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new InvalidInputException("activation", String.valueOf(text), "fp16, fp8 or fp32");
    }
  }
}
