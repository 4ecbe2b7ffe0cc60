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
import org.junit.jupiter.params.provider.CsvSource;

/** The decode KV-cache read factor a training run chooses, with the step overhead, from its own rows. */
class KvReadFactorTest {
  private static final OutputKind SERIAL = OutputKind.LOG_SERIAL_ROOF_FRACTION;
  private static final Map<String, String> AUTO = Map.of(StepOverhead.KEY, "auto", KvReadFactor.KEY, "auto");

  /**
   * The shipped scenarios with decode tokens/s made to be a fixed share of a reference with a known overhead and
   * factor: the joint choice finds both, since only they make every family's efficiency the same.
   */
  @ParameterizedTest
  @CsvSource({"0, 1", "150e-6, 1", "0, 3", "150e-6, 4", "50e-6, 6"})
  void autoFindsTheOverheadAndFactorTheDecodeRowsWereMadeWith(double overhead, double factor)
      throws java.io.IOException {
    Encoded d = ShippedRows.encoded();
    Reference made = new Reference(SERIAL, overhead).withKvReadFactor(factor);
    int[] rows = IntStream.range(0, d.rows()).toArray();
    for (int i : rows) {
      if (d.phases[i] == Phase.DECODE) {
        d.measured[i] = Math.min(0.6 * d.reference(made, i), d.roofs[i]);
      }
    }
    Reference chosen = ReferenceSettings.from(AUTO).choose(d, rows, SERIAL);
    assertThat(chosen.stepOverheadSecondsPerLayer()).isEqualTo(overhead);
    assertThat(chosen.kvReadFactor()).isEqualTo(factor);
  }

  @Test
  void aStatedFactorIsKeptAndTheOverheadChosenBesideIt() throws java.io.IOException {
    Encoded d = ShippedRows.encoded();
    int[] rows = IntStream.range(0, d.rows()).toArray();
    Reference made = new Reference(SERIAL, 100e-6).withKvReadFactor(2);
    for (int i : rows) {
      if (d.phases[i] == Phase.DECODE) {
        d.measured[i] = Math.min(0.5 * d.reference(made, i), d.roofs[i]);
      }
    }
    Reference chosen = ReferenceSettings.from(Map.of(StepOverhead.KEY, "auto", KvReadFactor.KEY, "2"))
        .choose(d, rows, SERIAL);
    assertThat(chosen.kvReadFactor()).isEqualTo(2);
    assertThat(chosen.stepOverheadSecondsPerLayer()).isEqualTo(100e-6);
    assertThat(ReferenceSettings.from(Map.of(StepOverhead.KEY, "1e-4", KvReadFactor.KEY, "3")).choose(d, rows,
        SERIAL)).isEqualTo(new Reference(SERIAL, 1e-4, Map.of(), true).withKvReadFactor(3));
    assertThat(ReferenceSettings.from(Map.of(StepOverhead.KEY, "1e-4")).choose(d, rows, SERIAL).kvReadFactor())
        .isEqualTo(1);
  }

  @Test
  void settingsAreParsedAndBadOnesRefusedNamingTheKey() throws java.io.IOException {
    assertThat(KvReadFactor.from(Map.of()).candidates()).containsExactly(1);
    assertThat(KvReadFactor.from(Map.of(KvReadFactor.KEY, " None ")).candidates()).containsExactly(1);
    assertThat(KvReadFactor.from(Map.of(KvReadFactor.KEY, "2.5")).candidates()).containsExactly(2.5);
    assertThat(KvReadFactor.from(Map.of(KvReadFactor.KEY, "AUTO")).candidates()).containsExactly(KvReadFactor.GRID);
    for (String bad : List.of("0.9", "0", "25", "slow", "NaN")) {
      assertThatThrownBy(() -> KvReadFactor.from(Map.of(KvReadFactor.KEY, bad)))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining(KvReadFactor.KEY)
          .hasMessageContaining(bad).hasMessageContaining("auto, none");
    }
    assertThat(ReferenceSettings.without(Map.of(KvReadFactor.KEY, "auto", "forest.trees", "8")))
        .isEqualTo(Map.of("forest.trees", "8"));
    Encoded d = ShippedRows.encoded();
    int[] rows = IntStream.range(0, d.rows()).toArray();
    assertThatThrownBy(() -> ReferenceSettings.from(Map.of(KvReadFactor.KEY, "2")).choose(d, rows,
        OutputKind.LOG_ROOFLINE_FRACTION)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(KvReadFactor.KEY).hasMessageContaining(SERIAL.id());
    assertThat(ReferenceSettings.from(AUTO).choose(d, rows, OutputKind.LOG_ROOFLINE_FRACTION).kvReadFactor())
        .isEqualTo(1);
  }
}
