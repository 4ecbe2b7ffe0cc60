package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The 16 kernel variants of the schema's kernel one-hot block, in slot order (the reference's current order). */
public enum KernelType {
  TILED_Q4K,
  COALESCED_Q4K,
  VECTORIZED_Q4K,
  BATCHED_Q4K,
  DP4A_Q4K,
  FUSED_RMSNORM_Q4K,
  COALESCED_Q6K,
  INCREMENTAL_ATTENTION,
  MULTI_WARP_ATTENTION,
  BATCHED_ATTENTION,
  RMSNORM,
  VECTORIZED_RMSNORM,
  BATCHED_RMSNORM,
  FUSED_QKV_DP4A_Q4K_GEMV,
  GENERIC,
  UNKNOWN;

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static KernelType parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (KernelType k : values()) {
      if (k.id().equals(t) || k.id().replace("-", "").equals(t.replace("-", ""))) {
        return k;
      }
    }
    throw new InvalidInputException(
        "kernel", String.valueOf(text), Arrays.stream(values()).map(KernelType::id).collect(Collectors.joining(", ")));
  }
}
