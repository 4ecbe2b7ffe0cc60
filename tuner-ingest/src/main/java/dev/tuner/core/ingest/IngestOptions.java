package dev.tuner.core.ingest;

import java.util.Objects;
import java.util.Optional;

/**
 * What the user states about the files being ingested. A given value is required where a file cannot say (vLLM results
 * rarely name the GPU; Ollama output names neither GPU, model nor quantization). A device or model must be the catalog
 * entry the file names, if it names one the catalog knows: a record that says otherwise is rejected rather than
 * labelled with the option. A quantization overrides the file's. {@code device}, {@code model} and {@code quant}
 * must be catalog names or aliases; {@code sourceId} replaces the default {@code ingest:<file name>}.
 */
public record IngestOptions(
    Optional<String> device, Optional<String> model, Optional<String> quant, Optional<String> sourceId) {

  public IngestOptions {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(quant, "quant");
    Objects.requireNonNull(sourceId, "sourceId");
  }

  /** Nothing stated: everything comes from the files. */
  public static IngestOptions none() {
    return new IngestOptions(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public IngestOptions withDevice(String name) {
    return new IngestOptions(Optional.of(name), model, quant, sourceId);
  }

  public IngestOptions withModel(String name) {
    return new IngestOptions(device, Optional.of(name), quant, sourceId);
  }

  public IngestOptions withQuant(String name) {
    return new IngestOptions(device, model, Optional.of(name), sourceId);
  }

  public IngestOptions withSourceId(String id) {
    return new IngestOptions(device, model, quant, Optional.of(id));
  }
}
