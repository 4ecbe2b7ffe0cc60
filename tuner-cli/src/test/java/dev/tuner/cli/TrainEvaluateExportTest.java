package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Guice;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.config.TunerModule;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** train, evaluate and export end to end on the shipped measurements, with small models to stay fast. */
class TrainEvaluateExportTest {
  @TempDir
  static Path dir;
  static Path data;

  @BeforeAll
  static void copyShippedData() throws Exception {
    data = ShippedMeasurements.copyTo(dir.resolve("measurements.csv"));
  }

  static Path train(String type, String... extra) {
    Path out = dir.resolve(type + "-" + extra.length + ".json");
    List<String> args = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--model-type", type,
        "--cv", "4", "--no-progress", "--format", "json", "--out", out.toString(), "--force"));
    args.addAll(List.of(extra));
    Cli.Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode report = r.json();
    assertThat(report.path("used").asInt()).isGreaterThan(700);
    assertThat(report.path("phases").path("decode").path("mape").asDouble()).isBetween(0.0, 1.0);
    assertThat(report.path("baselines").has("roofline_efficiency")).isTrue();
    assertThat(report.path("baselines").has("reference_heuristic")).isTrue();
    assertThat(r.err()).contains("skipped").contains("E2E");
    return out;
  }

  @Test
  void trainReportsCrossValidationBesideBothBaselinesAndRefusesToOverwrite() {
    Path model = train("linear");
    Cli.Result again = Cli.run("train", "--data", data.toString(), "--model-type", "linear", "--cv", "4",
        "--no-progress", "--out", model.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("refusing to overwrite");
  }

  @Test
  void evaluateWritesEveryRowsPredictionAndItsErrorsGiveTheReportedMape() throws Exception {
    Path model = train("linear");
    Path csv = dir.resolve("evaluated.csv");
    Cli.Result r = Cli.run("evaluate", "--data", data.toString(), "--model-file", model.toString(), "--format",
        "json", "--predictions", csv.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).contains("wrote " + csv);
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).isEqualTo(String.join(",", dev.tuner.core.learn.HeldOutPredictions.HEADER));
    assertThat(lines).hasSize(r.json().path("used").asInt() + 1);
    double apeSum = 0;
    int prefill = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      assertThat(f).hasSize(15);
      // nothing was held out: the fold is empty, the interval brackets the prediction, the roof bounds it
      assertThat(f[1]).isEmpty();
      assertThat(Double.parseDouble(f[11])).isLessThanOrEqualTo(Double.parseDouble(f[10]));
      assertThat(Double.parseDouble(f[12])).isGreaterThanOrEqualTo(Double.parseDouble(f[10]));
      assertThat(Double.parseDouble(f[10])).isLessThanOrEqualTo(Double.parseDouble(f[13]) * (1 + 1e-9));
      if (f[7].equals("prefill")) {
        apeSum += Double.parseDouble(f[14]);
        prefill++;
      }
    }
    assertThat(apeSum / prefill).isCloseTo(r.json().path("phases").path("prefill").path("mape").asDouble(),
        within(1e-5));
    Cli.Result again = Cli.run("evaluate", "--data", data.toString(), "--predictions", csv.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("refusing to overwrite");
  }

  @Test
  void trainHoldsOutWholeChipFamiliesUnlessToldOtherwise() {
    // the headline split: a sibling of the held-out chip (RTX 3090 beside 3090 Ti) may not stay in training
    Cli.Result r = Cli.run("train", "--data", data.toString(), "--model-type", "linear", "--no-progress", "--format",
        "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.json().path("method").asText()).startsWith("leave-one-family-out");
    Cli.Result device = Cli.run("train", "--data", data.toString(), "--model-type", "linear", "--cv", "device",
        "--no-progress", "--format", "json");
    assertThat(device.json().path("method").asText()).startsWith("leave-one-device-out");
  }

  @Test
  void trainWritesEveryHeldOutPredictionAndItsErrorsGiveTheReportedMape() throws Exception {
    Path csv = dir.resolve("held-out.csv");
    Cli.Result r = Cli.run("train", "--data", data.toString(), "--model-type", "linear", "--cv", "device",
        "--no-progress", "--format", "json", "--cv-predictions", csv.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).isEqualTo(String.join(",", dev.tuner.core.learn.HeldOutPredictions.HEADER));
    assertThat(lines).hasSize(r.json().path("used").asInt() + 1);
    double apeSum = 0;
    int decode = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      assertThat(f).hasSize(15);
      assertThat(f[0]).contains("measurements.csv:");
      assertThat(f[1]).isEqualTo(f[2]);
      assertThat(Double.parseDouble(f[10])).isBetween(0.0, Double.parseDouble(f[13]));
      assertThat(Double.parseDouble(f[11])).isLessThanOrEqualTo(Double.parseDouble(f[10]));
      if (f[7].equals("decode")) {
        apeSum += Double.parseDouble(f[14]);
        decode++;
      }
    }
    assertThat(apeSum / decode).isCloseTo(r.json().path("phases").path("decode").path("mape").asDouble(),
        within(1e-5));
    Cli.Result again = Cli.run("train", "--data", data.toString(), "--model-type", "linear", "--cv", "3",
        "--no-progress", "--cv-predictions", csv.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("refusing to overwrite");
  }

  @Test
  void trainRejectsBadArguments() {
    assertThat(Cli.run("train", "--data", data.toString(), "--model-type", "nope").exit()).isEqualTo(2);
    assertThat(Cli.run("train", "--data", data.toString(), "--target", "watts").exit()).isEqualTo(2);
    assertThat(Cli.run("train", "--data", data.toString(), "--model-type", "forest", "--set", "trees=0",
        "--cv", "3", "--no-progress").exit()).isEqualTo(2);
    assertThat(Cli.run("train", "--data", dir.resolve("missing.csv").toString()).exit()).isEqualTo(2);
    Cli.Result partition = Cli.run("train", "--data", data.toString(), "--set", "partition_by=phase", "--cv", "3",
        "--no-progress");
    assertThat(partition.exit()).isEqualTo(2);
    assertThat(partition.err()).contains("partition_by", "phase", "is_prefill");
    Cli.Result noMembers = Cli.run("train", "--data", data.toString(), "--model-type", "ensemble", "--cv", "3",
        "--no-progress");
    assertThat(noMembers.exit()).isEqualTo(2);
    assertThat(noMembers.err()).contains("decode.members = (not set)", "e.g. forest,linear", "set members");
    Cli.Result badWeights = Cli.run("train", "--data", data.toString(), "--model-type", "ensemble", "--set",
        "members=forest,linear", "--set", "prefill.weights=0.9,0.9", "--cv", "3", "--no-progress");
    assertThat(badWeights.exit()).isEqualTo(2);
    assertThat(badWeights.err()).contains("prefill.weights", "0.9,0.9", "summing to 1");
    assertThat(Cli.run("train").exit()).isEqualTo(2);
  }

  @Test
  void evaluateReportsMetricsAndBaselinesAndDrawsThePlot() throws Exception {
    Path model = train("forest", "--set", "trees=20");
    Path png = dir.resolve("eval.png");
    Cli.Result r = Cli.run("evaluate", "--data", data.toString(), "--model-file", model.toString(), "--format",
        "json", "--plot", png.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.path("rows").asInt()).isEqualTo(1250);
    assertThat(j.path("used").asInt()).isGreaterThan(700);
    for (String phase : List.of("decode", "prefill")) {
      JsonNode p = j.path("phases").path(phase);
      assertThat(p.path("n").asInt()).isPositive();
      assertThat(p.path("mape").asDouble()).isBetween(0.0, 1.0);
      assertThat(p.path("median_ape").asDouble()).isBetween(0.0, 1.0);
      assertThat(p.path("coverage").asDouble()).isBetween(0.0, 1.0);
      assertThat(j.path("baselines").path("roofline_efficiency").path("phases").path(phase).path("mape").isNumber())
          .isTrue();
      assertThat(j.path("baselines").path("reference_heuristic").path("phases").path(phase).path("r2").isNumber())
          .isTrue();
    }
    JsonNode byDevice = j.path("by_device");
    assertThat(byDevice.has("RTX 4090")).isTrue();
    int decodeRows = 0;
    for (JsonNode device : byDevice) {
      decodeRows += device.path("decode").path("n").asInt();
    }
    assertThat(decodeRows).isEqualTo(j.path("phases").path("decode").path("n").asInt());
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(dev.tuner.cli.plot.PredictionChart.WIDTH);
    assertThat(img.getHeight()).isEqualTo(dev.tuner.cli.plot.PredictionChart.HEIGHT);
    Set<Integer> colours = new HashSet<>();
    for (int x = 0; x < img.getWidth(); x += 3) {
      for (int y = 0; y < img.getHeight(); y += 3) {
        colours.add(img.getRGB(x, y));
      }
    }
    assertThat(colours.size()).as("distinct colours in the plot").isGreaterThan(20);
    Cli.Result again = Cli.run("evaluate", "--data", data.toString(), "--model-file", model.toString(), "--plot",
        png.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("refusing to overwrite");
  }

  @Test
  void evaluateTableAndCsvAndBadData() throws Exception {
    Cli.Result table = Cli.run("evaluate", "--data", data.toString());
    assertThat(table.exit()).as(table.toString()).isZero();
    assertThat(table.out()).contains("MAPE", "roofline_efficiency", "reference_heuristic", "decode", "prefill");
    Cli.Result csv = Cli.run("evaluate", "--data", data.toString(), "--format", "csv");
    assertThat(csv.out().lines().findFirst().orElseThrow()).isEqualTo("predictor,phase,n,mape,median_ape,r2,coverage");
    Path empty = dir.resolve("header-only.csv");
    Files.writeString(empty, "device,model,quant,batch,context,phase,tokens_per_s\n");
    assertThat(Cli.run("evaluate", "--data", empty.toString()).exit()).isEqualTo(2);
  }

  /**
   * The exported ONNX model predicts what the original predicts, through the whole pipeline (encoding, output-kind
   * conversion, roofline clamp), on every usable row of the shipped data.
   */
  @ParameterizedTest
  @ValueSource(strings = {"linear", "forest", "ensemble"})
  void exportedOnnxMatchesTheOriginalOnEveryTrainingRow(String type) throws Exception {
    Path model = switch (type) {
      case "forest" -> train(type, "--set", "trees=30", "--seed", "3");
      case "ensemble" -> train(type, "--set", "members=forest,linear", "--set", "forest.trees=10", "--seed", "3");
      default -> train(type, "--seed", "3");
    };
    Path onnx = dir.resolve(type + ".onnx");
    Cli.Result r = Cli.run("export", "--model-file", model.toString(), "--onnx", onnx.toString(), "--force");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(Files.size(onnx)).isPositive();
    Predictor original = predictor(model);
    Predictor exported = predictor(onnx);
    assertThat(exported.model().model().info().outputKind()).isEqualTo(original.model().model().info().outputKind());
    assertThat(exported.model().schema()).isEqualTo(original.model().schema());
    Catalog catalog = Catalog.shipped();
    Dataset.Prepared rows = Dataset.load(List.of(data), catalog, new Roofline(catalog), Dataset.Options.defaults());
    for (Dataset.Example e : rows.examples()) {
      double a = original.predict(e.scenario(), 0).tokensPerSecond();
      double b = exported.predict(e.scenario(), 0).tokensPerSecond();
      assertThat(b).as("%s", e.measurement().origin()).isCloseTo(a, within(Math.max(1e-5 * Math.abs(a), 1e-9)));
    }
    exported.model().model().close();
  }

  @Test
  void exportNeedsAModelFileAndRefusesToOverwrite() throws Exception {
    assertThat(Cli.run("export", "--onnx", dir.resolve("x.onnx").toString()).exit()).isEqualTo(2);
    Path existing = Files.writeString(dir.resolve("existing.onnx"), "keep me");
    Path model = train("linear", "--seed", "5");
    Cli.Result r = Cli.run("export", "--model-file", model.toString(), "--onnx", existing.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(Files.readString(existing)).isEqualTo("keep me");
  }

  /**
   * An ensemble of the shipped plugins, end to end: trained and cross-validated like any model, its artifact
   * predicts through the whole pipeline (same numbers as the model trained), evaluates, and loads only with its
   * members' providers.
   */
  @Test
  void ensembleTrainsPredictsAndEvaluatesFromItsArtifact() throws Exception {
    Path model = train("ensemble", "--set", "decode.members=forest", "--set", "prefill.members=forest,linear",
        "--set", "forest.trees=10", "--set", "weights=auto", "--set", "inner_folds=3", "--set", "weight_step=0.25");
    JsonNode header = new com.fasterxml.jackson.databind.ObjectMapper().readTree(model.toFile()).path("header");
    assertThat(header.path("provider").asText()).isEqualTo("ensemble");
    assertThat(header.path("hyper_parameters").path("prefill.members").asText()).isEqualTo("forest,linear");
    assertThat(header.path("hyper_parameters").path("forest.trees").asText()).isEqualTo("10");
    assertThat(header.path("properties").path("ensemble.decode").asText()).isEqualTo("1.00 × forest");
    assertThat(header.path("properties").path("ensemble.prefill").asText()).contains("forest", "linear");

    Cli.Result predicted = Cli.run("predict", "--model-file", model.toString(), "--model", "Llama 3 8B",
        "--device", "RTX 4090", "--quant", "Q4_K_M", "--context", "512", "--phase", "prefill", "--format", "json");
    assertThat(predicted.exit()).as(predicted.toString()).isZero();
    JsonNode p = predicted.json();
    assertThat(p.toString()).contains(header.path("model_id").asText());
    Predictor loaded = predictor(model);
    var scenario = dev.tuner.core.scenario.ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "prefill")
        .resolve(Catalog.shipped());
    var prediction = loaded.predict(scenario, 0);
    assertThat(prediction.tokensPerSecond()).isGreaterThan(0).isLessThanOrEqualTo(prediction.rooflineTokensPerSecond());
    assertThat(p.path("tokens_per_s").asDouble()).isCloseTo(prediction.tokensPerSecond(), within(1e-9));
    assertThat(p.path("top_features")).isNotEmpty();
    loaded.model().model().close();

    Cli.Result evaluated = Cli.run("evaluate", "--data", data.toString(), "--model-file", model.toString(),
        "--format", "json");
    assertThat(evaluated.exit()).as(evaluated.toString()).isZero();
    assertThat(evaluated.json().toString()).contains("decode", "prefill");
  }

  private static Predictor predictor(Path model) {
    return Guice.createInjector(new TunerModule(TunerConfig.defaults().withArtifact(model.toString())))
        .getInstance(Predictor.class);
  }
}
