package dev.tuner.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxProviderTest {
  private static final int WIDTH = 6;

  @TempDir Path dir;

  private final OnnxProvider provider = new OnnxProvider();

  @Test
  void isDiscoveredWithoutStartingTheNativeRuntime() {
    List<ModelProvider> found = ServiceLoader.load(ModelProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.id().equals("onnx"))
        .toList();
    assertThat(found).singleElement().isInstanceOf(OnnxProvider.class);
    OnnxProvider onnx = (OnnxProvider) found.get(0);
    assertThat(onnx.version()).isEqualTo("0.1.0");
    assertThat(onnx.requiredApiVersion()).isEqualTo(TunerApi.VERSION);
    assertThat(TunerApi.isCompatible(onnx.requiredApiVersion())).isTrue();
    assertThat(onnx.opensForeignFile(dir.resolve("m.onnx"))).isTrue();
    assertThat(onnx.runtimeStarted()).isFalse();
  }

  @Test
  void opensOnlyOnnxNames() {
    assertThat(provider.opensForeignFile(Path.of("m.onnx"))).isTrue();
    assertThat(provider.opensForeignFile(Path.of("models", "M.ONNX"))).isTrue();
    assertThat(provider.opensForeignFile(Path.of("x.Onnx"))).isTrue();
    assertThat(provider.opensForeignFile(Path.of("m.onnx.json"))).isFalse();
    assertThat(provider.opensForeignFile(Path.of("model.bin"))).isFalse();
    assertThat(provider.opensForeignFile(Path.of("onnx"))).isFalse();
    assertThat(provider.opensForeignFile(Path.of("/"))).isFalse();
  }

  @Test
  void fileWithoutMetadataIsRefusedWithoutOptions() throws IOException {
    Path file = write("bare.onnx", Fixtures.gemmModel(WIDTH, Map.of()));
    assertThatThrownBy(() -> provider.openForeignFile(file, ForeignModelOptions.defaults()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("schema")
        .hasMessageContaining("output kind")
        .hasMessageContaining("ForeignModelOptions");
  }

  @Test
  void fileWithoutMetadataIsRefusedWhenOnlyTheSchemaIsGiven() throws IOException {
    Path file = write("bare.onnx", Fixtures.gemmModel(WIDTH, Map.of()));
    var options = new ForeignModelOptions(Optional.of(Fixtures.SCHEMA), Optional.empty(), 1);
    assertThatThrownBy(() -> provider.openForeignFile(file, options))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("output kind (metadata " + OnnxMetadata.OUTPUT_KIND + ")")
        .hasMessageNotContaining("schema (metadata");
  }

  @Test
  void fileWithoutMetadataIsAcceptedWithOptionsAndWarns() throws IOException {
    Path file = write("bare.onnx", Fixtures.gemmModel(WIDTH, Map.of()));
    var options = new ForeignModelOptions(Optional.of(Fixtures.SCHEMA), Optional.of(OutputKind.TOKENS_PER_SECOND), 1);
    try (ThroughputModel model = provider.openForeignFile(file, options)) {
      ModelInfo info = model.info();
      assertThat(info.modelId()).isEqualTo("bare");
      assertThat(info.providerId()).isEqualTo("onnx");
      assertThat(info.schema()).isEqualTo(Fixtures.SCHEMA);
      assertThat(info.outputKind()).isEqualTo(OutputKind.TOKENS_PER_SECOND);
      assertThat(info.featureCount()).isEqualTo(WIDTH);
      assertThat(info.warnings()).singleElement().asString()
          .contains("does not describe itself")
          .contains("trusting the user-given schema " + Fixtures.SCHEMA)
          .contains("output kind tokens_per_s");
      assertThat(model.predict(new float[] {1, 2, 3, 4, 5, 6})).isEqualTo(21.5);
    }
  }

  @Test
  void metadataAndOptionsThatDisagreeAreRefused() throws IOException {
    Path file = write("described.onnx", Fixtures.gemmModel(WIDTH, Fixtures.selfDescribing(WIDTH)));
    var otherSchema = new ForeignModelOptions(Optional.of(Fixtures.OTHER_SCHEMA), Optional.empty(), 1);
    assertThatThrownBy(() -> provider.openForeignFile(file, otherSchema))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(Fixtures.SCHEMA.id() + " (sha256 " + Fixtures.SCHEMA.hash() + ")")
        .hasMessageContaining(Fixtures.OTHER_SCHEMA.id() + " (sha256 " + Fixtures.OTHER_SCHEMA.hash() + ")");
    var otherKind = new ForeignModelOptions(Optional.empty(), Optional.of(OutputKind.ROOFLINE_FRACTION), 1);
    assertThatThrownBy(() -> provider.openForeignFile(file, otherKind))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("output kind log_tokens_per_s")
        .hasMessageContaining("output kind roofline_fraction");
  }

  @Test
  void metadataAndAgreeingOptionsLoadWithoutWarnings() throws IOException {
    Path file = write("described.onnx", Fixtures.gemmModel(WIDTH, Fixtures.selfDescribing(WIDTH)));
    var same = new ForeignModelOptions(Optional.of(Fixtures.SCHEMA), Optional.of(OutputKind.LOG_TOKENS_PER_SECOND), 0);
    try (ThroughputModel model = provider.openForeignFile(file, same)) {
      assertThat(model.info().warnings()).isEmpty();
      assertThat(model.info().modelId()).isEqualTo("described");
    }
  }

  @Test
  void payloadBytesAreAnOnnxModelDescribedByThePayloadInfo() {
    var random = new SplittableRandom(21);
    var trees = Fixtures.trees(random, WIDTH, 8, 5);
    ModelInfo info = Fixtures.info("wrapped", WIDTH, Map.of("trees", "8"));
    byte[] bytes = new OnnxExporter().export(trees, info, Map.of());
    try (ThroughputModel model = provider.load(new ModelPayload(info, bytes))) {
      assertThat(model.info()).isEqualTo(info);
      float[] rows = Fixtures.rows(random, 50, WIDTH);
      for (int r = 0; r < 50; r++) {
        float[] x = Fixtures.row(rows, r, WIDTH);
        Fixtures.assertClose(model.predict(x), trees.evaluate(x), "row " + r);
      }
    }
  }

  @Test
  void payloadWhoseOnnxMetadataContradictsTheArtifactIsRefused() {
    var random = new SplittableRandom(22);
    byte[] bytes = new OnnxExporter().export(Fixtures.linear(random, WIDTH), Fixtures.info("a", WIDTH, Map.of()),
        Map.of());
    var otherSchema = new ModelInfo("a", "onnx", Fixtures.OTHER_SCHEMA, OutputKind.LOG_TOKENS_PER_SECOND, WIDTH);
    assertThatThrownBy(() -> provider.load(new ModelPayload(otherSchema, bytes)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("ONNX payload of model a")
        .hasMessageContaining(Fixtures.SCHEMA.hash())
        .hasMessageContaining(Fixtures.OTHER_SCHEMA.hash());
    var otherKind = new ModelInfo("a", "onnx", Fixtures.SCHEMA, OutputKind.TOKENS_PER_SECOND, WIDTH);
    assertThatThrownBy(() -> provider.load(new ModelPayload(otherKind, bytes)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("log_tokens_per_s")
        .hasMessageContaining("tokens_per_s");
    var otherWidth = new ModelInfo("a", "onnx", Fixtures.SCHEMA, OutputKind.LOG_TOKENS_PER_SECOND, WIDTH + 1);
    assertThatThrownBy(() -> provider.load(new ModelPayload(otherWidth, bytes)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("width " + WIDTH)
        .hasMessageContaining("featureCount " + (WIDTH + 1));
  }

  @Test
  void payloadReferringToExternalDataIsRefused() throws IOException {
    // Even a file of that name in the working directory must not be read for a payload.
    Path inWorkingDir = Path.of("weights-" + System.nanoTime() + ".bin").toAbsolutePath();
    Files.write(inWorkingDir, new byte[4 * WIDTH]);
    try {
      byte[] bytes = Fixtures.externalDataModel(WIDTH, inWorkingDir.getFileName().toString(),
          Fixtures.selfDescribing(WIDTH));
      assertThatThrownBy(() -> provider.load(new ModelPayload(Fixtures.info("ext", WIDTH, Map.of()), bytes)))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining("ONNX payload of model ext")
          .hasMessageContaining("External data");
    } finally {
      Files.delete(inWorkingDir);
    }
  }

  @Test
  void corruptOrEmptyPayloadIsRefused() {
    ModelInfo info = Fixtures.info("broken", WIDTH, Map.of());
    assertThatThrownBy(() -> provider.load(new ModelPayload(info, new byte[] {1, 2, 3, 4, 5})))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("ONNX payload of model broken")
        .hasMessageContaining("ONNX Runtime says");
    assertThatThrownBy(() -> provider.load(new ModelPayload(info, new byte[0])))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("is empty");
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }
}
