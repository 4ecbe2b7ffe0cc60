package dev.tuner.core.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingException;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import dev.tuner.core.ensemble.EnsembleProvider;
import dev.tuner.core.ensemble.PhaseEnsemble;
import dev.tuner.core.ensemble.TestTrainers;
import dev.tuner.core.plugin.ProviderRegistry;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnsembleTrainerTest {
  private final ProviderRegistry registry = ProviderRegistry.of(List.of(
      new TestTrainers.LineProvider("mean", false, 0.1), new TestTrainers.LineProvider("slope", true, 0)));
  private final ModelProvider ensemble = registry.require(EnsembleProvider.ID);

  private TrainedModel train(TrainingSet data, Map<String, String> settings) {
    return Trainers.of(ensemble).orElseThrow().train(data, new TrainingOptions(7, settings, 2, ProgressListener.NONE));
  }

  @Test
  void weightsGoToTheMemberThatPredictsHeldOutDevicesBest() {
    TrainedModel t = train(TestTrainers.lines(400, 8, 1), Map.of("members", "mean,slope", "weights", "auto"));
    PhaseEnsemble model = (PhaseEnsemble) t.model();
    for (boolean prefill : new boolean[] {false, true}) {
      List<PhaseEnsemble.Member> members = model.members(prefill);
      assertThat(members).extracting(m -> m.model().info().providerId()).containsExactly("mean", "slope");
      assertThat(members.get(1).weight()).as("slope's weight, prefill=" + prefill).isGreaterThanOrEqualTo(0.95);
      assertThat(members.get(0).weight() + members.get(1).weight()).isCloseTo(1.0, within(1e-12));
    }
    assertThat(t.model().info().properties()).containsKeys("ensemble.decode", "ensemble.prefill",
        "ensemble.prefill.inner_mape");
    assertThat(t.hyperParameters()).containsEntry("decode.members", "mean,slope").containsEntry("inner_folds", "10")
        .containsEntry("prefill.weights", "auto");
  }

  @Test
  void weightsAreEqualByDefaultOrAsGiven() {
    TrainingSet data = TestTrainers.lines(200, 5, 13);
    PhaseEnsemble equal = (PhaseEnsemble) train(data, Map.of("members", "mean,slope")).model();
    assertThat(equal.members(true)).extracting(PhaseEnsemble.Member::weight).containsExactly(0.5, 0.5);
    assertThat(equal.info().properties()).containsEntry("ensemble.prefill.inner_mape", "not computed (weights given)");
    TrainedModel given = train(data, Map.of("members", "mean,slope", "prefill.weights", "0.2, 0.8"));
    PhaseEnsemble model = (PhaseEnsemble) given.model();
    assertThat(model.members(true)).extracting(PhaseEnsemble.Member::weight).containsExactly(0.2, 0.8);
    assertThat(model.members(false)).extracting(PhaseEnsemble.Member::weight).containsExactly(0.5, 0.5);
    assertThat(given.hyperParameters()).containsEntry("prefill.weights", "0.2,0.8")
        .containsEntry("decode.weights", "0.5,0.5");
  }

  @Test
  void eachPhaseIsLearnedFromItsOwnRowsOnly() {
    TrainedModel t = train(TestTrainers.lines(400, 8, 2), Map.of("members", "slope"));
    float[] x = new float[TestTrainers.SCHEMA.width()];
    x[0] = 0.5f;
    assertThat(t.model().predict(x)).isCloseTo(-0.2 - 0.25, within(0.01));
    x[TestTrainers.PHASE] = 1;
    assertThat(t.model().predict(x)).isCloseTo(-1 - 0.5, within(0.01));
  }

  @Test
  void payloadLoadsBackIntoTheSamePredictionsAndSameBatchResults() {
    TrainingSet data = TestTrainers.lines(300, 6, 3);
    TrainedModel t = train(data, Map.of("decode.members", "slope", "prefill.members", "mean,slope"));
    ThroughputModel loaded = ensemble.load(new ModelPayload(t.model().info(), t.payload()));
    double[] batch = new double[data.rows()];
    loaded.predictBatch(data.features(), data.rows(), batch);
    for (int i = 0; i < data.rows(); i++) {
      float[] row = data.row(i);
      assertThat(loaded.predict(row)).isEqualTo(t.model().predict(row));
      assertThat(batch[i]).isCloseTo(loaded.predict(row), within(1e-12));
    }
    assertThat(loaded.info().modelId()).isEqualTo(EnsembleProvider.modelId(t.payload()));
  }

  @Test
  void trainingIsDeterministic() {
    TrainingSet data = TestTrainers.lines(200, 5, 4);
    Map<String, String> settings = Map.of("members", "mean,slope", "weight_step", "0.1");
    assertThat(train(data, settings).payload()).isEqualTo(train(data, settings).payload());
  }

  @Test
  void innerFoldsKeepEveryDeviceInOneFold() {
    TrainingSet data = TestTrainers.lines(300, 13, 5);
    int[] fold = EnsembleTrainer.innerFolds(data, 5, 11);
    Map<Integer, Set<Integer>> foldsOfDevice = new HashMap<>();
    for (int i = 0; i < data.rows(); i++) {
      foldsOfDevice.computeIfAbsent(data.group(i), g -> new HashSet<>()).add(fold[i]);
    }
    assertThat(foldsOfDevice).hasSize(13).allSatisfy((device, folds) -> assertThat(folds).hasSize(1));
    assertThat(Arrays.stream(fold).distinct().count()).isEqualTo(5);
    assertThat(EnsembleTrainer.innerFolds(data, 5, 11)).isEqualTo(fold);
    assertThat(EnsembleTrainer.innerFolds(data, 50, 11)).as("never more folds than devices")
        .matches(f -> Arrays.stream(f).distinct().count() == 13);
  }

  @Test
  void chosenWeightsMinimiseHeldOutPercentageError() {
    SplittableRandom r = new SplittableRandom(6);
    double[] targets = new double[100];
    Arrays.setAll(targets, i -> -r.nextDouble());
    double[] high = targets.clone();
    double[] low = targets.clone();
    for (int i = 0; i < targets.length; i++) {
      high[i] += 0.2;
      low[i] -= 0.2;
    }
    double[] weights = new double[2];
    EnsembleTrainer.chooseWeights(new double[][] {high, low}, targets, OutputKind.LOG_ROOFLINE_FRACTION, 0.05,
        weights);
    assertThat(weights[0]).isCloseTo(0.5, within(1e-9));
    double[] slightlyHigh = targets.clone();
    Arrays.setAll(slightlyHigh, i -> targets[i] + 0.1);
    double[] exact = new double[3];
    double mape = EnsembleTrainer.chooseWeights(new double[][] {high, targets, slightlyHigh}, targets,
        OutputKind.LOG_ROOFLINE_FRACTION, 0.25, exact);
    assertThat(exact).containsExactly(0, 1, 0);
    assertThat(mape).isZero();
  }

  @Test
  void percentageErrorIsBoundedByTheRooflineForFractions() {
    double over = EnsembleTrainer.mape(new double[] {0.5}, new double[] {Math.log(0.8)},
        OutputKind.LOG_ROOFLINE_FRACTION);
    assertThat(over).as("predicted e^0.5 of the roofline counts as the roofline itself").isCloseTo(0.25, within(1e-12));
    double tokens = EnsembleTrainer.mape(new double[] {Math.log(150)}, new double[] {Math.log(100)},
        OutputKind.LOG_TOKENS_PER_SECOND);
    assertThat(tokens).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void mixtureSpreadAddsMemberDisagreementToOwnSpread() {
    TrainedModel t = train(TestTrainers.lines(300, 6, 8), Map.of("members", "mean,slope", "weights", "0.3,0.7"));
    PhaseEnsemble model = (PhaseEnsemble) t.model();
    float[] x = new float[TestTrainers.SCHEMA.width()];
    x[0] = 0.9f;
    List<PhaseEnsemble.Member> m = model.members(false);
    double blend = model.predict(x);
    double expected = 0;
    for (PhaseEnsemble.Member member : m) {
      double d = member.model().predict(x) - blend;
      double own = member.model().spread(x).orElse(0);
      expected += member.weight() * (own * own + d * d);
    }
    assertThat(model.spread(x)).hasValueCloseTo(Math.sqrt(expected), within(1e-12));
  }

  @Test
  void portableFormComputesWhatTheEnsemblePredicts() {
    ProviderRegistry exportable = ProviderRegistry.of(List.of(
        new TestTrainers.LineProvider("mean", false, 0), new TestTrainers.LineProvider("slope", true, 0)));
    TrainingSet data = TestTrainers.lines(300, 6, 12);
    TrainedModel t = Trainers.of(exportable.require(EnsembleProvider.ID)).orElseThrow().train(data,
        new TrainingOptions(7, Map.of("members", "mean,slope", "weight_step", "0.25"), 1, ProgressListener.NONE));
    var blend = (dev.tuner.api.PortableModel.Sum) t.model().portable().orElseThrow();
    assertThat(blend.terms()).hasSize(2);
    assertThat(((dev.tuner.api.PortableModel.Select) blend.terms().get(1)).feature()).isEqualTo(TestTrainers.PHASE);
    for (int i = 0; i < data.rows(); i++) {
      assertThat(blend.evaluate(data.row(i))).isCloseTo(t.model().predict(data.row(i)), within(1e-12));
    }
    TrainedModel withSpread = train(data, Map.of("members", "mean,slope", "weight_step", "0.25"));
    assertThat(withSpread.model().portable()).as("a member without a portable form").isEmpty();
  }

  @Test
  void onePhaseFromOneDeviceCannotWeighTwoMembers() {
    TrainingSet oneDevice = TestTrainers.lines(100, 1, 9);
    assertThatThrownBy(() -> train(oneDevice, Map.of("members", "mean,slope", "weights", "auto")))
        .isInstanceOf(TrainingException.class).hasMessageContaining("at least 2 devices");
    assertThat(train(oneDevice, Map.of("members", "slope")).model()).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "members=", "members=mean,mean", "members=mean,nope", "members=ensemble",
      "members=mean;inner_folds=1", "members=mean;inner_folds=x", "members=mean;weight_step=0.3",
      "members=mean;weight_step=0", "members=mean;trees=80", "members=mean;slope.x=1", "members=mean,slope;weights=1",
      "members=mean,slope;weights=0.6,0.6", "members=mean,slope;prefill.weights=-0.5,1.5",
      "members=mean,slope;decode.weights=a,b", "members=mean;weights=best"})
  void badSettingsAreRefusedNamingTheSetting(String spec) {
    Map<String, String> settings = new HashMap<>();
    for (String kv : spec.split(";")) {
      if (!kv.isEmpty()) {
        String[] p = kv.split("=", -1);
        settings.put(p[0], p[1]);
      }
    }
    assertThatThrownBy(() -> train(TestTrainers.lines(100, 4, 10), settings))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageMatching("(?s).*(members|weights|inner_folds|weight_step|ensemble hyper-parameter|ensemble member).*");
  }
}
