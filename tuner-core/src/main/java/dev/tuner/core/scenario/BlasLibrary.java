package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.util.Locale;

/**
 * The library that runs an engine's dense matrix multiplications where the engine lets the user choose it. llama.cpp's
 * ROCm backend calls rocBLAS, which hands its GEMMs to hipBLASLt when {@code ROCBLAS_USE_HIPBLASLT=1} is set: on a
 * Radeon 8060S (gfx1151) that alone changes a dense model's prompt processing 3-4× (data/measurements.csv, source
 * lhl_strixhalo_llmbench), more than any other setting. {@link #DEFAULT} is the backend's own choice (cuBLAS on
 * CUDA, rocBLAS on ROCm).
 */
public enum BlasLibrary {
  DEFAULT,
  HIPBLASLT;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The library {@code text} names; {@code field} names the input in the error for anything else. */
  public static BlasLibrary parse(String field, String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    return switch (t) {
      case "default" -> DEFAULT;
      case "hipblaslt" -> HIPBLASLT;
      default -> throw new InvalidInputException(field, "\"" + text + "\"",
          "default (the backend's own BLAS: cuBLAS on CUDA, rocBLAS on ROCm) or hipblaslt (ROCm with"
              + " ROCBLAS_USE_HIPBLASLT=1)");
    };
  }
}
