package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every writer refuses targets it would destroy, and output/input clashes are found before any work (exit 2). */
class NoFileLostTest {
  @TempDir
  Path dir;
  Path data;
  byte[] dataBytes;

  @BeforeEach
  void copyShippedData() throws Exception {
    data = ShippedMeasurements.copyTo(dir.resolve("measurements.csv"));
    dataBytes = Files.readAllBytes(data);
  }

  /** Nothing was read or trained: the clash was found before the data was loaded. */
  private static void refusedBeforeWork(Cli.Result r, String... inMessage) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).doesNotContain("read ").contains(inMessage);
  }

  @Test
  void trainOutEqualToItsDataIsRefusedAndTheDataKept() throws Exception {
    Cli.Result r = Cli.run("train", "--data", data.toString(), "--out", data.toString(), "--force", "--no-progress");
    refusedBeforeWork(r, "--out = " + data, "--data " + data);
    assertThat(Files.readAllBytes(data)).isEqualTo(dataBytes);
  }

  @Test
  void trainOutEqualToCvPredictionsIsRefused() {
    Path x = dir.resolve("x");
    Cli.Result r = Cli.run("train", "--data", data.toString(), "--out", x.toString(), "--cv-predictions",
        x.toString(), "--force", "--no-progress");
    refusedBeforeWork(r, "--cv-predictions = " + x, "--out " + x);
    assertThat(x).doesNotExist();
  }

  @Test
  void theSameDataFileTwiceIsRefused() throws Exception {
    Path alias = Files.createSymbolicLink(dir.resolve("alias.csv"), data);
    Cli.Result r = Cli.run("train", "--data", data.toString(), "--data", alias.toString(), "--no-progress");
    refusedBeforeWork(r, "each input file once");
  }

  @Test
  void trainToADeviceIsRefusedBeforeTraining() throws Exception {
    Path devNull = Path.of("/dev/null");
    assumeTrue(Files.exists(devNull));
    Path link = Files.createSymbolicLink(dir.resolve("model.json"), devNull);
    Cli.Result r = Cli.run("train", "--data", data.toString(), "--out", link.toString(), "--force", "--no-progress");
    refusedBeforeWork(r, "a character device");
    assertThat(Files.isRegularFile(devNull)).isFalse();
  }

  @Test
  void recommendPlotToADeviceIsRefused() throws Exception {
    Path devNull = Path.of("/dev/null");
    assumeTrue(Files.exists(devNull));
    Path link = Files.createSymbolicLink(dir.resolve("roofline.png"), devNull);
    Cli.Result r = Cli.run(RecommendCommandTest.LLAMA_ON_4090, "--plot", link.toString(),
        "--force");
    refusedBeforeWork(r, "--plot = " + link, "a character device");
    assertThat(Files.isRegularFile(devNull)).isFalse();
  }

  @Test
  void evaluatePlotToAFifoIsRefused() throws Exception {
    Path fifo = dir.resolve("plot.png");
    boolean made;
    try {
      made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
    } catch (java.io.IOException e) {
      made = false;
    }
    assumeTrue(made, "mkfifo is available");
    Cli.Result r = Cli.run("evaluate", "--data", data.toString(), "--plot", fifo.toString(), "--force");
    refusedBeforeWork(r, "a FIFO");
    assertThat(Files.isRegularFile(fifo)).isFalse();
  }

  @Test
  void exportToADirectoryIsRefused() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("model.onnx"));
    Path model = dir.resolve("m.json");
    Files.writeString(model, "{}");
    Cli.Result r = Cli.run("export", "--model-file", model.toString(), "--onnx", sub.toString(), "--force");
    refusedBeforeWork(r, "a directory");
    assertThat(Files.isDirectory(sub)).isTrue();
  }

  @Test
  void ingestOutEqualToItsInputIsRefused() throws Exception {
    Path in = Files.writeString(dir.resolve("in.json"), "[]");
    Cli.Result r = Cli.run("ingest", "--format", "llama-bench", in.toString(), "--out", in.toString(), "--force");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).startsWith("tuner ingest: --out = " + in);
    assertThat(Files.readString(in)).isEqualTo("[]");
  }

  @Test
  void aDirectoryAsDataIsAUsageError() {
    Cli.Result r = Cli.run("train", "--data", dir.toString(), "--no-progress");
    refusedBeforeWork(r, "--data = " + dir, "it is a directory");
  }
}
