package dev.tuner.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.cli.TunerCli;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.data.Dataset.Options;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ScenarioRequest;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import dev.tuner.forest.ForestProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import dev.tuner.core.scenario.Phase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SparkForestTrainerTest {
  @TempDir
  static Path dir;
  private static SparkSession spark;
  private static Path csv;
  private static final Catalog CATALOG = Catalog.shipped();
  /** Small enough to train four times in seconds on two shared cores. */
  private static final TrainSettings SMALL = new TrainSettings(FeatureSchemas.TUNER_V1,
      OutputKind.LOG_ROOFLINE_FRACTION, 6, 4, 2, "0.6", 1.0, 32, 7, 2, 0.9, Options.defaults());

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSpark.start("trainer-test");
    csv = dir.resolve("telemetry.csv");
    Files.writeString(csv, telemetry(600, 99L));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /**
   * Synthetic telemetry: catalog devices and models at a share of their roofline that falls with batch and
   * differs by phase, times seeded noise, so it stays below the roof; then four rows tuner leaves out.
   */
  static String telemetry(int n, long seed) {
    List<DeviceSpec> devices = CATALOG.devices().entries().subList(0, 12);
    List<ModelSpec> models = CATALOG.models().entries();
    String[] quants = {"Q4_K_M", "Q8_0", "F16"};
    Roofline roofline = new Roofline(CATALOG);
    var rnd = new SplittableRandom(seed);
    StringBuilder b = new StringBuilder("source_id,device,backend,model,params_b,quant,batch,context,depth,phase,"
        + "tokens_per_s,notes\n");
    int written = 0;
    while (written < n) {
      String device = devices.get(rnd.nextInt(devices.size())).name();
      ModelSpec model = models.get(rnd.nextInt(models.size()));
      String quant = quants[rnd.nextInt(quants.length)];
      int batch = 1 << rnd.nextInt(7);
      int context = 256 << rnd.nextInt(5);
      String phase = rnd.nextInt(3) == 0 ? "prefill" : "decode";
      RooflineResult r;
      try {
        r = roofline.compute(ScenarioRequest.of(model.name(), device, quant, batch, context, phase)
            .resolve(CATALOG));
      } catch (RuntimeException e) {
        continue;
      }
      double share = (phase.equals("decode") ? 0.7 : 0.45) / (1 + 0.05 * Math.log(batch))
          * (0.9 + 0.1 * rnd.nextDouble());
      b.append(String.format(Locale.ROOT, "synthetic,%s,llama.cpp CUDA,%s,%s,%s,%d,%d,0,%s,%s,%n", device,
          model.name(), model.paramsB(), quant, batch, context, phase, r.tokensPerSecond() * share));
      written++;
    }
    b.append("synthetic,RTX 4090,llama.cpp CUDA,Llama 3 8B,,Q4_K_M,many,512,0,decode,100,\n");
    b.append("synthetic,RTX 9999 Ultra,llama.cpp CUDA,Llama 3 8B,,Q4_K_M,1,512,0,decode,100,\n");
    b.append("synthetic,RTX 4090,llama.cpp CUDA,Llama 3 8B,,Q4_K_M,1,512,0,decode,100,E2E table\n");
    b.append("synthetic,RTX 4090,llama.cpp CUDA,Llama 3 8B,,Q4_K_M,1,512,0,decode,1000000,\n");
    return b.toString();
  }

  private static Dataset<Row> readCsv(Path file) {
    return spark.read().option("header", "true").csv(file.toString());
  }

  private static Dataset<Row> encoded(Path file) {
    return TelemetryEncoding.encode(readCsv(file), SMALL.schemaId(), SMALL.target(), Options.defaults())
        .filter("skipped is null");
  }

  private static ThroughputModel converted(PhaseForests forests, FeatureSchema schema) {
    byte[] payload = SparkForestTrainer.payload(forests, schema, SMALL, Map.of());
    return new ForestProvider().load(new ModelPayload(
        new ModelInfo("converted", ForestProvider.ID, schema.ref(), SMALL.target(), schema.width()), payload));
  }

  private static float[] features(Row r) {
    Vector v = r.getAs(0);
    float[] x = new float[v.size()];
    for (int j = 0; j < x.length; j++) {
      x[j] = (float) v.apply(j);
    }
    return x;
  }

  @Test
  void eachPhaseGetsItsOwnForestAndTheConvertedForestPredictsWhatThatForestPredictsOnHeldOutRows() {
    Dataset<Row>[] split = encoded(csv).randomSplit(new double[] {0.8, 0.2}, 3L);
    FeatureSchema schema = FeatureSchemas.byId(SMALL.schemaId());
    PhaseForests forests = PhaseForests.fit(split[0], schema, SMALL);
    assertThat(forests.partitioned()).isTrue();
    assertThat(forests.decodeRows() + forests.prefillRows()).isEqualTo(split[0].count());
    ThroughputModel converted = converted(forests, schema);
    assertThat(converted.info().properties()).containsEntry("partition.feature", "is_prefill")
        .containsEntry("monotone_projection", SparkForestTrainer.MONOTONE_PROJECTION);
    int flag = schema.indexOf("is_prefill");
    for (Phase phase : Phase.values()) {
      RandomForestRegressionModel own = forests.of(phase);
      // one level goes to the phase split, so each phase's forest grows one level less than the whole tree
      assertThat(own.getMaxDepth()).isEqualTo(SMALL.maxDepth() - 1);
      Dataset<Row> heldOut = split[1].filter(col(TelemetryEncoding.PHASE).equalTo(phase.id()));
      List<Row> held = own.transform(heldOut).select("features", "prediction").collectAsList();
      List<Row> viaBoth = forests.transform(heldOut).select("features", "prediction").collectAsList();
      assertThat(held).as(phase.id()).hasSizeGreaterThan(30);
      assertThat(viaBoth).hasSameSizeAs(held);
      for (int i = 0; i < held.size(); i++) {
        float[] x = features(held.get(i));
        assertThat(x[flag]).isEqualTo(phase == Phase.PREFILL ? 1f : 0f);
        assertThat(converted.predict(x)).isCloseTo(held.get(i).getDouble(1), within(1e-9));
        assertThat(viaBoth.get(i).getDouble(1)).isEqualTo(held.get(i).getDouble(1));
      }
    }
    // the two phases' forests differ: the same features with the flag flipped predict otherwise
    float[] x = features(split[1].select("features").first());
    float[] flipped = x.clone();
    flipped[flag] = 1 - x[flag];
    assertThat(converted.predict(flipped)).isNotEqualTo(converted.predict(x));
  }

  @Test
  void withTooFewRowsOfAPhaseOneForestOfFullDepthLearnsBothAsTunersForestDoes() {
    Dataset<Row> rows = encoded(csv);
    Dataset<Row> fewPrefill = rows.filter(col(TelemetryEncoding.PHASE).equalTo("decode"))
        .union(rows.filter(col(TelemetryEncoding.PHASE).equalTo("prefill")).limit(9));
    FeatureSchema schema = FeatureSchemas.byId(SMALL.schemaId());
    PhaseForests forests = PhaseForests.fit(fewPrefill, schema, SMALL);
    assertThat(forests.partitioned()).isFalse();
    assertThat(forests.prefillRows()).isEqualTo(9);
    assertThat(forests.decode().getMaxDepth()).isEqualTo(SMALL.maxDepth());
    ThroughputModel converted = converted(forests, schema);
    assertThat(converted.info().properties()).containsEntry("partition.feature", "none");
    for (Row r : forests.transform(fewPrefill).select("features", "prediction").collectAsList()) {
      assertThat(converted.predict(features(r))).isCloseTo(r.getDouble(1), within(1e-9));
    }
  }

  @Test
  void anArtifactTrainedInSparkWorksInThePredictorAndTheCommandLine() throws Exception {
    Path parquet = dir.resolve("telemetry.parquet");
    readCsv(csv).write().parquet(parquet.toString());
    Path artifact = dir.resolve("spark-model.json");
    CommandLine job = new CommandLine(new TrainJob());
    StringWriter jobOut = new StringWriter();
    job.setOut(new PrintWriter(jobOut, true));
    job.setErr(new PrintWriter(jobOut, true));
    int trained = job.execute("--input", parquet.toString(), "--out", artifact.toString(), "--master", "local[2]",
        "--trees", "6", "--max-depth", "4", "--cv-folds", "2", "--seed", "7");
    assertThat(trained).as(jobOut.toString()).isZero();
    assertThat(jobOut.toString()).contains("grouped 2-fold", "wrote " + artifact);

    var header = new ArtifactCodec().read(artifact).header();
    assertThat(header.providerId()).isEqualTo("forest");
    // the row measured above its roofline is kept and used, as tuner's reader does
    assertThat(header.trainingData().rows()).isEqualTo(601);
    assertThat(header.trainingData().sha256()).matches("[0-9a-f]{64}");
    assertThat(header.trainingData().filters()).containsExactlyInAnyOrder(
        "left out 1 rows: invalid row", "left out 1 rows: unresolvable scenario",
        "left out 1 rows: E2E (not pure decode)");
    assertThat(header.environment()).containsEntry("spark", spark.version());
    assertThat(header.hyperParameters()).containsEntry("num_trees", "6").containsEntry("cv_folds", "2");
    JsonNode cv = header.crossValidation();
    assertThat(cv.path("method").asText()).contains("grouped 2-fold", "device");
    assertThat(cv.path("phases").path("decode").path("n").asInt()).isPositive();
    assertThat(cv.path("phases").path("prefill").path("n").asInt()).isPositive();
    assertThat(cv.path("by_device").size()).isEqualTo(12);
    cv.path("by_device").forEach(device -> assertThat(device.path("prefill").path("n").asInt()).isPositive());
    assertThat(header.hyperParameters()).containsEntry("partition_by", "auto").containsEntry("monotone", "none");
    assertThat(header.properties()).containsEntry("partition.feature", "is_prefill")
        .containsEntry("monotone_projection", SparkForestTrainer.MONOTONE_PROJECTION);
    // every device is held out once and has rows of both phases: one device-level score each per phase
    assertThat(header.calibration().decodeDeviceScores()).hasSize(12);
    assertThat(header.calibration().prefillDeviceScores()).hasSize(12);
    // the synthetic share of the roofline is smooth: a forest that learned anything is within 25% on unseen devices
    assertThat(cv.path("phases").path("decode").path("mape").asDouble()).isLessThan(0.25);

    ModelLoader loader = new ModelLoader(ProviderRegistry.discover(getClass().getClassLoader()), new ArtifactCodec());
    LoadedModel loaded = loader.open(artifact, null);
    Predictor predictor = new Predictor(loaded, new Roofline(CATALOG), 0.9, false);
    for (Phase phase : Phase.values()) {
      ThroughputPrediction p = predictor.predict(ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512,
          phase.id()).resolve(CATALOG));
      assertThat(p.tokensPerSecond()).as(phase.id()).isPositive().isLessThanOrEqualTo(p.rooflineTokensPerSecond());
      assertThat(p.interval().low()).isLessThanOrEqualTo(p.tokensPerSecond());

      CommandLine cli = TunerCli.commandLine();
      StringWriter out = new StringWriter();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(new StringWriter(), true));
      int exit = cli.execute("predict", "--model-file", artifact.toString(), "--model", "Llama 3 8B", "--device",
          "RTX 4090", "--quant", "Q4_K_M", "--context", "512", "--phase", phase.id(), "--format", "json");
      assertThat(exit).as(out.toString()).isZero();
      JsonNode json = new ObjectMapper().readTree(out.toString());
      assertThat(json.path("tokens_per_s").asDouble()).as(phase.id()).isEqualTo(p.tokensPerSecond());
      assertThat(json.path("model").path("id").asText()).isEqualTo(header.modelId());
    }

    Path onnx = dir.resolve("spark-model.onnx");
    CommandLine export = TunerCli.commandLine();
    export.setOut(new PrintWriter(new StringWriter(), true));
    export.setErr(new PrintWriter(new StringWriter(), true));
    assertThat(export.execute("export", "--model-file", artifact.toString(), "--onnx", onnx.toString())).isZero();
    assertThat(Files.size(onnx)).isPositive();
  }
}
