package dev.tuner.spark;

import dev.tuner.api.TrainingException;
import dev.tuner.forest.ForestArtifacts;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;

/**
 * Copies MLlib's trees into the forest provider's layout. Both go left when {@code value <= threshold}; MLlib
 * compares doubles, tuner compares the float features against a float threshold. The features are floats widened
 * to doubles, so taking the largest float not above MLlib's threshold sends every feature value the same way: for a
 * float {@code x}, {@code x <= t} exactly when {@code x <= floor_float(t)}. Leaf values are copied as they are, and
 * both average the trees in the same order, so the converted forest predicts what MLlib predicts.
 */
public final class TreeConversion {
  private TreeConversion() {}

  public static List<ForestArtifacts.FlatTree> flatTrees(RandomForestRegressionModel model) {
    List<ForestArtifacts.FlatTree> out = new ArrayList<>();
    for (DecisionTreeRegressionModel tree : model.trees()) {
      out.add(flatten(tree.rootNode()));
    }
    return out;
  }

  /** The largest float not above {@code t}. */
  static float floorToFloat(double t) {
    float f = (float) t;
    return f > t ? Math.nextDown(f) : f;
  }

  private static ForestArtifacts.FlatTree flatten(Node root) {
    List<Node> order = new ArrayList<>();
    preOrder(root, order);
    int n = order.size();
    int[] feature = new int[n];
    float[] threshold = new float[n];
    int[] left = new int[n];
    int[] right = new int[n];
    double[] value = new double[n];
    java.util.IdentityHashMap<Node, Integer> position = new java.util.IdentityHashMap<>();
    for (int i = 0; i < n; i++) {
      position.put(order.get(i), i);
    }
    for (int i = 0; i < n; i++) {
      Node node = order.get(i);
      value[i] = node.prediction();
      if (node instanceof InternalNode internal) {
        if (!(internal.split() instanceof ContinuousSplit split)) {
          throw new TrainingException("MLlib grew a categorical split on feature " + internal.split().featureIndex()
              + "; tuner's forests split numeric features only");
        }
        feature[i] = split.featureIndex();
        threshold[i] = floorToFloat(split.threshold());
        left[i] = position.get(internal.leftChild());
        right[i] = position.get(internal.rightChild());
      } else if (node instanceof LeafNode) {
        feature[i] = -1;
        left[i] = -1;
        right[i] = -1;
      }
    }
    return new ForestArtifacts.FlatTree(feature, threshold, left, right, value);
  }

  private static void preOrder(Node root, List<Node> out) {
    java.util.ArrayDeque<Node> stack = new java.util.ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Node node = stack.pop();
      out.add(node);
      if (node instanceof InternalNode internal) {
        stack.push(internal.rightChild());
        stack.push(internal.leftChild());
      }
    }
  }
}
