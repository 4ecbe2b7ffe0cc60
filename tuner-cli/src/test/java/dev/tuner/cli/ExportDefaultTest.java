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
    String[] predict = PredictCommandTest.with(PredictCommandTest.LLAMA_ON_4090, "--format", "json");
    double embedded = Cli.run(predict).json().get("tokens_per_s").asDouble();
    Cli.Result viaOnnx = Cli.run(PredictCommandTest.with(new String[] {"--model-file", onnx.toString()}, predict));
    assertThat(viaOnnx.exit()).as(viaOnnx.toString()).isZero();
    assertThat(viaOnnx.json().get("tokens_per_s").asDouble()).isCloseTo(embedded,
        org.assertj.core.api.Assertions.withinPercentage(0.01));
  }
}
