package dev.tuner.onnx.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerException;
import dev.tuner.onnx.OnnxProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Foreign ONNX files ({@code --model-file x.onnx}), fed arbitrary bytes: a file is size-checked, handed to ONNX Runtime
 * and its graph and metadata checked against what tuner feeds and reads. Contract (OnnxProvider.openForeignFile,
 * ThroughputModel): an unusable file is a ModelLoadException (a TunerException) and nothing else escapes; a model that
 * loads predicts one row or fails with a TunerException, and closes.
 *
 * <p>ONNX Runtime itself is native code: Jazzer sees no coverage inside it and cannot catch a crash there, which
 * would end the JVM. The runs in docs/FUZZING.md saw none.
 *
 * <p>Regression inputs: src/test/resources/dev/tuner/onnx/fuzz/OnnxFileFuzzTestInputs/openForeignFile/.
 */
class OnnxFileFuzzTest {
  /** A schema for files that do not declare one; any valid reference will do, tuner-onnx does not check ids. */
  private static final SchemaRef SCHEMA = new SchemaRef("tuner.features.v1", "0".repeat(64));
  private static final ForeignModelOptions STATED =
      new ForeignModelOptions(Optional.of(SCHEMA), Optional.of(OutputKind.LOG_TOKENS_PER_SECOND), 1);
  private static final OnnxProvider PROVIDER = new OnnxProvider();
  private static final Path FILE = tempFile();

  @FuzzTest(maxDuration = "60s")
  void openForeignFile(byte[] input) {
    try {
      Files.write(FILE, input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // the file's own metadata alone, then with the user's statements that fill in what a bare file lacks
    for (ForeignModelOptions options : new ForeignModelOptions[] {ForeignModelOptions.defaults(), STATED}) {
      ThroughputModel model;
      try {
        model = PROVIDER.openForeignFile(FILE, options);
      } catch (TunerException refused) {
        continue;
      }
      try {
        int width = model.info().featureCount();
        assertThat(width).isBetween(1, 4096);
        try {
          model.predict(new float[width]);
        } catch (TunerException refused) {
          // a graph that loads but cannot run on one row (a wrong rank deeper inside, a failing op) says so
        }
      } finally {
        model.close();
      }
    }
  }

  private static Path tempFile() {
    try {
      Path dir = Files.createTempDirectory("tuner-onnx-fuzz");
      Path file = dir.resolve("fuzz.onnx");
      dir.toFile().deleteOnExit();
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
