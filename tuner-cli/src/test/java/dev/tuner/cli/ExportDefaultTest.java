package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README: {@code tuner export} exports the embedded default model, and the export predicts as the default does. */
class ExportDefaultTest {
  @Test
  void theEmbeddedDefaultModelExportsAndPredictsAlike(@TempDir Path dir) {
    Path onnx = dir.resolve("default.onnx");
    Cli.Result r = Cli.run("export", "--model-file", "default", "--onnx", onnx.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(onnx).isRegularFile();
    assertThat(r.out()).contains("wrote " + onnx);
    // decode (relative to the serial roof with the step overhead) and prefill on an H100, where the reference caps
    // the peak per SM: the export's metadata carries both figures of the reference
    String[][] scenarios = {
        Cli.with(PredictCommandTest.LLAMA_ON_4090, "--format", "json"),
        {"predict", "--model", "Llama 3 8B", "--device", "H100 PCIe", "--quant", "Q4_K_M", "--context", "512",
            "--phase", "prefill", "--format", "json"}};
    for (String[] predict : scenarios) {
      double embedded = Cli.run(predict).json().get("tokens_per_s").asDouble();
      Cli.Result viaOnnx = Cli.run(new String[] {"--model-file", onnx.toString()}, predict);
      assertThat(viaOnnx.exit()).as(viaOnnx.toString()).isZero();
      assertThat(viaOnnx.json().get("tokens_per_s").asDouble()).isCloseTo(embedded,
          org.assertj.core.api.Assertions.withinPercentage(0.01));
    }
  }
}
