package dev.tuner.core.ingest;

import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command-line statements about the input, already resolved against the catalog: each fills what a file leaves
 * open, and a device or model must agree with the one the file names.
 */
record Stated(Optional<DeviceSpec> device, Optional<ModelSpec> model, Optional<Quantization> quant) {

  /** The flags a format needs that were not given, e.g. {@code [--device, --quant]}. */
  List<String> missing(boolean needDevice, boolean needModel, boolean needQuant) {
    List<String> out = new ArrayList<>();
    if (needDevice && device.isEmpty()) {
      out.add("--device");
    }
    if (needModel && model.isEmpty()) {
      out.add("--model");
    }
    if (needQuant && quant.isEmpty()) {
      out.add("--quant");
    }
    return out;
  }

  /**
   * Refuses --device when the file names another catalog device ({@code printed}; empty when it names none, or one
   * the catalog does not know, which the notes keep).
   */
  void requireSameDevice(Optional<DeviceSpec> printed) throws RecordRejected {
    requireSame("device", "--device", device.map(DeviceSpec::name), printed.map(DeviceSpec::name));
  }

  /** Refuses --model when the file names another catalog model ({@code printed}, as {@link #requireSameDevice}). */
  void requireSameModel(Optional<ModelSpec> printed) throws RecordRejected {
    requireSame("model", "--model", model.map(ModelSpec::name), printed.map(ModelSpec::name));
  }

  private static void requireSame(String field, String flag, Optional<String> given, Optional<String> printed)
      throws RecordRejected {
    if (given.isPresent() && printed.isPresent() && !given.equals(printed)) {
      throw RecordRejected.contradicted(field, printed.get(), flag, given.get());
    }
  }
}
