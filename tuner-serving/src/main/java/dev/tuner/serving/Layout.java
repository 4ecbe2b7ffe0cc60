package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.ParallelLayout;

/**
 * How one serving deployment spreads the model over {@code devices} GPUs: tensor-parallel {@code tp},
 * pipeline-parallel {@code pp}, expert-parallel {@code ep}; devices beyond {@code tp × pp} are whole replicas that
 * share the load evenly.
 */
public record Layout(int devices, int tp, int pp, int ep) {
  public static final Layout SINGLE = new Layout(1, 1, 1, 1);

  public Layout {
    requireInRange("devices", devices, 1, 4096, "GPUs");
    requireInRange("tp", tp, 1, 4096, "tensor-parallel size");
    requireInRange("pp", pp, 1, 4096, "pipeline-parallel size");
    requireInRange("ep", ep, 1, 4096, "expert-parallel size");
    if (devices % (tp * pp) != 0) {
      throw new InvalidInputException("devices", Integer.toString(devices),
          "a multiple of tp × pp = " + tp * pp + " (devices beyond it are whole replicas)");
    }
    if (ep > devices) {
      throw new InvalidInputException("ep", Integer.toString(ep), "at most the devices (" + devices + ")");
    }
  }

  /** The same layout as the step model's scenarios write it (which also holds {@code ep} to the devices). */
  public ParallelLayout parallel() {
    return new ParallelLayout(devices, tp, pp, ep);
  }

  /** GPUs of one instance (one copy of the model). */
  public int perInstance() {
    return tp * pp;
  }

  public int replicas() {
    return devices / (tp * pp);
  }
}
