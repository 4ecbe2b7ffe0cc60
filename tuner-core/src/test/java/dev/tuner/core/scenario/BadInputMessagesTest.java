package dev.tuner.core.scenario;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.Fixtures;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 2, "Done when": every bad input yields an InvalidInputException whose message names the field, the value
 * and what is allowed. These tests read the message a user would see.
 */
class BadInputMessagesTest {

  /** A request with every field unset except those a test sets. */
  private static ScenarioRequest request(String model, String device, String quant, Integer batch, Integer context,
      String phase, Double paramsB, Double bandwidth) {
    return new ScenarioRequest(model, device, quant, batch, context, phase, null, null, null, null, paramsB, null,
        null, null, null, null, null, bandwidth, null, null, null, null, null);
  }

  private static void assertInvalid(ThrowingCallable call, String field, String value, String... allowed) {
    assertThatThrownBy(call)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(field + " = " + value + " is invalid: expected ")
        .hasMessageContainingAll(allowed)
        .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo(field));
  }

  @Test
  void aMissingCatalogIsNamed() {
    assertInvalid(() -> ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(null),
        "catalog", "missing", "Catalog.shipped()");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, -4096, Integer.MIN_VALUE, 4097})
  void aBatchOutsideItsRangeNamesTheRange(int batch) {
    assertInvalid(() -> ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", batch, 512, "decode")
        .resolve(CATALOG), "batch", Integer.toString(batch), "an integer in [1, 4096] sequences");
  }

  @Test
  void aNegativeContextOrAnEmptyPromptNamesTheRange() {
    assertInvalid(() -> ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, -1, "decode").resolve(CATALOG),
        "context", "-1", "[0, 1048576] tokens");
    assertInvalid(() -> ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 0, "prefill").resolve(CATALOG),
        "context", "0", "[1, 1048576] tokens");
  }

  @ParameterizedTest
  @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, -100, 0.5, 1e6})
  void aBadBandwidthNamesTheFieldAndTheRange(double bandwidth) {
    String shown = Double.isFinite(bandwidth) && bandwidth == Math.rint(bandwidth)
        ? Long.toString((long) bandwidth) : Double.toString(bandwidth);
    assertInvalid(() -> request(null, null, "Q4_0", 1, 0, "decode", 7.0, bandwidth).resolve(CATALOG),
        "device memory bandwidth", shown, "a finite number in [1, 100000] GB/s");
    // the same check holds when the figure overrides a catalog entry
    assertInvalid(() -> request("Llama 3 8B", "RTX 4090", "Q4_0", 1, 0, "decode", null, bandwidth).resolve(CATALOG),
        "device memory bandwidth", shown, "GB/s");
  }

  @Test
  void aBadParameterCountNamesTheFieldAndTheRange() {
    assertInvalid(() -> request(null, null, "Q4_0", 1, 0, "decode", Double.NaN, 1000.0).resolve(CATALOG),
        "model parameters", "NaN", "a finite number in [0.01, 10000] billion");
    assertInvalid(() -> request(null, null, "Q4_0", 1, 0, "decode", -7.0, 1000.0).resolve(CATALOG),
        "model parameters", "-7", "billion");
  }

  @Test
  void unknownNamesListTheClosestKnownOnes() {
    assertInvalid(() -> ScenarioRequest.of("Llama 3 8B", "RTX 4099", "Q4_K_M", 1, 512, "decode").resolve(CATALOG),
        "device", "\"RTX 4099\"", "a known device; closest: RTX 4090", "tuner catalog devices");
    assertInvalid(() -> ScenarioRequest.of("Lama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG),
        "model", "\"Lama 3 8B\"", "a known model; closest: ", "Llama 3 8B");
    assertInvalid(() -> ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_Z", 1, 512, "decode").resolve(CATALOG),
        "quantization", "\"Q4_K_Z\"", "a known quant; closest: ", "Q4_K_M");
  }

  @Test
  void missingFieldsSayWhatIsNeeded() {
    assertInvalid(() -> request("Llama 3 8B", "RTX 4090", null, 1, 512, "decode", null, null).resolve(CATALOG),
        "quantization", "unset", "a quantization such as Q4_K_M, Q8_0, F16 or FP8");
    assertInvalid(() -> request("Llama 3 8B", "RTX 4090", "  ", 1, 512, "decode", null, null).resolve(CATALOG),
        "quantization", "unset", "Q4_K_M");
    assertInvalid(() -> request("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, null, "decode", null, null).resolve(CATALOG),
        "context", "unset", "the KV-cache length in tokens");
    assertInvalid(() -> request(null, "RTX 4090", "Q4_K_M", 1, 512, "decode", null, null).resolve(CATALOG),
        "model", "unset", "a catalog model name or at least its parameter count");
    assertInvalid(() -> request("Llama 3 8B", null, "Q4_K_M", 1, 512, "decode", null, null).resolve(CATALOG),
        "device", "unset", "a catalog device name or at least its memory bandwidth");
  }

  /**
   * An unset quantization never becomes F32 (the reference's arg-max over an all-zero one-hot did): a scenario
   * cannot even be built without one.
   */
  @Test
  void anUnsetQuantizationIsAnErrorNotF32() {
    assertInvalid(() -> new Scenario(Fixtures.model(7), Fixtures.device(1000, 100), null, KvCacheType.F16, 1, 512,
        Phase.DECODE, false, Optional.empty(), false), "quantization", "unset", "a quantization such as");
  }

  @Test
  void badEnumeratedValuesListTheAllowedOnes() {
    assertInvalid(() -> ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decod").resolve(CATALOG),
        "phase", "decod", "decode or prefill");
    assertInvalid(() -> new ScenarioRequest("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode", "q2", null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null).resolve(CATALOG),
        "kv-cache type", "q2", "f16, fp8, q8_0 or q4_0");
    assertInvalid(() -> new ScenarioRequest("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode", null, null,
        "warp-speed", null, null, null, null, null, null, null, null, null, null, null, null, null, null)
        .resolve(CATALOG),
        "kernel", "warp-speed", "tiled-q4k", "generic", "unknown");
  }

  @Test
  void impossibleArchitecturesAndDevicesAreRefused() {
    assertInvalid(() -> new ModelSpec("m", 7, 4096, 32, 8, 32, 128, 32000, List.of(), ""), "model KV heads", "32",
        "at most the attention heads (8)");
    assertInvalid(() -> new ModelSpec("m", 7, 4096, -1, 8, 8, 128, 32000, List.of(), ""), "model layers", "-1",
        "an integer in [0, 10000]");
    assertInvalid(() -> new DeviceSpec("d", "", 1000, OptionalDouble.of(-5), OptionalDouble.empty(),
        OptionalDouble.empty(), 10, OptionalDouble.empty(), OptionalDouble.empty(), List.of(), ""), "device FP16 peak",
        "-5", "TFLOPS");
    assertInvalid(() -> new Quantization("q", 0.5, QuantClass.Q4_0, Activation.FP16, List.of(), ""),
        "bits per weight of q", "0.5", "[1, 64] bits");
  }
}
