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

/** The prefill rates per compute unit a training run chooses from its own rows. */
class PrefillRateTest {
  private static final OutputKind SERIAL = OutputKind.LOG_SERIAL_ROOF_FRACTION;
  private static final PrefillRate AUTO = PrefillRate.from(Map.of(PrefillRate.KEY, "auto"));

  /**
   * The shipped scenarios with NVIDIA's prefill tokens/s made to be a fixed share of a reference capped at a known
   * rate: only that rate makes every NVIDIA family's efficiency the same, so the choice finds it.
   */
  @ParameterizedTest
  @ValueSource(doubles = {1, 2.5, 4})
  void autoFindsTheRateNvidiaPrefillWasMadeWith(double truth) throws java.io.IOException {
    Encoded d = ShippedRows.encoded();
    Reference made = Reference.of(SERIAL).withPrefillRates(Map.of("NVIDIA", truth));
    int[] rows = IntStream.range(0, d.rows()).toArray();
    for (int i : rows) {
      if (d.phases[i] == Phase.PREFILL && d.vendors[i].equals("NVIDIA")) {
        d.measured[i] = Math.min(0.3 * d.reference(made, i), d.roofs[i]);
      }
    }
    Reference chosen = AUTO.choose(d, rows, Reference.of(SERIAL));
    assertThat(chosen.prefillTflopsPerUnit()).containsEntry("NVIDIA", truth);
  }

  @Test
  void aVendorWhosePrefillFollowsThePlainRoofGetsNoRate() throws java.io.IOException {
    Encoded d = ShippedRows.encoded();
    int[] rows = IntStream.range(0, d.rows()).toArray();
    for (int i : rows) {
      if (d.phases[i] == Phase.PREFILL && d.vendors[i].equals("NVIDIA")) {
        d.measured[i] = 0.3 * d.roofs[i];
      }
    }
    assertThat(AUTO.choose(d, rows, Reference.of(SERIAL)).prefillTflopsPerUnit()).doesNotContainKey("NVIDIA");
  }

  @Test
  void theChoiceKeepsTheStepOverheadAndSeesOnlyItsRows() throws java.io.IOException {
    Encoded d = ShippedRows.encoded();
    int[] half = IntStream.range(0, d.rows()).filter(i -> i % 2 == 0).toArray();
    Reference base = new Reference(SERIAL, 150e-6);
    Reference onHalf = AUTO.choose(d, half, base);
    assertThat(onHalf.stepOverheadSecondsPerLayer()).isEqualTo(150e-6);
    for (int i = 1; i < d.rows(); i += 2) {
      d.measured[i] = d.measured[i] * 3;
    }
    assertThat(AUTO.choose(d, half, base)).isEqualTo(onHalf);
  }

  @Test
  void noneKeepsTheReferenceAndBadSettingsAreRefused() throws java.io.IOException {
    Encoded d = ShippedRows.encoded();
    int[] rows = IntStream.range(0, d.rows()).toArray();
    Reference base = new Reference(SERIAL, 1e-4);
    assertThat(PrefillRate.from(Map.of()).choose(d, rows, base)).isEqualTo(base);
    assertThat(PrefillRate.from(Map.of(PrefillRate.KEY, "none")).choose(d, rows, base)).isEqualTo(base);
    assertThatThrownBy(() -> AUTO.choose(d, rows, Reference.of(OutputKind.LOG_ROOFLINE_FRACTION)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(PrefillRate.KEY)
        .hasMessageContaining("log_serial_roof_fraction");
    for (String bad : List.of("fast", "2", "")) {
      assertThatThrownBy(() -> PrefillRate.from(Map.of(PrefillRate.KEY, bad)))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining(PrefillRate.KEY)
          .hasMessageContaining("auto or none");
    }
    assertThat(ReferenceSettings.without(Map.of(PrefillRate.KEY, "auto", "forest.trees", "8")))
        .isEqualTo(Map.of("forest.trees", "8"));
    // both reference settings together: the overhead first, then the rates on top of it
    assertThat(ReferenceSettings.without(Map.of(PrefillRate.KEY, "auto", StepOverhead.KEY, "2e-4", "seed", "1")))
        .isEqualTo(Map.of("seed", "1"));
    assertThat(ReferenceSettings.from(Map.of(PrefillRate.KEY, "none", StepOverhead.KEY, "2e-4")).choose(d, rows,
        SERIAL)).isEqualTo(new Reference(SERIAL, 2e-4, Map.of(), true));
  }
}
