package dev.tuner.core.plugin.testing;

import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ThroughputModel;

/** A plugin built against a future major API version this host does not implement. */
public final class FutureApiProvider implements ModelProvider {
  public static final String ID = "test-future";
  public static final String REQUIRED = "9.0";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String version() {
    return "9.0.0";
  }

  @Override
  public String requiredApiVersion() {
    return REQUIRED;
  }

  @Override
  public ThroughputModel load(ModelPayload payload) {
    throw new ModelLoadException("test provider loads nothing");
  }
}
