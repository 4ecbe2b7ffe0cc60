package dev.tuner.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.TestArtifacts;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.ConfigLoader;
import dev.tuner.core.data.Measurement;
import dev.tuner.core.data.MeasurementCsv;
import dev.tuner.core.data.MeasurementWriter;
import dev.tuner.core.ingest.IngestFormat;
import dev.tuner.core.ingest.IngestOptions;
import dev.tuner.core.ingest.IngestReport;
import dev.tuner.core.ingest.Ingestor;
import dev.tuner.core.learn.ArtifactWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the fuzzers found, as named tests with the message a user sees. Each also has its input in the fuzz test's
 * regression directory ({@code crash-*}), which the normal test run replays.
 */
class FuzzFindingsTest {
  @TempDir
  Path dir;

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  /** ConfigLoaderFuzzTest#properties: Properties.load threw IllegalArgumentException out of the loader. */
  @Test
  void aMalformedUnicodeEscapeInAPropertiesFileIsAnInvalidInputErrorNamingTheFile() throws IOException {
    Path f = file("tuner.properties", "model=forest\nartifact=/models/m\\u00zz.json\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("Malformed \\uxxxx encoding")
        .hasMessageContaining("a well-formed .properties file");
  }

  /** ConfigLoaderFuzzTest#properties: Path.of threw InvalidPathException for a NUL in plugins.dir. */
  @Test
  void aPluginDirectoryNoFileSystemAcceptsIsAnInvalidInputErrorNamingTheKey() throws IOException {
    Path f = file("tuner.properties", "plugins.dir=/opt/tuner\\u0000/plugins\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("tuner.plugins.dir")
        .hasMessageContaining("a directory path")
        .hasMessageContaining("Nul character not allowed");
  }

  /** The same defect for the artifact path, which TunerModule would have hit later, inside Guice. */
  @Test
  void anArtifactPathNoFileSystemAcceptsIsAnInvalidInputErrorNamingTheKey() throws IOException {
    Path f = file("tuner.yaml", "artifact: \"/models/m\\0.json\"\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("tuner.artifact")
        .hasMessageContaining("a model file path, classpath:RESOURCE or default");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), new Properties(),
        Map.of("artifact", "/models/m\0.json")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("tuner.artifact");
  }

  /**
   * IngestFuzzTest#ollama: an "llm library:" line with no value gave the accepted rows notes ending in a blank, which
   * MeasurementWriter refuses, so {@code tuner ingest --out} failed on a file whose records had all been accepted.
   */
  @Test
  void anEmptyLlmLibraryLineStillGivesRowsTheCsvCanHold() throws IOException {
    Path log = file("ollama.txt", """
        ollama run orca-mini --verbose
        >>> hello
         Hello, how can I assist you today?

        total duration:       835.322625ms
        prompt eval count:    42 token(s)
        prompt eval duration: 593.785ms
        prompt eval rate:     70.73 tokens/s
        eval count:           10 token(s)
        eval duration:        240.374ms
        eval rate:            41.60 tokens/s
        llm library:
        """);
    IngestReport report = new Ingestor(Catalog.shipped()).ingest(IngestFormat.OLLAMA, List.of(log),
        IngestOptions.none().withDevice("RTX 4090").withModel("Llama 3 8B").withQuant("Q4_K_M"));
    assertThat(report.rejected()).isEmpty();
    assertThat(report.accepted()).hasSize(2).allSatisfy(m -> assertThat(m.notes()).doesNotEndWith(" ")
        .doesNotContain("llm library"));
    StringWriter csv = new StringWriter();
    new MeasurementWriter().write(csv, report.accepted(), true);
    List<Measurement> back = MeasurementCsv.read(new StringReader(csv.toString()), "written").measurements();
    assertThat(back).extracting(Measurement::notes)
        .containsExactlyElementsOf(report.accepted().stream().map(Measurement::notes).toList());
  }

  /**
   * IngestFuzzTest#ollama, after the fix above: a control character after the library name ("metal" then U+0013) is
   * trimmed by the CSV reader, so the row did not read back as written. The same held for a file name ending in a
   * blank, which becomes the default source id. Text copied into a row is now trimmed the way the CSV trims it.
   */
  @Test
  void textCopiedFromTheFileIsTrimmedAsTheCsvTrimsIt() throws IOException {
    Path log = file("ollama.txt ", """
        total duration:       835.322625ms
        prompt eval count:    42 token(s)
        prompt eval duration: 593.785ms
        prompt eval rate:     70.73 tokens/s
        eval count:           10 token(s)
        eval duration:        240.374ms
        eval rate:            41.60 tokens/s
        llm library:          metal<DC3>
        """.replace("<DC3>", "\u0013"));
    IngestReport report = new Ingestor(Catalog.shipped()).ingest(IngestFormat.OLLAMA, List.of(log),
        IngestOptions.none().withDevice("RTX 4090").withModel("Llama 3 8B").withQuant("Q4_K_M"));
    assertThat(report.rejected()).isEmpty();
    assertThat(report.accepted()).hasSize(2).allSatisfy(m -> {
      assertThat(m.notes()).endsWith("llm library metal");
      assertThat(m.sourceId()).isEqualTo("ingest:ollama.txt");
    });
    StringWriter csv = new StringWriter();
    new MeasurementWriter().write(csv, report.accepted(), true);
    List<Measurement> back = MeasurementCsv.read(new StringReader(csv.toString()), "written").measurements();
    assertThat(back).extracting(Measurement::notes)
        .containsExactlyElementsOf(report.accepted().stream().map(Measurement::notes).toList());
  }

  /**
   * ArtifactFuzzTest#artifactFile (re-sealed): a calibration bound of 8.7e82 passed the finiteness check as a double
   * and became an infinite float, a training range without an end that counts every input as inside it.
   */
  @Test
  void aCalibrationBoundBeyondTheFloatRangeIsRefused() {
    ArtifactCodec codec = new ArtifactCodec();
    float second = TestArtifacts.header().calibration().featureMax()[1];
    byte[] edited = TestArtifacts.editAndReseal(new ArtifactWriter().encode(TestArtifacts.artifact()),
        json -> TestArtifacts.replaceOnce(json, "\"feature_max\" : [ 1.0, " + second + ",",
            "\"feature_max\" : [ 1.0, 8.70743e+82,"));
    assertThatThrownBy(() -> codec.decode(edited, "wide.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("wide.json")
        .hasMessageContaining("feature_max[1]")
        .hasMessageContaining("within the float range");
  }
}
