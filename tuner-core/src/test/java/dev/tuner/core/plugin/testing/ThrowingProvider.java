package dev.tuner.core.plugin.testing;

import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ThroughputModel;

/** A broken plugin: its constructor throws, as one whose static set-up or native library fails would. */
public final class ThrowingProvider implements ModelProvider {
  public static final String FAILURE = "deliberately broken constructor (test provider)";

  public ThrowingProvider() {
    throw new IllegalStateException(FAILURE);
  }

  @Override
  public String id() {
    return "test-throwing";
  }

  @Override
  public String version() {
    return "1.0.0";
  }

  @Override
  public String requiredApiVersion() {
    return "1.0";
  }

  @Override
  public ThroughputModel load(ModelPayload payload) {
    throw new AssertionError("never constructed");
  }
}
