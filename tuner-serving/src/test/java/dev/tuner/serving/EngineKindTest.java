package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.Csv;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which texts name an engine: a name or alias as a whole word, then at most a version, backend or separated part. */
class EngineKindTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // data/serving.csv's engine cells
      "TensorRT-LLM | TENSORRT_LLM",
      "TensorRT-LLM (trtllm-serve, PyTorch backend) | TENSORRT_LLM",
      "vLLM | VLLM",
      "vLLM (rocm/vllm docker) | VLLM",
      "SGLang | SGLANG",
      "LMDeploy (TurboMind) | LMDEPLOY",
      // data/engines.csv's names and data/measurements.csv's backends
      "llama.cpp | LLAMA_CPP",
      "ollama | LLAMA_CPP",
      "mlx | MLX",
      "llama.cpp CUDA | LLAMA_CPP",
      "llama.cpp Metal | LLAMA_CPP",
      "llama.cpp ROCm | LLAMA_CPP",
      "llama.cpp Vulkan | LLAMA_CPP",
      // aliases, versions, Engine.describe()'s forms and the benchmark clients' backend names
      "trtllm | TENSORRT_LLM",
      "trt-llm | TENSORRT_LLM",
      "tensorrt_llm | TENSORRT_LLM",
      "TensorRT-LLM v0.20 | TENSORRT_LLM",
      "turbomind | LMDEPLOY",
      "llama-cpp | LLAMA_CPP",
      "llamacpp | LLAMA_CPP",
      "Ollama | LLAMA_CPP",
      "ollama (llama.cpp, Metal) 0.12 | LLAMA_CPP",
      "llama.cpp (CUDA) | LLAMA_CPP",
      "vllm 0.6.3 | VLLM",
      "vllm 0.8.4 | VLLM",
      "' VLLM ' | VLLM",
      "sglang-oai | SGLANG",
      "vllm-chat | VLLM",
      "mlx-lm | MLX"})
  void aNameOrAliasWithAVersionBackendOrSeparatedPartNamesItsEngine(String text, EngineKind kind) {
    assertThat(EngineKind.parse(text)).isEqualTo(kind);
  }

  @ParameterizedTest
  @ValueSource(strings = {"vllmx", "vllm is great", "sglangggg", "vLLMx", "sglangx", "ollamas", "mlxx", "vllm0.6.3",
      "foo", "tensorrt", "", "llama"})
  void moreLettersOrOtherWordsAfterTheNameAreRefusedListingTheEngines(String text) {
    assertThatThrownBy(() -> EngineKind.parse(text)).isInstanceOf(InvalidInputException.class)
        .hasMessage("engine = " + text + " is invalid: expected llama.cpp, ollama, vllm, sglang, tensorrt-llm (trtllm),"
            + " lmdeploy (turbomind) or mlx, alone or followed by a version, a backend or a part after a separator"
            + " (vllm 0.8.4, llama.cpp CUDA, LMDeploy (TurboMind))");
  }

  @Test
  void everyEngineCellOfTheShippedDataNamesAnEngine() throws IOException {
    Path data = data();
    for (String[] fileAndColumn : List.of(new String[] {"serving.csv", "engine"},
        new String[] {"engines.csv", "engine"})) {
      try (Reader in = Files.newBufferedReader(data.resolve(fileAndColumn[0]))) {
        List<Csv.Row> rows = Csv.read(in, fileAndColumn[0]);
        int column = rows.get(0).fields().indexOf(fileAndColumn[1]);
        assertThat(column).as(fileAndColumn[0]).isNotNegative();
        for (Csv.Row r : rows.subList(1, rows.size())) {
          String cell = r.fields().get(column);
          assertThat(EngineKind.parse(cell)).as(fileAndColumn[0] + ":" + r.line() + " " + cell).isNotNull();
        }
      }
    }
  }

  private static Path data() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("data").resolve("serving.csv"))) {
      p = p.getParent();
    }
    assertThat(p).as("a data/serving.csv above " + Path.of("").toAbsolutePath()).isNotNull();
    return p.resolve("data");
  }
}
