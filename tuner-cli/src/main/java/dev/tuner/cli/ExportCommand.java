package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.PortableModel;
import dev.tuner.api.TunerException;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.onnx.OnnxExporter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tuner export}: writes a trained model as ONNX, with its schema, output kind and provenance. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
        "Exports a tuner model artifact (linear or forest) to ONNX (ir_version 8, opset 17, ai.onnx.ml 3): a linear"
            + " model as Gemm, a forest as TreeEnsembleRegressor. The file's metadata carries the feature schema"
            + " (id and hash), the output kind and the provenance, so `--model-file OUT.onnx` works in tuner and"
            + " other runtimes know what the numbers mean."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  tuner export --model-file model.json --onnx model.onnx",
        "  tuner export --model-file default --onnx default-model.onnx",
        "  tuner predict --model-file model.onnx --model \"Llama 3 8B\" --device \"RTX 4090\" --quant Q4_K_M"
            + " --context 512"})
final class ExportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  OutputFormat.Mixin output = new OutputFormat.Mixin();

  @Option(names = "--onnx", paramLabel = "OUT.onnx", required = true, description = "The ONNX file to write.")
  Path onnx;

  @Option(names = "--force", description = "Replace an existing output file.")
  boolean force;

  @Override
  public Integer call() {
    TunerCli root = TunerCli.of(spec);
    if (root.modelFile == null) {
      throw new InvalidInputException("--model-file", "missing",
          "the tuner model artifact to export, or default for the embedded model");
    }
    FilePlan.of(root).output("--onnx", onnx).check(force);
    boolean embedded = TunerCli.namesEmbeddedModel(root.modelFile.toString());
    LoadedModel loaded = embedded ? embedded(root) : root.session().loader().open(root.modelFile,
        dev.tuner.api.ForeignModelOptions.defaults());
    try {
      ModelInfo info = loaded.model().info();
      PortableModel portable = loaded.model().portable().orElseThrow(() -> new TunerException("model "
          + info.modelId() + " (provider " + info.providerId() + ") has no portable form and cannot be exported"));
      Map<String, String> provenance = new TreeMap<>(info.properties());
      loaded.header().ifPresent(h -> provenance.putAll(provenance(h)));
      // the exported file's outputs stay relative to the same reference
      provenance.putAll(loaded.reference().properties());
      new OnnxExporter().export(portable, info.withProperties(provenance), Map.of(), onnx, force);
      PrintWriter out = spec.commandLine().getOut();
      long bytes = size(onnx);
      switch (output.format) {
        case JSON -> Json.print(out, Json.object().put("onnx", onnx.toString()).put("bytes", bytes)
            .put("model_id", info.modelId()).put("schema", info.schema().toString())
            .put("output_kind", info.outputKind().id()));
        case CSV -> new Table("onnx", "bytes", "model_id", "schema", "output_kind")
            .row(onnx, bytes, info.modelId(), info.schema(), info.outputKind().id()).printCsv(out);
        default -> out.println("wrote " + onnx + " (" + bytes + " bytes): model " + info.modelId() + ", schema "
            + info.schema() + ", output " + info.outputKind().id());
      }
      out.flush();
      return 0;
    } finally {
      if (!embedded) {
        loaded.model().close();
      }
    }
  }

  /** The model the session loads for {@code default} or {@code classpath:...}, as predict would use it. */
  private static LoadedModel embedded(TunerCli root) {
    var predictor = root.session().predictor();
    if (predictor.isFallback()) {
      throw new TunerException("--model-file " + root.modelFile + ": no such model in this build (only the"
          + " roofline-only fallback is available, which has nothing to export)");
    }
    return predictor.model();
  }

  private static Map<String, String> provenance(ArtifactHeader h) {
    Map<String, String> p = new TreeMap<>();
    p.put("source.provider", h.providerId() + " " + h.providerVersion());
    p.put("source.created", h.created());
    p.put("source.seed", Long.toString(h.seed()));
    p.put("source.training_data.sha256", h.trainingData().sha256());
    p.put("source.training_data.rows", Integer.toString(h.trainingData().rows()));
    p.put("source.training_data.files", String.join(",", h.trainingData().files()));
    h.hyperParameters().forEach((k, v) -> p.put("source.hp." + k, v));
    return p;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      throw new TunerException("cannot read back " + p + ": " + dev.tuner.core.io.FileChecks.reason(e), e);
    }
  }
}
