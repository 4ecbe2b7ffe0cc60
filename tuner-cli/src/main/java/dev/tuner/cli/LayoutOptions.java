package dev.tuner.cli;

import picocli.CommandLine.Option;

/** The parallel layout a command runs the model on: shared by {@code predict} and {@code recommend}. */
final class LayoutOptions {
  @Option(names = "--devices", paramLabel = "N",
      description = "Devices the model runs on (default tp × pp, or ep when larger).")
  Integer devices;

  @Option(names = "--tp", paramLabel = "N", description = "Tensor-parallel size (default 1).")
  Integer tp;

  @Option(names = "--pp", paramLabel = "N", description = "Pipeline-parallel size (default 1).")
  Integer pp;

  @Option(names = "--ep", paramLabel = "N", description = "Expert-parallel size (default 1).")
  Integer ep;

  /** Whether any of the four was given. */
  boolean given() {
    return devices != null || tp != null || pp != null || ep != null;
  }
}
