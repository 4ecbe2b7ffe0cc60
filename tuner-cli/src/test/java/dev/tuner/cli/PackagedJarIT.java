package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the runnable jar as users do, in the integration-test phase (after package built it). Skipped, with the
 * reason, when the jar is absent (e.g. when this class is run from an IDE before packaging).
 */
class PackagedJarIT {
  private static final String SERVICES = "META-INF/services/dev.tuner.api.ModelProvider";
  private static Path jar;

  @BeforeAll
  static void locate() {
    jar = Path.of(System.getProperty("tunerJar", "target/tuner.jar"));
    assumeTrue(Files.isRegularFile(jar), "no runnable jar at " + jar + ": run `mvn package` first");
  }

  record Run(int exit, String out, String err) {}

  private static Run java(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString()));
    Collections.addAll(command, args);
    Process p = new ProcessBuilder(command).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void printsHelp() throws Exception {
    Run r = java("--help");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Usage: tuner", "predict", "recommend", "catalog", "plugins", "Examples:");
  }

  @Test
  void predictsFromTheShippedCatalog() throws Exception {
    Run r = java("predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M", "--context", "512",
        "--format", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("tokens_per_s").asDouble()).isPositive()
        .isLessThanOrEqualTo(j.get("roofline_tokens_per_s").asDouble());
  }

  @Test
  void exitCodesSurvivePackaging() throws Exception {
    Run r = java("predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M", "--context", "512",
        "--batch", "0");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("batch = 0");
  }

  @Test
  void everyModuleProviderRegistrationIsMergedIntoTheJar() throws Exception {
    List<String> merged;
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      var entry = zip.getEntry(SERVICES);
      merged = entry == null ? List.of() : lines(zip.getInputStream(entry));
    }
    // The module jars on this test's class path each carry their own registration file.
    List<String> expected = new ArrayList<>();
    for (URL url : Collections.list(getClass().getClassLoader().getResources(SERVICES))) {
      if (url.getProtocol().equals("jar") && url.getPath().contains("/tuner-")) {
        try (InputStream in = url.openStream()) {
          expected.addAll(lines(in));
        }
      }
    }
    assertThat(merged).containsAll(expected);

    Run r = java("plugins", "--format", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    // every registration is listed, as a provider or a problem, beside tuner's one built-in provider (the ensemble)
    assertThat(j.get("providers").size() + j.get("problems").size()).isEqualTo(merged.size() + 1);
    assertThat(j.get("providers")).anySatisfy(p -> assertThat(p.get("id").asText()).isEqualTo("ensemble"));
  }

  private static List<String> lines(InputStream in) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      String l = line.replaceAll("#.*", "").strip();
      if (!l.isEmpty()) {
        out.add(l);
      }
    }
    return out;
  }
}
