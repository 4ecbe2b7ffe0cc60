package dev.tuner.bench;

import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.learn.Encoded;
import dev.tuner.core.learn.TrainRequest;
import dev.tuner.core.learn.TrainingPipeline;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import dev.tuner.forest.ForestProvider;
import dev.tuner.linear.LinearProvider;
import dev.tuner.onnx.OnnxExporter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * What every benchmark starts from: the shipped catalog and measurements, and the models trained on them with
 * fixed seeds. The forest uses the settings of the embedded default model's forest members (trees 80, max_depth 10,
 * min_leaf 2, mtry_fraction 0.6, seed 42, target log_roofline_fraction), trained here on both phases at once.
 */
final class BenchModels {
  static final long SEED = 42;
  static final OutputKind TARGET = OutputKind.LOG_ROOFLINE_FRACTION;
  static final Map<String, String> FOREST_SETTINGS = Map.of("trees", "80", "max_depth", "10", "min_leaf", "2",
      "mtry_fraction", "0.6");
  static final double INTERVAL_LEVEL = 0.9;

  final Catalog catalog = Catalog.shipped();
  final Roofline roofline = new Roofline(catalog);
  final FeatureSchema schema = FeatureSchemas.tunerV1();
  final ProviderRegistry registry = ProviderRegistry.discover(BenchModels.class.getClassLoader());
  final ModelLoader loader = new ModelLoader(registry, new ArtifactCodec());
  final Dataset.Prepared data;
  final Encoded encoded;

  BenchModels() {
    try (InputStream in = resource("dev/tuner/data/measurements.csv")) {
      data = Dataset.load(new InputStreamReader(in, StandardCharsets.UTF_8), "measurements.csv", catalog, roofline,
          Dataset.Options.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    encoded = new Encoded(schema, data.examples());
  }

  /** The scenarios of the training rows, in file order. */
  Scenario[] trainingScenarios() {
    return data.examples().stream().map(Dataset.Example::scenario).toArray(Scenario[]::new);
  }

  TrainingSet trainingSet() {
    return encoded.trainingSet(TARGET);
  }

  /** The forest with the default model's settings, trained on every usable row. */
  ThroughputModel trainForest() {
    return new ForestProvider().trainer().orElseThrow()
        .train(trainingSet(), new TrainingOptions(SEED, FOREST_SETTINGS, 2, ProgressListener.NONE))
        .model();
  }

  /** Ridge regression with its default settings, trained on every usable row. */
  ThroughputModel trainLinear() {
    return new LinearProvider().trainer().orElseThrow()
        .train(trainingSet(), new TrainingOptions(SEED, Map.of(), 2, ProgressListener.NONE))
        .model();
  }

  /** Ridge regression through the training pipeline, so it comes with held-out (5-fold) interval calibration. */
  LoadedModel linearWithCalibration() {
    ModelProvider provider = registry.require(LinearProvider.ID);
    var result = new TrainingPipeline(schema).train(data, provider, new TrainRequest(TARGET, Map.of(), SEED, "5",
        INTERVAL_LEVEL, 2, ProgressListener.NONE));
    return loader.fromArtifact(result.artifact(), "linear (trained in setup)");
  }

  /** The embedded default model, read from its class-path resource as the command line reads it. */
  LoadedModel embeddedDefault() {
    return loader.open(resource(TunerConfig.DEFAULT_MODEL_RESOURCE), "embedded default model");
  }

  /** Exports {@code model} with {@link OnnxExporter} and opens the file as a foreign model, one ORT thread. */
  LoadedModel viaOnnx(ThroughputModel model) {
    try {
      Path file = Files.createTempFile("tuner-bench-", ".onnx");
      file.toFile().deleteOnExit();
      Files.write(file, new OnnxExporter().export(model.portable().orElseThrow(), model.info(), Map.of()));
      return loader.open(file, ForeignModelOptions.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Predictor predictor(LoadedModel model) {
    return new Predictor(model, roofline, INTERVAL_LEVEL, false);
  }

  /**
   * {@code n} decode and prefill scenarios drawn with a fixed seed from every catalogued model, device and
   * quantization, both KV-cache types of the default grid, batches 1–256 and contexts 128–32 768: the kind of
   * sweep a capacity planner scores.
   */
  Scenario[] sweep(int n) {
    List<ModelSpec> models = catalog.models().entries();
    List<DeviceSpec> devices = catalog.devices().entries();
    List<Quantization> quants = catalog.quants().entries();
    KvCacheType[] kv = {KvCacheType.F16, KvCacheType.Q8_0};
    var r = new SplittableRandom(SEED);
    Scenario[] out = new Scenario[n];
    for (int i = 0; i < n; i++) {
      out[i] = new Scenario(models.get(r.nextInt(models.size())), devices.get(r.nextInt(devices.size())),
          quants.get(r.nextInt(quants.size())), kv[r.nextInt(kv.length)], 1 << r.nextInt(9), 128 << r.nextInt(9),
          r.nextBoolean() ? Phase.DECODE : Phase.PREFILL, r.nextBoolean(), Optional.empty(), false);
    }
    return out;
  }

  static InputStream resource(String name) {
    InputStream in = BenchModels.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " is not on the class path");
    }
    return in;
  }
}
