package dev.tuner.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.data.Measurement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Shortcuts for the ingestion tests. */
final class Ingest {
  private Ingest() {}

  static IngestReport sample(IngestFormat format, String name, IngestOptions options) {
    IngestReport r = new Ingestor(TestCatalog.create()).ingest(format, List.of(TestCatalog.sample(name)), options);
    assertThat(r.recordsSeen()).isEqualTo(r.accepted().size() + r.rejected().size());
    return r;
  }

  static IngestReport text(IngestFormat format, Path dir, String fileName, String content, IngestOptions options)
      throws IOException {
    Path file = dir.resolve(fileName);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return new Ingestor(TestCatalog.create()).ingest(format, List.of(file), options);
  }

  /** The accepted measurement whose origin ends with {@code :line}. */
  static Measurement at(IngestReport r, int line) {
    return r.accepted().stream().filter(m -> m.origin().endsWith(":" + line)).findFirst()
        .orElseThrow(() -> new AssertionError("no accepted record at line " + line + ": " + r.rejected()));
  }

  static IngestReport.Rejection rejectedAt(IngestReport r, int line) {
    return r.rejected().stream().filter(x -> x.origin().endsWith(":" + line)).findFirst()
        .orElseThrow(() -> new AssertionError("no rejection at line " + line + ": " + r.rejected()));
  }
}
