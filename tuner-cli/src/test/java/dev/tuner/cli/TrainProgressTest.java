package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training reports its stages also when stderr is a file or a pipe, one line per stage. */
class TrainProgressTest {
  @Test
  void withoutATerminalEachStagePrintsOneLineAsItStartsAndEnds(@TempDir Path dir) throws Exception {
    Path data = ShippedMeasurements.copyTo(dir.resolve("m.csv"));
    Cli.Result r = Cli.run("train", "--data", data.toString(), "--model-type", "linear", "--cv", "2");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).containsPattern("progress: cv linear \\.\\.\\.\\R")
        .containsPattern("progress: cv linear done in [0-9.]+ s\\R")
        .containsPattern("progress: final model done in [0-9.]+ s\\R")
        .doesNotContain("\r");
    Cli.Result quiet = Cli.run("train", "--data", data.toString(), "--model-type", "linear", "--cv", "2",
        "--no-progress");
    assertThat(quiet.err()).doesNotContain("progress:");
  }

  @Test
  void nestedEventsPrintNothing() {
    StringWriter sink = new StringWriter();
    try (Progress p = Progress.create(true, false, new PrintWriter(sink))) {
      p.progress("final model", 0, 3);
      p.progress("tree", 1, 3);
      p.progress("tree", 2, 3);
    }
    assertThat(sink.toString().lines()).hasSize(2);
  }
}
