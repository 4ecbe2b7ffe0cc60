package dev.tuner.core.ingest;

import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The command-line statements about the input, already resolved against the catalog. */
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
}
