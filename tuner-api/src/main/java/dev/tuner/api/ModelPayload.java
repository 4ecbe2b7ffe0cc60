package dev.tuner.api;

import java.util.Objects;

/**
 * What the host hands a provider to load: the model's declared info (already checked against the host's schema
 * and API version), the provider's own payload bytes, whose integrity hash the host has verified, and the layout
 * of the declared schema (its slot names in order). The bytes are untrusted data all the same: a provider validates
 * sizes and numbers and never deserializes Java objects. The bytes are copied in and out, so nothing a provider
 * does to them reaches the host.
 *
 * @since 1.2 ({@code layout})
 */
public record ModelPayload(ModelInfo info, byte[] bytes, FeatureLayout layout) {
  public ModelPayload {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(layout, "layout");
    bytes = bytes.clone();
    if (!layout.schema().equals(info.schema()) || layout.width() != info.featureCount()) {
      throw new InvalidInputException("payload layout", layout.schema() + " with " + layout.width() + " features",
          "the declared " + info.schema() + " with " + info.featureCount() + " features");
    }
  }

  /** A payload whose layout names the slots by position ({@link FeatureLayout#positional}). */
  public ModelPayload(ModelInfo info, byte[] bytes) {
    this(info, bytes, FeatureLayout.positional(info.schema(), info.featureCount()));
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  public int size() {
    return bytes.length;
  }
}
