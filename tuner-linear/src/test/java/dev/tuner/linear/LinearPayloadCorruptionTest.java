package dev.tuner.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.IncompatibleModelException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LinearPayloadCorruptionTest {

  private static final TrainedModel TRAINED = Synthetic.train(
      Synthetic.linear(1, 40, 0.3, new double[] {1.0, -2.0, 0.5}, 0.1), 3, Map.of("lambda_steps", "4"));
  private static final String TEXT = new String(TRAINED.payload(), StandardCharsets.UTF_8);

  private static ThroughputModel load(byte[] bytes) {
    return new LinearProvider().load(Synthetic.payload(TRAINED, bytes));
  }

  private static ThroughputModel load(String text) {
    return load(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Loading either succeeds or fails with a ModelLoadException; nothing else may escape. */
  private static void loadsOrFailsCleanly(byte[] bytes) {
    try {
      ThroughputModel model = load(bytes);
      assertThat(model.predict(new float[] {0.5f, 0.5f, 0.5f})).isFinite();
    } catch (ModelLoadException expected) {
      assertThat(expected.getMessage()).startsWith("linear payload");
    }
  }

  private static String replaceLine(String prefix, UnaryOperator<String> change) {
    String[] lines = TEXT.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith(prefix)) {
        lines[i] = change.apply(lines[i]);
        return String.join("\n", lines);
      }
    }
    throw new AssertionError("no line starts with " + prefix);
  }

  @Test
  void theUntouchedPayloadLoads() {
    assertThat(load(TRAINED.payload()).predict(new float[] {0.1f, 0.2f, 0.3f}))
        .isEqualTo(TRAINED.model().predict(new float[] {0.1f, 0.2f, 0.3f}));
  }

  @Test
  void everyTruncationIsRejected() {
    byte[] bytes = TRAINED.payload();
    for (int length = 0; length < bytes.length; length++) {
      byte[] cut = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> load(cut)).as("truncated to %d bytes", length).isInstanceOf(ModelLoadException.class);
    }
  }

  @Test
  void randomBytesAreRejected() {
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 300; i++) {
      byte[] bytes = new byte[random.nextInt(1, 2048)];
      random.nextBytes(bytes);
      assertThatThrownBy(() -> load(bytes)).isInstanceOf(ModelLoadException.class);
    }
  }

  @Test
  void flippedBytesLoadOrFailWithModelLoadExceptionOnly() {
    byte[] bytes = TRAINED.payload();
    SplittableRandom random = new SplittableRandom(19);
    for (int position = 0; position < bytes.length; position++) {
      byte[] flipped = bytes.clone();
      flipped[position] ^= (byte) (1 << random.nextInt(8));
      loadsOrFailsCleanly(flipped);
      byte[] replaced = bytes.clone();
      replaced[position] = (byte) random.nextInt(256);
      loadsOrFailsCleanly(replaced);
    }
  }

  @Test
  void nanOrInfiniteNumbersAreRejected() {
    String nanWeight = replaceLine("feature=", l -> {
      String[] parts = l.split(" ");
      parts[2] = Long.toHexString(Double.doubleToLongBits(Double.NaN));
      return String.join(" ", parts);
    });
    assertThatThrownBy(() -> load(nanWeight))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("weight of feature 'x0'")
        .hasMessageContaining("NaN");
    String infiniteIntercept =
        replaceLine("intercept=", l -> "intercept=" + Long.toHexString(Double.doubleToLongBits(Double.NEGATIVE_INFINITY)));
    assertThatThrownBy(() -> load(infiniteIntercept))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("intercept");
  }

  @Test
  void aFeatureCountOtherThanTheDeclaredOneIsRejected() {
    ModelInfo info = TRAINED.model().info();
    ModelInfo wider = new ModelInfo(info.modelId(), info.providerId(), info.schema(), info.outputKind(), 4,
        info.properties(), info.warnings());
    assertThatThrownBy(() -> new LinearProvider().load(new ModelPayload(wider, TRAINED.payload())))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("3 features")
        .hasMessageContaining("declares 4");
  }

  @ParameterizedTest
  @CsvSource({
    "features=, 2147483647",
    "features=, 99999999999999999999",
    "features=, 4097",
    "features=, -1",
    "cv_points=, 2000000000",
    "training_rows=, 3",
    "version=, 3",
  })
  void hugeOrOutOfRangeLengthsAreRejectedBeforeAllocation(String key, String value) {
    String text = replaceLine(key, l -> key + value);
    assertThatThrownBy(() -> load(text)).isInstanceOf(ModelLoadException.class).hasMessageContaining(key.replace("=", ""));
  }

  @Test
  void inconsistentContentIsRejectedWithASpecificMessage() {
    assertThatThrownBy(() -> load(replaceLine("format=", l -> "format=tuner-forest")))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("format");
    assertThatThrownBy(() -> load(replaceLine("hp.folds=", l -> "hp.folds=1")))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("folds");
    assertThatThrownBy(() -> load(replaceLine("lambda=", l -> "lambda=3ff0000000000000")))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("grid");
    assertThatThrownBy(() -> load(replaceLine("feature=", l -> l.replace(" x0", " x\\q"))))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("escape");
    assertThatThrownBy(() -> load(TEXT + "more\n"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("after 'end'");
    assertThatThrownBy(() -> load(new byte[] {(byte) 0xC3, (byte) 0x28}))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> load(new byte[LinearPayload.MAX_BYTES + 1]))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("limit");
  }

  @Test
  void anotherSchemaOutputKindOrProviderIsIncompatible() {
    ModelInfo info = TRAINED.model().info();
    ModelInfo otherSchema = new ModelInfo(info.modelId(), info.providerId(),
        new SchemaRef("test-schema", "f".repeat(64)), info.outputKind(), info.featureCount());
    ModelInfo otherKind = new ModelInfo(info.modelId(), info.providerId(), info.schema(),
        OutputKind.TOKENS_PER_SECOND, info.featureCount());
    ModelInfo otherProvider =
        new ModelInfo(info.modelId(), "forest", info.schema(), info.outputKind(), info.featureCount());

    assertThatThrownBy(() -> new LinearProvider().load(new ModelPayload(otherSchema, TRAINED.payload())))
        .isInstanceOf(IncompatibleModelException.class).hasMessageContaining("schema");
    assertThatThrownBy(() -> new LinearProvider().load(new ModelPayload(otherKind, TRAINED.payload())))
        .isInstanceOf(IncompatibleModelException.class).hasMessageContaining("output kind");
    assertThatThrownBy(() -> new LinearProvider().load(new ModelPayload(otherProvider, TRAINED.payload())))
        .isInstanceOf(IncompatibleModelException.class).hasMessageContaining("provider");
  }
}
