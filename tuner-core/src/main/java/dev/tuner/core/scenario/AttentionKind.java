package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.util.Locale;

/**
 * How attention keys and values are stored. GQA and MHA both cache {@code kv_heads × head_dim} keys and values per
 * layer (MHA is GQA with as many KV heads as heads); MLA caches one compressed latent plus a RoPE key per layer.
 */
public enum AttentionKind {
  GQA,
  MHA,
  MLA;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AttentionKind parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (AttentionKind k : values()) {
      if (k.id().equals(t)) {
        return k;
      }
    }
    throw new InvalidInputException("attention", String.valueOf(text), "gqa, mha or mla");
  }
}
