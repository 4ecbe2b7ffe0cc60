package dev.tuner.spark;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.DirectWiring;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The timed job behind the tuner-spark figures of BENCHMARKS.md (not a test): scenarios per second on one core
 * through Spark ({@code local[1]}) against the in-JVM paths, and training rows per second, all in one run so that
 * their ratios hold on a shared machine. Run (the class path from the reactor, not from snapshots in ~/.m2) with
 * {@code mvn -B -q -pl tuner-spark -am test-compile dependency:build-classpath -Dmdep.includeScope=test
 * -Dmdep.outputFile=/tmp/cp.txt} then {@code java -Xmx2g -cp
 * "tuner-spark/target/test-classes:tuner-spark/target/classes:$(cat /tmp/cp.txt)" dev.tuner.spark.SparkThroughput
 * 200000 20000}.
 */
public final class SparkThroughput {
  private SparkThroughput() {}

  /** Resolves every request and scores them through the batch path, as {@link SparkScorer#scoreTokens} does. */
  private static void resolveAndScore(ScenarioRequest[] requests, Catalog catalog, Predictor predictor,
      double[] out) {
    Scenario[] resolved = new Scenario[requests.length];
    for (int i = 0; i < requests.length; i++) {
      resolved[i] = requests[i].resolve(catalog);
    }
    predictor.predictTokensPerSecond(resolved, out);
  }

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int trainRows = Integer.parseInt(args[1]);
    DirectWiring wiring = new DirectWiring(TunerConfig.defaults());
    Predictor predictor = wiring.predictor();
    Catalog catalog = wiring.catalog();
    String[] devices = {"RTX 4090", "RTX 3090", "A100 SXM4 80GB", "RTX A6000", "A10"};
    String[] models = {"Llama 3 8B", "Llama 2 13B", "Llama 3 70B", "Mistral 7B v0.3"};
    List<Row> rows = new ArrayList<>(n);
    Scenario[] scenarios = new Scenario[n];
    for (int i = 0; i < n; i++) {
      String d = devices[i % devices.length];
      String m = models[(i / 5) % models.length];
      int batch = 1 << (i % 7);
      int context = 128 << ((i / 7) % 6);
      String phase = i % 3 == 0 ? "prefill" : "decode";
      rows.add(RowFactory.create(d, m, "Q4_K_M", batch, context, phase));
      scenarios[i] = ScenarioRequest.of(m, d, "Q4_K_M", batch, context, phase).resolve(catalog);
    }
    double[] out = new double[n];
    for (int warm = 0; warm < 3; warm++) {
      predictor.predictTokensPerSecond(scenarios, out);
    }
    long t0 = System.nanoTime();
    predictor.predictTokensPerSecond(scenarios, out);
    double batchPath = n / ((System.nanoTime() - t0) / 1e9);
    // the batch path as a scorer of named rows uses it: resolving each row's names against the catalog first
    ScenarioRequest[] requests = new ScenarioRequest[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      requests[i] = ScenarioRequest.of(r.getString(1), r.getString(0), r.getString(2), r.getInt(3), r.getInt(4),
          r.getString(5));
    }
    for (int warm = 0; warm < 2; warm++) {
      resolveAndScore(requests, catalog, predictor, out);
    }
    t0 = System.nanoTime();
    resolveAndScore(requests, catalog, predictor, out);
    double resolvedBatchPath = n / ((System.nanoTime() - t0) / 1e9);
    for (Scenario s : scenarios) {
      predictor.predict(s, 0);
    }
    t0 = System.nanoTime();
    for (Scenario s : scenarios) {
      predictor.predict(s, 0);
    }
    double fullPath = n / ((System.nanoTime() - t0) / 1e9);

    SparkSession spark = SparkSession.builder().master("local[1]").appName("throughput")
        .config("spark.ui.enabled", "false").getOrCreate();
    StructType schema = new StructType().add("device", DataTypes.StringType).add("model", DataTypes.StringType)
        .add("quant", DataTypes.StringType).add("batch", DataTypes.IntegerType)
        .add("context", DataTypes.IntegerType).add("phase", DataTypes.StringType);
    Dataset<Row> in = spark.createDataFrame(rows, schema).repartition(1).cache();
    in.count();
    SparkScorer scorer = new SparkScorer(spark, SparkScorer.defaultModel(), 0.9);
    scorer.score(in).write().format("noop").mode("overwrite").save();
    t0 = System.nanoTime();
    scorer.score(in).write().format("noop").mode("overwrite").save();
    double sparkPath = n / ((System.nanoTime() - t0) / 1e9);
    scorer.scoreTokens(in).write().format("noop").mode("overwrite").save();
    t0 = System.nanoTime();
    scorer.scoreTokens(in).write().format("noop").mode("overwrite").save();
    double sparkTokens = n / ((System.nanoTime() - t0) / 1e9);

    Dataset<Row> telemetry = spark.read().option("header", "true").csv(
        spark.createDataset(List.of(SparkForestTrainerTest.telemetry(trainRows, 5L).split("\n")),
            org.apache.spark.sql.Encoders.STRING()));
    Dataset<Row> encoded = TelemetryEncoding.encode(telemetry, TrainSettings.defaults().schemaId(),
        TrainSettings.defaults().target(), dev.tuner.core.data.Dataset.Options.defaults())
        .filter("skipped is null").cache();
    long used = encoded.count();
    t0 = System.nanoTime();
    SparkForestTrainer.regressor(TrainSettings.defaults()).fit(encoded);
    double fit = used / ((System.nanoTime() - t0) / 1e9);
    spark.stop();
    System.out.printf(Locale.ROOT, "scenarios %d, one core each%n", n);
    System.out.printf(Locale.ROOT, "in-JVM predictTokensPerSecond (batch path): %.0f scenarios/s%n", batchPath);
    System.out.printf(Locale.ROOT, "in-JVM resolve names + batch path:           %.0f scenarios/s%n",
        resolvedBatchPath);
    System.out.printf(Locale.ROOT, "in-JVM predict() per row (all columns):      %.0f scenarios/s%n", fullPath);
    System.out.printf(Locale.ROOT, "Spark local[1] score() (all columns):        %.0f scenarios/s%n", sparkPath);
    System.out.printf(Locale.ROOT, "Spark local[1] scoreTokens() (tokens/s):     %.0f scenarios/s%n", sparkTokens);
    System.out.printf(Locale.ROOT, "overhead: batch/Spark %.2fx, predict()/Spark %.2fx%n", batchPath / sparkPath,
        fullPath / sparkPath);
    System.out.printf(Locale.ROOT, "tokens-only overhead: batch/Spark %.2fx, resolve+batch/Spark %.2fx%n",
        batchPath / sparkTokens, resolvedBatchPath / sparkTokens);
    System.out.printf(Locale.ROOT, "MLlib forest fit, 80 trees depth 10, local[1]: %d rows, %.0f rows/s%n", used,
        fit);
  }
}
