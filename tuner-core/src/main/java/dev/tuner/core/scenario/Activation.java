package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.util.Locale;

/**
 * The arithmetic a quantization's kernels compute in, which picks the compute roof: FP8 tensor math is twice FP16's,
 * INT8 (llama.cpp's MMQ/MMVQ integer dot products, W8A8) runs at the device's INT8 peak, FP4 (NVFP4/MXFP4) at its
 * FP4 peak where it has one.
 */
public enum Activation {
  FP16,
  FP8,
  FP32,
  INT8,
  FP4;

  public static Activation parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new InvalidInputException("activation", String.valueOf(text), "fp16, fp8, fp32, int8 or fp4");
    }
  }
}
