package dev.tuner.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.ConfigLoader;
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
}
