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
    Candidate fixed = new Candidate() {
      @Override
      public String name() {
        return "poor prompts";
      }

      @Override
      public Encoded data() {
        return DATA;
      }

      @Override
      public Fitted fit(int[] trainRows) {
        return Fitted.plain(poorPrompts);
      }
    };
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
}
