package dev.tuner.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.Fixtures;
import dev.tuner.core.catalog.Catalog;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelShapeTest {
  private static ScenarioRequest llama(Integer hidden, Integer layers, Integer heads, Integer kvHeads, Double paramsB) {
    return new ScenarioRequest("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode", null, null, null, null, paramsB,
        hidden, layers, heads, kvHeads, null, null, null, null, null, null, null, null);
  }

  @Test
  void headsThatDoNotDivideTheHiddenSizeAreRefusedWithTheRule() {
    assertThatThrownBy(() -> llama(4096, null, 7, 7, null).resolve(Fixtures.CATALOG))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("model attention heads = 7")
        .hasMessageContaining("head_dim = hidden / heads must be whole")
        .hasMessageEndingWith("state the head dimension: ScenarioRequest's headDim or a catalog's head_dim,"
            + " --head-dim in the CLI)");
  }

  @Test
  void kvHeadsThatDoNotDivideTheHeadsAreRefusedWithTheRule() {
    assertThatThrownBy(() -> llama(null, null, 32, 5, null).resolve(Fixtures.CATALOG))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("model KV heads = 5")
        .hasMessageContaining("a divisor of the 32 attention heads");
  }

  @Test
  void tooManyLayersForTheParameterCountAreRefusedWithTheRule() {
    // 2 x 4096^2 = 33 554 432 parameters per layer at least; 0.01e9 / 33 554 432 = 0.298, so not even one layer fits
    assertThatThrownBy(() -> llama(null, 1000, null, null, 0.01).resolve(Fixtures.CATALOG))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("model layers = 1000")
        .hasMessageContaining("at most 0 for 0.01 billion parameters at hidden size 4096")
        .hasMessageContaining("layers x 2 x hidden^2 <= parameters");
    // 8.03e9 / 33 554 432 = 239.3 layers at most
    assertThatThrownBy(() -> llama(null, 240, null, null, null).resolve(Fixtures.CATALOG))
        .hasMessageContaining("at most 239");
    assertThat(llama(null, 239, null, null, null).resolve(Fixtures.CATALOG).model().layers()).isEqualTo(239);
  }

  @Test
  void everyShippedModelObeysTheRules() {
    Catalog.shipped().models().entries().forEach(ModelShape::requirePlausible);
  }

  @Test
  void givenDeviceFiguresKeepTheCatalogsOtherPeaks() {
    DeviceSpec h100 = Catalog.shipped().device("H100 SXM");
    ScenarioRequest restated = new ScenarioRequest("Llama 3 8B", "H100 SXM", "F16", 1, 512, "decode", null, null,
        null, null, null, null, null, null, null, null, null, null, h100.fp16Tflops().getAsDouble(), null, null, null,
        null);
    DeviceSpec given = restated.resolve(Catalog.shipped()).device();
    assertThat(given.fp32Tflops()).isEqualTo(h100.fp32Tflops());
    assertThat(given.fp8Tflops()).isEqualTo(h100.fp8Tflops());
    assertThat(List.of(given.memBandwidthGBs(), given.fp16Tflops().getAsDouble()))
        .containsExactly(h100.memBandwidthGBs(), h100.fp16Tflops().getAsDouble());
  }
}
