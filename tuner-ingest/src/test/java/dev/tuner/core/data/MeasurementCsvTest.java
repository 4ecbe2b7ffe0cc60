package dev.tuner.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.Fixtures;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeasurementCsvTest {
  static final String HEADER = "source_id,device,backend,model,params_b,quant,batch,context,phase,tokens_per_s,notes";
  static final String GOOD = "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,512,decode,120.5,tg512";

  @TempDir
  Path dir;

  private Path write(String name, String... lines) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, String.join("\n", lines) + "\n");
    return f;
  }

  @Test
  void aGoodRowBecomesAMeasurementWithItsOrigin() throws IOException {
    Path f = write("good.csv", HEADER, GOOD);
    MeasurementCsv.Parsed p = MeasurementCsv.read(f);
    assertThat(p.rows()).isEqualTo(1);
    assertThat(p.rejections()).isEmpty();
    Measurement m = p.measurements().get(0);
    assertThat(m.origin()).isEqualTo(f + ":2");
    assertThat(m.sourceId()).isEqualTo("src");
    assertThat(m.backend()).isEqualTo("llama.cpp");
    assertThat(m.scenario().device()).isEqualTo("RTX 4090");
    assertThat(m.scenario().model()).isEqualTo("Llama 3 8B");
    assertThat(m.scenario().paramsB()).isEqualTo(8.03);
    assertThat(m.scenario().quant()).isEqualTo("Q4_K_M");
    assertThat(m.scenario().batch()).isEqualTo(1);
    assertThat(m.scenario().context()).isEqualTo(512);
    assertThat(m.scenario().phase()).isEqualTo("decode");
    assertThat(m.tokensPerSecond()).isEqualTo(120.5);
    assertThat(m.notes()).isEqualTo("tg512");
  }

  /** Each bad row is rejected on its own, naming file:line, the field and what was wrong; good rows still load. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,512,decode,-5,     | tokens_per_s = -5 is invalid    | positive",
      "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,512,decode,0,      | tokens_per_s = 0 is invalid     | positive",
      "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,512,decode,NaN,    | tokens_per_s = \"NaN\"          | finite",
      "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,512,decode,Infinity, | tokens_per_s = \"Infinity\"   | finite",
      "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,512,decode,,       | tokens_per_s = empty            | positive",
      "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,eight,512,decode,9,  | batch = \"eight\"               | whole number",
      "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1.5,512,decode,9,    | batch = \"1.5\"                 | whole number",
      "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,,decode,9,         | context = empty                 | whole number",
      "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,,1,512,decode,9,            | quant = empty                   | a value",
      "src,RTX 4090,llama.cpp,Llama 3 8B,eight,Q4_K_M,1,512,decode,9,     | params_b = \"eight\"            | finite"})
  void aBadRowIsRejectedWithFileLineAndReason(String bad, String reason, String allowed) throws IOException {
    Path f = write("bad.csv", HEADER, GOOD, bad.strip(), GOOD);
    MeasurementCsv.Parsed p = MeasurementCsv.read(f);
    assertThat(p.rows()).isEqualTo(3);
    assertThat(p.measurements()).extracting(Measurement::origin).containsExactly(f + ":2", f + ":4");
    assertThat(p.rejections()).singleElement().satisfies(r -> {
      assertThat(r.origin()).isEqualTo(f + ":3");
      assertThat(r.reason()).contains(reason.strip()).contains(allowed.strip());
    });
  }

  @Test
  void aBadFlagIsRejectedNamingTheAcceptedSpellings() throws IOException {
    Path f = write("flags.csv", HEADER + ",cuda_graphs", GOOD + ",maybe", GOOD + ",yes");
    MeasurementCsv.Parsed p = MeasurementCsv.read(f);
    assertThat(p.rejections()).singleElement().satisfies(r -> {
      assertThat(r.origin()).endsWith(":2");
      assertThat(r.reason()).contains("cuda_graphs").contains("maybe").contains("true/false");
    });
    assertThat(p.measurements().get(0).scenario().cudaGraphs()).isTrue();
  }

  /** The software columns reach the scenario: 2025-08 and hipBLASLt, blank meaning unknown and the backend's own. */
  @Test
  void theBuildMonthAndTheBlasLibraryAreRead() throws IOException {
    // hipBLASLt is a ROCm library: the row names an AMD device, whose unstated backend is ROCm
    String amd = GOOD.replace("RTX 4090", "AMD Radeon RX 7900 XTX");
    Path f = write("software.csv", HEADER + ",build_date,blas", amd + ",2025-08,hipblaslt", GOOD + ",,");
    MeasurementCsv.Parsed p = MeasurementCsv.read(f);
    assertThat(p.rejections()).isEmpty();
    Scenario dated = p.measurements().get(0).scenario().resolve(Fixtures.CATALOG);
    assertThat(dated.engine().buildDate()).contains(java.time.YearMonth.of(2025, 8));
    assertThat(dated.engine().blas()).isEqualTo(dev.tuner.core.scenario.BlasLibrary.HIPBLASLT);
    assertThat(dated.engine().backend()).isEqualTo(dev.tuner.core.scenario.Backend.ROCM);
    Scenario undated = p.measurements().get(1).scenario().resolve(Fixtures.CATALOG);
    assertThat(undated.engine().buildDate()).isEmpty();
    assertThat(undated.engine().blas()).isEqualTo(dev.tuner.core.scenario.BlasLibrary.DEFAULT);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "2025-13  |     | build_date | YYYY-MM",
      "Aug 2025 |     | build_date | YYYY-MM",
      "2019-05  |     | build_date | 2023-01",
      "         | mkl | blas       | hipblaslt"})
  void aBadBuildMonthOrBlasIsRejectedNamingTheColumn(String date, String blas, String column, String allowed)
      throws IOException {
    Path f = write("bad-software.csv", HEADER + ",build_date,blas",
        GOOD + "," + (date == null ? "" : date.strip()) + "," + (blas == null ? "" : blas.strip()));
    MeasurementCsv.Parsed p = MeasurementCsv.read(f);
    assertThat(p.measurements()).isEmpty();
    assertThat(p.rejections()).singleElement().satisfies(r ->
        assertThat(r.reason()).contains(column.strip(), allowed.strip()));
  }

  @Test
  void extraColumnsAreIgnoredAndColumnOrderDoesNotMatter() throws IOException {
    Path f = write("extra.csv",
        "gpu_temp_c,TOKENS_PER_S, Phase ,context,batch,quant,model,device,comment",
        "71,99.5,decode,1024,4,Q8_0,Llama 3 8B,RTX 4090,whatever");
    MeasurementCsv.Parsed p = MeasurementCsv.read(f);
    assertThat(p.rejections()).isEmpty();
    Measurement m = p.measurements().get(0);
    assertThat(m.tokensPerSecond()).isEqualTo(99.5);
    assertThat(m.scenario().batch()).isEqualTo(4);
    assertThat(m.scenario().context()).isEqualTo(1024);
    assertThat(m.scenario().quant()).isEqualTo("Q8_0");
    assertThat(m.notes()).isEmpty();
  }

  @Test
  void quotedFieldsMayHoldCommasQuotesAndLineBreaks() throws IOException {
    Path f = write("quoted.csv", HEADER,
        "src,\"RTX 4090\",\"llama.cpp, CUDA\",Llama 3 8B,8.03,Q4_K_M,1,512,decode,120.5,\"tg512, \"\"fast\"\", run 1\"",
        "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,2,512,decode,200,\"two",
        "lines\"",
        "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,4,512,decode,oops,");
    MeasurementCsv.Parsed p = MeasurementCsv.read(f);
    assertThat(p.measurements()).hasSize(2);
    assertThat(p.measurements().get(0).backend()).isEqualTo("llama.cpp, CUDA");
    assertThat(p.measurements().get(0).notes()).isEqualTo("tg512, \"fast\", run 1");
    assertThat(p.measurements().get(1).notes()).isEqualTo("two\nlines");
    // the row after a quoted line break is reported at the physical line it starts on
    assertThat(p.rejections()).singleElement().satisfies(r -> assertThat(r.origin()).isEqualTo(f + ":5"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "source_id,device,model,quant,batch,context,phase,notes       | tokens_per_s",
      "source_id,device,model,quant,batch,phase,tokens_per_s        | context",
      "device,model,batch,context,phase,tokens_per_s                | quant",
      "model,quant,batch,context,phase,tokens_per_s                 | a device or mem_bw_gbs column",
      "device,quant,batch,context,phase,tokens_per_s                | a model or params_b column"})
  void aHeaderMissingARequiredColumnIsASpecificError(String header, String missing) throws IOException {
    Path f = write("header.csv", header.strip(), "x,y,z");
    assertThatThrownBy(() -> MeasurementCsv.read(f))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("header")
        .hasMessageContaining(missing.strip());
  }

  @Test
  void explicitFiguresStandInForCatalogNames() throws IOException {
    Path f = write("explicit.csv", "mem_bw_gbs,params_b,quant,batch,context,phase,tokens_per_s,layers",
        "1008,7,Q4_0,1,0,decode,200,32");
    Measurement m = MeasurementCsv.read(f).measurements().get(0);
    assertThat(m.scenario().memBandwidthGBs()).isEqualTo(1008.0);
    assertThat(m.scenario().layers()).isEqualTo(32);
    assertThat(m.deviceName()).isEqualTo("custom device");
  }

  /** A device missing from the catalog, described by its figures including the vector peak, which the roofline uses. */
  @Test
  void anExplicitFp32PeakIsReadAndUsed() throws IOException {
    Path f = write("explicit.csv",
        "mem_bw_gbs,fp16_tflops,fp32_tflops,params_b,quant,batch,context,phase,tokens_per_s",
        "1200,300,75,7,Q4_0,1,512,decode,200",
        "1200,300,-75,7,Q4_0,1,512,decode,200",
        "1200,300,lots,7,Q4_0,1,512,decode,200");
    MeasurementCsv.Parsed p = MeasurementCsv.read(f);
    Measurement m = p.measurements().get(0);
    assertThat(m.scenario().fp32Tflops()).isEqualTo(75.0);
    Scenario s = m.scenario().resolve(Fixtures.CATALOG);
    assertThat(s.device().fp32Tflops()).hasValue(75.0);
    assertThat(new Roofline(Fixtures.CATALOG).compute(s).vectorTflops()).isEqualTo(75.0);
    assertThat(p.rejections()).singleElement().satisfies(r -> {
      assertThat(r.origin()).isEqualTo(f + ":4");
      assertThat(r.reason()).contains("fp32_tflops = \"lots\"").contains("a finite number");
    });
    assertThatThrownBy(() -> p.measurements().get(1).scenario().resolve(Fixtures.CATALOG))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("device FP32 vector peak = -75")
        .hasMessageContaining("[0.001, 100000] TFLOPS");
  }

  @Test
  void anEmptyFileAndAnUnterminatedQuoteAreErrorsNamingTheFile() throws IOException {
    Path empty = write("empty.csv");
    assertThatThrownBy(() -> MeasurementCsv.read(empty)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(empty.toString()).hasMessageContaining("header");
    Path open = write("open.csv", HEADER, GOOD, "src,\"RTX 4090,llama.cpp");
    assertThatThrownBy(() -> MeasurementCsv.read(open)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(open + ":3").hasMessageContaining("unterminated");
    Path missing = dir.resolve("missing.csv");
    assertThatThrownBy(() -> MeasurementCsv.read(missing)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void flagsInNotesAreRecognisedCaseInsensitively() {
    Measurement e2e = new Measurement("f:1", "", "", dev.tuner.core.scenario.ScenarioRequest.of("m", "d", "q", 1, 1,
        "decode"), 1, "TensorRT-LLM e2e throughput");
    assertThat(e2e.isEndToEnd()).isTrue();
    assertThat(e2e.isSuspect()).isFalse();
  }

  /**
   * A prompt measured on an engine that runs it in one pass (TensorRT-LLM, MLC LLM) has no n_ubatch of 512: a blank
   * one is the step's prompt tokens, so its roofline reads the weights once. llama.cpp rows, rows naming only an API
   * and decode rows keep llama-bench's default; a stated n_ubatch is kept.
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "TensorRT-LLM       | 2 | 2048 | prefill | | 4096",
      "MLC LLM (CUDA)     | 1 | 1000 | prefill | | 1000",
      "llama.cpp CUDA     | 1 | 2048 | prefill | | ",
      "Metal              | 1 | 2048 | prefill | | ",
      "                   | 1 | 2048 | prefill | | ",
      "TensorRT-LLM       | 1 | 2048 | decode  | | ",
      "TensorRT-LLM       | 1 | 2048 | prefill | 256 | 256"})
  void aBlankNUbatchIsThePromptOnlyForEnginesThatRunItInOnePass(String backend, int batch, int context, String phase,
      String given, Integer expected) throws IOException {
    Path f = write("engines.csv", String.join(",", MeasurementCsv.HEADER),
        "src,RTX 4090," + (backend == null ? "" : backend) + ",Llama 3 8B,,Q4_K_M," + batch + "," + context + ",0,"
            + phase + ",900," + (given == null ? "" : given) + ",,,,,,,,,,,");
    MeasurementCsv.Parsed p = MeasurementCsv.read(f);
    assertThat(p.rejections()).isEmpty();
    assertThat(p.measurements().get(0).scenario().nUbatch()).isEqualTo(expected);
  }
}
