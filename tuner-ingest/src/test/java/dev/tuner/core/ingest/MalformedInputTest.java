package dev.tuner.core.ingest;

import static dev.tuner.core.ingest.Ingest.at;
import static dev.tuner.core.ingest.Ingest.rejectedAt;
import static dev.tuner.core.ingest.IngestFormat.LLAMA_BENCH;
import static dev.tuner.core.ingest.IngestFormat.VLLM_SERVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MalformedInputTest {
  @TempDir
  Path dir;

  @Test
  void aTruncatedJsonArrayKeepsItsCompleteRecords() throws IOException {
    String json = Files.readString(TestCatalog.sample("llama-bench-sample2-2025-b5163.json"));
    String cut = json.substring(0, json.indexOf("\"n_prompt\": 0"));
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "cut.json", cut, IngestOptions.none());
    assertThat(r.accepted()).hasSize(1);
    assertThat(at(r, 2).tokensPerSecond()).isEqualTo(7100.002165);
    assertThat(rejectedAt(r, 39).reason()).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejectedAt(r, 39).detail()).contains("truncated", "line 39");
  }

  @Test
  void aBrokenLineInsideOneRecordCostsOnlyThatRecord() throws IOException {
    String json = Files.readString(TestCatalog.sample("llama-bench-sample2-2025-b5163.json"));
    String broken = json.replaceFirst("\"cpu_strict\": false", "\"cpu_strict\": f\n\talse");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "broken.json", broken, IngestOptions.none());
    assertThat(r.accepted()).hasSize(1);
    assertThat(rejectedAt(r, 2).reason()).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejectedAt(r, 2).detail()).contains("invalid JSON at line 16, column 19");
  }

  @Test
  void strayTextInsideTheArrayIsReported() throws IOException {
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "stray.json", "[\n  …\n]\n", IngestOptions.none());
    assertThat(rejectedAt(r, 2).reason()).isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void missingOrImpossibleTokensPerSecond() throws IOException {
    String missing = LlamaBenchIngestTest.record(Map.of(), "avg_ts", "samples_ts");
    String negative = LlamaBenchIngestTest.record(Map.of("avg_ts", -5.0), "samples_ts");
    String nan = LlamaBenchIngestTest.record(Map.of(), "samples_ts").replaceFirst("\"avg_ts\":[0-9.]+", "\"avg_ts\":NaN");
    String text = LlamaBenchIngestTest.record(Map.of("avg_ts", "fast"), "samples_ts");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "ts.jsonl", String.join("\n", missing, negative, nan, text) + "\n",
        IngestOptions.none());
    assertThat(r.accepted()).isEmpty();
    assertThat(rejectedAt(r, 1).reason()).isEqualTo(RejectReason.MISSING_FIELD);
    assertThat(rejectedAt(r, 1).detail()).contains("avg_ts");
    assertThat(rejectedAt(r, 2).reason()).isEqualTo(RejectReason.BAD_VALUE);
    assertThat(rejectedAt(r, 2).detail()).contains("avg_ts = -5.0", "positive");
    assertThat(rejectedAt(r, 3).reason()).isEqualTo(RejectReason.BAD_VALUE);
    assertThat(rejectedAt(r, 3).detail()).contains("NaN");
    assertThat(rejectedAt(r, 4).detail()).contains("avg_ts = \"fast\"");
  }

  @Test
  void aMarkdownTableWithBrokenRows() throws IOException {
    String md = """
        | model | size | params | backend | ngl | test | t/s |
        | ----- | ---: | -----: | ------- | --: | ---: | --: |
        | llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | pp512 | 4000.00 ± 10.00 |
        | llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg128
        | llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | tg128 | nan ± nan |
        | llama 7B Q4_0 | 3.56 GiB | 6.74 B | CUDA | 99 | xx99 | 10.00 ± 1.00 |
        | llama 7B Q4_0 | 3.56 GiB | lots | CUDA | 99 | tg128 | 10.00 ± 1.00 |
        """;
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "broken.md", md, IngestOptions.none().withDevice("RTX 4090"));
    assertThat(r.accepted()).hasSize(1);
    assertThat(rejectedAt(r, 4).reason()).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejectedAt(r, 4).detail()).contains("6 cells", "7");
    assertThat(rejectedAt(r, 5).reason()).isEqualTo(RejectReason.BAD_VALUE);
    assertThat(rejectedAt(r, 6).detail()).contains("test = \"xx99\"");
    assertThat(rejectedAt(r, 7).detail()).contains("params = \"lots\"");
  }

  @Test
  void theCsvDocumentationBugWithOneValueTooManyPerRow() throws IOException {
    List<String> lines = Files.readAllLines(TestCatalog.sample("llama-bench-sample1-2023-b1275.csv"));
    String header = lines.get(0).replace("opencl,", "");
    IngestReport r = Ingest.text(LLAMA_BENCH, dir, "bug.csv", header + "\n" + lines.get(1) + "\n" + lines.get(2),
        IngestOptions.none());
    assertThat(r.rejectedByReason()).containsExactly(Map.entry(RejectReason.MALFORMED, 2));
    assertThat(rejectedAt(r, 2).detail()).isEqualTo("the row has 27 fields, the header 26");
  }

  @Test
  void emptyBlankBinaryAndNonUtf8Files() throws IOException {
    IngestReport empty = Ingest.text(LLAMA_BENCH, dir, "empty.json", "", IngestOptions.none());
    assertThat(empty.rejected()).singleElement().satisfies(x -> {
      assertThat(x.reason()).isEqualTo(RejectReason.NO_RECORDS);
      assertThat(x.origin()).endsWith("empty.json");
    });
    IngestReport blank = Ingest.text(VLLM_SERVE, dir, "blank.json", "\n  \n", IngestOptions.none());
    assertThat(blank.rejectedByReason()).containsExactly(Map.entry(RejectReason.NO_RECORDS, 1));

    Path binary = dir.resolve("junk.bin");
    Files.write(binary, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0});
    IngestReport junk = new Ingestor(TestCatalog.create()).ingest(LLAMA_BENCH, List.of(binary), IngestOptions.none());
    assertThat(junk.rejected()).singleElement().satisfies(x -> {
      assertThat(x.reason()).isEqualTo(RejectReason.NOT_TEXT);
      assertThat(x.detail()).contains("offset 7");
    });

    Path latin1 = dir.resolve("latin1.md");
    Files.write(latin1, "| model | t/s |\n| - | - |\n| x | 1.0 \u00b1 0.1 |\n".getBytes(
        java.nio.charset.StandardCharsets.ISO_8859_1));
    IngestReport notUtf8 = new Ingestor(TestCatalog.create()).ingest(LLAMA_BENCH, List.of(latin1),
        IngestOptions.none());
    assertThat(notUtf8.rejectedByReason()).containsExactly(Map.entry(RejectReason.NOT_TEXT, 1));

    IngestReport prose = Ingest.text(LLAMA_BENCH, dir, "prose.txt", "just some words\n", IngestOptions.none());
    assertThat(prose.rejectedByReason()).containsExactly(Map.entry(RejectReason.UNSUPPORTED, 1));
  }

  @Test
  void filesOverTheLimitAreRefusedUnread() throws IOException {
    Path big = dir.resolve("big.json");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(SourceText.MAX_BYTES + 1L);
    }
    IngestReport r = new Ingestor(TestCatalog.create()).ingest(LLAMA_BENCH, List.of(big), IngestOptions.none());
    assertThat(r.rejectedByReason()).containsExactly(Map.entry(RejectReason.TOO_LARGE, 1));
  }

  @Test
  void deepNestingIsRefusedByTheParser() throws IOException {
    String deep = "{\"a\": " + "[".repeat(200) + "]".repeat(200) + "}\n";
    IngestReport r = Ingest.text(VLLM_SERVE, dir, "deep.json", deep, IngestOptions.none());
    assertThat(rejectedAt(r, 1).reason()).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejectedAt(r, 1).detail()).contains("nesting depth");
  }

  @Test
  void usageErrorsAreInvalidInputExceptions() {
    Ingestor ingestor = new Ingestor(TestCatalog.create());
    Path sample = TestCatalog.sample("llama-bench-sample1-2023-b1275.json");
    assertThatThrownBy(() -> ingestor.ingest(LLAMA_BENCH, List.of(dir.resolve("nope.json")), IngestOptions.none()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nope.json");
    assertThatThrownBy(() -> ingestor.ingest(LLAMA_BENCH, List.of(sample), IngestOptions.none().withDevice("RTX 9999")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--device")
        .hasMessageContaining("closest");
    assertThatThrownBy(() -> ingestor.ingest(LLAMA_BENCH, List.of(sample), IngestOptions.none().withQuant("Q9_9")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--quant");
    assertThatThrownBy(() -> ingestor.ingest(LLAMA_BENCH, List.of(sample), IngestOptions.none().withSourceId(" ")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--source-id");
  }

  @Test
  void otherToolsOutputIsNeverTakenForOneOfOurFormats() {
    IngestOptions stated = IngestOptions.none().withDevice("RTX 4090").withModel("Llama 2 7B").withQuant("Q4_0");
    for (String other : List.of("sglang-bench-one-batch-pr30147.txt", "sglang-bench-serving-issue6681.txt",
        "trtllm-bench-issue6294.txt", "trtllm-bench-pr7104.txt", "vllm-throughput-console-pr8914.txt")) {
      for (IngestFormat format : IngestFormat.values()) {
        IngestReport r = Ingest.sample(format, other, stated);
        assertThat(r.accepted()).as("%s read as %s", other, format).isEmpty();
        assertThat(r.rejected()).as("%s read as %s", other, format).isNotEmpty();
      }
    }
  }

  @Test
  void formatIdsParseAndUnknownOnesListTheIds() {
    assertThat(IngestFormat.parse("LLAMA-BENCH")).isEqualTo(LLAMA_BENCH);
    assertThat(IngestFormat.parse("vllm-serve")).isEqualTo(VLLM_SERVE);
    assertThat(IngestFormat.parse("ollama")).isEqualTo(IngestFormat.OLLAMA);
    assertThatThrownBy(() -> IngestFormat.parse("sglang"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("llama-bench, vllm-serve, ollama");
  }
}
