package dev.tuner.core.artifact;

import java.util.Objects;

/** A model on disk: its header and the provider's payload bytes. */
public record ModelArtifact(ArtifactHeader header, byte[] payload) {
  public ModelArtifact {
    Objects.requireNonNull(header, "header");
    payload = payload.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }
}
