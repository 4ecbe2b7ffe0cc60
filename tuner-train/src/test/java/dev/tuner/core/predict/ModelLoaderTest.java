package dev.tuner.core.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.FeatureLayout;
import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.IncompatibleModelException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.TunerApi;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.artifact.TestArtifacts;
import dev.tuner.core.learn.ArtifactWriter;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.plugin.testing.ConstantModel;
import dev.tuner.core.plugin.testing.ConstantProvider;
import dev.tuner.core.plugin.testing.DuplicateIdProviderA;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {
  private final ArtifactCodec codec = new ArtifactCodec();
  private final ArtifactWriter writer = new ArtifactWriter();
  private final ModelLoader loader = new ModelLoader(
      ProviderRegistry.of(List.of(new ConstantProvider(), new DuplicateIdProviderA())), codec);
  private final SchemaRef tuner = FeatureSchemas.tunerV1().ref();
  private final int tunerWidth = FeatureSchemas.tunerV1().width();

  private ModelArtifact artifact(String api, String provider, SchemaRef schema, int width) {
    return TestArtifacts.artifact(TestArtifacts.header(api, provider, schema, width), 0.25);
  }

  @Test
  void aGoodArtifactLoadsThroughItsProviderWithItsCalibration(@TempDir Path dir) {
    Path file = dir.resolve("m.json");
    writer.write(artifact(TunerApi.VERSION, ConstantProvider.ID, tuner, tunerWidth), file, false);
    LoadedModel m = loader.open(file, ForeignModelOptions.defaults());
    assertThat(m.model()).isInstanceOf(ConstantModel.class);
    assertThat(((ConstantModel) m.model()).value()).isEqualTo(0.25);
    assertThat(m.schema()).isEqualTo(FeatureSchemas.tunerV1());
    assertThat(m.id()).isEqualTo("test-model-1");
    assertThat(m.header()).isPresent();
    assertThat(m.calibration().decodeScores()).hasSize(4);
    assertThat(m.calibration().method()).isEqualTo(Calibration.Method.ABSOLUTE_RESIDUAL);
  }

  @Test
  void theReferenceSchemaIsAcceptedToo() {
    SchemaRef ref = FeatureSchemas.referenceV1().ref();
    LoadedModel m = loader.fromArtifact(
        artifact(TunerApi.VERSION, ConstantProvider.ID, ref, FeatureSchemas.referenceV1().width()), "ref.json");
    assertThat(m.schema()).isEqualTo(FeatureSchemas.referenceV1());
  }

  @Test
  void aDifferentSchemaHashIsRefusedNamingBothHashes() {
    String otherHash = "0".repeat(64);
    SchemaRef drifted = new SchemaRef(FeatureSchemas.TUNER_V1, otherHash);
    assertThatThrownBy(() -> loader.fromArtifact(artifact(TunerApi.VERSION, ConstantProvider.ID, drifted, tunerWidth),
        "drifted.json"))
        .isInstanceOf(IncompatibleModelException.class)
        .hasMessageContaining("drifted.json")
        .hasMessageContaining(FeatureSchemas.tunerV1().hash())
        .hasMessageContaining(otherHash)
        .hasMessageContaining(FeatureSchemas.TUNER_V1);
  }

  @Test
  void anUnknownSchemaIdIsRefusedNamingItAndTheKnownOnes() {
    SchemaRef unknown = new SchemaRef("mystery-v9", tuner.hash());
    assertThatThrownBy(() -> loader.fromArtifact(artifact(TunerApi.VERSION, ConstantProvider.ID, unknown, tunerWidth),
        "mystery.json"))
        .isInstanceOf(IncompatibleModelException.class)
        .hasMessageContaining("mystery-v9")
        .hasMessageContaining(FeatureSchemas.TUNER_V1)
        .hasMessageContaining(FeatureSchemas.REFERENCE_V1);
  }

  @Test
  void aFeatureCountOtherThanTheSchemasIsRefused() {
    assertThatThrownBy(() -> loader.fromArtifact(artifact(TunerApi.VERSION, ConstantProvider.ID, tuner, tunerWidth - 1),
        "narrow.json"))
        .isInstanceOf(IncompatibleModelException.class)
        .hasMessageContaining((tunerWidth - 1) + " features")
        .hasMessageContaining(tunerWidth + " features");
  }

  @Test
  void anotherApiMajorVersionIsRefusedNamingBothVersions() {
    assertThatThrownBy(() -> loader.fromArtifact(artifact("2.0", ConstantProvider.ID, tuner, tunerWidth),
        "future.json"))
        .isInstanceOf(IncompatibleModelException.class)
        .hasMessageContaining("future.json")
        .hasMessageContaining("tuner API " + TunerApi.VERSION)
        .hasMessageContaining("tuner API 2.0");
  }

  /** Like every other defect of a model file, a malformed API version is a ModelLoadException naming the file. */
  @Test
  void aMalformedApiVersionIsAModelLoadErrorNamingTheFile() {
    assertThatThrownBy(() -> loader.fromArtifact(artifact("one", ConstantProvider.ID, tuner, tunerWidth), "odd.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("odd.json")
        .hasMessageContaining("\"one\"")
        .hasMessageContaining("major.minor");
  }

  @Test
  void anUnknownProviderIsRefusedListingTheAvailableOnes() {
    assertThatThrownBy(() -> loader.fromArtifact(artifact(TunerApi.VERSION, "forest", tuner, tunerWidth),
        "forest.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("forest.json")
        .hasMessageContaining("needs provider \"forest\"")
        .hasMessageContaining(ConstantProvider.ID)
        .hasMessageContaining(DuplicateIdProviderA.ID);
  }

  /** A provider that records the layout it is given and builds a model of a chosen width. */
  private static final class LayoutRecorder implements ModelProvider {
    final AtomicReference<FeatureLayout> seen = new AtomicReference<>();
    final int widthChange;

    LayoutRecorder(int widthChange) {
      this.widthChange = widthChange;
    }

    @Override
    public String id() {
      return "layout-recorder";
    }

    @Override
    public String version() {
      return "1.0.0";
    }

    @Override
    public String requiredApiVersion() {
      return TunerApi.VERSION;
    }

    @Override
    public ThroughputModel load(ModelPayload payload) {
      seen.set(payload.layout());
      ModelInfo d = payload.info();
      return new ConstantModel(new ModelInfo(d.modelId(), d.providerId(), d.schema(), d.outputKind(),
          d.featureCount() + widthChange), 0.25);
    }
  }

  @Test
  void theProviderIsGivenTheDeclaredSchemasSlotNamesInOrder() {
    LayoutRecorder recorder = new LayoutRecorder(0);
    ModelLoader withRecorder = new ModelLoader(ProviderRegistry.of(List.of(recorder)), codec);
    withRecorder.fromArtifact(artifact(TunerApi.VERSION, recorder.id(), FeatureSchemas.tunerV2().ref(),
        FeatureSchemas.tunerV2().width()), "v2.json");
    assertThat(recorder.seen.get().schema()).isEqualTo(FeatureSchemas.tunerV2().ref());
    assertThat(recorder.seen.get().names()).isEqualTo(FeatureSchemas.tunerV2().slotNames());
    assertThat(recorder.seen.get().slot("is_prefill")).isEqualTo(FeatureSchemas.tunerV2().indexOf("is_prefill"));
  }

  @Test
  void aLoadedModelWhoseWidthIsNotTheSchemasIsRefused() {
    LayoutRecorder narrow = new LayoutRecorder(-1);
    ModelLoader withNarrow = new ModelLoader(ProviderRegistry.of(List.of(narrow)), codec);
    assertThatThrownBy(() -> withNarrow.fromArtifact(artifact(TunerApi.VERSION, narrow.id(), tuner, tunerWidth),
        "narrow.json"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("narrow.json")
        .hasMessageContaining((tunerWidth - 1) + " inputs")
        .hasMessageContaining("with " + tunerWidth);
  }

  /** The same check guards built-in models, which no artifact declared. */
  @Test
  void aBuiltInModelOfAnotherSchemaOrWidthIsRefused() {
    var v1 = FeatureSchemas.tunerV1();
    ModelLoader.requireInputs(new ConstantModel(new ModelInfo("c", "p", v1.ref(),
        dev.tuner.api.OutputKind.TOKENS_PER_SECOND, v1.width()), 1), v1, "built-in");
    assertThatThrownBy(() -> ModelLoader.requireInputs(new ConstantModel(new ModelInfo("c", "p", v1.ref(),
        dev.tuner.api.OutputKind.TOKENS_PER_SECOND, v1.width() + 2), 1), v1, "built-in model of p"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("built-in model of p")
        .hasMessageContaining((v1.width() + 2) + " inputs");
    var v2 = FeatureSchemas.tunerV2();
    assertThatThrownBy(() -> ModelLoader.requireInputs(new ConstantModel(new ModelInfo("c", "p", v2.ref(),
        dev.tuner.api.OutputKind.TOKENS_PER_SECOND, v1.width()), 1), v1, "built-in model of p"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining(v2.ref().toString());
  }

  @Test
  void aPayloadTheProviderRejectsIsAModelLoadException() {
    ArtifactHeader h = TestArtifacts.header();
    ModelArtifact bad = new ModelArtifact(h, "not a number".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThatThrownBy(() -> loader.open(new ByteArrayInputStream(writer.encode(bad)), "bad-payload"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("not a number");
  }

  @Test
  void theChecksRunOnArtifactsReadFromFilesAndStreams(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("drift.json");
    writer.write(artifact(TunerApi.VERSION, ConstantProvider.ID, new SchemaRef(FeatureSchemas.TUNER_V1,
        "f".repeat(64)), tunerWidth), file, false);
    assertThatThrownBy(() -> loader.open(file, ForeignModelOptions.defaults()))
        .isInstanceOf(IncompatibleModelException.class).hasMessageContaining(file.toString());
    assertThatThrownBy(() -> loader.open(Files.newInputStream(file), "stream"))
        .isInstanceOf(IncompatibleModelException.class).hasMessageContaining("stream");
  }
}
