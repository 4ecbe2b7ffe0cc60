package dev.tuner.testkit;

import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;

/** A provider listed in this module's test services file, for the contract's registration check to find. */
public final class RegisteredProvider implements ModelProvider {
  @Override
  public String id() {
    return "registered";
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
    throw new ModelLoadException("registered is a test provider with no models");
  }
}
