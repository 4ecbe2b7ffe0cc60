package dev.tuner.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tuner.api.TunerException;
import dev.tuner.core.config.ConfigLoader;
import dev.tuner.core.config.TunerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The configuration loader (the file given with {@code --config}), fed arbitrary YAML and .properties files.
 * Contract (ConfigLoader): an unusable file, an unknown key or a bad value is an InvalidInputException (a
 * TunerException) naming the file or key; nothing else escapes; what loads is a valid TunerConfig.
 *
 * <p>Regression inputs: src/test/resources/dev/tuner/core/fuzz/ConfigLoaderFuzzTestInputs/{yaml,properties}/.
 */
class ConfigLoaderFuzzTest {
  private static final Path DIR = tempDir();

  @FuzzTest(maxDuration = "60s")
  void yaml(byte[] input) {
    load("tuner.yaml", input);
  }

  @FuzzTest(maxDuration = "60s")
  void properties(byte[] input) {
    load("tuner.properties", input);
  }

  private static void load(String name, byte[] input) {
    Path file = DIR.resolve(name);
    try {
      Files.write(file, input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TunerConfig config;
    try {
      config = ConfigLoader.load(Optional.of(file), new Properties(), Map.of());
    } catch (TunerException refused) {
      return;
    }
    // the record's constructor validates; check the ranges here too, so that a constructor that stopped checking
    // would be noticed
    assertThat(config.intervalLevel()).isBetween(0.5, 0.99);
    assertThat(config.onnxThreads()).isBetween(0, 256);
    assertThat(config.fallbackDecodeEfficiency()).isBetween(0.001, 1.0);
    assertThat(config.fallbackPrefillEfficiency()).isBetween(0.001, 1.0);
  }

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("tuner-config-fuzz");
      dir.toFile().deleteOnExit();
      // deleteOnExit on the files too, registered after the directory so that they go first
      dir.resolve("tuner.yaml").toFile().deleteOnExit();
      dir.resolve("tuner.properties").toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
