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
 * The README's accuracy tables are the protocol's, as recorded in the shipped artifact: every leave-one-family-out row
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
    String markdown = Protocol.markdown(protocol);
    int breakdown = markdown.indexOf("\nBroken down");
    assertThat(breakdown).as("the protocol's breakdown table").isPositive();
    List<String> rows = markdown.substring(0, breakdown).lines()
        .filter(l -> l.startsWith(FAMILY_ROW)).toList();
    assertThat(rows).hasSizeGreaterThanOrEqualTo(4);
    assertThat(rows).allSatisfy(row -> assertThat(readme).contains(row));
  }

  /**
   * The README quotes the breakdown in part (the candidate's rows): every such row it has, and every other row that
   * looks like a protocol row, is one of the protocol's, figure for figure.
   */
  @Test
  void everyProtocolRowTheReadmeHasIsTheShippedOne() throws Exception {
    JsonNode protocol;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(TunerConfig.DEFAULT_MODEL_RESOURCE)) {
      protocol = new ArtifactCodec().read(in, "embedded").header().crossValidation().get("protocol");
    }
    List<String> shipped = Protocol.markdown(protocol).lines().toList();
    List<String> quoted = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8).lines()
        .filter(l -> l.startsWith(FAMILY_ROW)).toList();
    assertThat(quoted).anyMatch(l -> l.contains("| MoE models |"));
    assertThat(quoted).allSatisfy(row -> assertThat(shipped).contains(row));
  }

  private static final String FAMILY_ROW = "| leave-one-family-out |";
}
