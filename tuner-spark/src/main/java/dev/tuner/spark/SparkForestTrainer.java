package dev.tuner.spark;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.shiftrightunsigned;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.var_pop;
import static org.apache.spark.sql.functions.when;

import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.OutputKind;
import dev.tuner.api.TrainingException;
import dev.tuner.api.TunerApi;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.learn.EvaluationReport;
import dev.tuner.core.learn.PhaseMetrics;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.ensemble.EnsembleProvider;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import dev.tuner.forest.ForestArtifacts;
import dev.tuner.forest.ForestProvider;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Trains MLlib's random forest on measurements encoded by tuner ({@link TelemetryEncoding}), one forest per phase as
 * tuner's forest partitions ({@link PhaseForests}), and packages them as one tuner {@code forest} artifact (trees
 * converted by {@link TreeConversion}, joined under the phase split), which then loads, predicts and exports like
 * any tuner model. Everything that reads the rows runs in Spark: the encoding, the data hash, grouped
 * cross-validation, its metrics and the calibration scores.
 *
 * <p>Cross-validation deals the devices, sorted by name, round-robin into {@code cvFolds} folds (all of a device's
 * rows in one fold), trains on the other folds and predicts the held-out one. Metrics are tuner's
 * ({@link PhaseMetrics}: MAPE, median APE, R² of log tokens/s, interval coverage) per phase and per device and
 * phase, each fold's rows predicted by forests of their phase trained on the other folds; the
 * median is Spark's approximate percentile (relative error at most 1e-5). Intervals are cross-conformal on absolute
 * residuals in the target's units: each fold's half-width is the conformal quantile of the other folds' scores of
 * the same phase, taken from a uniform seeded sample of at most {@value #CALIBRATION_SAMPLE} scores per phase (a
 * random sample keeps the exchangeability the guarantee rests on); the final artifact is calibrated on the sample
 * of all folds.
 */
public final class SparkForestTrainer {
  /** Held-out scores kept per phase for calibration: what the artifact carries, whatever the data size. */
  static final int CALIBRATION_SAMPLE = 10_000;
  private static final String FOLD = "fold";
  private static final String RAW = "raw";

  /**
   * Why no tree is projected: tuner's forest applies {@code MonotoneProjection} only to features named by its
   * {@code monotone} hyper-parameter, which is empty by default ({@code tuner train --model-type forest}); only an
   * ensemble trained with {@code monotone=physics} sets it.
   */
  static final String MONOTONE_PROJECTION = "none, as tuner's forest trains by default (monotone is empty; only an"
      + " ensemble with monotone=physics constrains its members)";

  private final SparkSession spark;

  public SparkForestTrainer(SparkSession spark) {
    this.spark = spark;
  }

  /** What a training run produced: the artifact, its cross-validation report and the MLlib forests it holds. */
  public record Result(ModelArtifact artifact, EvaluationReport report, PhaseForests sparkModels) {}

  /**
   * The forest payload of MLlib forests whose features are the slots of {@code schema}: the forest provider's
   * hyper-parameters as near as MLlib's map to them (at most 2^depth leaves, the effective share of features per
   * split, partitioned by phase as {@code partition_by=auto} partitions, no monotone constraint as the provider's
   * default has none), MLlib's own and the partition in the properties.
   */
  public static byte[] payload(PhaseForests forests, FeatureSchema schema, TrainSettings s,
      Map<String, String> properties) {
    int width = schema.width();
    Map<String, String> hp = new LinkedHashMap<>();
    hp.put("trees", Integer.toString(s.trees()));
    hp.put("max_depth", Integer.toString(s.maxDepth()));
    hp.put("min_leaf", Integer.toString(s.minLeaf()));
    hp.put("max_nodes", Integer.toString((int) Math.min(1L << s.maxDepth(), 100_000)));
    hp.put("mtry_fraction", Double.toString((double) TrainSettings.featuresPerNode(s.featureSubset(), width)
        / width));
    hp.put("subsample", Double.toString(s.subsample()));
    hp.put("partition_by", "auto");
    Map<String, String> props = new LinkedHashMap<>();
    s.asMap().forEach((k, v) -> props.put("spark." + k, v));
    props.putAll(partition(forests));
    props.putAll(properties);
    return ForestArtifacts.fromFlatTrees(schema.slotNames(), hp, props, forests.flatTrees(schema));
  }

  /**
   * Trains on {@code measurements} (columns of the measurements CSV) and returns the artifact with its
   * cross-validation report. {@code sources} names the input files for the provenance.
   */
  public Result train(Dataset<Row> measurements, List<String> sources, TrainSettings s) {
    FeatureSchema schema = FeatureSchemas.byId(s.schemaId());
    Dataset<Row> encoded = TelemetryEncoding.encode(measurements, s.schemaId(), s.target(), s.data()).cache();
    try {
      return train(encoded, schema, sources, s);
    } finally {
      encoded.unpersist();
    }
  }

  private Result train(Dataset<Row> encoded, FeatureSchema schema, List<String> sources, TrainSettings s) {
    Map<String, Integer> skipped = new TreeMap<>();
    long read = 0;
    for (Row r : encoded.groupBy(TelemetryEncoding.SKIPPED).count().collectAsList()) {
      read += r.getLong(1);
      if (!r.isNullAt(0)) {
        skipped.put(r.getString(0), Math.toIntExact(r.getLong(1)));
      }
    }
    Dataset<Row> used = encoded.filter(col(TelemetryEncoding.SKIPPED).isNull());
    Row totals = used.agg(count(lit(1)), hashSums()).first();
    long rows = totals.getLong(0);
    if (rows < 10) {
      throw new TrainingException("only " + rows + " usable rows of " + read + " (skipped: " + skipped
          + "); training needs at least 10");
    }
    String sha256 = dataHash(totals);

    List<String> devices = used.select(TelemetryEncoding.DEVICE).distinct().orderBy(TelemetryEncoding.DEVICE)
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    if (devices.size() < 2) {
      throw new TrainingException("grouped cross-validation needs at least 2 devices; the data has "
          + devices.size());
    }
    int folds = Math.min(s.cvFolds(), devices.size());
    List<Row> assignment = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      assignment.add(RowFactory.create(devices.get(i), i % folds));
    }
    Dataset<Row> foldOf = spark.createDataFrame(assignment, new StructType()
        .add(TelemetryEncoding.DEVICE, DataTypes.StringType).add(FOLD, DataTypes.IntegerType));
    Dataset<Row> withFold = used.join(broadcast(foldOf), TelemetryEncoding.DEVICE).cache();
    try {
      return crossValidateAndFit(withFold, schema, sources, s, folds, read, rows, skipped, sha256);
    } finally {
      withFold.unpersist();
    }
  }

  private Result crossValidateAndFit(Dataset<Row> data, FeatureSchema schema, List<String> sources,
      TrainSettings s, int folds, long read, long rows, Map<String, Integer> skipped, String sha256) {
    Dataset<Row> held = null;
    for (int f = 0; f < folds; f++) {
      PhaseForests m = PhaseForests.fit(data.filter(col(FOLD).notEqual(f)), schema, s);
      Dataset<Row> predicted = m.transform(data.filter(col(FOLD).equalTo(f))).withColumnRenamed("prediction", RAW);
      held = held == null ? predicted : held.union(predicted);
    }
    Column measured = col(TelemetryEncoding.MEASURED);
    Dataset<Row> scored = held
        .withColumn("predicted", tokens(s.target(), col(RAW)))
        .withColumn("score", abs(col(TelemetryEncoding.LABEL).minus(col(RAW))))
        .cache();
    try {
      Map<Phase, double[]> sample = new EnumMap<>(Phase.class);
      List<Row> deviceScores = deviceScores(scored);
      Map<Integer, Map<Phase, Double>> quantiles = conformal(scored, folds, s, sample, deviceScores);
      List<Row> qRows = new ArrayList<>();
      quantiles.forEach((fold, byPhase) -> byPhase.forEach((phase, q) ->
          qRows.add(RowFactory.create(fold, phase.id(), q))));
      Dataset<Row> q = spark.createDataFrame(qRows, new StructType().add(FOLD, DataTypes.IntegerType)
          .add(TelemetryEncoding.PHASE, DataTypes.StringType).add("q", DataTypes.DoubleType));
      Column predicted = col("predicted");
      Dataset<Row> intervals = scored.join(broadcast(q), new String[] {FOLD, TelemetryEncoding.PHASE})
          .withColumn("low", least(predicted, tokens(s.target(), col(RAW).minus(col("q")))))
          .withColumn("high", greatest(predicted, tokens(s.target(), col(RAW).plus(col("q")))))
          .withColumn("ape", abs(predicted.minus(measured)).divide(measured))
          .withColumn("log_measured", log(measured))
          .withColumn("log_error", pow(log(measured).minus(log(greatest(predicted, lit(1e-9)))), 2))
          .withColumn("covered", when(measured.geq(col("low")).and(measured.leq(col("high"))), 1.0)
              .otherwise(0.0));
      Map<Phase, PhaseMetrics> phases = new EnumMap<>(Phase.class);
      for (Row r : metrics(intervals.groupBy(TelemetryEncoding.PHASE)).collectAsList()) {
        phases.put(Phase.parse(r.getString(0)), phaseMetrics(r, 1));
      }
      Map<String, Map<Phase, PhaseMetrics>> groups = new TreeMap<>();
      for (Row r : metrics(intervals.groupBy(TelemetryEncoding.DEVICE, TelemetryEncoding.PHASE)).collectAsList()) {
        groups.computeIfAbsent(r.getString(0), k -> new EnumMap<>(Phase.class))
            .put(Phase.parse(r.getString(1)), phaseMetrics(r, 2));
      }
      for (Phase p : Phase.values()) {
        phases.putIfAbsent(p, new PhaseMetrics(0, 0, 0, 0, 0));
      }
      EvaluationReport report = new EvaluationReport(String.format(Locale.ROOT,
          "grouped %d-fold cross-validation by device, in Spark (intervals cross-conformal)", folds), s.level(),
          s.target().id(), Math.toIntExact(read), Math.toIntExact(rows), skipped, phases, Map.of(), "device",
          groups);

      PhaseForests model = PhaseForests.fit(data, schema, s);
      Calibration calibration = calibration(data, schema, sample, deviceScores);
      return new Result(artifact(model, schema, sources, s, read, rows, skipped, sha256, report, calibration,
          data), report, model);
    } finally {
      scored.unpersist();
    }
  }

  /** How the forests are partitioned and projected, as the payload's and the header's properties record it. */
  private static Map<String, String> partition(PhaseForests forests) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("partition.feature", forests.partitioned() ? EnsembleProvider.PHASE_FEATURE : "none");
    m.put("partition.rows.decode", Long.toString(forests.decodeRows()));
    m.put("partition.rows.prefill", Long.toString(forests.prefillRows()));
    m.put("monotone_projection", MONOTONE_PROJECTION);
    return m;
  }

  /** Tokens/s from raw outputs of {@code kind}, clamped to [0, roofline] as the predictor does. */
  private static Column tokens(OutputKind kind, Column raw) {
    Column ref = col(TelemetryEncoding.REFERENCE);
    Column v;
    switch (kind) {
      case TOKENS_PER_SECOND:
        v = raw;
        break;
      case LOG_TOKENS_PER_SECOND:
        v = exp(raw);
        break;
      case ROOFLINE_FRACTION:
        v = raw.multiply(ref);
        break;
      default:
        v = exp(raw).multiply(ref);
        break;
    }
    return when(isnan(v).or(v.lt(0)), lit(0.0)).otherwise(least(v, col(TelemetryEncoding.ROOF)));
  }

  /**
   * Rows (fold, phase, score): per held-out device and phase, the {@value Calibration#DEVICE_COVERAGE} quantile of
   * its own scores (Spark's approximate percentile, relative error at most 1e-5; exact on small groups), the
   * device-level term of tuner's calibration. One row per device and phase, so collecting them is cheap.
   */
  private static List<Row> deviceScores(Dataset<Row> scored) {
    return scored.groupBy(col(FOLD), col(TelemetryEncoding.DEVICE), col(TelemetryEncoding.PHASE))
        .agg(percentile_approx(col("score"), lit(Calibration.DEVICE_COVERAGE), lit(100_000)).as("device_score"))
        .select(FOLD, TelemetryEncoding.PHASE, "device_score").collectAsList();
  }

  /**
   * Per fold, the half-width its held-out rows get, per phase: the conformal quantile of the sampled scores of the
   * other folds and at least the conformal quantile, at {@value Calibration#DEVICE_SHARE}, of the other folds'
   * device scores (as tuner's cross-validator and {@link Calibration#groupQuantile} do; telemetry rows carry
   * measured figures, so none is treated as imputed). Fills {@code all} with the sampled scores of every fold.
   */
  private Map<Integer, Map<Phase, Double>> conformal(Dataset<Row> scored, int folds, TrainSettings s,
      Map<Phase, double[]> all, List<Row> deviceScores) {
    Map<String, Double> fractions = new HashMap<>();
    for (Row r : scored.groupBy(TelemetryEncoding.PHASE).count().collectAsList()) {
      fractions.put(r.getString(0), Math.min(1.0, (double) CALIBRATION_SAMPLE / r.getLong(1)));
    }
    List<Row> sample = scored.stat().sampleBy(TelemetryEncoding.PHASE, fractions, s.seed())
        .select(FOLD, TelemetryEncoding.PHASE, "score").collectAsList();
    Map<Integer, Map<Phase, Double>> out = new TreeMap<>();
    for (int f = 0; f < folds; f++) {
      Map<Phase, Double> byPhase = new EnumMap<>(Phase.class);
      for (Phase p : Phase.values()) {
        int fold = f;
        double[] others = sample.stream()
            .filter(r -> r.getInt(0) != fold && r.getString(1).equals(p.id()))
            .mapToDouble(r -> r.getDouble(2)).sorted().toArray();
        double rows = Calibration.conformal(others, s.level());
        double[] devices = phaseScores(deviceScores, p, fold);
        byPhase.put(p, devices.length == 0 || Double.isInfinite(rows) ? rows
            : Math.max(rows, Calibration.conformal(devices, Calibration.DEVICE_SHARE)));
      }
      out.put(f, byPhase);
    }
    for (Phase p : Phase.values()) {
      all.put(p, sample.stream().filter(r -> r.getString(1).equals(p.id())).mapToDouble(r -> r.getDouble(2))
          .toArray());
    }
    return out;
  }

  /** Sorted device scores of {@code phase} from folds other than {@code exceptFold} (-1: every fold). */
  private static double[] phaseScores(List<Row> deviceScores, Phase phase, int exceptFold) {
    return deviceScores.stream().filter(r -> r.getInt(0) != exceptFold && r.getString(1).equals(phase.id()))
        .mapToDouble(r -> r.getDouble(2)).sorted().toArray();
  }

  private static Dataset<Row> metrics(org.apache.spark.sql.RelationalGroupedDataset grouped) {
    return grouped.agg(count(lit(1)), avg("ape"), percentile_approx(col("ape"), lit(0.5), lit(100_000)),
        sum("log_error"), var_pop("log_measured"), avg("covered"));
  }

  private static PhaseMetrics phaseMetrics(Row r, int from) {
    long n = r.getLong(from);
    double ssRes = r.getDouble(from + 3);
    double ssTot = r.getDouble(from + 4) * n;
    return new PhaseMetrics(Math.toIntExact(n), r.getDouble(from + 1), r.getDouble(from + 2),
        ssTot > 0 ? 1 - ssRes / ssTot : 0, r.getDouble(from + 5));
  }

  /** Sums of the 32-bit halves of the rows' hash lanes: below 2^63 for up to 2^31 rows, in any order. */
  private static Column[] hashSums() {
    Column[] sums = new Column[8];
    for (int lane = 0; lane < 4; lane++) {
      Column h = col(TelemetryEncoding.HASH + lane);
      sums[2 * lane] = sum(shiftrightunsigned(h, 32));
      sums[2 * lane + 1] = sum(h.bitwiseAND(lit(0xffffffffL)));
    }
    return sums;
  }

  /** SHA-256 over the row count and the lane sums: the identity of the rows used, whatever their order. */
  private static String dataHash(Row totals) {
    ByteBuffer b = ByteBuffer.allocate(8 * 9);
    for (int i = 0; i < 9; i++) {
      b.putLong(totals.getLong(i));
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  private static Calibration calibration(Dataset<Row> data, FeatureSchema schema, Map<Phase, double[]> scores,
      List<Row> deviceScores) {
    Row range = data.select(Summarizer.metrics("min", "max").summary(col(TelemetryEncoding.FEATURES)).as("s"))
        .select("s.min", "s.max").first();
    Vector min = range.getAs(0);
    Vector max = range.getAs(1);
    float[] lo = new float[schema.width()];
    float[] hi = new float[schema.width()];
    for (int j = 0; j < lo.length; j++) {
      // every feature is a float widened to a double, so narrowing it back is exact
      lo[j] = (float) min.apply(j);
      hi[j] = (float) max.apply(j);
    }
    return new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, scores.get(Phase.DECODE),
        scores.get(Phase.PREFILL), lo, hi, phaseScores(deviceScores, Phase.DECODE, -1),
        phaseScores(deviceScores, Phase.PREFILL, -1));
  }

  private ModelArtifact artifact(PhaseForests model, FeatureSchema schema, List<String> sources,
      TrainSettings s, long read, long rows, Map<String, Integer> skipped, String sha256, EvaluationReport report,
      Calibration calibration, Dataset<Row> data) {
    Map<String, String> properties = new TreeMap<>();
    for (Row r : data.withColumn("efficiency", col(TelemetryEncoding.MEASURED).divide(col(TelemetryEncoding.ROOF)))
        .groupBy(TelemetryEncoding.PHASE).agg(percentile_approx(col("efficiency"), lit(0.5), lit(100_000)))
        .collectAsList()) {
      properties.put("median_efficiency." + r.getString(0), String.format(Locale.ROOT, "%.6f", r.getDouble(1)));
    }
    String summary = String.format(Locale.ROOT, "read %d rows; used %d; skipped %s", read, rows, skipped);
    properties.put("training_summary", summary);
    properties.put("trained_by", "tuner-spark (Apache Spark " + spark.version() + " MLlib random forest)");
    properties.putAll(partition(model));
    byte[] payload = payload(model, schema, s, properties);
    ModelInfo declared = new ModelInfo("pending", ForestProvider.ID, schema.ref(), s.target(), schema.width());
    String modelId = new ForestProvider().load(new ModelPayload(declared, payload)).info().modelId();
    Map<String, String> environment = new TreeMap<>();
    environment.put("tuner_api", TunerApi.VERSION);
    environment.put("provider", ForestProvider.ID + " " + ForestProvider.VERSION);
    environment.put("spark", spark.version());
    environment.put("spark_master", spark.sparkContext().master());
    environment.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    List<String> filters = skipped.entrySet().stream()
        .map(e -> "left out " + e.getValue() + " rows: " + e.getKey()).toList();
    ArtifactHeader header = new ArtifactHeader(ArtifactCodec.FORMAT_VERSION, TunerApi.VERSION, modelId,
        ForestProvider.ID, ForestProvider.VERSION, schema.ref(), s.target(), schema.width(), s.asMap(), s.seed(),
        new ArtifactHeader.TrainingData(sources, sha256, Math.toIntExact(rows), filters), report.toJson(),
        calibration, environment, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), properties);
    return new ModelArtifact(header, payload);
  }
}
