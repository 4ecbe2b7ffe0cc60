package dev.tuner.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  private Path file(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  @Test
  void nothingGivenIsTheDefaults() {
    assertThat(ConfigLoader.load(Optional.empty(), new Properties(), Map.of())).isEqualTo(TunerConfig.defaults());
  }

  @Test
  void yamlWithNestedKeys() throws IOException {
    Path f = file("tuner.yaml", """
        model: test-constant
        interval:
          level: 0.8
        fallback:
          decode_efficiency: 0.5
          prefill_efficiency: 0.25
        foreign:
          output_kind: log_tokens_per_s
        onnx:
          threads: 4
        """);
    TunerConfig c = ConfigLoader.load(Optional.of(f), new Properties(), Map.of());
    assertThat(c.model()).contains("test-constant");
    assertThat(c.intervalLevel()).isEqualTo(0.8);
    assertThat(c.fallbackDecodeEfficiency()).isEqualTo(0.5);
    assertThat(c.fallbackPrefillEfficiency()).isEqualTo(0.25);
    assertThat(c.foreignOutputKind()).contains(OutputKind.LOG_TOKENS_PER_SECOND);
    assertThat(c.onnxThreads()).isEqualTo(4);
  }

  @Test
  void yamlWithDottedKeysAndTheTunerPrefix() throws IOException {
    Path dotted = file("dotted.yml", """
        tuner.model: linear
        interval.level: 0.75
        plugins.dir: /opt/tuner/plugins
        """);
    TunerConfig c = ConfigLoader.load(Optional.of(dotted), new Properties(), Map.of());
    assertThat(c.model()).contains("linear");
    assertThat(c.intervalLevel()).isEqualTo(0.75);
    assertThat(c.pluginDir()).contains(Path.of("/opt/tuner/plugins"));
    Path nested = file("nested.yaml", """
        tuner:
          schema: reference-v1
          interval:
            level: 0.6
        """);
    TunerConfig n = ConfigLoader.load(Optional.of(nested), new Properties(), Map.of());
    assertThat(n.schema()).isEqualTo("reference-v1");
    assertThat(n.intervalLevel()).isEqualTo(0.6);
  }

  @Test
  void propertiesFile() throws IOException {
    Path f = file("tuner.properties", """
        # comments are fine
        tuner.model = forest
        interval.level=0.95
        artifact=/models/m.json
        """);
    TunerConfig c = ConfigLoader.load(Optional.of(f), new Properties(), Map.of());
    assertThat(c.model()).contains("forest");
    assertThat(c.intervalLevel()).isEqualTo(0.95);
    assertThat(c.artifact()).contains("/models/m.json");
  }

  /** defaults < file < system properties < overrides, key by key. */
  @Test
  void laterLayersWinKeyByKey() throws IOException {
    Path f = file("tuner.yaml", """
        model: from-file
        schema: reference-v1
        interval:
          level: 0.7
        fallback:
          decode_efficiency: 0.3
        """);
    Properties system = props("tuner.model", "from-system", "tuner.interval.level", "0.75",
        "model", "not a tuner key", "java.home", "/irrelevant");
    Map<String, String> overrides = Map.of("interval.level", "0.8");

    TunerConfig all = ConfigLoader.load(Optional.of(f), system, overrides);
    assertThat(all.intervalLevel()).isEqualTo(0.8);
    assertThat(all.model()).contains("from-system");
    assertThat(all.schema()).isEqualTo("reference-v1");
    assertThat(all.fallbackDecodeEfficiency()).isEqualTo(0.3);
    assertThat(all.fallbackPrefillEfficiency()).isEqualTo(TunerConfig.defaults().fallbackPrefillEfficiency());

    assertThat(ConfigLoader.load(Optional.of(f), system, Map.of()).intervalLevel()).isEqualTo(0.75);
    assertThat(ConfigLoader.load(Optional.of(f), new Properties(), Map.of()).intervalLevel()).isEqualTo(0.7);
    assertThat(ConfigLoader.load(Optional.of(f), new Properties(), Map.of()).model()).contains("from-file");
    assertThat(ConfigLoader.load(Optional.empty(), system, Map.of()).schema()).isEqualTo("tuner-v1");
    assertThat(ConfigLoader.load(Optional.empty(), new Properties(), Map.of("tuner.model", "code")).model())
        .contains("code");
  }

  @Test
  void theGlobalSystemPropertiesAreNotRead() {
    // load takes its system layer as an argument; whatever this JVM was started with does not leak in
    assertThat(ConfigLoader.load(Optional.empty(), new Properties(), Map.of()).model()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "bad.yaml       | intervall:\\n  level: 0.8\\n    | intervall.level",
      "bad.yml        | model: x\\nmodell: y\\n          | modell",
      "bad.properties | tuner.interval=0.8\\n             | interval"})
  void anUnknownKeyInAFileIsAnErrorNamingItAndTheKnownKeys(String name, String content, String key)
      throws IOException {
    Path f = file(name.strip(), content.strip().replace("\\n", "\n"));
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("unknown key " + key.strip())
        .hasMessageContaining("interval.level")
        .hasMessageContaining("plugins.dir")
        .hasMessageContaining("fallback.prefill_efficiency");
  }

  @Test
  void anUnknownSystemPropertyOrOverrideIsAnErrorNamingIt() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), props("tuner.modle", "x"), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("system property tuner.modle")
        .hasMessageContaining("model, artifact");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), new Properties(), Map.of("levle", "0.8")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("override levle")
        .hasMessageContaining("interval.level");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "interval.level             | abc  | tuner.interval.level             | a number",
      "interval.level             | 1.5  | tuner.interval.level             | [0.5, 0.99]",
      "interval.level             | 0.2  | tuner.interval.level             | [0.5, 0.99]",
      "interval.level             | NaN  | tuner.interval.level             | [0.5, 0.99]",
      "onnx.threads               | 2.5  | tuner.onnx.threads               | a whole number",
      "onnx.threads               | 1000 | tuner.onnx.threads               | [0, 256]",
      "fallback.decode_efficiency | 0    | tuner.fallback.decode_efficiency | [0.001, 1]",
      "fallback.prefill_efficiency| 1.01 | tuner.fallback.prefill_efficiency| [0.001, 1]",
      "schema                     | v2   | schema                           | one of tuner-v1, tuner-v2, tuner-v3, tuner-v4, reference-v1",
      "foreign.output_kind        | tps  | output kind                      | log_roofline_fraction"})
  void aBadValueIsAnErrorNamingTheKeyAndTheRange(String key, String value, String named, String range) {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), new Properties(), Map.of(key.strip(),
        value.strip())))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(named.strip())
        .hasMessageContaining(value.strip())
        .hasMessageContaining(range.strip());
  }

  @Test
  void aBadValueInAFileIsReportedTheSameWay() throws IOException {
    Path f = file("t.yaml", "interval:\n  level: high\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("tuner.interval.level")
        .hasMessageContaining("high");
  }

  @Test
  void unusableFilesAreErrorsNamingTheFile() throws IOException {
    Path missing = dir.resolve("missing.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(missing), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(missing.toString());
    Path json = file("tuner.json", "{}");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(json), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(".yaml, .yml or .properties");
    Path list = file("list.yaml", "- model\n- linear\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(list), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("a YAML mapping");
    Path broken = file("broken.yaml", "model: [unclosed\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(broken), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("well-formed");
    Path listValue = file("value.yaml", "model:\n  - a\n  - b\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(listValue), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("key model")
        .hasMessageContaining("a single value");
    Path huge = file("huge.properties", "# " + "x".repeat(1 << 20) + "\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(huge), new Properties(), Map.of()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 1 MiB");
  }

  @Test
  void anEmptyYamlFileIsTheDefaults() throws IOException {
    Path f = file("empty.yaml", "# nothing set\n");
    assertThat(ConfigLoader.load(Optional.of(f), new Properties(), Map.of())).isEqualTo(TunerConfig.defaults());
  }
}
