package dev.tuner.forest;

import dev.tuner.api.FeatureImportance;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.OutputKind;
import dev.tuner.api.PortableModel;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.ThroughputModel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A trained random forest, held as flat arrays. The output is the mean of the trees' leaf values, exactly as Smile's
 * {@code RandomForest.predict} computes it. Predictions walk the {@link PackedForest} copy of the arrays whenever
 * the forest and the row allow it, and the plain arrays otherwise; both reach the same leaves. Immutable and safe to
 * share; {@link #predict} allocates nothing and {@link #predictBatch} one buffer of at most
 * {@value PackedForest#BLOCK_ROWS} doubles per call.
 */
public final class ForestModel implements ThroughputModel {
  private final ModelInfo info;
  private final List<String> featureNames;
  private final FlatForest forest;
  /** Null when the forest does not fit the packed layout. */
  private final PackedForest packed;

  private ForestModel(ModelInfo info, List<String> featureNames, FlatForest forest) {
    this.info = info;
    this.featureNames = featureNames;
    this.forest = forest;
    this.packed = PackedForest.of(forest).orElse(null);
  }

  /**
   * Builds the model a payload describes. Its id hashes the payload, so equal payloads give equal infos whether
   * the model was just trained or loaded.
   */
  static ForestModel of(ForestPayload.Contents contents, byte[] payload, SchemaRef schema, OutputKind outputKind) {
    Map<String, String> properties = new LinkedHashMap<>(contents.hyperParameters().asMap());
    properties.putAll(contents.properties());
    var info = new ModelInfo(
        "forest-" + shortHash(payload),
        ForestProvider.ID,
        schema,
        outputKind,
        contents.featureNames().size(),
        properties,
        List.of());
    return new ForestModel(info, contents.featureNames(), contents.forest());
  }

  private static String shortHash(byte[] payload) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(payload);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  /** The feature names of the training set, in input order. */
  public List<String> featureNames() {
    return featureNames;
  }

  public int treeCount() {
    return forest.treeCount();
  }

  public int nodeCount() {
    return forest.nodeCount();
  }

  @Override
  public double predict(float[] features) {
    requireWidth(features.length);
    if (packed != null && PackedForest.accepts(features, 0, features.length)) {
      return packed.mean(features, 0);
    }
    return mean(features, 0);
  }

  @Override
  public void predictBatch(float[] features, int rows, double[] out) {
    int width = forest.featureCount;
    if (rows < 0 || (long) rows * width > features.length || rows > out.length) {
      throw new InvalidInputException(
          "predictBatch rows",
          Integer.toString(rows),
          "between 0 and both " + features.length / width + " (rows in features) and " + out.length + " (out length)");
    }
    if (packed == null) {
      for (int r = 0; r < rows; r++) {
        out[r] = mean(features, r * width);
      }
      return;
    }
    double[] sums = new double[Math.min(rows, PackedForest.BLOCK_ROWS)];
    for (int from = 0; from < rows; from += PackedForest.BLOCK_ROWS) {
      int to = Math.min(rows, from + PackedForest.BLOCK_ROWS);
      if (PackedForest.accepts(features, from * width, (to - from) * width)) {
        packed.meanBlock(features, width, from, to, out, sums);
      } else {
        for (int r = from; r < to; r++) {
          out[r] = mean(features, r * width);
        }
      }
    }
  }

  /** Sums in tree order and then divides, as Smile does, so the result is bit-for-bit Smile's. */
  private double mean(float[] x, int offset) {
    double sum = 0;
    for (int t = 0; t < forest.treeCount(); t++) {
      sum += forest.value[forest.leaf(t, x, offset)];
    }
    return sum / forest.treeCount();
  }

  /** The standard deviation of the trees' predictions (population form, over all trees). */
  @Override
  public OptionalDouble spread(float[] features) {
    requireWidth(features.length);
    int[] leaves = new int[forest.treeCount()];
    if (packed != null && PackedForest.accepts(features, 0, features.length)) {
      packed.leaves(features, 0, leaves);
    } else {
      for (int t = 0; t < leaves.length; t++) {
        leaves[t] = forest.leaf(t, features, 0);
      }
    }
    double mean = 0;
    double m2 = 0;
    for (int t = 0; t < leaves.length; t++) {
      double v = forest.value[leaves[t]];
      double delta = v - mean;
      mean += delta / (t + 1);
      m2 += delta * (v - mean);
    }
    return OptionalDouble.of(Math.sqrt(Math.max(0, m2 / forest.treeCount())));
  }

  /**
   * Per-prediction contributions by the path method (Saabas): walking each tree from root to leaf, every split
   * credits its feature with the change of the node mean from parent to child; contributions are averaged over
   * the trees. Reported as shares of the total absolute contribution, largest first; empty when no split moved
   * the prediction.
   */
  @Override
  public List<FeatureImportance> attribution(float[] features, int limit) {
    requireWidth(features.length);
    InvalidInputException.requireInRange("attribution limit", limit, 0, Integer.MAX_VALUE, "features");
    double[] contribution = new double[forest.featureCount];
    if (packed != null && PackedForest.accepts(features, 0, features.length)) {
      packed.addPathContributions(features, 0, contribution);
    } else {
      for (int t = 0; t < forest.treeCount(); t++) {
        int n = forest.roots[t];
        while (forest.feature[n] >= 0) {
          int f = forest.feature[n];
          int child = features[f] <= forest.threshold[n] ? forest.left[n] : forest.right[n];
          contribution[f] += forest.value[child] - forest.value[n];
          n = child;
        }
      }
    }
    double total = 0;
    for (int f = 0; f < contribution.length; f++) {
      contribution[f] = Math.abs(contribution[f]);
      total += contribution[f];
    }
    if (!(total > 0) || limit == 0) {
      return List.of();
    }
    List<Integer> order = new ArrayList<>(contribution.length);
    for (int f = 0; f < contribution.length; f++) {
      if (contribution[f] > 0) {
        order.add(f);
      }
    }
    order.sort(Comparator.comparingDouble((Integer f) -> -contribution[f]).thenComparing(f -> f));
    List<FeatureImportance> out = new ArrayList<>(Math.min(limit, order.size()));
    for (int f : order.subList(0, Math.min(limit, order.size()))) {
      out.add(new FeatureImportance(featureNames.get(f), Math.min(1.0, contribution[f] / total)));
    }
    return List.copyOf(out);
  }

  /**
   * The same forest for exporters: base 0 and scale 1/T. Multiplying by 1/T instead of dividing by T may change the
   * last bit of the result, nothing more.
   */
  @Override
  public Optional<PortableModel> portable() {
    return Optional.of(new PortableModel.TreeEnsemble(
        forest.featureCount,
        forest.roots,
        forest.feature,
        forest.threshold,
        forest.left,
        forest.right,
        forest.value,
        0.0,
        1.0 / forest.treeCount()));
  }

  private void requireWidth(int length) {
    if (length != forest.featureCount) {
      throw new InvalidInputException(
          "features", length + " values", forest.featureCount + " values, one per feature of " + info.schema());
    }
  }

  @Override
  public String toString() {
    return info.modelId() + " (" + forest.treeCount() + " trees, " + forest.nodeCount() + " nodes)";
  }
}
