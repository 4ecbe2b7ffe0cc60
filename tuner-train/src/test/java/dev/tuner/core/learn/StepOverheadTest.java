package dev.tuner.core.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import dev.tuner.core.predict.Reference;
import dev.tuner.core.scenario.Phase;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decode step overhead a training run chooses from its own rows. */
class StepOverheadTest {
  private static final OutputKind SERIAL = OutputKind.LOG_SERIAL_ROOF_FRACTION;

  private static Encoded shipped() throws java.io.IOException {
    return ShippedRows.encoded();
  }

  /**
   * The shipped scenarios with decode tokens/s made to be a fixed share of a reference with a known overhead: the
   * choice, from any grid value, finds that overhead, since only it makes every family's efficiency the same.
   */
  @ParameterizedTest
  @ValueSource(doubles = {0, 50e-6, 150e-6, 300e-6})
  void autoFindsTheOverheadTheDecodeRowsWereMadeWith(double truth) throws java.io.IOException {
    Encoded d = shipped();
    Reference made = new Reference(SERIAL, truth);
    int[] rows = IntStream.range(0, d.rows()).toArray();
    for (int i : rows) {
      if (d.phases[i] == Phase.DECODE) {
        d.measured[i] = Math.min(0.6 * d.reference(made, i), d.roofs[i]);
      }
    }
    Reference chosen = StepOverhead.from(Map.of(StepOverhead.KEY, "auto")).choose(d, rows, SERIAL);
    assertThat(chosen.stepOverheadSecondsPerLayer()).isEqualTo(truth);
  }

  @Test
  void theChoiceSeesOnlyTheRowsItIsGiven() throws java.io.IOException {
    Encoded d = shipped();
    int[] half = IntStream.range(0, d.rows()).filter(i -> i % 2 == 0).toArray();
    Reference onHalf = StepOverhead.from(Map.of(StepOverhead.KEY, "auto")).choose(d, half, SERIAL);
    for (int i = 1; i < d.rows(); i += 2) {
      d.measured[i] = d.measured[i] * 3;
    }
    assertThat(StepOverhead.from(Map.of(StepOverhead.KEY, "auto")).choose(d, half, SERIAL)).isEqualTo(onHalf);
  }

  @Test
  void noneAndFixedFiguresAndOtherTargets() throws java.io.IOException {
    Encoded d = shipped();
    int[] rows = IntStream.range(0, d.rows()).toArray();
    assertThat(StepOverhead.from(Map.of()).choose(d, rows, SERIAL)).isEqualTo(Reference.of(SERIAL));
    assertThat(StepOverhead.from(Map.of(StepOverhead.KEY, "none")).choose(d, rows, SERIAL))
        .isEqualTo(Reference.of(SERIAL));
    assertThat(StepOverhead.from(Map.of(StepOverhead.KEY, "2e-4")).choose(d, rows, SERIAL))
        .isEqualTo(new Reference(SERIAL, 2e-4));
    // a roofline-fraction target has no serial step to add the overhead to: auto keeps the plain roof
    assertThat(StepOverhead.from(Map.of(StepOverhead.KEY, "auto")).choose(d, rows, OutputKind.LOG_ROOFLINE_FRACTION))
        .isEqualTo(Reference.of(OutputKind.LOG_ROOFLINE_FRACTION));
    assertThatThrownBy(() -> StepOverhead.from(Map.of(StepOverhead.KEY, "2e-4"))
        .choose(d, rows, OutputKind.LOG_ROOFLINE_FRACTION))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(StepOverhead.KEY);
    assertThat(ReferenceSettings.without(Map.of(StepOverhead.KEY, "auto", "forest.trees", "8")))
        .isEqualTo(Map.of("forest.trees", "8"));
  }

  @Test
  void aMalformedSettingIsRefusedNamingTheKeyAndTheChoices() {
    for (String bad : List.of("fast", "-1e-6", "1", "")) {
      assertThatThrownBy(() -> StepOverhead.from(Map.of(StepOverhead.KEY, bad)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining(StepOverhead.KEY).hasMessageContaining("auto, none");
    }
  }
}
