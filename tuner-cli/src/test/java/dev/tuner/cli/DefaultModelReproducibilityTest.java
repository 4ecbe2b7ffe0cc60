package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.config.TunerConfig;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retrains the embedded default model with exactly the documented command and shows the result is the same model:
 * identical payload bytes, hyper-parameters, seed, training-data hash, calibration and cross-validation metrics.
 * Only the creation time and the build environment may differ. The command's {@code --protocol} run (five seeds on two
 * splits, ten more cross-validations) is left out here to keep the suite within minutes: it changes neither the model
 * nor its calibration, only adds {@code cross_validation.protocol}, which is compared as far as it is recorded by the
 * same command (the README test checks the figures quoted from it).
 */
class DefaultModelReproducibilityTest {
  @TempDir
  Path dir;

  @Test
  void retrainingWithTheDocumentedCommandGivesTheEmbeddedModel() throws Exception {
    ArtifactCodec codec = new ArtifactCodec();
    ModelArtifact embedded;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(TunerConfig.DEFAULT_MODEL_RESOURCE)) {
      assertThat(in).as("embedded default model on the class path").isNotNull();
      embedded = codec.read(in, "embedded");
    }
    Path data = ShippedMeasurements.copyTo(dir.resolve("measurements.csv"));
    Path out = dir.resolve("retrained.json");
    Cli.Result r = Cli.run(documentedArguments(data, out));
    assertThat(r.exit()).as(r.toString()).isZero();
    ModelArtifact retrained = codec.read(out);

    assertThat(retrained.payload()).isEqualTo(embedded.payload());
    ArtifactHeader a = embedded.header();
    ArtifactHeader b = retrained.header();
    assertThat(b.modelId()).isEqualTo(a.modelId());
    assertThat(b.providerId()).isEqualTo(a.providerId());
    assertThat(b.schema()).isEqualTo(a.schema());
    assertThat(b.outputKind()).isEqualTo(a.outputKind());
    assertThat(b.hyperParameters()).isEqualTo(a.hyperParameters());
    assertThat(b.seed()).isEqualTo(a.seed());
    assertThat(b.trainingData()).isEqualTo(a.trainingData());
    ObjectNode shippedCv = ((ObjectNode) a.crossValidation()).deepCopy();
    assertThat(shippedCv.remove("protocol")).as("the shipped protocol figures").isNotNull();
    assertThat(b.crossValidation()).isEqualTo(shippedCv);
    assertThat(b.properties()).isEqualTo(a.properties());
    assertThat(b.calibration().decodeScores()).isEqualTo(a.calibration().decodeScores());
    assertThat(b.calibration().prefillScores()).isEqualTo(a.calibration().prefillScores());
    assertThat(b.calibration().featureMin()).isEqualTo(a.calibration().featureMin());
    assertThat(b.calibration().featureMax()).isEqualTo(a.calibration().featureMax());
  }

  /** The arguments of {@link TrainCommand#DEFAULT_MODEL_COMMAND}, with the data and output paths replaced. */
  static String[] documentedArguments(Path data, Path out) {
    List<String> words = new ArrayList<>(Arrays.asList(TrainCommand.DEFAULT_MODEL_COMMAND.split(" ")));
    assertThat(words.remove(0)).isEqualTo("./tuner");
    words.set(words.indexOf("--data") + 1, data.toString());
    words.set(words.indexOf("--out") + 1, out.toString());
    int protocol = words.indexOf("--protocol");
    assertThat(protocol).as("the documented command runs the protocol").isPositive();
    words.subList(protocol, protocol + 2).clear();
    words.add("--no-progress");
    return words.toArray(String[]::new);
  }
}
