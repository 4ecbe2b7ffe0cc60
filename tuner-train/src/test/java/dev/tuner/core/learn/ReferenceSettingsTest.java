package dev.tuner.core.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import dev.tuner.core.predict.Reference;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What a batched decode step is relative to, as a training run's setting. */
class ReferenceSettingsTest {
  private static final OutputKind SERIAL = OutputKind.LOG_SERIAL_ROOF_FRACTION;

  @Test
  void oneSequenceIsTheDefaultAndSameKeepsEachStepsOwnReference() {
    assertThat(ReferenceSettings.from(Map.of()).decodeOneSequence()).isTrue();
    assertThat(ReferenceSettings.from(Map.of(ReferenceSettings.DECODE_BATCH, " One ")).decodeOneSequence()).isTrue();
    assertThat(ReferenceSettings.from(Map.of(ReferenceSettings.DECODE_BATCH, "same")).decodeOneSequence()).isFalse();
    assertThatThrownBy(() -> ReferenceSettings.from(Map.of(ReferenceSettings.DECODE_BATCH, "batch")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(ReferenceSettings.DECODE_BATCH)
        .hasMessageContaining("batch").hasMessageContaining("one").hasMessageContaining("same");
    assertThat(ReferenceSettings.without(Map.of(ReferenceSettings.DECODE_BATCH, "one", "seed", "1")))
        .isEqualTo(Map.of("seed", "1"));
  }

  @Test
  void theOverheadIsChosenOnEachStepsOwnReferenceWhateverTheDecodeBatch() throws java.io.IOException {
    Encoded d = ShippedRows.encoded();
    int[] rows = IntStream.range(0, d.rows()).toArray();
    Map<String, String> auto = Map.of(StepOverhead.KEY, "auto", ReferenceSettings.DECODE_BATCH, "one");
    Reference one = ReferenceSettings.from(auto).choose(d, rows, SERIAL);
    Reference same = ReferenceSettings.from(Map.of(StepOverhead.KEY, "auto", ReferenceSettings.DECODE_BATCH, "same"))
        .choose(d, rows, SERIAL);
    assertThat(one.decodeOneSequence()).isTrue();
    assertThat(same.decodeOneSequence()).isFalse();
    assertThat(one.stepOverheadSecondsPerLayer()).isEqualTo(same.stepOverheadSecondsPerLayer());
    assertThat(one).isEqualTo(same.withDecodeOneSequence(true));
  }
}
