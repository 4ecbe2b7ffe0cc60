package dev.tuner.api;

import java.util.Objects;

/**
 * What the host hands a provider to load: the model's declared info (already checked against the host's schema
 * and API version) and the provider's own payload bytes, whose integrity hash the host has verified. The bytes
 * are untrusted data all the same: a provider validates sizes and numbers and never deserializes Java objects.
 */
public record ModelPayload(ModelInfo info, byte[] bytes) {
  public ModelPayload {
    Objects.requireNonNull(info, "info");
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  public int size() {
    return bytes.length;
  }
}
