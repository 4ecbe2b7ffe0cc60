package dev.tuner.core.plugin.testing;

import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;

/** One of two providers claiming the id {@value #ID}: discovery must keep one and report the other. */
public final class DuplicateIdProviderA implements ModelProvider {
  public static final String ID = "test-duplicate";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String version() {
    return "1.0.0";
  }

  @Override
  public String requiredApiVersion() {
    return TunerApi.VERSION;
  }

  @Override
  public ThroughputModel load(ModelPayload payload) {
    throw new ModelLoadException("test provider loads nothing");
  }
}
