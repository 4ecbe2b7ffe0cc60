package dev.tuner.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.DirectWiring;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import dev.tuner.core.schema.FeatureSchemas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The timed job behind the tuner-spark figures of BENCHMARKS.md and the module README (not a test, not JMH): in one
 * JVM and one run, so that the ratios hold on a shared machine,
 *
 * <ol>
 *   <li>in-JVM scoring of a seeded sweep on one and on two threads: the predictor's batch path on resolved
 *       scenarios, and the same after resolving each row's names (the work a Spark row also needs);
 *   <li>the same sweep through {@link SparkScorer#scoreTokens} and {@link SparkScorer#score} on {@code local[1]} and
 *       {@code local[2]} (one partition per core, noop sink, input cached);
 *   <li>training: for each requested size, synthetic telemetry made of jittered copies of the given measurements
 *       CSV (every row copied, its tokens/s times a seeded uniform factor in [0.95, 1.05]; the features repeat,
 *       only the label moves), encoded by {@link TelemetryEncoding} and cached, then {@link PhaseForests#fit} with
 *       {@link TrainSettings#defaults()} (80 trees, depth 10, one forest per phase) on {@code local[2]}.
 * </ol>
 *
 * Each scoring figure is the median of {@value #PASSES} timed passes after {@value #WARMUP} untimed ones; each
 * training figure is one timed fit. Run with {@code mvn -B -o -q -pl tuner-spark -am test-compile
 * dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt}, then {@code java -Xmx6g -cp
 * "tuner-spark/target/test-classes:tuner-spark/target/classes:$(cat tuner-spark/cp.txt)"
 * dev.tuner.spark.SparkThroughput data/measurements.csv 500000 100000 1000000} (sweep size, then training sizes).
 */
public final class SparkThroughput {
  private static final int WARMUP = 3;
  private static final int PASSES = 5;

  private SparkThroughput() {}

  /** A timed piece of work. */
  private interface Pass {
    void run() throws Exception;
  }

  /** Items per second: {@code items} over the median of the timed passes. */
  private static double rate(long items, Pass pass) throws Exception {
    for (int i = 0; i < WARMUP; i++) {
      pass.run();
    }
    double[] seconds = new double[PASSES];
    for (int i = 0; i < PASSES; i++) {
      long t0 = System.nanoTime();
      pass.run();
      seconds[i] = (System.nanoTime() - t0) / 1e9;
    }
    Arrays.sort(seconds);
    return items / seconds[PASSES / 2];
  }

  /** Resolves every request and scores them through the batch path, as {@link SparkScorer#scoreTokens} does. */
  private static void resolveAndScore(ScenarioRequest[] requests, int from, int to, Catalog catalog,
      Predictor predictor, double[] out) {
    Scenario[] resolved = new Scenario[to - from];
    for (int i = from; i < to; i++) {
      resolved[i - from] = requests[i].resolve(catalog);
    }
    double[] part = new double[to - from];
    predictor.predictTokensPerSecond(resolved, part);
    System.arraycopy(part, 0, out, from, part.length);
  }

  /** The same work split in two halves on two threads. */
  private static void twoThreads(ExecutorService pool, int n, java.util.function.IntBinaryOperator half)
      throws Exception {
    Future<Integer> first = pool.submit(() -> half.applyAsInt(0, n / 2));
    Future<Integer> second = pool.submit(() -> half.applyAsInt(n / 2, n));
    first.get();
    second.get();
  }

  /** Prints a result as it comes, so that a long run shows its progress, and keeps it for the summary. */
  private static void say(List<String> report, String line) {
    System.out.println(line);
    report.add(line);
  }

  private static SparkSession session(int cores) {
    return SparkSession.builder().master("local[" + cores + "]").appName("throughput")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", Integer.toString(cores))
        .getOrCreate();
  }

  private static void noop(Dataset<Row> d) {
    d.write().format("noop").mode("overwrite").save();
  }

  public static void main(String[] args) throws Exception {
    String measurements = args[0];
    int n = Integer.parseInt(args[1]);
    List<Long> trainSizes = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      trainSizes.add(Long.parseLong(args[i]));
    }
    DirectWiring wiring = new DirectWiring(TunerConfig.defaults());
    Predictor predictor = wiring.predictor();
    Catalog catalog = wiring.catalog();
    String[] devices = {"RTX 4090", "RTX 3090", "A100 SXM4 80GB", "RTX A6000", "A10"};
    String[] models = {"Llama 3 8B", "Llama 2 13B", "Llama 3 70B", "Mistral 7B v0.3"};
    List<Row> rows = new ArrayList<>(n);
    Scenario[] scenarios = new Scenario[n];
    ScenarioRequest[] requests = new ScenarioRequest[n];
    for (int i = 0; i < n; i++) {
      String d = devices[i % devices.length];
      String m = models[(i / 5) % models.length];
      int batch = 1 << (i % 7);
      int context = 128 << ((i / 7) % 6);
      String phase = i % 3 == 0 ? "prefill" : "decode";
      rows.add(RowFactory.create(d, m, "Q4_K_M", batch, context, phase));
      requests[i] = ScenarioRequest.of(m, d, "Q4_K_M", batch, context, phase);
      scenarios[i] = requests[i].resolve(catalog);
    }
    double[] out = new double[n];
    List<String> report = new ArrayList<>();
    say(report, String.format(Locale.ROOT, "sweep: %d scenarios; %d warm-up and %d timed passes, median", n, WARMUP,
        PASSES));

    double batch1 = rate(n, () -> predictor.predictTokensPerSecond(scenarios, out));
    double resolve1 = rate(n, () -> resolveAndScore(requests, 0, n, catalog, predictor, out));
    double full1 = rate(n, () -> {
      for (Scenario s : scenarios) {
        predictor.predict(s, 0);
      }
    });
    ExecutorService pool = Executors.newFixedThreadPool(2);
    double batch2 = rate(n, () -> twoThreads(pool, n, (from, to) -> {
      double[] part = new double[to - from];
      predictor.predictTokensPerSecond(Arrays.copyOfRange(scenarios, from, to), part);
      return 0;
    }));
    double resolve2 = rate(n, () -> twoThreads(pool, n, (from, to) -> {
      resolveAndScore(requests, from, to, catalog, predictor, out);
      return 0;
    }));
    pool.shutdown();
    say(report, String.format(Locale.ROOT, "in-JVM batch path, resolved scenarios, 1 thread:  %10.0f /s", batch1));
    say(report, String.format(Locale.ROOT, "in-JVM resolve names + batch path, 1 thread:      %10.0f /s", resolve1));
    say(report, String.format(Locale.ROOT, "in-JVM predict() per row (all columns), 1 thread: %10.0f /s", full1));
    say(report, String.format(Locale.ROOT, "in-JVM batch path, resolved scenarios, 2 threads: %10.0f /s", batch2));
    say(report, String.format(Locale.ROOT, "in-JVM resolve names + batch path, 2 threads:     %10.0f /s", resolve2));

    StructType schema = new StructType().add("device", DataTypes.StringType).add("model", DataTypes.StringType)
        .add("quant", DataTypes.StringType).add("batch", DataTypes.IntegerType)
        .add("context", DataTypes.IntegerType).add("phase", DataTypes.StringType);
    for (int cores : new int[] {1, 2}) {
      SparkSession spark = session(cores);
      Dataset<Row> in = spark.createDataFrame(rows, schema).repartition(cores).cache();
      in.count();
      SparkScorer scorer = new SparkScorer(spark, SparkScorer.defaultModel(), 0.9);
      double tokens = rate(n, () -> noop(scorer.scoreTokens(in)));
      double all = rate(n, () -> noop(scorer.score(in)));
      double batch = cores == 1 ? batch1 : batch2;
      double resolve = cores == 1 ? resolve1 : resolve2;
      say(report, String.format(Locale.ROOT, "Spark local[%d] scoreTokens(): %10.0f /s (%.0f per core); in-JVM batch"
          + " path / Spark %.2fx, resolve + batch / Spark %.2fx", cores, tokens, tokens / cores, batch / tokens,
          resolve / tokens));
      say(report, String.format(Locale.ROOT, "Spark local[%d] score():       %10.0f /s (%.0f per core); in-JVM batch"
          + " path / Spark %.2fx, predict() / Spark %.2fx", cores, all, all / cores, batch / all,
          full1 * cores / all));
      if (cores == 2) {
        train(spark, measurements, trainSizes, report);
      }
      in.unpersist();
      spark.stop();
    }
    System.out.println("--- summary");
    report.forEach(System.out::println);
  }

  private static void train(SparkSession spark, String measurements, List<Long> sizes, List<String> report) {
    Dataset<Row> source = spark.read().option("header", "true").csv(measurements).cache();
    long sourceRows = source.count();
    TrainSettings settings = TrainSettings.defaults();
    for (long size : sizes) {
      long copies = (size + sourceRows - 1) / sourceRows;
      Dataset<Row> telemetry = source.crossJoin(spark.range(copies).withColumnRenamed("id", "copy"))
          .withColumn("tokens_per_s", col("tokens_per_s").cast("double")
              .multiply(lit(0.95).plus(rand(size).multiply(0.1))).cast("string"))
          .drop("copy").limit((int) size).repartition(2);
      long t0 = System.nanoTime();
      Dataset<Row> encoded = TelemetryEncoding.encode(telemetry, settings.schemaId(), settings.target(),
          settings.data()).filter("skipped is null").cache();
      long used = encoded.count();
      double encodeSeconds = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      PhaseForests forests = PhaseForests.fit(encoded, FeatureSchemas.byId(settings.schemaId()), settings);
      double fitSeconds = (System.nanoTime() - t0) / 1e9;
      encoded.unpersist();
      say(report, String.format(Locale.ROOT, "training, local[2]: %d telemetry rows (%d copies of %d measurements,"
          + " tokens/s jittered), %d used (decode %d, prefill %d); encode %.1f s = %.0f rows/s; fit (80 trees, depth"
          + " 10, one forest per phase) %.1f s = %.0f rows/s, %.0f per core", size, copies, sourceRows, used,
          forests.decodeRows(), forests.prefillRows(), encodeSeconds, size / encodeSeconds, fitSeconds,
          used / fitSeconds, used / fitSeconds / 2));
    }
    source.unpersist();
  }
}
