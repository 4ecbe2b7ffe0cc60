package dev.tuner.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.DirectWiring;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.ScenarioRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SparkScorerTest {
  private static SparkSession spark;
  /** The pipeline `tuner predict` runs, with the embedded default model. */
  private static Predictor local;
  private static Catalog catalog;

  private static final StructType SCENARIOS = new StructType()
      .add("source_id", DataTypes.StringType)
      .add("device", DataTypes.StringType)
      .add("model", DataTypes.StringType)
      .add("params_b", DataTypes.DoubleType)
      .add("quant", DataTypes.StringType)
      .add("batch", DataTypes.IntegerType)
      .add("context", DataTypes.IntegerType)
      .add("phase", DataTypes.StringType)
      .add("mem_bw_gbs", DataTypes.DoubleType)
      .add("fp16_tflops", DataTypes.DoubleType);

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("scorer-test");
    DirectWiring wiring = new DirectWiring(TunerConfig.defaults());
    local = wiring.predictor();
    catalog = wiring.catalog();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Row row(String id, String device, String model, Double paramsB, String quant, Integer batch,
      Integer context, String phase, Double bandwidth, Double fp16) {
    return RowFactory.create(id, device, model, paramsB, quant, batch, context, phase, bandwidth, fp16);
  }

  /**
   * A seeded sweep over the catalog: every row a random device, model, quantization, batch, context and phase;
   * one row in ten a device given only by its figures, one in ten a model by its parameter count alone.
   */
  private static List<Row> sweep(int n, long seed) {
    List<DeviceSpec> devices = catalog.devices().entries();
    List<ModelSpec> models = catalog.models().entries();
    List<Quantization> quants = catalog.quants().entries();
    int[] batches = {1, 2, 4, 8, 16, 32, 64, 128, 256};
    int[] contexts = {128, 512, 1024, 4096, 16384, 32768};
    var rnd = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean explicitDevice = rnd.nextInt(10) == 0;
      boolean explicitModel = rnd.nextInt(10) == 0;
      rows.add(row("s" + i,
          explicitDevice ? null : devices.get(rnd.nextInt(devices.size())).name(),
          explicitModel ? null : models.get(rnd.nextInt(models.size())).name(),
          explicitModel ? 0.5 + rnd.nextDouble() * 70 : null,
          quants.get(rnd.nextInt(quants.size())).name(),
          batches[rnd.nextInt(batches.length)],
          contexts[rnd.nextInt(contexts.length)],
          rnd.nextBoolean() ? "decode" : "prefill",
          explicitDevice ? 100 + rnd.nextDouble() * 3000 : null,
          explicitDevice ? 10 + rnd.nextDouble() * 900 : null));
    }
    return rows;
  }

  private static ScenarioRequest request(Row r) {
    return new ScenarioRequest(r.getString(2), r.getString(1), r.getString(4), r.getInt(5), r.getInt(6),
        r.getString(7), null, null, null, null, r.isNullAt(3) ? null : r.getDouble(3), null, null, null, null, null,
        null, r.isNullAt(8) ? null : r.getDouble(8), r.isNullAt(9) ? null : r.getDouble(9), null, null, null, null);
  }

  @Test
  void sparkGivesTheLocalPredictorsValuesBitForBitOnASeededSweep() {
    List<Row> rows = sweep(3000, 20261205L);
    Dataset<Row> in = spark.createDataFrame(rows, SCENARIOS).repartition(4);
    SparkScorer scorer = new SparkScorer(spark, SparkScorer.defaultModel(), 0.9);
    Map<String, Row> scored = scorer.score(in).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), Function.identity()));

    assertThat(scored).hasSize(rows.size());
    int predicted = 0;
    for (Row r : rows) {
      Row s = scored.get(r.getString(0));
      ThroughputPrediction p;
      try {
        p = local.predict(request(r).resolve(catalog));
      } catch (InvalidInputException e) {
        assertThat(s.<String>getAs("error")).as(r.toString()).isEqualTo(e.getMessage());
        assertThat(s.isNullAt(s.fieldIndex("tokens_per_s"))).isTrue();
        continue;
      }
      predicted++;
      assertThat(s.isNullAt(s.fieldIndex("error"))).as(s.toString()).isTrue();
      assertThat(Double.doubleToRawLongBits(s.getAs("tokens_per_s")))
          .as(r.toString()).isEqualTo(Double.doubleToRawLongBits(p.tokensPerSecond()));
      assertThat(Double.doubleToRawLongBits(s.getAs("roofline_tokens_per_s")))
          .isEqualTo(Double.doubleToRawLongBits(p.rooflineTokensPerSecond()));
      assertThat(s.<String>getAs("bound")).isEqualTo(p.bound().id());
      assertThat(Double.doubleToRawLongBits(s.getAs("interval_lo")))
          .isEqualTo(Double.doubleToRawLongBits(p.interval().low()));
      assertThat(Double.doubleToRawLongBits(s.getAs("interval_hi")))
          .isEqualTo(Double.doubleToRawLongBits(p.interval().high()));
      assertThat(Double.doubleToRawLongBits(s.getAs("confidence")))
          .isEqualTo(Double.doubleToRawLongBits(p.confidence()));
    }
    // the sweep is meant to exercise the model, not the error path: most of it must be predictable
    assertThat(predicted).isGreaterThan(rows.size() * 8 / 10);
  }

  @Test
  void theTokensOnlyPathGivesTheLocalPredictorsTokensBitForBitAndErrorsForBadRows() {
    List<Row> rows = new ArrayList<>(sweep(3000, 20261206L));
    // rows no catalog resolves, inside blocks of the batch path with good rows around them
    rows.add(10, row("bad-device", "RTX 9999 Ultra", "Llama 3 8B", null, "Q4_K_M", 1, 512, "decode", null, null));
    rows.add(1500, row("bad-model", "RTX 4090", "no such model", null, "Q4_K_M", 1, 512, "decode", null, null));
    // two partitions of 1501 rows: blocks of the batch path span rows of every kind, the last one partly filled
    Dataset<Row> in = spark.createDataFrame(rows, SCENARIOS).repartition(2);
    SparkScorer scorer = new SparkScorer(spark, SparkScorer.defaultModel(), 0.9);
    Dataset<Row> tokens = scorer.scoreTokens(in);
    assertThat(tokens.columns()).endsWith("phase", "mem_bw_gbs", "fp16_tflops", "tokens_per_s", "error");
    Map<String, Row> scored = tokens.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), Function.identity()));

    assertThat(scored).hasSize(rows.size());
    int failed = 0;
    for (Row r : rows) {
      Row s = scored.get(r.getString(0));
      double expected;
      try {
        expected = local.predict(request(r).resolve(catalog)).tokensPerSecond();
      } catch (InvalidInputException e) {
        failed++;
        assertThat(s.<String>getAs("error")).as(r.toString()).isEqualTo(e.getMessage());
        assertThat(s.isNullAt(s.fieldIndex("tokens_per_s"))).isTrue();
        continue;
      }
      assertThat(s.isNullAt(s.fieldIndex("error"))).as(s.toString()).isTrue();
      assertThat(Double.doubleToRawLongBits(s.getAs("tokens_per_s")))
          .as(r.toString()).isEqualTo(Double.doubleToRawLongBits(expected));
    }
    assertThat(failed).isGreaterThanOrEqualTo(2).isLessThan(rows.size() * 2 / 10);
  }

  /**
   * The software columns reach the scenario: hipBLASLt lifts a Strix Halo prompt (1.46× in the shipped model, as
   * EngineSettingsCliTest states), a bad month is named.
   */
  @Test
  void theBuildMonthAndBlasColumnsAreRead() {
    StructType text = new StructType()
        .add("id", DataTypes.StringType).add("device", DataTypes.StringType).add("model", DataTypes.StringType)
        .add("quant", DataTypes.StringType).add("batch", DataTypes.StringType).add("context", DataTypes.StringType)
        .add("phase", DataTypes.StringType).add("backend", DataTypes.StringType)
        .add("build_date", DataTypes.StringType).add("blas", DataTypes.StringType);
    List<Row> rows = List.of(
        RowFactory.create("rocblas", "Strix Halo", "Llama 2 7B", "Q4_0", "1", "512", "prefill", "llama.cpp ROCm",
            "2025-08", null),
        RowFactory.create("hipblaslt", "Strix Halo", "Llama 2 7B", "Q4_0", "1", "512", "prefill", "llama.cpp ROCm",
            "2025-08", "hipblaslt"),
        RowFactory.create("bad month", "Strix Halo", "Llama 2 7B", "Q4_0", "1", "512", "prefill", "llama.cpp ROCm",
            "August 2025", null));
    Map<String, Row> out = new SparkScorer(spark, SparkScorer.defaultModel(), 0.9)
        .score(spark.createDataFrame(rows, text)).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), Function.identity()));
    assertThat(out.get("hipblaslt").<Double>getAs("tokens_per_s"))
        .isGreaterThan(1.3 * out.get("rocblas").<Double>getAs("tokens_per_s"));
    assertThat(out.get("bad month").<String>getAs("error")).contains("build_date", "August 2025", "YYYY-MM");
  }

  @Test
  void rowsThatCannotBePredictedGetTheirErrorAndTheOthersTheirPrediction() {
    StructType text = new StructType()
        .add("id", DataTypes.StringType).add("device", DataTypes.StringType).add("model", DataTypes.StringType)
        .add("quant", DataTypes.StringType).add("batch", DataTypes.StringType).add("context", DataTypes.StringType)
        .add("phase", DataTypes.StringType);
    List<Row> rows = List.of(
        RowFactory.create("good", "RTX 4090", "Llama 3 8B", "Q4_K_M", "1", "512", "decode"),
        RowFactory.create("unknown device", "RTX 9999 Ultra", "Llama 3 8B", "Q4_K_M", "1", "512", "decode"),
        RowFactory.create("no quant", "RTX 4090", "Llama 3 8B", " ", "1", "512", "decode"),
        RowFactory.create("batch not a number", "RTX 4090", "Llama 3 8B", "Q4_K_M", "many", "512", "decode"),
        RowFactory.create("batch 0", "RTX 4090", "Llama 3 8B", "Q4_K_M", "0", "512", "decode"),
        RowFactory.create("no context", "RTX 4090", "Llama 3 8B", "Q4_K_M", "1", null, "decode"),
        RowFactory.create("bad phase", "RTX 4090", "Llama 3 8B", "Q4_K_M", "1", "512", "training"));
    Map<String, Row> out = new SparkScorer(spark, SparkScorer.defaultModel(), 0.9)
        .score(spark.createDataFrame(rows, text)).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), Function.identity()));

    assertThat(out.get("good").isNullAt(out.get("good").fieldIndex("error"))).isTrue();
    assertThat(out.get("good").<Double>getAs("tokens_per_s")).isPositive();
    assertThat(out.get("unknown device").<String>getAs("error")).contains("RTX 9999 Ultra");
    assertThat(out.get("no quant").<String>getAs("error")).contains("quantization", "unset");
    assertThat(out.get("batch not a number").<String>getAs("error")).contains("batch", "\"many\"", "whole number");
    assertThat(out.get("batch 0").<String>getAs("error")).contains("batch", "0");
    assertThat(out.get("no context").<String>getAs("error")).contains("context", "unset");
    assertThat(out.get("bad phase").<String>getAs("error")).contains("phase", "training", "decode or prefill");
    for (String id : List.of("unknown device", "no quant", "batch not a number", "batch 0", "no context",
        "bad phase")) {
      Row r = out.get(id);
      assertThat(r.isNullAt(r.fieldIndex("tokens_per_s"))).as(id).isTrue();
      assertThat(r.isNullAt(r.fieldIndex("confidence"))).as(id).isTrue();
    }
  }

  @Test
  void theScoreJobWritesTheSweepWithItsPredictionsToParquet(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("sweep.csv");
    Files.writeString(csv, "device,model,quant,batch,context,phase\n"
        + "RTX 4090,Llama 3 8B,Q4_K_M,1,512,decode\n"
        + "RTX 4090,Llama 3 8B,Q4_K_M,8,2048,prefill\n"
        + "RTX 9999 Ultra,Llama 3 8B,Q4_K_M,1,512,decode\n");
    Path model = dir.resolve("default-model.json");
    Files.write(model, SparkScorer.defaultModel());
    Path out = dir.resolve("scored");
    CommandLine job = new CommandLine(new ScoreJob());
    StringWriter text = new StringWriter();
    job.setOut(new PrintWriter(text, true));
    job.setErr(new PrintWriter(text, true));
    int exit = job.execute("--input", csv.toString(), "--output", out.toString(), "--model-file", model.toString(),
        "--master", "local[2]");
    assertThat(exit).as(text.toString()).isZero();
    assertThat(text.toString()).contains("scored 3 scenarios", "1 could not be predicted");
    Dataset<Row> written = spark.read().parquet(out.toString());
    assertThat(written.columns()).endsWith("tokens_per_s", "roofline_tokens_per_s", "bound", "interval_lo",
        "interval_hi", "confidence", "error");
    assertThat(written.filter("error is null and tokens_per_s > 0").count()).isEqualTo(2);

    Path tokens = dir.resolve("tokens");
    assertThat(job.execute("--input", csv.toString(), "--output", tokens.toString(), "--model-file",
        model.toString(), "--master", "local[2]", "--tokens-only")).as(text.toString()).isZero();
    Dataset<Row> tokensOnly = spark.read().parquet(tokens.toString());
    assertThat(tokensOnly.columns()).containsExactly("device", "model", "quant", "batch", "context", "phase",
        "tokens_per_s", "error");
    assertThat(tokensOnly.filter("error is null").select("tokens_per_s").collectAsList())
        .isEqualTo(written.filter("error is null").select("tokens_per_s").collectAsList());
  }

  @Test
  void anInputThatAlreadyHasAnOutputColumnIsRefusedBeforeAnythingRuns() {
    Dataset<Row> measured = spark.createDataFrame(List.of(RowFactory.create("RTX 4090", 120.0)),
        new StructType().add("device", DataTypes.StringType).add("tokens_per_s", DataTypes.DoubleType));
    assertThatThrownBy(() -> new SparkScorer(spark, SparkScorer.defaultModel(), 0.9).score(measured))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("tokens_per_s");
  }
}
