package dev.tuner.core.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.ProgressListener;
import dev.tuner.core.Fixtures;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CrossValidatorTest {
  private static final Encoded DATA = shipped();

  private static Encoded shipped() {
    try (Reader in = new InputStreamReader(CrossValidatorTest.class.getClassLoader()
        .getResourceAsStream("dev/tuner/data/measurements.csv"), StandardCharsets.UTF_8)) {
      Dataset.Prepared p = Dataset.load(in, "measurements.csv", Fixtures.CATALOG, new Roofline(Fixtures.CATALOG),
          Dataset.Options.defaults());
      return new Encoded(FeatureSchemas.tunerV1(), p.examples());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static CvResult run(String spec) {
    return new CrossValidator(0.9, ProgressListener.NONE).run(Candidates.rooflineEfficiency(DATA),
        Folds.of(spec, DATA, 42));
  }

  @Test
  void leaveOneDeviceOutReportsEveryHeldOutDeviceAndTheirRowsAddUpToEachPhase() {
    CvResult r = run("device");
    assertThat(r.groupedBy()).isEqualTo("device");
    assertThat(r.groups().keySet()).containsExactlyInAnyOrderElementsOf(Arrays.stream(DATA.devices).distinct()
        .toList());
    for (Phase p : Phase.values()) {
      int sum = r.groups().values().stream().filter(g -> g.containsKey(p)).mapToInt(g -> g.get(p).n()).sum();
      assertThat(sum).isEqualTo(r.phase(p).n());
    }
  }

  @Test
  void aGroupsErrorIsTheMeanOverItsOwnRows() {
    CvResult r = run("device");
    String device = "Tesla P40";
    int[] rows = IntStream.range(0, DATA.rows())
        .filter(i -> DATA.devices[i].equals(device) && DATA.phases[i] == Phase.DECODE).toArray();
    double mape = Arrays.stream(rows).mapToDouble(i -> Math.abs(r.predicted()[i] - DATA.measured[i])
        / DATA.measured[i]).average().orElseThrow();
    assertThat(r.groups().get(device).get(Phase.DECODE).n()).isEqualTo(rows.length);
    assertThat(r.groups().get(device).get(Phase.DECODE).mape()).isCloseTo(mape, within(1e-12));
  }

  @Test
  void leaveOneModelOutGroupsByModelAndKFoldByDevice() {
    assertThat(run("model").groupedBy()).isEqualTo("model");
    assertThat(run("model").groups()).containsKey("Llama 3 8B");
    assertThat(run("5").groupedBy()).isEqualTo("device");
  }

  @Test
  void theReportListsGroupsInJsonAndTheWorstInTheTable() {
    CvResult r = run("device");
    EvaluationReport report = new EvaluationReport("test", 0.9, "log_roofline_fraction", DATA.rows(), DATA.rows(),
        Map.of(), r.phases(), Map.of(), r.groupedBy(), r.groups());
    assertThat(report.toJson().path("by_device").path("Tesla P40").path("decode").path("n").asInt())
        .isEqualTo(r.groups().get("Tesla P40").get(Phase.DECODE).n());
    String worst = r.groups().entrySet().stream().filter(e -> e.getValue().containsKey(Phase.DECODE))
        .max(java.util.Comparator.comparingDouble(e -> e.getValue().get(Phase.DECODE).mape())).orElseThrow().getKey();
    assertThat(report.toTable()).contains("worst decode by device MAPE").contains(worst);
  }

  /**
   * Held-out prompts get the floor {@link dev.tuner.core.predict.Predictor} puts under them (never slower than their
   * generation one token at a time): with a prompt model far below its decode model, every row's cross-validated
   * prediction is the predictor's, and the one-token prompts of the shipped data are raised to their generation.
   */
  @Test
  void heldOutPromptsAreNeverSlowerThanTheirGenerationAsInThePredictor() {
    dev.tuner.core.predict.RooflineOnlyModel poorPrompts = new dev.tuner.core.predict.RooflineOnlyModel(
        DATA.schema(), "poor prompts", 0.7, 0.01);
    Candidate fixed = Candidates.fixed("poor prompts", DATA, poorPrompts);
    CvResult r = new CrossValidator(0.9, ProgressListener.NONE).run(fixed, Folds.of("family", DATA, 42));
    dev.tuner.core.predict.Predictor predictor = new dev.tuner.core.predict.Predictor(
        new dev.tuner.core.predict.LoadedModel(poorPrompts, DATA.schema(),
            dev.tuner.core.artifact.Calibration.none(DATA.schema().width()), java.util.Optional.empty()),
        new Roofline(Fixtures.CATALOG), 0.9, false);
    int raised = 0;
    for (int i = 0; i < DATA.rows(); i++) {
      assertThat(r.predicted()[i]).isCloseTo(predictor.predict(DATA.scenarios[i], 0).tokensPerSecond(),
          within(1e-9 * DATA.roofs[i]));
      if (DATA.phases[i] == Phase.PREFILL && r.predicted()[i] > 0.01 * DATA.roofs[i] * (1 + 1e-9)) {
        raised++;
        assertThat(r.low()[i]).isLessThanOrEqualTo(r.predicted()[i]);
        assertThat(r.high()[i]).isBetween(r.predicted()[i], DATA.roofs[i]);
      }
    }
    assertThat(raised).as("prompts raised to their generation").isPositive();
  }

  /**
   * A model that reports a spread is calibrated on residuals divided by that spread plus the median spread of the
   * row's phase, so a row on which the model was sure (spread 0.001) and wrong does not get a score of hundreds: the
   * offset and every score are recomputed here by hand, and the interval is prediction ± quantile × (spread + offset).
   */
  @Test
  void spreadsAreOffsetByTheirPhasesMedianSpread() {
    dev.tuner.core.predict.RooflineOnlyModel base = new dev.tuner.core.predict.RooflineOnlyModel(DATA.schema(),
        "spread", 0.6, 0.2);
    // sure on some rows, unsure on the others, by a feature that varies across the data
    java.util.function.ToDoubleFunction<float[]> spreadOf = x -> Math.floorMod(Float.floatToIntBits(x[0]), 7) == 0
        ? 0.001 : 0.1 + 0.01 * Math.floorMod(Float.floatToIntBits(x[0]), 5);
    dev.tuner.api.ThroughputModel spreading = new dev.tuner.api.ThroughputModel() {
      @Override
      public dev.tuner.api.ModelInfo info() {
        return base.info();
      }

      @Override
      public double predict(float[] features) {
        return base.predict(features);
      }

      @Override
      public java.util.OptionalDouble spread(float[] features) {
        return java.util.OptionalDouble.of(spreadOf.applyAsDouble(features));
      }
    };
    Candidate c = Candidates.fixed("spread", DATA, spreading);
    CvResult r = new CrossValidator(0.9, ProgressListener.NONE).run(c, Folds.of("family", DATA, 42));
    assertThat(r.calibrationMethod()).isEqualTo(dev.tuner.core.artifact.Calibration.Method.SPREAD_NORMALISED);
    double[] spreads = IntStream.range(0, DATA.rows()).mapToDouble(i -> spreadOf.applyAsDouble(DATA.row(i)))
        .toArray();
    for (Phase p : Phase.values()) {
      double[] own = IntStream.range(0, DATA.rows()).filter(i -> DATA.phases[i] == p).mapToDouble(i -> spreads[i])
          .sorted().toArray();
      double median = own.length % 2 == 1 ? own[own.length / 2] : (own[own.length / 2 - 1] + own[own.length / 2]) / 2;
      assertThat(r.spreadOffset().of(p)).as("%s offset", p).isCloseTo(median, within(1e-12));
    }
    int sure = 0;
    for (int i = 0; i < DATA.rows(); i++) {
      dev.tuner.api.OutputKind kind = spreading.info().outputKind();
      double target = kind.fromTokensPerSecond(DATA.measured[i], DATA.reference(kind, i));
      double expected = Math.abs(target - spreading.predict(DATA.row(i)))
          / (spreads[i] + r.spreadOffset().of(DATA.phases[i]));
      assertThat(r.scores()[i]).as("score of row %d", i).isCloseTo(expected, within(1e-9 * (1 + expected)));
      if (spreads[i] < 0.01) {
        sure++;
      }
    }
    assertThat(sure).as("rows the model was sure of").isPositive();
  }

  /**
   * Leave one family out: the Strix Halo is the only RDNA3.5 family with rows, so its rows are of an architecture
   * their fold never trained on, while an RTX 4090 (Ada, with AD103 and AD104 siblings) is not. The half-width of
   * such a decode row (one predicted below its roof; read at the interval's low end, which the roof never cuts) is
   * recomputed here from the other folds' rows of a
   * new architecture alone: the ⌈(n + 1) 0.9⌉-th of their scores, or when larger the ⌈(m + 1) 0.8⌉-th of their
   * devices' 70% quantiles.
   */
  @Test
  void rowsOfAnArchitectureTheirFoldNeverTrainedOnAreCalibratedOnTheirLikeAlone() {
    CvResult r = run("family");
    boolean[] fresh = r.newArchitecture();
    int strix = -1;
    for (int i = 0; i < DATA.rows(); i++) {
      String device = DATA.devices[i];
      if (device.startsWith("AMD Ryzen AI Max+ 395")) {
        assertThat(fresh[i]).as("row %d of %s", i, device).isTrue();
      }
      if (fresh[i] && strix < 0 && DATA.phases[i] == Phase.DECODE && !DATA.imputed[i]
          && r.predicted()[i] < DATA.roofs[i]) {
        strix = i;
      }
      if (device.equals("RTX 4090")) {
        assertThat(fresh[i]).isFalse();
      }
    }
    assertThat(strix).isNotNegative();
    int row = strix;
    java.util.List<Double> rows = new java.util.ArrayList<>();
    Map<String, java.util.List<Double>> byDevice = new java.util.TreeMap<>();
    for (int j = 0; j < DATA.rows(); j++) {
      if (fresh[j] && DATA.phases[j] == Phase.DECODE && !DATA.families[j].equals(DATA.families[row])) {
        rows.add(r.scores()[j]);
        byDevice.computeIfAbsent(DATA.devices[j], k -> new java.util.ArrayList<>()).add(r.scores()[j]);
      }
    }
    double[] sorted = rows.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double rowQ = sorted[(int) Math.ceil((sorted.length + 1) * 0.9) - 1];
    double[] devices = byDevice.values().stream().mapToDouble(l -> {
      double[] v = l.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return v[Math.max(1, (int) Math.ceil(v.length * 0.7)) - 1];
    }).sorted().toArray();
    assertThat(devices.length).as("held-out devices of a new architecture in the other folds").isGreaterThan(3);
    double deviceQ = devices[(int) Math.ceil((devices.length + 1) * 0.8) - 1];
    // the baseline predicts a fraction of the roof, so its scores and half-widths are fractions of the roof
    assertThat((r.predicted()[row] - r.low()[row]) / DATA.roofs[row]).isCloseTo(Math.max(rowQ, deviceQ),
        within(1e-9));
  }
}
