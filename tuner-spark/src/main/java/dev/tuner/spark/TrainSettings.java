package dev.tuner.spark;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.schema.FeatureSchemas;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link SparkForestTrainer} trains: MLlib's random-forest hyper-parameters (named as MLlib names them), the
 * feature schema and target, the grouped cross-validation (devices dealt into {@code cvFolds} folds) and the
 * interval level, and which flagged rows to keep.
 *
 * @param maxDepth the depth of a converted tree, as tuner's forest counts it: with the phase split at the root,
 *     each phase's MLlib forest grows {@code maxDepth - 1} levels ({@link PhaseForests})
 * @param featureSubset MLlib's {@code featureSubsetStrategy}: all, onethird, sqrt, log2 or a fraction in (0, 1]
 */
public record TrainSettings(
    String schemaId,
    OutputKind target,
    int trees,
    int maxDepth,
    int minLeaf,
    String featureSubset,
    double subsample,
    int maxBins,
    long seed,
    int cvFolds,
    double level,
    Dataset.Options data) {

  public TrainSettings {
    FeatureSchemas.byId(schemaId);
    Objects.requireNonNull(target, "target");
    requireInRange("trees", trees, 1, 5000, "");
    // MLlib grows at most depth 30 (the whole-data forest when a phase is too small to split off); the phase split
    // takes one level, so at least 3 as tuner's partitioned forest requires
    requireInRange("max depth", maxDepth, 3, 30, "");
    requireInRange("min leaf", minLeaf, 1, 1000, "rows");
    featuresPerNode(featureSubset, 1);
    if (!(subsample > 0 && subsample <= 1)) {
      throw new InvalidInputException("subsample", subsample, "a number in (0, 1]");
    }
    requireInRange("max bins", maxBins, 2, 100_000, "");
    requireInRange("cv folds", cvFolds, 2, 1000, "folds of devices");
    requireInRange("interval level", level, 0.5, 0.99, "");
    Objects.requireNonNull(data, "data options");
  }

  /**
   * Defaults close to tuner's own forest (80 trees of depth at most 10, 60% of the features tried per split),
   * 5 folds of devices, target {@code log_roofline_fraction} as {@code tuner train} uses, seed 42.
   */
  public static TrainSettings defaults() {
    return new TrainSettings(FeatureSchemas.TUNER_V1, OutputKind.LOG_ROOFLINE_FRACTION, 80, 10, 2, "0.6", 1.0, 32,
        42, 5, 0.9, Dataset.Options.defaults());
  }

  /** The number of features MLlib tries per split for {@code width} features, as MLlib computes it. */
  static int featuresPerNode(String strategy, int width) {
    String s = strategy.trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "all":
        return width;
      case "onethird":
        return (int) Math.ceil(width / 3.0);
      case "sqrt":
        return (int) Math.ceil(Math.sqrt(width));
      case "log2":
        return Math.max(1, (int) Math.ceil(Math.log(width) / Math.log(2)));
      default:
        double f;
        try {
          f = Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new InvalidInputException("feature subset", strategy, "all, onethird, sqrt, log2 or a fraction in "
              + "(0, 1]");
        }
        if (!(f > 0 && f <= 1)) {
          throw new InvalidInputException("feature subset", strategy, "a fraction in (0, 1]");
        }
        return (int) Math.ceil(f * width);
    }
  }

  /** The settings as the artifact's provenance records them. */
  Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("num_trees", Integer.toString(trees));
    m.put("max_depth", Integer.toString(maxDepth));
    m.put("min_instances_per_node", Integer.toString(minLeaf));
    m.put("feature_subset_strategy", featureSubset);
    m.put("subsampling_rate", Double.toString(subsample));
    m.put("bootstrap", "true");
    m.put("max_bins", Integer.toString(maxBins));
    m.put("seed", Long.toString(seed));
    m.put("cv_folds", Integer.toString(cvFolds));
    m.put("schema", schemaId);
    m.put("target", target.id());
    m.put("partition_by", "auto");
    m.put("monotone", "none");
    return m;
  }
}
