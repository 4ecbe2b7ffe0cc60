package dev.tuner.core.learn;

import dev.tuner.api.ModelProvider;
import dev.tuner.api.ModelTrainer;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingException;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TunerApi;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Trains a provider's model on prepared measurements and packages it: cross-validates it beside the two baselines
 * on the same folds, trains the final model on every row, calibrates its intervals from the out-of-fold scores and
 * writes provenance (data hash, seed, hyper-parameters, CV metrics and how they were computed, environment).
 */
public final class TrainingPipeline {
  private final FeatureSchema schema;

  public TrainingPipeline(FeatureSchema schema) {
    this.schema = schema;
  }

  public TrainResult train(Dataset.Prepared data, ModelProvider provider, TrainRequest req) {
    ModelTrainer trainer = Trainers.of(provider).orElseThrow(() -> new TrainingException(
        "provider \"" + provider.id() + "\" cannot train models; choose one that can (see `tuner plugins`)"));
    if (data.examples().size() < 10) {
      throw new TrainingException("only " + data.examples().size() + " usable rows (" + data.summary()
          + "); training needs at least 10");
    }
    Encoded encoded = new Encoded(schema, data.examples());
    Encoded reference = new Encoded(FeatureSchemas.referenceV1(), data.examples());
    TrainingOptions options = new TrainingOptions(req.seed(), req.hyperParameters(), req.threads(),
        req.progress());
    ReferenceSettings settings = ReferenceSettings.from(req.hyperParameters());
    Folds folds = Folds.of(req.cv(), encoded, req.seed());
    CrossValidator cv = new CrossValidator(req.level(), req.progress());
    CvResult model = cv.run(Candidates.trainer(provider.id(), trainer, encoded, req.target(), options), folds);
    CvResult roofline = cv.run(Candidates.rooflineEfficiency(encoded), folds);
    CvResult heuristic = cv.run(Candidates.referenceHeuristic(reference), folds);
    Map<String, Map<Phase, PhaseMetrics>> baselines = new LinkedHashMap<>();
    baselines.put(EvaluationReport.ROOFLINE_BASELINE, roofline.phases());
    baselines.put(EvaluationReport.REFERENCE_BASELINE, heuristic.phases());
    EvaluationReport report = new EvaluationReport(folds.method() + " cross-validation (" + folds.count()
        + " folds; intervals cross-conformal)", req.level(), req.target().id(), data.rowsRead(),
        data.examples().size(), data.skippedByReason(), model.phases(), baselines, model.groupedBy(), model.groups(),
        EvaluationReport.splitByArchitecture(model.newArchitecture(), encoded.phases, encoded.measured,
            model.predicted(), model.low(), model.high()));

    req.progress().progress("final model", 0, 1);
    int[] all = new int[encoded.rows()];
    Arrays.setAll(all, i -> i);
    Candidates.Trained fit = Candidates.train(trainer, encoded, all, req.target(), options, settings);
    TrainedModel trained = fit.trained();
    req.progress().progress("final model", 1, 1);
    ThroughputModel m = trained.model();
    Calibration calibration = calibration(encoded, model);
    Map<String, String> properties = new TreeMap<>(m.info().properties());
    properties.putAll(fit.reference().properties());
    Map<String, String> hyperParameters = new TreeMap<>(trained.hyperParameters());
    for (String key : ReferenceSettings.KEYS) {
      if (req.hyperParameters().containsKey(key)) {
        hyperParameters.put(key, req.hyperParameters().get(key));
      }
    }
    properties.put("median_efficiency.decode", fmt(Candidates.medianEfficiency(encoded, all, Phase.DECODE)));
    properties.put("median_efficiency.prefill", fmt(Candidates.medianEfficiency(encoded, all, Phase.PREFILL)));
    properties.put("training_summary", data.summary());
    ArtifactHeader header = new ArtifactHeader(
        ArtifactCodec.FORMAT_VERSION,
        TunerApi.VERSION,
        m.info().modelId(),
        provider.id(),
        provider.version(),
        schema.ref(),
        req.target(),
        schema.width(),
        hyperParameters,
        req.seed(),
        new ArtifactHeader.TrainingData(
            data.files().stream().map(f -> java.nio.file.Path.of(f).getFileName().toString()).toList(),
            data.sha256(), data.examples().size(), filters(data)),
        report.toJson(),
        calibration,
        environment(provider),
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        properties);
    return new TrainResult(m, new ModelArtifact(header, trained.payload()), report,
        HeldOutPredictions.of(data.examples(), folds, model));
  }

  private static Calibration calibration(Encoded d, CvResult r) {
    int w = d.schema().width();
    float[] min = new float[w];
    float[] max = new float[w];
    Arrays.fill(min, Float.POSITIVE_INFINITY);
    Arrays.fill(max, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < d.rows(); i++) {
      for (int j = 0; j < w; j++) {
        float v = d.features[i * w + j];
        min[j] = Math.min(min[j], v);
        max[j] = Math.max(max[j], v);
      }
    }
    return CrossValidator.calibration(r.calibrationMethod(), r.spreadOffset(), r.scores(), d, r.newArchitecture(), i -> true, min, max,
        CrossValidator.architectures(d, java.util.stream.IntStream.range(0, d.rows()).toArray()));
  }

  private static List<String> filters(Dataset.Prepared data) {
    return data.skippedByReason().entrySet().stream().map(e -> "left out " + e.getValue() + " rows: " + e.getKey())
        .toList();
  }

  static Map<String, String> environment(ModelProvider provider) {
    Map<String, String> env = new TreeMap<>();
    env.put("tuner_api", TunerApi.VERSION);
    env.put("provider", provider.id() + " " + provider.version());
    env.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    return env;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6f", v);
  }
}
