package dev.tuner.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.TunerException;
import dev.tuner.core.data.MeasurementWriter.WriteOptions;
import dev.tuner.core.data.MeasurementWriter.WriteReport;
import dev.tuner.core.scenario.ScenarioRequest;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasurementWriterTest {
  private static final WriteOptions CREATE = WriteOptions.create();
  private static final WriteOptions APPEND = new WriteOptions(true, false, false);

  @TempDir
  Path dir;

  private static Measurement plain(String origin, String device, int context, double tps) {
    return new Measurement(origin, "ingest:x.json", "llama.cpp CUDA",
        ScenarioRequest.of("Llama 2 7B", device, "Q4_0", 1, context, "decode"), tps, "llama-bench tg128");
  }

  /** Every column the format has, and text that needs quoting. */
  private static Measurement full() {
    ScenarioRequest s = new ScenarioRequest(null, null, "Q4_K_M", 4, 4608, "prefill", "q8_0", true, "fused", null,
        6.738415616, 4096, 32, 32, 8, 128, 32000, 1008.0, 330.3, 82.6, 128, 72.0, 24.0);
    return new Measurement("a.json:7", "src, with \"quotes\"", "llama.cpp CUDA,RPC", s, 7100.002165,
        "line one\nline two; ± 140.34 t/s, \"quoted\"");
  }

  private static void assertSame(Measurement read, Measurement written) {
    assertThat(read.sourceId()).isEqualTo(written.sourceId());
    assertThat(read.backend()).isEqualTo(written.backend());
    assertThat(read.scenario()).isEqualTo(written.scenario());
    assertThat(read.tokensPerSecond()).isEqualTo(written.tokensPerSecond());
    assertThat(read.notes()).isEqualTo(written.notes());
  }

  @Test
  void theBuildMonthAndBlasRoundTrip() {
    Path out = dir.resolve("software.csv");
    ScenarioRequest p = ScenarioRequest.of("Llama 2 7B", "RTX 4090", "Q4_0", 1, 512, "prefill");
    ScenarioRequest s = new ScenarioRequest(p.model(), p.device(), p.quant(), p.batch(), p.context(), p.phase(), null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, "llama.cpp ROCm", "b6077", null, null, "2025-08", "hipblaslt");
    Measurement m = new Measurement("a:1", "src", "llama.cpp ROCm", s, 1023.5, "pp512");
    new MeasurementWriter().write(out, List.of(m), CREATE);
    MeasurementCsv.Parsed back = MeasurementCsv.read(out);
    assertThat(back.rejections()).isEmpty();
    assertSame(back.measurements().get(0), m);
    assertThat(back.measurements().get(0).scenario().buildDate()).isEqualTo("2025-08");
    assertThat(back.measurements().get(0).scenario().blas()).isEqualTo("hipblaslt");
  }

  @Test
  void roundTripThroughTheReader() {
    Path out = dir.resolve("m.csv");
    List<Measurement> rows = List.of(plain("a:1", "RTX 4090", 128, 130.965708), full());
    WriteReport report = new MeasurementWriter().write(out, rows, CREATE);
    assertThat(report.rowsAdded()).isEqualTo(2);
    assertThat(report.rowsKept()).isZero();
    MeasurementCsv.Parsed back = MeasurementCsv.read(out);
    assertThat(back.rejections()).isEmpty();
    assertThat(back.measurements()).hasSize(2);
    assertSame(back.measurements().get(0), rows.get(0));
    assertSame(back.measurements().get(1), rows.get(1));
    assertThat(back.measurements().get(1).origin()).isEqualTo(out + ":3");
  }

  @Test
  void theHeaderHasOptionalColumnsOnlyWhenARowNeedsThem() {
    assertThat(MeasurementWriter.header(List.of(plain("a:1", "RTX 4090", 128, 1)))).isEqualTo(MeasurementCsv.HEADER);
    List<String> header = MeasurementWriter.header(List.of(full()));
    assertThat(header.subList(0, MeasurementCsv.HEADER.size())).isEqualTo(MeasurementCsv.HEADER);
    assertThat(header.subList(MeasurementCsv.HEADER.size(), header.size())).isEqualTo(MeasurementCsv.OPTIONAL);
  }

  @Test
  void anExistingFileIsNotReplacedWithoutForce() throws IOException {
    Path out = dir.resolve("m.csv");
    Files.writeString(out, "precious\n");
    MeasurementWriter writer = new MeasurementWriter();
    List<Measurement> rows = List.of(plain("a:1", "RTX 4090", 128, 100));
    assertThatThrownBy(() -> writer.write(out, rows, CREATE))
        .isInstanceOf(TunerException.class)
        .hasMessageContaining("--force")
        .hasMessageContaining("--append");
    assertThat(Files.readString(out)).isEqualTo("precious\n");
    writer.write(out, rows, new WriteOptions(false, true, false));
    assertThat(MeasurementCsv.read(out).measurements()).hasSize(1);
  }

  @Test
  void appendKeepsEveryExistingRowByteForByte() throws IOException {
    Path out = dir.resolve("m.csv");
    String existing = "source_id,device,backend,model,params_b,quant,batch,context,phase,tokens_per_s,notes,verified\r\n"
        + "xd,RTX 3070,llama.cpp CUDA,Llama 2 7B,6.74,Q4_0,1,512,decode,72.79,\"a, quoted\"\"note\",yes\r\n"
        + "xd, RTX 3070 ,llama.cpp CUDA,Llama 2 7B,,Q4_0,1,1024,decode,70.94,,no";
    byte[] before = existing.getBytes(StandardCharsets.UTF_8);
    Files.write(out, before);
    WriteReport report = new MeasurementWriter().write(out, List.of(plain("b:2", "RTX 4090", 128, 150.5)), APPEND);
    byte[] after = Files.readAllBytes(out);
    assertThat(new String(after, 0, before.length, StandardCharsets.UTF_8)).isEqualTo(existing);
    assertThat(new String(after, before.length, after.length - before.length, StandardCharsets.UTF_8))
        .isEqualTo("\r\ningest:x.json,RTX 4090,llama.cpp CUDA,Llama 2 7B,,Q4_0,1,128,decode,150.5,llama-bench tg128,\r\n");
    assertThat(report.rowsKept()).isEqualTo(2);
    assertThat(report.rowsAdded()).isEqualTo(1);
    assertThat(report.columnsAdded()).isEmpty();
    assertThat(MeasurementCsv.read(out).measurements()).hasSize(3);
  }

  @Test
  void duplicatesAreReportedWithBothOriginsAndNotWrittenTwice() throws IOException {
    Path out = dir.resolve("m.csv");
    MeasurementWriter writer = new MeasurementWriter();
    writer.write(out, List.of(plain("first.json:2", "RTX 4090", 128, 130.5)), CREATE);
    Measurement again = new Measurement("second.json:9", "other", "llama.cpp CUDA",
        ScenarioRequest.of("llama 2 7b", "rtx4090", "Q4_0", 1, 128, "Decode"), 130.5, "different notes");
    Measurement fresh = plain("second.json:12", "RTX 4090", 512, 120.0);
    Measurement freshTwice = plain("second.json:20", "RTX 4090", 512, 120.0);
    WriteReport report = writer.write(out, List.of(again, fresh, freshTwice), APPEND);
    assertThat(report.rowsAdded()).isEqualTo(1);
    assertThat(report.duplicates()).hasSize(2);
    assertThat(report.duplicates().get(0).kept().origin()).isEqualTo(out + ":2");
    assertThat(report.duplicates().get(0).duplicate().origin()).isEqualTo("second.json:9");
    assertThat(report.duplicates().get(1).kept().origin()).isEqualTo("second.json:12");
    assertThat(report.duplicates().get(1).duplicate().origin()).isEqualTo("second.json:20");
    assertThat(MeasurementCsv.read(out).measurements()).hasSize(2);

    WriteReport anyway = writer.write(out, List.of(again), new WriteOptions(true, false, true));
    assertThat(anyway.duplicates()).hasSize(1);
    assertThat(anyway.duplicatesWritten()).isTrue();
    assertThat(MeasurementCsv.read(out).measurements()).hasSize(3);
  }

  @Test
  void appendExtendsTheHeaderWhenNewRowsNeedColumnsAndKeepsOldValues() throws IOException {
    Path out = dir.resolve("m.csv");
    MeasurementWriter writer = new MeasurementWriter();
    List<Measurement> old = List.of(plain("a:1", "RTX 3070", 512, 72.79), plain("a:2", "RTX 3070", 1024, 70.94));
    writer.write(out, old, CREATE);
    List<String> oldLines = Files.readAllLines(out);
    WriteReport report = writer.write(out, List.of(full()), APPEND);
    assertThat(report.columnsAdded()).isEqualTo(MeasurementCsv.OPTIONAL);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0)).isEqualTo(oldLines.get(0) + "," + String.join(",", MeasurementCsv.OPTIONAL));
    assertThat(lines.subList(1, 3)).isEqualTo(oldLines.subList(1, 3));
    MeasurementCsv.Parsed back = MeasurementCsv.read(out);
    assertThat(back.measurements()).hasSize(3);
    assertSame(back.measurements().get(0), old.get(0));
    assertSame(back.measurements().get(1), old.get(1));
    assertSame(back.measurements().get(2), full());
  }

  @Test
  void theHeaderIsNotExtendedOverRowsLongerThanIt() throws IOException {
    Path out = dir.resolve("m.csv");
    String existing = "device,model,quant,batch,context,phase,tokens_per_s\nRTX 3070,Llama 2 7B,Q4_0,1,512,decode,72.79,x\n";
    Files.writeString(out, existing);
    assertThatThrownBy(() -> new MeasurementWriter().write(out, List.of(full()), APPEND))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(out + ":2");
    assertThat(Files.readString(out)).isEqualTo(existing);
  }

  @Test
  void aFailureWhileWritingLeavesTheOldFileIntact() throws IOException {
    Path out = dir.resolve("m.csv");
    new MeasurementWriter().write(out, List.of(plain("a:1", "RTX 3070", 512, 72.79)), CREATE);
    byte[] before = Files.readAllBytes(out);
    MeasurementWriter failing = new MeasurementWriter(stream -> new FilterOutputStream(stream) {
      private int written;

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        for (int i = 0; i < len; i++) {
          write(b[off + i]);
        }
      }

      @Override
      public void write(int b) throws IOException {
        if (++written > 40) {
          throw new IOException("disk full (simulated)");
        }
        super.write(b);
      }
    });
    List<Measurement> more = List.of(plain("b:1", "RTX 4090", 128, 150));
    assertThatThrownBy(() -> failing.write(out, more, APPEND))
        .isInstanceOf(TunerException.class)
        .hasMessageContaining("disk full");
    assertThatThrownBy(() -> failing.write(out, more, new WriteOptions(false, true, false)))
        .isInstanceOf(TunerException.class);
    assertThat(Files.readAllBytes(out)).isEqualTo(before);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(out);
    }
  }

  @Test
  void rowsTheFormatCannotHoldAreRefusedBeforeWriting() {
    Path out = dir.resolve("m.csv");
    ScenarioRequest zeroCopy = new ScenarioRequest("Llama 2 7B", "RTX 4090", "Q4_0", 1, 128, "decode", null, null,
        null, true, null, null, null, null, null, null, null, null, null, null, null, null, null);
    Measurement m = new Measurement("z:1", "", "", zeroCopy, 10, "");
    assertThatThrownBy(() -> new MeasurementWriter().write(out, List.of(m), CREATE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("z:1")
        .hasMessageContaining("zeroCopy");
    Measurement padded = new Measurement("p:1", "", "", ScenarioRequest.of(" Llama 2 7B", "RTX 4090", "Q4_0", 1, 128,
        "decode"), 10, "");
    assertThatThrownBy(() -> new MeasurementWriter().write(out, List.of(padded), CREATE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("model");
    Measurement nan = plain("n:1", "RTX 4090", 128, Double.NaN);
    assertThatThrownBy(() -> new MeasurementWriter().write(out, List.of(nan), CREATE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("tokens_per_s");
    assertThat(Files.exists(out)).isFalse();
  }

  @Test
  void writesAWholeCsvToAStream() {
    StringWriter out = new StringWriter();
    List<Measurement> rows = List.of(plain("a:1", "RTX 4090", 128, 130.5), plain("a:2", "RTX 4090", 128, 130.5));
    WriteReport report = new MeasurementWriter().write(out, rows, false);
    assertThat(report.target()).isEmpty();
    assertThat(report.rowsAdded()).isEqualTo(1);
    assertThat(report.duplicates()).hasSize(1);
    MeasurementCsv.Parsed back = MeasurementCsv.read(new StringReader(out.toString()), "stdout");
    assertThat(back.measurements()).hasSize(1);
    assertSame(back.measurements().get(0), rows.get(0));
  }
}
