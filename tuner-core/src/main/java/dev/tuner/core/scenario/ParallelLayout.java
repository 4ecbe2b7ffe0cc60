package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.util.Optional;

/**
 * How a scenario spreads one model over {@code devices} identical accelerators: tensor-parallel size {@code tp}
 * (each layer split over tp GPUs), pipeline-parallel size {@code pp} (layers split into pp stages) and
 * expert-parallel size {@code ep} (routed experts placed over ep GPUs). Devices beyond {@code tp × pp} are
 * data-parallel replicas, each serving its share of the batch, so {@code devices} must be a multiple of
 * {@code tp × pp}; experts are placed over GPUs of the replicas' tp × pp grid or over replicas, so {@code ep} is at
 * most {@code devices}.
 */
public record ParallelLayout(int devices, int tp, int pp, int ep) {
  public static final int MAX_DEVICES = 4096;
  /** One device, no parallelism. */
  public static final ParallelLayout SINGLE = new ParallelLayout(1, 1, 1, 1);

  public ParallelLayout {
    requireInRange("devices", devices, 1, MAX_DEVICES, "accelerators");
    requireInRange("tp", tp, 1, MAX_DEVICES, "tensor-parallel size");
    requireInRange("pp", pp, 1, MAX_DEVICES, "pipeline-parallel size");
    requireInRange("ep", ep, 1, MAX_DEVICES, "expert-parallel size");
    if ((long) tp * pp > devices) {
      throw new InvalidInputException("tp × pp", tp + " × " + pp + " = " + (long) tp * pp,
          "at most the devices (" + devices + ")");
    }
    if (devices % (tp * pp) != 0) {
      throw new InvalidInputException("devices", Integer.toString(devices),
          "a multiple of tp × pp = " + tp * pp + " (the devices beyond it are whole data-parallel replicas)");
    }
    if (ep > devices) {
      throw new InvalidInputException("ep", Integer.toString(ep), "at most the devices (" + devices + ")");
    }
  }

  /** Data-parallel replicas: whole copies of the model, each on tp × pp devices. */
  public int replicas() {
    return devices / (tp * pp);
  }

  public boolean isSingle() {
    return devices == 1;
  }

  /** Whether one model instance spans several devices (tensor, pipeline or expert parallel), not just replicas. */
  public boolean splits() {
    return (long) tp * pp > 1 || ep > 1;
  }

  /**
   * Refuses a model split over several {@code device}s whose GPU-to-GPU link has no stated bandwidth: the split's
   * collectives run on that link, so nothing would bound them and the split would look free (Apple silicon's
   * "unified" memory has no peer link). Replicas, which share no activations, need none.
   */
  public static void requireLinkForSplit(DeviceSpec device, boolean splits) {
    Optional<String> missing = linkMissing(device, splits);
    if (missing.isPresent()) {
      throw new InvalidInputException("layout", "a model split over several " + device.name(), "one device per"
          + " model instance (tp, pp and ep 1; replicas only): " + missing.get());
    }
  }

  /** Why a split over {@code device}s has no link to bound it, if it has none ({@link #requireLinkForSplit}). */
  public static Optional<String> linkMissing(DeviceSpec device, boolean splits) {
    if (!splits || device.interconnectGBs().isPresent()) {
      return Optional.empty();
    }
    return Optional.of("a split needs a GPU-to-GPU link of stated bandwidth (interconnect_gbs, which a --catalog entry"
        + " can give), and " + device.name() + " has none (interconnect "
        + (device.interconnect().isEmpty() ? "unknown" : device.interconnect()) + ")");
  }
}
