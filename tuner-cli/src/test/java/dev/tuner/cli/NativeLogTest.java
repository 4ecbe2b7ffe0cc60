package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime writes its log to the process's stderr from native code, past the command's error writer, and keeps
 * the level of the first environment created in a process: so each case runs the command in a JVM of its own, with
 * this test's class path, and reads that process's stderr.
 */
class NativeLogTest {
  @TempDir
  static Path dir;
  static Path onnx;

  @BeforeAll
  static void exportTheDefaultModel() {
    onnx = dir.resolve("default.onnx");
    Cli.Result r = Cli.run("export", "--model-file", "default", "--onnx", onnx.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  @Test
  void predictingWithAnOnnxFilePrintsNothingOfOnnxRuntimesOwn() throws Exception {
    Run run = tuner(Cli.with(new String[] {"--model-file", onnx.toString()},
        PredictCommandTest.LLAMA_ON_4090));
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).contains("provider onnx");
    assertThat(run.err()).as(run.toString()).doesNotContain("onnxruntime");
  }

  /**
   * ONNX Runtime 1.29 walks the process's command line with stack in proportion to its length when it starts: on a
   * default thread stack, a command line of 20 000 characters ended the JVM with SIGSEGV (exit 139) and no message.
   */
  @Test
  void aLongCommandLineDoesNotCrashOnnxRuntime() throws Exception {
    Run run = tuner(List.of("-Dpadding=" + "x".repeat(20_000)), Cli.with(
        new String[] {"--model-file", onnx.toString()}, PredictCommandTest.LLAMA_ON_4090));
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).contains("provider onnx");
  }

  @Test
  void debugShowsOnnxRuntimesLogFromLevelInfo() throws Exception {
    Run run = tuner(Cli.with(new String[] {"--debug", "--model-file", onnx.toString()},
        PredictCommandTest.LLAMA_ON_4090));
    assertThat(run.exit()).as(run.toString()).isZero();
    // ONNX Runtime's line prefix: severity I (info), then the environment's name
    assertThat(run.err()).as(run.toString()).contains("[I:onnxruntime:tuner");
  }

  @Test
  void theConfigurationKeyChoosesTheLevelToo() throws Exception {
    Path config = Files.writeString(dir.resolve("verbose.yaml"), "onnx:\n  log_level: info\n");
    Run run = tuner(Cli.with(
        new String[] {"--config", config.toString(), "--model-file", onnx.toString()},
        PredictCommandTest.LLAMA_ON_4090));
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.err()).as(run.toString()).contains("[I:onnxruntime:tuner");
  }

  @Test
  void anUnknownLevelIsRefusedNamingTheKeyAndTheLevels() throws IOException {
    Path config = Files.writeString(dir.resolve("bad.yaml"), "onnx.log_level: loud\n");
    Cli.Result bad = Cli.run(
        new String[] {"--config", config.toString(), "--model-file", onnx.toString()},
        PredictCommandTest.LLAMA_ON_4090);
    assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.err()).contains("tuner.onnx.log_level").contains("loud")
        .contains("verbose, info, warning, error, fatal");
  }

  record Run(int exit, String out, String err) {}

  private static Run tuner(String... args) throws IOException, InterruptedException {
    return tuner(List.of(), args);
  }

  private static Run tuner(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.awt.headless=true"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), TunerCli.class.getName()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out-" + System.nanoTime());
    Path err = dir.resolve("err-" + System.nanoTime());
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("tuner " + String.join(" ", args) + " did not end within 120 s");
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
