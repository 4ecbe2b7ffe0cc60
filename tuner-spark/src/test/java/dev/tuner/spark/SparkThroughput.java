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
 * The scoring paths of one session are timed in rounds, one pass of each path per round, so that a burst of load on
 * the shared machine falls on all of them alike: {@value #WARMUP} untimed rounds, then {@value #ROUNDS} timed ones;
 * each path's figure is its fastest pass (the least disturbed), with the median pass beside it. Each training figure
 * is one timed fit. Run with {@code mvn -B -o -q -pl tuner-spark -am test-compile
 * dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt}, then {@code java -Xmx8g -cp
 * "tuner-spark/target/test-classes:tuner-spark/target/classes:$(cat /tmp/cp.txt)"
 * dev.tuner.spark.SparkThroughput data/measurements.csv 300000 100000 1000000} (sweep size, then training sizes;
 * about 15 minutes on two cores).
 */
public final class SparkThroughput {
  private static final int WARMUP = 2;
  private static final int ROUNDS = 7;

  private SparkThroughput() {}

  /** A timed piece of work. */
  private interface Pass {
    void run() throws Exception;
  }

  /** One path's rates in items per second: from its fastest pass and from its median pass. */
  private record Rate(double best, double median) {
    String format(int cores) {
      return String.format(Locale.ROOT, "%9.0f /s best (%.0f per core), median %9.0f /s", best, best / cores,
          median);
    }
  }

  /** Times the passes in interleaved rounds; the rates of each, in order. */
  private static List<Rate> rates(long items, List<Pass> passes) throws Exception {
    double[][] seconds = new double[passes.size()][ROUNDS];
    for (int round = -WARMUP; round < ROUNDS; round++) {
      for (int p = 0; p < passes.size(); p++) {
        long t0 = System.nanoTime();
        passes.get(p).run();
        if (round >= 0) {
          seconds[p][round] = (System.nanoTime() - t0) / 1e9;
        }
      }
    }
    List<Rate> out = new ArrayList<>();
    for (double[] s : seconds) {
      Arrays.sort(s);
      out.add(new Rate(items / s[0], items / s[ROUNDS / 2]));
    }
    return out;
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
    say(report, String.format(Locale.ROOT, "sweep: %d scenarios; %d warm-up and %d timed rounds", n, WARMUP,
        ROUNDS));
    Pass batch1 = () -> predictor.predictTokensPerSecond(scenarios, out);
    Pass resolve1 = () -> resolveAndScore(requests, 0, n, catalog, predictor, out);
    Pass full1 = () -> {
      for (Scenario s : scenarios) {
        predictor.predict(s, 0);
      }
    };
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Pass batch2 = () -> twoThreads(pool, n, (from, to) -> {
      double[] part = new double[to - from];
      predictor.predictTokensPerSecond(Arrays.copyOfRange(scenarios, from, to), part);
      return 0;
    });
    Pass resolve2 = () -> twoThreads(pool, n, (from, to) -> {
      resolveAndScore(requests, from, to, catalog, predictor, out);
      return 0;
    });

    StructType schema = new StructType().add("device", DataTypes.StringType).add("model", DataTypes.StringType)
        .add("quant", DataTypes.StringType).add("batch", DataTypes.IntegerType)
        .add("context", DataTypes.IntegerType).add("phase", DataTypes.StringType);
    for (int cores : new int[] {1, 2}) {
      SparkSession spark = session(cores);
      Dataset<Row> in = spark.createDataFrame(rows, schema).repartition(cores).cache();
      in.count();
      SparkScorer scorer = new SparkScorer(spark, SparkScorer.defaultModel(), 0.9);
      Pass tokens = () -> noop(scorer.scoreTokens(in));
      Pass all = () -> noop(scorer.score(in));
      List<Rate> r = cores == 1 ? rates(n, List.of(batch1, resolve1, full1, tokens, all))
          : rates(n, List.of(batch2, resolve2, tokens, all));
      Rate batch = r.get(0);
      Rate resolve = r.get(1);
      Rate sparkTokens = r.get(r.size() - 2);
      Rate sparkAll = r.get(r.size() - 1);
      String threads = cores == 1 ? "1 thread " : "2 threads";
      say(report, "in-JVM batch path, resolved scenarios, " + threads + ": " + batch.format(cores));
      say(report, "in-JVM resolve names + batch path,     " + threads + ": " + resolve.format(cores));
      if (cores == 1) {
        say(report, "in-JVM predict() per row (all columns), 1 thread : " + r.get(2).format(1));
      }
      say(report, "Spark local[" + cores + "] scoreTokens() (tokens/s only):      " + sparkTokens.format(cores));
      say(report, "Spark local[" + cores + "] score() (all columns):              " + sparkAll.format(cores));
      say(report, String.format(Locale.ROOT, "local[%d], best passes: batch path / scoreTokens %.2fx, resolve +"
          + " batch / scoreTokens %.2fx, batch path / score %.2fx%s", cores, batch.best() / sparkTokens.best(),
          resolve.best() / sparkTokens.best(), batch.best() / sparkAll.best(), cores == 1 ? String.format(
              Locale.ROOT, ", predict() / score %.2fx", r.get(2).best() / sparkAll.best()) : ""));
      if (cores == 2) {
        train(spark, measurements, trainSizes, report);
      }
      in.unpersist();
      spark.stop();
    }
    pool.shutdown();
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
