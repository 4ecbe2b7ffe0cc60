package dev.tuner.core.data;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.ScenarioRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
  static final String HEADER = MeasurementCsvTest.HEADER;
  static final String DECODE = "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,512,decode,120.5,tg512";
  static final String E2E =
      "src,H100 SXM5 80GB,TensorRT-LLM,Llama 2 7B,6.74,FP8,64,2048,decode,3000,E2E max throughput";
  static final String SUSPECT = "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,4096,decode,130,SUSPECT: odd";
  static final String UNKNOWN_DEVICE = "src,RTX 4099,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,512,decode,120,typo";
  /** 5000 tokens/s at batch 1 on a 1008 GB/s card reading ~4.5 GB of weights per token: impossible. */
  static final String ABOVE = "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_0,1,0,decode,5000,too good";
  static final String INVALID = "src,RTX 4090,llama.cpp,Llama 3 8B,8.03,Q4_K_M,1,512,decode,-1,negative";

  private final Roofline roofline = new Roofline(CATALOG);

  @TempDir
  Path dir;

  private Path write(String name, String... rows) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, HEADER + "\n" + String.join("\n", rows) + "\n");
    return f;
  }

  private Dataset.Prepared load(Dataset.Options options, Path... files) {
    return Dataset.load(List.of(files), CATALOG, roofline, options);
  }

  @Test
  void flaggedRowsAreSkippedByDefaultAndCountedPerReasonButNoRowIsDroppedForItsLabel() throws IOException {
    Path f = write("mixed.csv", DECODE, E2E, SUSPECT, UNKNOWN_DEVICE, ABOVE, INVALID, DECODE);
    Dataset.Prepared p = load(Dataset.Options.defaults(), f);
    assertThat(p.rowsRead()).isEqualTo(7);
    assertThat(p.examples()).extracting(e -> e.measurement().origin())
        .containsExactly(f + ":2", f + ":6", f + ":8");
    assertThat(p.skippedByReason()).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
        "E2E (not pure decode)", 1, "SUSPECT", 1, "unresolvable scenario", 1, "invalid row", 1)));
    assertThat(p.skipped()).extracting(Dataset.Skipped::origin)
        .containsExactlyInAnyOrder(f + ":3", f + ":4", f + ":5", f + ":7");
    assertThat(p.summary())
        .contains("read 7 rows from 1 file(s); used 3 (1 above their roofline")
        .contains("skipped 4")
        .contains("SUSPECT 1");
  }

  @Test
  void anUnknownDeviceIsAnUnresolvableScenarioNamingTheDeviceAndCloseMatches() throws IOException {
    Path f = write("typo.csv", UNKNOWN_DEVICE);
    Dataset.Skipped s = load(Dataset.Options.defaults(), f).skipped().get(0);
    assertThat(s.origin()).isEqualTo(f + ":2");
    assertThat(s.reason()).isEqualTo("unresolvable scenario");
    assertThat(s.detail()).contains("RTX 4099").contains("RTX 4090");
  }

  @Test
  void aRowAboveItsOwnRooflineIsKeptAndReported() throws IOException {
    Path f = write("above.csv", ABOVE);
    Dataset.Prepared p = load(Dataset.Options.defaults(), f);
    double roof = roofline.compute(ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_0", 1, 0, "decode")
        .resolve(CATALOG)).tokensPerSecond();
    assertThat(roof).isLessThan(5000);
    assertThat(p.skipped()).isEmpty();
    assertThat(p.examples()).singleElement().satisfies(e -> {
      assertThat(e.aboveRoof()).isTrue();
      assertThat(e.efficiency()).isCloseTo(5000 / roof, org.assertj.core.api.Assertions.within(1e-9));
    });
    assertThat(p.aboveRoof()).hasSize(1);
  }

  @Test
  void optionsIncludeEachFlagIndependently() throws IOException {
    Path f = write("flags.csv", DECODE, E2E, SUSPECT);
    assertThat(load(new Dataset.Options(true, false), f).examples())
        .extracting(e -> e.measurement().notes()).containsExactly("tg512", "E2E max throughput");
    assertThat(load(new Dataset.Options(false, true), f).examples())
        .extracting(e -> e.measurement().notes()).containsExactly("tg512", "SUSPECT: odd");
    assertThat(load(new Dataset.Options(true, true), f).examples()).hasSize(3);
  }

  @Test
  void examplesCarryTheirScenarioAndRoofline() throws IOException {
    Path f = write("one.csv", DECODE);
    Dataset.Example e = load(Dataset.Options.defaults(), f).examples().get(0);
    // the catalog's parameter count repeated in the file does not turn the row into an anonymous model
    assertThat(e.scenario().model()).isEqualTo(CATALOG.model("Llama 3 8B"));
    assertThat(e.scenario().device()).isEqualTo(CATALOG.device("RTX 4090"));
    assertThat(e.roofline()).isEqualTo(roofline.compute(e.scenario()));
    assertThat(e.efficiency()).isEqualTo(120.5 / e.roofline().tokensPerSecond());
  }

  @Test
  void aParameterCountThatDiffersFromTheCatalogOverridesIt() throws IOException {
    Path f = write("override.csv", DECODE.replace(",8.03,", ",4.0,"));
    Dataset.Example e = load(Dataset.Options.defaults(), f).examples().get(0);
    assertThat(e.scenario().model().paramsB()).isEqualTo(4.0);
    assertThat(e.scenario().model().name()).contains("given figures");
  }

  @Test
  void sha256IsStableAndSensitiveToAChangedValue() throws IOException {
    Path a = write("a.csv", DECODE, SUSPECT, DECODE.replace(",512,", ",1024,"));
    Path same = write("same.csv", DECODE, SUSPECT, DECODE.replace(",512,", ",1024,"));
    Path changed = write("changed.csv", DECODE.replace("120.5", "120.6"), SUSPECT, DECODE.replace(",512,", ",1024,"));
    Path onlySkippedChanged = write("skipped.csv", DECODE, SUSPECT.replace(",130,", ",131,"),
        DECODE.replace(",512,", ",1024,"));
    String hash = load(Dataset.Options.defaults(), a).sha256();
    assertThat(hash).matches("[0-9a-f]{64}");
    assertThat(load(Dataset.Options.defaults(), a).sha256()).isEqualTo(hash);
    assertThat(load(Dataset.Options.defaults(), same).sha256()).isEqualTo(hash);
    assertThat(load(Dataset.Options.defaults(), changed).sha256()).isNotEqualTo(hash);
    // the hash identifies the rows used, so a skipped row does not change it, but including it does
    assertThat(load(Dataset.Options.defaults(), onlySkippedChanged).sha256()).isEqualTo(hash);
    assertThat(load(new Dataset.Options(false, true), a).sha256()).isNotEqualTo(hash);
  }

  @Test
  void severalFilesAreReadTogether() throws IOException {
    Path a = write("a.csv", DECODE);
    Path b = write("b.csv", SUSPECT, DECODE);
    Dataset.Prepared p = load(Dataset.Options.defaults(), a, b);
    assertThat(p.files()).containsExactly(a.toString(), b.toString());
    assertThat(p.rowsRead()).isEqualTo(3);
    assertThat(p.examples()).extracting(e -> e.measurement().origin()).containsExactly(a + ":2", b + ":3");
  }

  @Test
  void noFilesIsAnError() {
    assertThatThrownBy(() -> Dataset.load(List.of(), CATALOG, roofline, Dataset.Options.defaults()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("data files");
  }

  /** The shipped measurements: every row is accounted for, and none is unreadable or names an unknown entry. */
  @Test
  void theShippedDataLosesNoRow() throws IOException {
    Dataset.Prepared p = shipped(Dataset.Options.defaults());
    long lines;
    try (InputStream in = resource()) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).count();
    }
    assertThat(p.rowsRead()).isEqualTo((int) lines - 1);
    assertThat(p.examples().size() + p.skipped().size()).isEqualTo(p.rowsRead());
    assertThat(p.skippedByReason()).doesNotContainKey("unresolvable scenario");
    // the only unreadable shipped rows are the ones whose source did not state the context (DERIVED ms/token rows)
    assertThat(p.skipped()).filteredOn(s -> s.reason().equals("invalid row"))
        .allSatisfy(s -> assertThat(s.detail()).startsWith("context = empty"));
    assertThat(p.skippedByReason()).containsKeys("E2E (not pure decode)", "SUSPECT");
    assertThat(p.examples().size()).as("used rows").isGreaterThan(600);
    Dataset.Prepared all = shipped(new Dataset.Options(true, true));
    // with every flag included only the unreadable rows remain skipped
    assertThat(all.skippedByReason()).containsOnlyKeys("invalid row");
    assertThat(all.examples().size() + all.skipped().size()).isEqualTo(all.rowsRead());
  }

  static InputStream resource() {
    return DatasetTest.class.getClassLoader().getResourceAsStream("dev/tuner/data/measurements.csv");
  }

  static Dataset.Prepared shipped(Dataset.Options options) throws IOException {
    try (InputStream in = resource()) {
      return Dataset.load(new InputStreamReader(in, StandardCharsets.UTF_8), "measurements.csv", CATALOG,
          new Roofline(CATALOG), options);
    }
  }
}
