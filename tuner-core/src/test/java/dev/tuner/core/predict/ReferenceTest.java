package dev.tuner.core.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.Bound;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.OutputKind;
import dev.tuner.core.Fixtures;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Scenario;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference a model's outputs are relative to, with the decode step overhead, against hand arithmetic. */
class ReferenceTest {
  /** A roofline of 200 tokens/s whose serial roof is 100 tokens/s (the other figures do not enter). */
  private static final RooflineResult ROOF = new RooflineResult(200, 200, 1000, Bound.MEMORY, 1, 1, 0, 4, 1, 100, 25,
      1, 100, List.of(), Double.POSITIVE_INFINITY, null);

  /** The fixture model has 32 layers. */
  private static Scenario decode(int batch) {
    return Fixtures.scenario(Fixtures.model(8), Fixtures.device(1000, 100), Fixtures.quant(4.5, QuantClass.Q4_K),
        batch, 512, Phase.DECODE);
  }

  @Test
  void theOverheadAddsLayersTimesItsSecondsOverTheBatchToEachTokensTime() {
    Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 100e-6);
    // batch 4: 1/100 s per token at the serial roof + 100 µs × 32 layers / 4 sequences = 0.01 + 0.0008 s
    assertThat(r.tokensPerSecond(decode(4), ROOF)).isCloseTo(1 / 0.0108, within(1e-9));
    // batch 1: 0.01 + 0.0032 s → 75.757… tokens/s
    assertThat(r.tokensPerSecond(decode(1), ROOF)).isCloseTo(1 / 0.0132, within(1e-9));
    // two pipeline stages of 16 layers each: 0.01 + 100 µs × 16 = 0.0116 s
    Scenario piped = decode(1).withParallel(new ParallelLayout(2, 1, 2, 1));
    assertThat(r.tokensPerSecond(piped, ROOF)).isCloseTo(1 / 0.0116, within(1e-9));
  }

  @Test
  void prefillAndOtherKindsAndNoOverheadKeepTheirRoof() {
    Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 100e-6);
    assertThat(r.tokensPerSecond(decode(1).withPhase(Phase.PREFILL), ROOF)).isEqualTo(100);
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION).tokensPerSecond(decode(1), ROOF)).isEqualTo(100);
    assertThat(Reference.of(OutputKind.LOG_ROOFLINE_FRACTION).tokensPerSecond(decode(1), ROOF)).isEqualTo(200);
  }

  @Test
  void thePropertyRoundTripsAndAMalformedOneIsRefusedNamingIt() {
    Reference r = new Reference(OutputKind.LOG_SERIAL_ROOF_FRACTION, 1.5e-4);
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION, r.properties(), "m")).isEqualTo(r);
    assertThat(Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION, Map.of(), "m").stepOverheadSecondsPerLayer())
        .isZero();
    for (String bad : List.of("abc", "-1e-6", "0.5", "NaN")) {
      assertThatThrownBy(() -> Reference.of(OutputKind.LOG_SERIAL_ROOF_FRACTION,
          Map.of(Reference.PROPERTY, bad), "model x"))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining("model x").hasMessageContaining(Reference.PROPERTY).hasMessageContaining(bad);
    }
    assertThatThrownBy(() -> Reference.of(OutputKind.LOG_ROOFLINE_FRACTION, Map.of(Reference.PROPERTY, "1e-4"),
        "model y")).isInstanceOf(ModelLoadException.class).hasMessageContaining("log_serial_roof_fraction");
  }
}
