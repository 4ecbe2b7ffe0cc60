package dev.tuner.forest;

import dev.tuner.api.InvalidInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the {@code forest} provider's payload from trees grown elsewhere (such as by another library on a cluster),
 * so that they load, predict and export like a forest this provider trained.
 */
public final class ForestArtifacts {
  private ForestArtifacts() {}

  /**
   * One tree in pre-order: node 0 is the root, a leaf has {@code feature == -1} and children {@code -1}, an internal
   * node sends {@code x[feature] <= threshold} to {@code left} and the rest to {@code right}, both later nodes of the
   * same tree (indices from its own root). {@code value} is a leaf's prediction and, for an internal node, the mean
   * target of the training rows that reached it (what per-prediction attributions are computed from).
   */
  public record FlatTree(int[] feature, float[] threshold, int[] left, int[] right, double[] value) {
    public FlatTree {
      feature = feature.clone();
      threshold = threshold.clone();
      left = left.clone();
      right = right.clone();
      value = value.clone();
    }
  }

  /** The fewest rows each side of a partition needs, else {@link ForestTrainer} grows unpartitioned trees. */
  public static final int MIN_PARTITION_ROWS = ForestTrainer.MIN_ROWS;

  /** The split of a partitioned tree's root: a flag feature is 0 or 1, so 0 goes left and 1 right. */
  public static final float PARTITION_THRESHOLD = 0.5f;

  /**
   * One tree partitioned on a flag feature as {@link ForestTrainer} partitions its trees ({@code partition_by}): the
   * root sends {@code x[feature] <= }{@value #PARTITION_THRESHOLD} to {@code atMost} and the rest to {@code above},
   * each a tree grown from its side's rows alone. The root's {@code value} is the mean target of both sides' rows.
   */
  public static FlatTree partitioned(int feature, double value, FlatTree atMost, FlatTree above) {
    FlatForest.Tree t = FlatForest.join(feature, PARTITION_THRESHOLD, value, tree(atMost), tree(above));
    return new FlatTree(t.feature(), t.threshold(), t.left(), t.right(), t.value());
  }

  private static FlatForest.Tree tree(FlatTree t) {
    return new FlatForest.Tree(t.feature(), t.threshold(), t.left(), t.right(), t.value());
  }

  /**
   * The payload of a forest whose prediction is the mean of the trees' leaf values, summed in the given order.
   *
   * @param hyperParameters the forest provider's own (trees, max_depth, min_leaf, max_nodes, mtry_fraction,
   *     subsample, partition_by; missing ones take their defaults); {@code trees} must equal {@code trees.size()}
   * @param properties free-form provenance shown with the model
   * @throws InvalidInputException naming the first problem: duplicate or too many feature names, an invalid
   *     hyper-parameter, a tree count that differs from {@code trees}, or a malformed tree
   */
  public static byte[] fromFlatTrees(List<String> featureNames, Map<String, String> hyperParameters,
      Map<String, String> properties, List<FlatTree> trees) {
    Objects.requireNonNull(featureNames, "featureNames");
    if (featureNames.isEmpty() || featureNames.size() > ForestPayload.MAX_FEATURES) {
      throw new InvalidInputException("feature names", featureNames.size() + " names",
          "1 to " + ForestPayload.MAX_FEATURES + " names");
    }
    if (new HashSet<>(featureNames).size() != featureNames.size()) {
      throw new InvalidInputException("feature names", featureNames.toString(), "distinct names");
    }
    ForestHyperParameters hp = ForestHyperParameters.parse(hyperParameters);
    if (trees.size() != hp.trees()) {
      throw new InvalidInputException("trees", trees.size() + " trees given",
          "as many as the hyper-parameter trees = " + hp.trees());
    }
    List<FlatForest.Tree> flat = new ArrayList<>(trees.size());
    for (FlatTree t : trees) {
      int n = t.feature().length;
      if (t.threshold().length != n || t.left().length != n || t.right().length != n || t.value().length != n) {
        throw new InvalidInputException("tree " + flat.size(), "node arrays of different lengths",
            "feature, threshold, left, right and value of one length");
      }
      flat.add(tree(t));
    }
    FlatForest forest = FlatForest.concat(featureNames.size(), flat);
    forest.defect().ifPresent(d -> {
      throw new InvalidInputException("forest trees", d, "pre-order trees whose nodes each have one parent, "
          + "features in range and finite thresholds and values");
    });
    return ForestPayload.write(new ForestPayload.Contents(featureNames, hp, properties, forest));
  }
}
