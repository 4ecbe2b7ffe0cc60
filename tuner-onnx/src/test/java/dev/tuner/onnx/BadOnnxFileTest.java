package dev.tuner.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ThroughputModel;
import dev.tuner.onnx.OnnxProto.Dim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every unusable file is refused with a {@link ModelLoadException} that names the file and the problem. */
class BadOnnxFileTest {
  private static final int WIDTH = 6;
  private static final Dim N = Dim.symbolic("N");

  @TempDir Path dir;

  private final OnnxProvider provider = new OnnxProvider();

  @Test
  void twoInputs() throws IOException {
    var graph = OnnxProto.graph(
        "two_inputs",
        List.of(OnnxProto.node("Add", "", List.of("a", "b"), List.of("y"), List.of())),
        List.of(),
        List.of(
            OnnxProto.valueInfo("a", OnnxProto.ELEM_FLOAT, N, Dim.fixed(WIDTH)),
            OnnxProto.valueInfo("b", OnnxProto.ELEM_FLOAT, N, Dim.fixed(WIDTH))),
        List.of(OnnxProto.valueInfo("y", OnnxProto.ELEM_FLOAT, N, Dim.fixed(WIDTH))));
    assertRefused("two_inputs.onnx", Fixtures.model(graph, Fixtures.selfDescribing(WIDTH)))
        .hasMessageContaining("has 2 inputs")
        .hasMessageContaining("[N, width]");
  }

  @Test
  void int64Input() throws IOException {
    float[] ones = new float[WIDTH];
    Arrays.fill(ones, 1f);
    var graph = OnnxProto.graph(
        "int_input",
        List.of(
            OnnxProto.node("Cast", "", List.of("x"), List.of("xf"),
                List.of(OnnxProto.intAttribute("to", OnnxProto.ELEM_FLOAT))),
            OnnxProto.node("MatMul", "", List.of("xf", "w"), List.of("y"), List.of())),
        List.of(OnnxProto.floatTensor("w", new long[] {WIDTH, 1}, ones)),
        List.of(OnnxProto.valueInfo("x", OnnxProto.ELEM_INT64, N, Dim.fixed(WIDTH))),
        List.of(OnnxProto.valueInfo("y", OnnxProto.ELEM_FLOAT, N, Dim.fixed(1))));
    assertRefused("int_input.onnx", Fixtures.model(graph, Fixtures.selfDescribing(WIDTH)))
        .hasMessageContaining("input 'x' has element type INT64")
        .hasMessageContaining("FLOAT");
  }

  @Test
  void widthDisagreeingWithMetadata() throws IOException {
    assertRefused("wrong_width.onnx", Fixtures.gemmModel(WIDTH - 1, Fixtures.selfDescribing(WIDTH)))
        .hasMessageContaining("width " + (WIDTH - 1))
        .hasMessageContaining(OnnxMetadata.FEATURE_COUNT + " says " + WIDTH);
  }

  @Test
  void rank3Input() throws IOException {
    float[] ones = new float[WIDTH];
    Arrays.fill(ones, 1f);
    var graph = OnnxProto.graph(
        "rank3",
        List.of(
            OnnxProto.node("Flatten", "", List.of("x"), List.of("flat"), List.of()),
            OnnxProto.node("MatMul", "", List.of("flat", "w"), List.of("y"), List.of())),
        List.of(OnnxProto.floatTensor("w", new long[] {WIDTH, 1}, ones)),
        List.of(OnnxProto.valueInfo("x", OnnxProto.ELEM_FLOAT, N, Dim.fixed(WIDTH), Dim.fixed(1))),
        List.of(OnnxProto.valueInfo("y", OnnxProto.ELEM_FLOAT, N, Dim.fixed(1))));
    assertRefused("rank3.onnx", Fixtures.model(graph, Fixtures.selfDescribing(WIDTH)))
        .hasMessageContaining("input 'x' has shape [N, 6, 1] (rank 3)");
  }

  @Test
  void dynamicWidthWithoutFeatureCount() throws IOException {
    var metadata = Fixtures.selfDescribing(WIDTH);
    metadata.remove(OnnxMetadata.FEATURE_COUNT);
    byte[] bytes = Fixtures.gemmModel(WIDTH, new Dim[] {N, Dim.symbolic("W")}, new Dim[] {N, Dim.fixed(1)}, metadata);
    assertRefused("dynamic_width.onnx", bytes)
        .hasMessageContaining("dynamic")
        .hasMessageContaining(OnnxMetadata.FEATURE_COUNT);
  }

  @Test
  void dynamicWidthWithFeatureCountIsUsable() throws IOException {
    byte[] bytes = Fixtures.gemmModel(WIDTH, new Dim[] {N, Dim.symbolic("W")}, new Dim[] {N, Dim.fixed(1)},
        Fixtures.selfDescribing(WIDTH));
    Path file = write("dyn_ok.onnx", bytes);
    try (ThroughputModel model = provider.openForeignFile(file, ForeignModelOptions.defaults())) {
      assertThat(model.info().featureCount()).isEqualTo(WIDTH);
      assertThat(model.predict(new float[] {1, 1, 1, 1, 1, 1})).isEqualTo(6.5);
    }
  }

  @Test
  void fixedBatchAboveOne() throws IOException {
    byte[] bytes = Fixtures.gemmModel(WIDTH, new Dim[] {Dim.fixed(5), Dim.fixed(WIDTH)},
        new Dim[] {Dim.fixed(5), Dim.fixed(1)}, Fixtures.selfDescribing(WIDTH));
    assertRefused("batch5.onnx", bytes).hasMessageContaining("[5, 6]").hasMessageContaining("first dimension");
  }

  @Test
  void fixedBatchOfOneIsFedRowByRow() throws IOException {
    byte[] bytes = Fixtures.gemmModel(WIDTH, new Dim[] {Dim.fixed(1), Dim.fixed(WIDTH)},
        new Dim[] {Dim.fixed(1), Dim.fixed(1)}, Fixtures.selfDescribing(WIDTH));
    Path file = write("batch1.onnx", bytes);
    try (ThroughputModel model = provider.openForeignFile(file, ForeignModelOptions.defaults())) {
      float[] rows = new float[3 * WIDTH];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = i / WIDTH;
      }
      double[] out = new double[3];
      model.predictBatch(rows, 3, out);
      assertThat(out).containsExactly(0.5, 6.5, 12.5);
    }
  }

  @Test
  void outputWithSeveralValuesPerRow() throws IOException {
    var graph = OnnxProto.graph(
        "relu",
        List.of(OnnxProto.node("Relu", "", List.of("x"), List.of("y"), List.of())),
        List.of(),
        List.of(OnnxProto.valueInfo("x", OnnxProto.ELEM_FLOAT, N, Dim.fixed(WIDTH))),
        List.of(OnnxProto.valueInfo("y", OnnxProto.ELEM_FLOAT, N, Dim.fixed(WIDTH))));
    assertRefused("wide_output.onnx", Fixtures.model(graph, Fixtures.selfDescribing(WIDTH)))
        .hasMessageContaining("output 'y' has shape [N, 6]")
        .hasMessageContaining("one value per row");
  }

  @Test
  void twoOutputs() throws IOException {
    var graph = OnnxProto.graph(
        "two_outputs",
        List.of(
            OnnxProto.node("Relu", "", List.of("x"), List.of("y"), List.of()),
            OnnxProto.node("Neg", "", List.of("x"), List.of("z"), List.of())),
        List.of(),
        List.of(OnnxProto.valueInfo("x", OnnxProto.ELEM_FLOAT, N, Dim.fixed(WIDTH))),
        List.of(
            OnnxProto.valueInfo("y", OnnxProto.ELEM_FLOAT, N, Dim.fixed(WIDTH)),
            OnnxProto.valueInfo("z", OnnxProto.ELEM_FLOAT, N, Dim.fixed(WIDTH))));
    assertRefused("two_outputs.onnx", Fixtures.model(graph, Fixtures.selfDescribing(WIDTH)))
        .hasMessageContaining("has 2 outputs");
  }

  @Test
  void int64Output() throws IOException {
    var graph = OnnxProto.graph(
        "int_output",
        List.of(
            OnnxProto.node("ReduceSum", "", List.of("x"), List.of("s"),
                List.of(OnnxProto.intAttribute("keepdims", 1))),
            OnnxProto.node("Cast", "", List.of("s"), List.of("y"),
                List.of(OnnxProto.intAttribute("to", OnnxProto.ELEM_INT64)))),
        List.of(),
        List.of(OnnxProto.valueInfo("x", OnnxProto.ELEM_FLOAT, N, Dim.fixed(WIDTH))),
        List.of(OnnxProto.valueInfo("y", OnnxProto.ELEM_INT64, N, Dim.fixed(1))));
    assertRefused("int_output.onnx", Fixtures.model(graph, Fixtures.selfDescribing(WIDTH)))
        .hasMessageContaining("output 'y' has element type INT64");
  }

  @Test
  void externalDataNextToTheModelIsRead() throws IOException {
    var data = java.nio.ByteBuffer.allocate(4 * WIDTH).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < WIDTH; i++) {
      data.putFloat(i + 1);
    }
    write("weights.bin", data.array());
    Path file =
        write("external.onnx", Fixtures.externalDataModel(WIDTH, "weights.bin", Fixtures.selfDescribing(WIDTH)));
    try (ThroughputModel model = provider.openForeignFile(file, ForeignModelOptions.defaults())) {
      assertThat(model.predict(new float[] {1, 1, 1, 1, 1, 1})).isEqualTo(21.0);
    }
  }

  @Test
  void externalDataOutsideTheModelDirectory() throws IOException {
    Files.write(dir.getParent().resolve(dir.getFileName() + "-outside.bin"), new byte[4 * WIDTH]);
    String escaping = "../" + dir.getFileName() + "-outside.bin";
    try {
      assertRefused("escape.onnx", Fixtures.externalDataModel(WIDTH, escaping, Fixtures.selfDescribing(WIDTH)))
          .hasMessageContaining("External data");
      assertRefused("absolute.onnx", Fixtures.externalDataModel(WIDTH, "/etc/hostname",
          Fixtures.selfDescribing(WIDTH))).hasMessageContaining("External data");
    } finally {
      Files.delete(dir.getParent().resolve(dir.getFileName() + "-outside.bin"));
    }
  }

  @Test
  void emptyFile() throws IOException {
    assertRefused("empty.onnx", new byte[0]).hasMessageContaining("is empty (0 bytes)");
  }

  @Test
  void truncatedFile() throws IOException {
    byte[] whole = new OnnxExporter().export(Fixtures.trees(new SplittableRandom(11), WIDTH, 5, 5),
        Fixtures.info("t", WIDTH, Map.of()), Map.of());
    assertRefused("truncated.onnx", Arrays.copyOf(whole, whole.length / 2)).hasMessageContaining("ONNX Runtime says");
  }

  @Test
  void randomBytes() throws IOException {
    byte[] noise = new byte[4096];
    new java.util.Random(12).nextBytes(noise);
    assertRefused("noise.onnx", noise).hasMessageContaining("ONNX Runtime says");
  }

  @Test
  void textFile() throws IOException {
    assertRefused("readme.onnx", "this is not a model\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .hasMessageContaining("ONNX Runtime says");
  }

  @Test
  void fileOverTheSizeLimit() throws IOException {
    byte[] bytes = Fixtures.gemmModel(WIDTH, Fixtures.selfDescribing(WIDTH));
    Path file = write("big.onnx", bytes);
    var small = new OnnxProvider(100);
    assertThatThrownBy(() -> small.openForeignFile(file, ForeignModelOptions.defaults()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(bytes.length + " bytes")
        .hasMessageContaining("limit of 100 bytes");
  }

  @Test
  void defaultLimitIs512Megabytes() {
    assertThat(OnnxProvider.DEFAULT_MAX_MODEL_BYTES).isEqualTo(512L * 1024 * 1024);
    assertThatThrownBy(() -> new OnnxProvider(OnnxProvider.DEFAULT_MAX_MODEL_BYTES + 1))
        .hasMessageContaining("maxModelBytes");
  }

  @Test
  void directory() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("folder.onnx"));
    assertThatThrownBy(() -> provider.openForeignFile(sub, ForeignModelOptions.defaults()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(sub.toString())
        .hasMessageContaining("is a directory");
  }

  @Test
  void missingFile() {
    Path missing = dir.resolve("missing.onnx");
    assertThatThrownBy(() -> provider.openForeignFile(missing, ForeignModelOptions.defaults()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void malformedMetadata() throws IOException {
    var metadata = Fixtures.selfDescribing(WIDTH);
    metadata.put(OnnxMetadata.OUTPUT_KIND, "furlongs");
    assertRefused("bad_kind.onnx", Fixtures.gemmModel(WIDTH, metadata))
        .hasMessageContaining(OnnxMetadata.OUTPUT_KIND)
        .hasMessageContaining("furlongs")
        .hasMessageContaining("log_tokens_per_s");

    metadata = Fixtures.selfDescribing(WIDTH);
    metadata.remove(OnnxMetadata.SCHEMA_HASH);
    assertRefused("half_schema.onnx", Fixtures.gemmModel(WIDTH, metadata))
        .hasMessageContaining("has " + OnnxMetadata.SCHEMA_ID + " but not " + OnnxMetadata.SCHEMA_HASH);

    metadata = Fixtures.selfDescribing(WIDTH);
    metadata.put(OnnxMetadata.SCHEMA_HASH, "abc");
    assertRefused("short_hash.onnx", Fixtures.gemmModel(WIDTH, metadata))
        .hasMessageContaining("schema hash = abc");

    metadata = Fixtures.selfDescribing(WIDTH);
    metadata.put(OnnxMetadata.FEATURE_COUNT, "six");
    assertRefused("bad_count.onnx", Fixtures.gemmModel(WIDTH, metadata))
        .hasMessageContaining(OnnxMetadata.FEATURE_COUNT + " = six");
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String name, byte[] bytes) throws IOException {
    Path file = write(name, bytes);
    return assertThatThrownBy(() -> provider.openForeignFile(file, ForeignModelOptions.defaults()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(file.toString());
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }
}
