package dev.tuner.example.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.config.TunerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The embedding's dependency set (checked by the enforcer in the pom) predicts with the shipped default model. */
class CapacityPlannerTest {
  private final CapacityPlanner planner = new CapacityPlanner();

  @Test
  void predictsWithTheShippedDefaultModel() {
    assertThat(getClass().getClassLoader().getResource(TunerConfig.DEFAULT_MODEL_RESOURCE)).isNotNull();
    assertThat(planner.predictor().isFallback()).as("the default model, not the roofline-only predictor").isFalse();
    assertThat(planner.predictor().model().model().info().providerId()).isEqualTo("ensemble");
    ThroughputPrediction p = planner.decode("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512);
    assertThat(p.tokensPerSecond()).isPositive().isLessThanOrEqualTo(p.rooflineTokensPerSecond());
    assertThat(p.modelId()).isEqualTo(planner.predictor().model().id());
  }

  @Test
  void noTrainingIngestionOrSmileIsOnTheClassPath() {
    for (String absent : List.of("dev.tuner.core.learn.TrainingPipeline", "dev.tuner.core.ingest.Ingestor",
        "smile.regression.RandomForest", "ai.onnxruntime.OrtEnvironment", "picocli.CommandLine",
        "org.slf4j.LoggerFactory")) {
      assertThat(getClass().getClassLoader().getResource(absent.replace('.', '/') + ".class")).as(absent).isNull();
    }
  }

  /** The same scenario through the command line's runnable jar gives the same number, to the last bit. */
  @Test
  void thePredictionEqualsTheCommandLines() throws Exception {
    Path jar = Path.of(System.getProperty("tunerJar", "../../tuner-cli/target/tuner.jar"));
    assumeTrue(Files.isRegularFile(jar), "no runnable jar at " + jar + ": build tuner-cli first (mvn package)");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        jar.toString(), "predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant", "Q4_K_M",
        "--batch", "1", "--context", "512", "--format", "json").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    JsonNode cli = new ObjectMapper().readTree(out);

    ThroughputPrediction embedded = planner.decode("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512);
    assertThat(cli.get("model").get("id").asText()).isEqualTo(embedded.modelId());
    assertThat(cli.get("tokens_per_s").asDouble()).isEqualTo(embedded.tokensPerSecond());
    assertThat(cli.get("roofline_tokens_per_s").asDouble()).isEqualTo(embedded.rooflineTokensPerSecond());
  }
}
