package dev.tuner.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.ingest.CatalogLookup.ModelType;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CatalogLookupTest {
  private final CatalogLookup lookup = new CatalogLookup(TestCatalog.create());

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "mostly Q4_0 | Q4_0",
    "Q4_K - Medium | Q4_K_M",
    "Q3_K - Small | Q3_K_S",
    "Q3_K - Extra small | Q3_K_XS",
    "Q2_K - Medium | Q2_K",
    "IQ4_XS - 4.25 bpw | IQ4_XS",
    "TQ1_0 - 1.69 bpw ternary | TQ1_0",
    "MXFP4 MoE | MXFP4",
    "all F32 | F32",
    "mostly Q4_1, some F16 | Q4_1",
    "Q8_0 (guessed) | Q8_0",
  })
  void fileTypeNamesNormalise(String printed, String expected) {
    assertThat(CatalogLookup.normaliseFileType(printed)).isEqualTo(expected);
  }

  @Test
  void fileNameLabels() {
    assertThat(CatalogLookup.fileQuantLabel("models/Qwen2.5-7B-Instruct-Q4_K_M.gguf")).hasValue("Q4_K_M");
    assertThat(CatalogLookup.fileQuantLabel("ggml-model-q4_0.gguf")).hasValue("Q4_0");
    assertThat(CatalogLookup.fileQuantLabel("/share/Qwen3-4B-UD-Q4_K_XL.gguf")).hasValue("Q4_K_XL");
    assertThat(CatalogLookup.fileQuantLabel("Qwen3-4B-Instruct-2507-abliterated.mxfp4.gguf")).hasValue("MXFP4");
    assertThat(CatalogLookup.fileQuantLabel("llama-7b.gguf")).isEmpty();
  }

  @Test
  void modelTypesSplitIntoArchSizeAndFileType() {
    ModelType t = ModelType.parse("qwen2 7B Q4_K - Medium");
    assertThat(t.arch()).isEqualTo("qwen2");
    assertThat(t.sizeLabel()).isEqualTo("7B");
    assertThat(t.fileType()).isEqualTo("Q4_K - Medium");
    assertThat(t.sizeInBillions()).isEqualTo(7.0);
    assertThat(ModelType.parse("qwen2 630M F16").sizeInBillions()).isEqualTo(0.63);
    assertThat(ModelType.parse("qwen35moe 35B.A3B Q4_K - Medium").sizeInBillions()).isNull();
    assertThat(ModelType.parse("llama ?B Q4_0").fileType()).isEqualTo("Q4_0");
  }

  @Test
  void devicesAreFoundWithOrWithoutVendorWords() {
    assertThat(lookup.device("NVIDIA GeForce RTX 4090").map(DeviceSpec::name)).hasValue("RTX 4090");
    assertThat(lookup.device("NVIDIA_L40S").map(DeviceSpec::name)).hasValue("L40S");
    assertThat(lookup.device("AMD Radeon RX 6800 XT").map(DeviceSpec::name)).hasValue("AMD Radeon RX 6800 XT");
    assertThat(lookup.device("NVIDIA GeForce RTX 5090")).isEmpty();
  }

  @Test
  void modelsFromFileNamesAndIdsMustAgreeWithTheParameterCount() {
    assertThat(lookup.model(List.of("models/Qwen2.5-7B-Instruct-Q4_K_M.gguf"), 7.6156).map(ModelSpec::name))
        .hasValue("Qwen2.5 7B");
    assertThat(lookup.model(List.of("models/Qwen2.5-7B-Instruct-Q4_K_M.gguf"), 3.0)).isEmpty();
    assertThat(lookup.model(List.of("meta-llama/Llama-3.2-3B-Instruct"), null).map(ModelSpec::name))
        .hasValue("Llama 3.2 3B");
    assertThat(lookup.model(Arrays.asList(null, "llama 7B"), 6.74)).isEmpty();
    assertThat(CatalogLookup.modelNameCandidates("x/Llama-2-13B-chat-00001-of-00003.gguf"))
        .contains("Llama-2-13B-chat", "Llama-2-13B");
  }
}
