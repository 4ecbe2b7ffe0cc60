package dev.tuner.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.data.Measurement;
import dev.tuner.core.data.MeasurementCsv;
import dev.tuner.core.data.MeasurementWriter;
import dev.tuner.core.ingest.IngestFormat;
import dev.tuner.core.ingest.IngestOptions;
import dev.tuner.core.ingest.IngestReport;
import dev.tuner.core.ingest.Ingestor;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The benchmark-output parsers behind {@code tuner ingest}, fed arbitrary bytes through a real file, as the command
 * reads them. Contract (Ingestor): with valid options, malformed content never escapes as an exception, not even a
 * TunerException: every record is accepted or rejected with its location, a file with no record counts as one
 * rejection, and every accepted row is a valid measurement that survives the measurements CSV unchanged.
 *
 * <p>Regression inputs: src/test/resources/dev/tuner/core/fuzz/IngestFuzzTestInputs/{llamaBench,vllmServe,ollama}/,
 * seeded with the real tool outputs of src/test/resources/formats/.
 */
class IngestFuzzTest {
  private static final Ingestor INGESTOR = new Ingestor(Catalog.shipped());
  /** What a user states on the command line; Ollama output names neither GPU, model nor quantization. */
  private static final IngestOptions STATED =
      IngestOptions.none().withDevice("RTX 4090").withModel("Llama 3 8B").withQuant("Q4_K_M");
  private static final Path FILE = tempFile();

  @FuzzTest(maxDuration = "60s")
  void llamaBench(byte[] input) {
    ingest(IngestFormat.LLAMA_BENCH, input, IngestOptions.none());
    ingest(IngestFormat.LLAMA_BENCH, input, STATED);
  }

  @FuzzTest(maxDuration = "60s")
  void vllmServe(byte[] input) {
    ingest(IngestFormat.VLLM_SERVE, input, IngestOptions.none());
    ingest(IngestFormat.VLLM_SERVE, input, STATED);
  }

  @FuzzTest(maxDuration = "60s")
  void ollama(byte[] input) {
    ingest(IngestFormat.OLLAMA, input, STATED);
  }

  private static void ingest(IngestFormat format, byte[] input, IngestOptions options) {
    try {
      Files.write(FILE, input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // no try/catch: the Ingestor documents that content never throws
    IngestReport report = INGESTOR.ingest(format, List.of(FILE), options);
    assertThat(report.recordsSeen()).as("a file counts at least as one record").isPositive();
    for (IngestReport.Rejection r : report.rejected()) {
      assertThat(r.origin()).startsWith(FILE.toString());
    }
    if (report.accepted().isEmpty()) {
      return;
    }
    for (Measurement m : report.accepted()) {
      assertThat(m.tokensPerSecond()).isFinite().isPositive();
    }
    StringWriter csv = new StringWriter();
    new MeasurementWriter().write(csv, report.accepted(), true);
    MeasurementCsv.Parsed back = MeasurementCsv.read(new StringReader(csv.toString()), "written");
    assertThat(back.rejections()).as("accepted rows read back from the CSV").isEmpty();
    assertThat(back.measurements()).hasSize(report.accepted().size());
    for (int i = 0; i < back.measurements().size(); i++) {
      assertThat(back.measurements().get(i).tokensPerSecond())
          .isEqualTo(report.accepted().get(i).tokensPerSecond());
      assertThat(back.measurements().get(i).scenario()).isEqualTo(report.accepted().get(i).scenario());
    }
  }

  private static Path tempFile() {
    try {
      Path dir = Files.createTempDirectory("tuner-ingest-fuzz");
      Path file = dir.resolve("bench-output.txt");
      dir.toFile().deleteOnExit();
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
