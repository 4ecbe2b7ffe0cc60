package dev.tuner.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.ModelInfo;
import dev.tuner.api.OutputKind;
import dev.tuner.api.PortableModel;
import dev.tuner.api.SchemaRef;
import dev.tuner.onnx.OnnxProto.Dim;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Seeded models, rows and hand-encoded ONNX graphs shared by the tests. */
final class Fixtures {
  static final SchemaRef SCHEMA = schema("tuner.features.v1");
  static final SchemaRef OTHER_SCHEMA = schema("tuner.features.v2");

  private Fixtures() {}

  static SchemaRef schema(String id) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return new SchemaRef(id, HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static ModelInfo info(String modelId, int width, Map<String, String> properties) {
    return new ModelInfo(modelId, "forest", SCHEMA, OutputKind.LOG_TOKENS_PER_SECOND, width, properties, List.of());
  }

  static PortableModel.Linear linear(SplittableRandom random, int width) {
    double[] weights = new double[width];
    for (int i = 0; i < width; i++) {
      weights[i] = random.nextDouble(-1, 1);
    }
    // An intercept well away from zero keeps the float32 dot product within a relative 1e-5.
    return new PortableModel.Linear(weights, 10 + random.nextDouble());
  }

  static double linearReference(PortableModel.Linear model, float[] x) {
    double[] w = model.weights();
    double sum = model.intercept();
    for (int i = 0; i < w.length; i++) {
      sum += w[i] * x[i];
    }
    return sum;
  }

  /** {@code trees} random trees of depth at most {@code maxDepth}, laid out in pre-order one after the other. */
  static PortableModel.TreeEnsemble trees(SplittableRandom random, int width, int trees, int maxDepth) {
    var builder = new TreeBuilder(random, width, maxDepth);
    int[] roots = new int[trees];
    for (int t = 0; t < trees; t++) {
      roots[t] = builder.build(0);
    }
    return builder.ensemble(width, roots, 2.5, 1.0 / trees);
  }

  static float[] rows(SplittableRandom random, int rows, int width) {
    float[] x = new float[rows * width];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextFloat();
    }
    return x;
  }

  static float[] row(float[] rows, int r, int width) {
    float[] x = new float[width];
    System.arraycopy(rows, r * width, x, 0, width);
    return x;
  }

  static void assertClose(double actual, double expected, String what) {
    double tolerance = Math.max(1e-5 * Math.abs(expected), 1e-6);
    assertThat(actual).as(what).isCloseTo(expected, org.assertj.core.data.Offset.offset(tolerance));
  }

  /** Metadata that makes a hand-built graph describe itself like an exported one. */
  static Map<String, String> selfDescribing(int width) {
    var metadata = new LinkedHashMap<String, String>();
    metadata.put(OnnxMetadata.SCHEMA_ID, SCHEMA.id());
    metadata.put(OnnxMetadata.SCHEMA_HASH, SCHEMA.hash());
    metadata.put(OnnxMetadata.OUTPUT_KIND, OutputKind.LOG_TOKENS_PER_SECOND.id());
    metadata.put(OnnxMetadata.FEATURE_COUNT, Integer.toString(width));
    return metadata;
  }

  /** A linear model {@code y = x · 1 + 0.5} as a Gemm whose input and output shapes are given. */
  static byte[] gemmModel(int width, Dim[] inputShape, Dim[] outputShape, Map<String, String> metadata) {
    float[] ones = new float[width];
    java.util.Arrays.fill(ones, 1f);
    var graph = OnnxProto.graph(
        "gemm",
        List.of(OnnxProto.node("Gemm", "", List.of("x", "w", "b"), List.of("y"), List.of())),
        List.of(
            OnnxProto.floatTensor("w", new long[] {width, 1}, ones),
            OnnxProto.floatTensor("b", new long[] {1}, new float[] {0.5f})),
        List.of(OnnxProto.valueInfo("x", OnnxProto.ELEM_FLOAT, inputShape)),
        List.of(OnnxProto.valueInfo("y", OnnxProto.ELEM_FLOAT, outputShape)));
    return model(graph, metadata);
  }

  static byte[] gemmModel(int width, Map<String, String> metadata) {
    return gemmModel(width, new Dim[] {Dim.symbolic("N"), Dim.fixed(width)},
        new Dim[] {Dim.symbolic("N"), Dim.fixed(1)}, metadata);
  }

  /** {@code y = x · w} where the {@code [width, 1]} weights live in the external file {@code location}. */
  static byte[] externalDataModel(int width, String location, Map<String, String> metadata) {
    var weights = new ProtoWriter()
        .packedInt64(1, new long[] {width, 1})
        .int64(2, OnnxProto.ELEM_FLOAT)
        .string(8, "w")
        .message(13, new ProtoWriter().string(1, "location").string(2, location))
        .message(13, new ProtoWriter().string(1, "length").string(2, Integer.toString(4 * width)))
        .int64(14, 1);
    var graph = OnnxProto.graph(
        "external",
        List.of(OnnxProto.node("MatMul", "", List.of("x", "w"), List.of("y"), List.of())),
        List.of(weights),
        List.of(OnnxProto.valueInfo("x", OnnxProto.ELEM_FLOAT, Dim.symbolic("N"), Dim.fixed(width))),
        List.of(OnnxProto.valueInfo("y", OnnxProto.ELEM_FLOAT, Dim.symbolic("N"), Dim.fixed(1))));
    return model(graph, metadata);
  }

  static byte[] model(ProtoWriter graph, Map<String, String> metadata) {
    var opsets = new LinkedHashMap<String, Long>();
    opsets.put("", 17L);
    opsets.put("ai.onnx.ml", 3L);
    return OnnxProto.model(8, opsets, "tuner-test", "0", graph, metadata).toByteArray();
  }

  /** Builds random trees depth-first so that every child comes after its parent. */
  private static final class TreeBuilder {
    private final SplittableRandom random;
    private final int width;
    private final int maxDepth;
    private final List<Integer> feature = new ArrayList<>();
    private final List<Float> threshold = new ArrayList<>();
    private final List<Integer> left = new ArrayList<>();
    private final List<Integer> right = new ArrayList<>();
    private final List<Double> value = new ArrayList<>();

    TreeBuilder(SplittableRandom random, int width, int maxDepth) {
      this.random = random;
      this.width = width;
      this.maxDepth = maxDepth;
    }

    int build(int depth) {
      int n = feature.size();
      feature.add(-1);
      threshold.add(0f);
      left.add(0);
      right.add(0);
      value.add(0.0);
      if (depth == maxDepth || (depth > 0 && random.nextDouble() < 0.15)) {
        value.set(n, random.nextDouble(-2, 2));
      } else {
        feature.set(n, random.nextInt(width));
        threshold.set(n, random.nextFloat());
        left.set(n, build(depth + 1));
        right.set(n, build(depth + 1));
      }
      return n;
    }

    PortableModel.TreeEnsemble ensemble(int featureCount, int[] roots, double base, double scale) {
      int nodes = feature.size();
      int[] f = new int[nodes];
      float[] t = new float[nodes];
      int[] l = new int[nodes];
      int[] r = new int[nodes];
      double[] v = new double[nodes];
      for (int i = 0; i < nodes; i++) {
        f[i] = feature.get(i);
        t[i] = threshold.get(i);
        l[i] = left.get(i);
        r[i] = right.get(i);
        v[i] = value.get(i);
      }
      return new PortableModel.TreeEnsemble(featureCount, roots, f, t, l, r, v, base, scale);
    }
  }
}
