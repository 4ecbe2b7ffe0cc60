package dev.tuner.core.schema;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.core.Fixtures;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class FeatureSchemaTest {
  private static final String REFERENCE_V1_HASH =
      "fc3ba721ea39d27746033bacb88966bde00fa7712d879a4d58d981cce40a0dcb";
  private final Roofline roofline = new Roofline(CATALOG);

  private float[] encode(FeatureSchema schema, Scenario s) {
    return new FeatureEncoder(schema).encode(s, roofline.compute(s));
  }

  private static DeviceSpec gpu(double bw, double l2) {
    return new DeviceSpec("g", "NVIDIA", bw, OptionalDouble.of(100), OptionalDouble.empty(), OptionalDouble.of(25), 100,
        OptionalDouble.of(l2), OptionalDouble.empty(), List.of(), "test");
  }

  @Test
  void referenceSchemaReproducesTheReferenceNormalisation() {
    FeatureSchema ref = FeatureSchemas.referenceV1();
    var q4 = Fixtures.quant(4.5, QuantClass.Q4_K);
    float[] a = encode(ref, Fixtures.scenario(Fixtures.model(7), gpu(1500, 96), q4, 8, 512, Phase.DECODE));
    assertThat(a[35]).isCloseTo(0.5f, within(1e-6f));
    assertThat(a[6]).isCloseTo(0.125f, within(1e-6f));
    assertThat(a[2]).isCloseTo(0.25f, within(1e-6f));
    assertThat(a[3]).isCloseTo(0.25f, within(1e-6f));
    assertThat(a[38]).isCloseTo(0.75f, within(1e-6f));
    float[] b = encode(ref, Fixtures.scenario(Fixtures.model(7), gpu(1008, 96), q4, 1, 512, Phase.DECODE));
    assertThat(b[35]).isCloseTo(0.336f, within(1e-6f));
    assertThat(b[0]).isCloseTo((float) ((Math.log10(7) + 1) / 3), within(1e-6f));
    assertThat(b[7]).isCloseTo((float) (Math.log(512) / Math.log(2) / 15), within(1e-6f));
    assertThat(b[40]).isCloseTo((float) (Math.min(2 / 0.5625, 10) / 10), within(1e-6f));
    assertThat(b[41]).as("slot 41 never reads the label").isZero();
  }

  @Test
  void bothSchemasShareTheReferenceLayoutAndTunerAppendsTheVectorSlot() {
    FeatureSchema ref = FeatureSchemas.referenceV1();
    FeatureSchema def = FeatureSchemas.tunerV1();
    assertThat(ref.width()).isEqualTo(42);
    assertThat(ref.version()).isEqualTo(1);
    assertThat(def.width()).isEqualTo(43);
    assertThat(def.version()).isEqualTo(2);
    assertThat(def.indexOf("vector_roof_ratio_log")).isEqualTo(42);
    assertThat(def.slots().get(42).normalisation()).isEqualTo(new Normalisation.Log(1e-4, 1e4));
    for (int i = 11; i < 35; i++) {
      assertThat(def.slots().get(i).name()).isEqualTo(ref.slots().get(i).name());
    }
    assertThat(def.indexOf("is_prefill")).isEqualTo(10);
    assertThat(def.indexOf("quant_q4_0")).isEqualTo(11);
    assertThat(def.indexOf("kernel_tiled_q4k")).isEqualTo(19);
    assertThat(def.indexOf("arithmetic_intensity_log")).isEqualTo(40);
    assertThat(def.indexOf("memory_to_compute_roof_log")).isEqualTo(41);
    assertThat(ref.hash()).isNotEqualTo(def.hash()).matches("[0-9a-f]{64}");
    assertThat(def.hash()).isEqualTo(FeatureSchemas.tunerV1().hash());
  }

  /** The reference layout and normalisation are frozen: any change to a slot changes this hash. */
  @Test
  void theReferenceSchemaIsUnchanged() {
    assertThat(FeatureSchemas.referenceV1().hash()).isEqualTo(REFERENCE_V1_HASH);
  }

  /**
   * A100 PCIe 80GB: 19.5 TFLOPS FP32 over 1935 GB/s is 10.08 FLOPs per byte; the slot is the step's arithmetic
   * intensity over that, on a log scale from 10^-4 to 10^4.
   */
  @Test
  void theVectorSlotIsTheStepsIntensityOverTheDevicesFp32FlopsPerByte() {
    FeatureSchema def = FeatureSchemas.tunerV1();
    Scenario s = ScenarioRequest.of("Llama 3 8B", "A100 PCIe 80GB", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    var roof = roofline.compute(s);
    double ratio = roof.arithmeticIntensity() / (19.5 * 1000 / 1935);
    assertThat(FeatureEncoder.raw(Quantity.VECTOR_ROOF_RATIO, s, roof)).isCloseTo(ratio, within(1e-12));
    float[] x = new FeatureEncoder(def).encode(s, roof);
    assertThat(x[def.indexOf("vector_roof_ratio_log")])
        .isEqualTo((float) (Math.log(ratio / 1e-4) / Math.log(1e4 / 1e-4)));

    Scenario rtx = s.withDevice(CATALOG.device("RTX 4090"));
    float[] y = new FeatureEncoder(def).encode(rtx, roofline.compute(rtx));
    assertThat(y[def.indexOf("vector_roof_ratio_log")])
        .as("82.6 TFLOPS over 1008 GB/s spends less ALU time per byte than the A100's 19.5 over 1935")
        .isLessThan(x[def.indexOf("vector_roof_ratio_log")] - 0.05f);

    Scenario batched = ScenarioRequest.of("Llama 3 8B", "A100 PCIe 80GB", "Q4_K_M", 16, 512, "decode")
        .resolve(CATALOG);
    float[] z = new FeatureEncoder(def).encode(batched, roofline.compute(batched));
    assertThat(z[def.indexOf("vector_roof_ratio_log")]).as("a batch reuses every weight byte 16 times")
        .isGreaterThan(x[def.indexOf("vector_roof_ratio_log")] + 0.1f);
  }

  @Test
  void anUnknownVectorPeakEncodesAsZero() {
    DeviceSpec bare = new DeviceSpec("bare", "", 500, OptionalDouble.of(100), OptionalDouble.empty(),
        OptionalDouble.empty(), 0, OptionalDouble.empty(), OptionalDouble.empty(), List.of(), "test");
    Scenario s = Fixtures.scenario(Fixtures.model(7), bare, Fixtures.quant(4.5, QuantClass.Q4_0), 1, 512,
        Phase.DECODE);
    FeatureSchema def = FeatureSchemas.tunerV1();
    assertThat(encode(def, s)[def.indexOf("vector_roof_ratio_log")]).isZero();
  }

  @Test
  void defaultSchemaDoesNotSaturateOnCurrentHardware() {
    FeatureSchema def = FeatureSchemas.tunerV1();
    var q = Fixtures.quant(8, QuantClass.Q8_0);
    float[] big = encode(def, Fixtures.scenario(Fixtures.model(1800), Fixtures.device(8000, 2250), q, 1024,
        256 * 1024, Phase.DECODE));
    float[] bigger = encode(def, Fixtures.scenario(Fixtures.model(1900), Fixtures.device(10_000, 5000), q, 1024,
        256 * 1024, Phase.DECODE));
    for (String slot : List.of("model_params_b", "batch_size_log", "context_log", "mem_bandwidth_log",
        "peak_tflops_log", "vector_roof_ratio_log")) {
      int i = def.indexOf(slot);
      assertThat(big[i]).as(slot).isLessThan(1f);
    }
    assertThat(bigger[def.indexOf("mem_bandwidth_log")]).isGreaterThan(big[def.indexOf("mem_bandwidth_log")]);
    assertThat(bigger[def.indexOf("peak_tflops_log")]).isGreaterThan(big[def.indexOf("peak_tflops_log")]);
  }

  @Test
  void quantizationIsOneHotAndNeverSilentlyF32() {
    FeatureSchema def = FeatureSchemas.tunerV1();
    for (QuantClass c : QuantClass.values()) {
      float[] x = encode(def, Fixtures.scenario(Fixtures.model(7), Fixtures.device(1000, 100),
          Fixtures.quant(8, c), 1, 128, Phase.DECODE));
      float sum = 0;
      for (int i = 11; i < 19; i++) {
        sum += x[i];
      }
      assertThat(sum).isEqualTo(1f);
      assertThat(x[11 + c.ordinal()]).isEqualTo(1f);
    }
  }

  /** The encoder's unpacked loop against each slot's own {@link Normalisation#apply}, bit for bit. */
  @RepeatedTest(5)
  void encodingEqualsApplyingEachSlotsNormalisation(org.junit.jupiter.api.RepetitionInfo info) {
    SplittableRandom r = new SplittableRandom(2000 + info.getCurrentRepetition());
    for (FeatureSchema schema : FeatureSchemas.all()) {
      FeatureEncoder enc = new FeatureEncoder(schema);
      for (int n = 0; n < 1000; n++) {
        Scenario s = Fixtures.random(r);
        var roof = roofline.compute(s);
        float[] x = enc.encode(s, roof);
        for (int i = 0; i < x.length; i++) {
          Slot slot = schema.slots().get(i);
          float expected = (float) slot.normalisation().apply(FeatureEncoder.raw(slot.quantity(), s, roof));
          assertThat(Float.floatToRawIntBits(x[i])).as("%s slot %d for %s", schema.id(), i, s)
              .isEqualTo(Float.floatToRawIntBits(expected));
        }
      }
    }
  }

  @RepeatedTest(5)
  void encodingIsFiniteAndInsideTheUnitIntervalForRandomScenarios(org.junit.jupiter.api.RepetitionInfo info) {
    SplittableRandom r = new SplittableRandom(1000 + info.getCurrentRepetition());
    for (FeatureSchema schema : FeatureSchemas.all()) {
      FeatureEncoder enc = new FeatureEncoder(schema);
      for (int n = 0; n < 1000; n++) {
        Scenario s = Fixtures.random(r);
        float[] x = enc.encode(s, roofline.compute(s));
        for (int i = 0; i < x.length; i++) {
          assertThat(x[i]).as("%s slot %d for %s", schema.id(), i, s).isFinite().isBetween(0f, 1f);
        }
      }
    }
  }
}
