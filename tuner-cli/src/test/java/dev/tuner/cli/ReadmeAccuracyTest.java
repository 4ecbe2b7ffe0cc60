package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.learn.Protocol;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's accuracy table is the protocol's, as recorded in the shipped artifact: every leave-one-family-out row
 * of {@link Protocol#markdown} over {@code cross_validation.protocol} appears in the README exactly, so the figures
 * quoted there cannot drift from the model that ships.
 */
class ReadmeAccuracyTest {
  @Test
  void theReadmeQuotesTheShippedProtocolFigures() throws Exception {
    JsonNode protocol;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(TunerConfig.DEFAULT_MODEL_RESOURCE)) {
      protocol = new ArtifactCodec().read(in, "embedded").header().crossValidation().get("protocol");
    }
    assertThat(protocol).as("cross_validation.protocol of the shipped model").isNotNull();
    // surefire runs in the module's directory
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    List<String> rows = Protocol.markdown(protocol).lines()
        .filter(l -> l.startsWith("| leave-one-family-out |")).toList();
    assertThat(rows).hasSizeGreaterThanOrEqualTo(4);
    assertThat(rows).allSatisfy(row -> assertThat(readme).contains(row));
  }
}
