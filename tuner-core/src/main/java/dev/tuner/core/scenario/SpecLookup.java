package dev.tuner.core.scenario;

/**
 * Finds the specifications a {@link ScenarioRequest} names, or fails with an error naming what is known. The
 * catalog is the one tuner ships; the interface keeps scenarios from depending on where specifications come from.
 */
public interface SpecLookup {
  ModelSpec model(String name);

  DeviceSpec device(String name);

  Quantization quant(String name);
}
