package dev.tuner.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ApiContractTest {
  @Test
  void apiCompatibilityIsSameMajorAndNoNewerMinor() {
    assertThat(TunerApi.isCompatible(TunerApi.VERSION)).isTrue();
    assertThat(TunerApi.isCompatible("1.0")).isTrue();
    assertThat(TunerApi.isCompatible("1.9")).isFalse();
    assertThat(TunerApi.isCompatible("2.0")).isFalse();
    assertThat(TunerApi.isCompatible("0.9")).isFalse();
    assertThatThrownBy(() -> TunerApi.isCompatible("one")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("required API version").hasMessageContaining("major.minor");
  }

  @ParameterizedTest
  @EnumSource(OutputKind.class)
  void everyOutputKindRoundTripsThroughTokensPerSecond(OutputKind kind) {
    SplittableRandom r = new SplittableRandom(kind.ordinal());
    for (int i = 0; i < 1000; i++) {
      double roof = Math.exp(r.nextDouble(-2, 12));
      double tps = roof * r.nextDouble(1e-4, 1);
      double raw = kind.fromTokensPerSecond(tps, roof);
      assertThat(kind.toTokensPerSecond(raw, roof)).isCloseTo(tps, within(1e-9 * tps));
    }
    assertThat(OutputKind.fromId(kind.id())).isEqualTo(kind);
    assertThat(OutputKind.fromId(kind.name())).isEqualTo(kind);
  }

  @Test
  void providerIdsAreLowerCaseWordsWithoutSpaces() {
    assertThat(TunerApi.isValidProviderId("linear")).isTrue();
    assertThat(TunerApi.isValidProviderId("acme-half.v2_1")).isTrue();
    assertThat(TunerApi.isValidProviderId("Acme Upper")).isFalse();
    assertThat(TunerApi.isValidProviderId("-dash")).isFalse();
    assertThat(TunerApi.isValidProviderId("")).isFalse();
    assertThat(TunerApi.isValidProviderId(null)).isFalse();
  }

  @Test
  void unknownOutputKindListsTheAllowedIds() {
    assertThatThrownBy(() -> OutputKind.fromId("watts")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("watts").hasMessageContaining("log_roofline_fraction");
  }

  @Test
  void invalidInputNamesFieldValueAndRange() {
    assertThatThrownBy(() -> InvalidInputException.requireInRange("batch", 0, 1, 4096, "sequences"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("batch = 0 is invalid: expected an integer in [1, 4096] sequences");
    assertThatThrownBy(() -> InvalidInputException.requireInRange("bandwidth", Double.NaN, 1, 100, "GB/s"))
        .hasMessageContaining("bandwidth = NaN").hasMessageContaining("[1, 100] GB/s");
  }

  @Test
  void treeEnsembleRefusesCyclesAndEvaluatesItsSemantics() {
    int[] roots = {0};
    int[] feature = {0, -1, -1};
    float[] threshold = {0.5f, 0, 0};
    int[] left = {1, -1, -1};
    int[] right = {2, -1, -1};
    double[] value = {0, 10, 20};
    var t = new PortableModel.TreeEnsemble(1, roots, feature, threshold, left, right, value, 1, 0.5);
    assertThat(t.evaluate(new float[] {0.5f})).isEqualTo(6.0);
    assertThat(t.evaluate(new float[] {0.6f})).isEqualTo(11.0);
    assertThatThrownBy(() -> new PortableModel.TreeEnsemble(1, roots, feature, threshold, new int[] {0, -1, -1},
        right, value, 0, 1)).isInstanceOf(InvalidInputException.class).hasMessageContaining("left[0]");
  }

  @Test
  void predictionCannotExceedItsRoofline() {
    assertThatThrownBy(() -> new ThroughputPrediction(11, 10, Bound.MEMORY, false, 0, 1,
        new Interval(0.9, 1, 10), java.util.List.of(), "m", java.util.List.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most the roofline");
  }

  /**
   * Hand-computed: linear parts 1 + 2·x0 and -1 + 4·x1; at x = (0.25, 0.75) the first is 1.5 and the second 2. The
   * selection on x1 (0.75 > 0.5) takes the second, 2; the sum with the first gives 3.5; at x1 = 0.5 (not above) the
   * selection takes the first, so the sum is 1.5 + 1.5 = 3.
   */
  @Test
  void sumsAndSelectionsEvaluateTheirParts() {
    var a = new PortableModel.Linear(new double[] {2, 0}, 1);
    var b = new PortableModel.Linear(new double[] {0, 4}, -1);
    var select = new PortableModel.Select(1, 0.5f, a, b);
    var sum = new PortableModel.Sum(java.util.List.of(a, select));
    assertThat(select.evaluate(new float[] {0.25f, 0.75f})).isEqualTo(2.0);
    assertThat(sum.evaluate(new float[] {0.25f, 0.75f})).isEqualTo(3.5);
    assertThat(sum.evaluate(new float[] {0.25f, 0.5f})).isEqualTo(3.0);
    assertThatThrownBy(() -> new PortableModel.Sum(java.util.List.of())).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at least one term");
    assertThatThrownBy(() -> new PortableModel.Select(0, Float.NaN, a, b)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("threshold");
  }
}
