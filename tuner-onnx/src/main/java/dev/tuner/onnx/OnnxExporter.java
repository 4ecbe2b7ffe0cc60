package dev.tuner.onnx;

import ai.onnx.proto.OnnxMl;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.PortableModel;
import dev.tuner.api.TunerException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

/**
 * Writes a {@link PortableModel} as a self-describing ONNX model that ONNX Runtime (and any other ONNX runtime
 * with {@code ai.onnx.ml}) evaluates exactly like the model's reference semantics, up to float32 arithmetic.
 *
 * <p>The graph is built with Tribuo's ONNX builder ({@code tribuo-util-onnx}: {@link ONNXContext} and its
 * operators, TreeEnsembleRegressor added through its {@link org.tribuo.util.onnx.ONNXOperator} interface). The file
 * has IR version 8, opsets {@code ""} 17 and {@code ai.onnx.ml} 3, one input {@value #INPUT_NAME} of float
 * {@code [batch, width]} and one output {@value #OUTPUT_NAME} of float {@code [batch, 1]}. A linear model becomes one
 * {@code Gemm}; a tree ensemble becomes one {@code TreeEnsembleRegressor}; a sum adds its terms with {@code Add}; a
 * selection reads its feature with a one-hot {@code Gemm} and chooses between its two branches with {@code Greater}
 * and {@code Where} (a per-phase blend is a sum of trees and a selection of two linear models); the result reaches the output
 * through an {@code Identity}, as Tribuo's builder names graph outputs. The metadata carries the keys of
 * {@link OnnxMetadata}. Exporting needs no native library. Stateless and thread-safe.
 */
public final class OnnxExporter {
  public static final String INPUT_NAME = "features";
  public static final String OUTPUT_NAME = "tokens";
  public static final long IR_VERSION = 8;
  public static final long DEFAULT_OPSET = 17;
  /** ONNX Runtime 1.29 rejects TreeEnsembleRegressor from {@code ai.onnx.ml} 5 on, so stay on 3. */
  public static final long ML_OPSET = 3;
  public static final String ML_DOMAIN = "ai.onnx.ml";
  /**
   * The most tree nodes one file may hold; it keeps the file below the loader's 512 MB limit (a node costs about
   * 45 bytes) and bounds the work when trees share sub-trees, which ONNX stores once per path.
   */
  public static final int MAX_TREE_NODES = 8_000_000;

  private static final String PRODUCER = "tuner";

  /**
   * Encodes {@code model} as an ONNX file.
   *
   * @param info the model's identity; its schema, output kind, id and width go into the metadata, and each
   *     property {@code k} becomes the metadata key {@code tuner.k}
   * @param extraMetadata further {@code metadata_props} written verbatim; they must not collide with the keys above
   * @throws InvalidInputException when the model's width differs from {@code info.featureCount()}, a number does
   *     not fit in float32, the ensemble is too large or a metadata key collides
   */
  public byte[] export(PortableModel model, ModelInfo info, Map<String, String> extraMetadata) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(extraMetadata, "extraMetadata");
    int width = info.featureCount();
    ONNXContext context = new ONNXContext();
    context.setName("tuner_" + info.modelId());
    ONNXPlaceholder input = context.floatInput(INPUT_NAME, width);
    ONNXPlaceholder output = context.floatOutput(OUTPUT_NAME, 1);
    ONNXNode result = node(context, input, model, width, "m");
    result.assignTo(output);
    OnnxMl.ModelProto.Builder builder = OnnxMl.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(DEFAULT_OPSET))
        // Tribuo's graph builder imports no opsets itself; the TreeEnsembleRegressor needs ai.onnx.ml.
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(ML_DOMAIN).setVersion(ML_OPSET))
        .setProducerName(PRODUCER)
        .setProducerVersion(OnnxProvider.VERSION)
        .setGraph(context.buildGraph());
    metadata(info, extraMetadata).forEach((key, value) ->
        builder.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value)));
    OnnxMl.ModelProto proto = builder.build();
    long size = proto.getSerializedSize();
    if (size > OnnxProvider.DEFAULT_MAX_MODEL_BYTES) {
      throw new InvalidInputException("ONNX model size", size + " bytes",
          "at most " + OnnxProvider.DEFAULT_MAX_MODEL_BYTES + " bytes, the largest file tuner loads");
    }
    return proto.toByteArray();
  }

  /**
   * Exports to {@code target} atomically: the bytes go to a temporary file in the same directory, which is then
   * renamed, so a reader never sees a partial model.
   *
   * @param overwrite whether an existing {@code target} may be replaced
   * @return {@code target}
   * @throws InvalidInputException when {@code target} exists and {@code overwrite} is false, or as for
   *     {@link #export(PortableModel, ModelInfo, Map)}
   * @throws TunerException when the file cannot be written
   */
  public Path export(
      PortableModel model, ModelInfo info, Map<String, String> extraMetadata, Path target, boolean overwrite) {
    Objects.requireNonNull(target, "target");
    Path absolute = target.toAbsolutePath();
    if (!overwrite && Files.exists(absolute)) {
      throw new InvalidInputException(
          "ONNX output file", absolute.toString(), "a path that does not exist yet (or overwrite = true)");
    }
    if (Files.isDirectory(absolute)) {
      throw new InvalidInputException("ONNX output file", absolute.toString(), "a file path, not a directory");
    }
    Path dir = absolute.getParent();
    if (!Files.isDirectory(dir)) {
      throw new InvalidInputException("ONNX output directory", dir.toString(), "an existing directory");
    }
    byte[] bytes = export(model, info, extraMetadata);
    Path temp = null;
    try {
      temp = Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      // On POSIX the rename replaces a file created since the check above; only that short window is unguarded.
      if (overwrite) {
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
      }
      temp = null;
      return target;
    } catch (AtomicMoveNotSupportedException e) {
      throw new TunerException("cannot write ONNX model " + absolute + ": the file system of " + dir
          + " does not support the atomic rename tuner uses to publish a complete file", e);
    } catch (IOException e) {
      throw new TunerException("cannot write ONNX model " + absolute + ": " + e, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // The original failure is what the user needs; a stray temp file is named after the target.
        }
      }
    }
  }

  /**
   * The graph of one form, its node names starting with {@code prefix} (each child extends it with its position), so
   * that the forms of a composition never share a name.
   */
  private static ONNXNode node(ONNXContext context, ONNXPlaceholder input, PortableModel model, int width,
      String prefix) {
    if (model instanceof PortableModel.Linear linear) {
      return linear(context, input, linear, width, prefix + "_");
    } else if (model instanceof PortableModel.TreeEnsemble trees) {
      return treeEnsemble(context, input, trees, width, prefix + "_");
    } else if (model instanceof PortableModel.Sum sum) {
      List<PortableModel> terms = sum.terms();
      ONNXNode total = node(context, input, terms.get(0), width, prefix + "_0");
      for (int i = 1; i < terms.size(); i++) {
        total = total.apply(ONNXOperators.ADD, node(context, input, terms.get(i), width, prefix + "_" + i),
            prefix + "_sum" + i);
      }
      return total;
    } else if (model instanceof PortableModel.Select select) {
      return select(context, input, select, width, prefix);
    }
    throw new InvalidInputException("portable model", model.getClass().getName(), "Linear, TreeEnsemble, Sum or Select");
  }

  /**
   * {@code Where(x[feature] > threshold, whenAbove, whenAtMost)}. The feature is read with a one-hot {@code Gemm},
   * which adds only exact zeros to it, so the comparison sees the feature itself.
   */
  private static ONNXNode select(ONNXContext context, ONNXPlaceholder input, PortableModel.Select select, int width,
      String prefix) {
    if (select.feature() >= width) {
      throw new InvalidInputException("select feature", select.feature(), "a feature index below " + width);
    }
    ONNXNode atMost = node(context, input, select.whenAtMost(), width, prefix + "_le");
    ONNXNode above = node(context, input, select.whenAbove(), width, prefix + "_gt");
    double[] oneHot = new double[width];
    oneHot[select.feature()] = 1;
    ONNXNode feature = linear(context, input, new PortableModel.Linear(oneHot, 0), width, prefix + "_feature_");
    ONNXNode isAbove = feature.apply(ONNXOperators.GREATER,
        context.constant(prefix + "_threshold", select.threshold()), prefix + "_above");
    return context.operation(ONNXOperators.WHERE, List.of(isAbove, above, atMost), prefix + "_select");
  }

  private static ONNXNode linear(ONNXContext context, ONNXPlaceholder input, PortableModel.Linear linear, int width,
      String prefix) {
    double[] weights = linear.weights();
    if (weights.length != width) {
      throw new InvalidInputException(
          "linear model weights", weights.length + " weights", "one per feature, featureCount = " + width);
    }
    float[] w = new float[width];
    for (int i = 0; i < width; i++) {
      w[i] = toFloat("weights[" + i + "]", weights[i]);
    }
    ONNXInitializer weightTensor = context.floatTensor(prefix + "weights", List.of(width, 1), buffer -> buffer.put(w));
    ONNXInitializer intercept = context.array(prefix + "intercept",
        new float[] {toFloat("intercept", linear.intercept())});
    return context.operation(ONNXOperators.GEMM, List.of(input, weightTensor, intercept), prefix + "gemm");
  }

  private static ONNXNode treeEnsemble(ONNXContext context, ONNXPlaceholder input, PortableModel.TreeEnsemble trees,
      int width, String prefix) {
    if (trees.featureCount() != width) {
      throw new InvalidInputException(
          "tree ensemble featureCount", Integer.toString(trees.featureCount()), "featureCount = " + width);
    }
    int[] feature = trees.feature();
    float[] threshold = trees.threshold();
    int[] left = trees.left();
    int[] right = trees.right();
    double[] value = trees.value();
    double scale = trees.scale();

    var nodeTree = new Ints();
    var nodeId = new Ints();
    var nodeFeature = new Ints();
    var nodeValue = new Floats();
    var nodeTrue = new Ints();
    var nodeFalse = new Ints();
    var modes = new ArrayList<String>();
    var targetTree = new Ints();
    var targetNode = new Ints();
    var targetWeight = new Floats();

    int[] roots = trees.roots();
    // Explicit stacks rather than recursion: a degenerate tree may be thousands of levels deep.
    int[] stackNode = new int[16];
    int[] stackParent = new int[16];
    boolean[] stackIsTrue = new boolean[16];
    for (int t = 0; t < roots.length; t++) {
      int treeStart = nodeId.size();
      stackNode[0] = roots[t];
      stackParent[0] = -1;
      int top = 1;
      while (top > 0) {
        top--;
        int n = stackNode[top];
        int parent = stackParent[top];
        boolean isTrue = stackIsTrue[top];
        int position = nodeId.size();
        if (position >= MAX_TREE_NODES) {
          throw new InvalidInputException("tree ensemble size", "more than " + MAX_TREE_NODES + " ONNX nodes",
              "at most " + MAX_TREE_NODES + " nodes (shared sub-trees count once per path)");
        }
        int local = position - treeStart;
        if (parent >= 0) {
          (isTrue ? nodeTrue : nodeFalse).set(parent, local);
        }
        nodeTree.add(t);
        nodeId.add(local);
        nodeTrue.add(0);
        nodeFalse.add(0);
        if (feature[n] >= 0) {
          nodeFeature.add(feature[n]);
          nodeValue.add(threshold[n]);
          modes.add("BRANCH_LEQ");
          if (top + 2 > stackNode.length) {
            stackNode = Arrays.copyOf(stackNode, 2 * stackNode.length);
            stackParent = Arrays.copyOf(stackParent, 2 * stackParent.length);
            stackIsTrue = Arrays.copyOf(stackIsTrue, 2 * stackIsTrue.length);
          }
          // Push the false (right) child first so the true (left) child is visited next: pre-order.
          stackNode[top] = right[n];
          stackParent[top] = position;
          stackIsTrue[top] = false;
          top++;
          stackNode[top] = left[n];
          stackParent[top] = position;
          stackIsTrue[top] = true;
          top++;
        } else {
          nodeFeature.add(0);
          nodeValue.add(0f);
          modes.add("LEAF");
          targetTree.add(t);
          targetNode.add(local);
          targetWeight.add(toFloat("value[" + n + "] * scale", value[n] * scale));
        }
      }
    }
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("n_targets", 1);
    attributes.put("aggregate_function", "SUM");
    attributes.put("post_transform", "NONE");
    attributes.put("base_values", new float[] {toFloat("base", trees.base())});
    attributes.put("nodes_treeids", nodeTree.toArray());
    attributes.put("nodes_nodeids", nodeId.toArray());
    attributes.put("nodes_featureids", nodeFeature.toArray());
    attributes.put("nodes_values", nodeValue.toArray());
    attributes.put("nodes_modes", modes.toArray(String[]::new));
    attributes.put("nodes_truenodeids", nodeTrue.toArray());
    attributes.put("nodes_falsenodeids", nodeFalse.toArray());
    attributes.put("nodes_missing_value_tracks_true", new int[nodeId.size()]);
    attributes.put("target_treeids", targetTree.toArray());
    attributes.put("target_nodeids", targetNode.toArray());
    attributes.put("target_ids", new int[targetNode.size()]);
    attributes.put("target_weights", targetWeight.toArray());
    return context.operation(TreeEnsembleRegressorOperator.INSTANCE, List.of(input), prefix + "trees", attributes);
  }

  private static SortedMap<String, String> metadata(ModelInfo info, Map<String, String> extra) {
    var metadata = new TreeMap<String, String>();
    metadata.put(OnnxMetadata.SCHEMA_ID, info.schema().id());
    metadata.put(OnnxMetadata.SCHEMA_HASH, info.schema().hash());
    metadata.put(OnnxMetadata.OUTPUT_KIND, info.outputKind().id());
    metadata.put(OnnxMetadata.MODEL_ID, info.modelId());
    metadata.put(OnnxMetadata.FEATURE_COUNT, Integer.toString(info.featureCount()));
    info.properties().forEach((key, value) -> putNew(metadata, OnnxMetadata.PREFIX + key, value, "property " + key));
    extra.forEach((key, value) -> {
      if (key == null || key.isEmpty() || value == null) {
        throw new InvalidInputException("extra metadata entry", key + " = " + value, "a non-empty key and a value");
      }
      putNew(metadata, key, value, "extra metadata " + key);
    });
    return metadata;
  }

  private static void putNew(Map<String, String> metadata, String key, String value, String what) {
    if (metadata.containsKey(key)) {
      throw new InvalidInputException(what, key, "a metadata key not already written (" + key + " is taken by "
          + (OnnxMetadata.RESERVED.contains(key) ? "tuner's own metadata" : "another entry") + ")");
    }
    metadata.put(key, value);
  }

  private static float toFloat(String field, double v) {
    float f = (float) v;
    if (!Float.isFinite(f)) {
      throw new InvalidInputException(field, v, "a number within float32 range (|x| <= " + Float.MAX_VALUE + ")");
    }
    return f;
  }

  /**
   * A growable int array: tree attributes can hold millions of entries, too many to box. Tribuo's attribute builder
   * takes {@code int[]} for ONNX's int64 lists; node indices stay below {@link #MAX_TREE_NODES}.
   */
  private static final class Ints {
    private int[] a = new int[64];
    private int size;

    void add(int v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, 2 * a.length);
      }
      a[size++] = v;
    }

    int size() {
      return size;
    }

    void set(int index, int v) {
      a[index] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }

  private static final class Floats {
    private float[] a = new float[64];
    private int size;

    void add(float v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, 2 * a.length);
      }
      a[size++] = v;
    }

    float[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }
}
