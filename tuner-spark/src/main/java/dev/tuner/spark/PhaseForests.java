package dev.tuner.spark;

import static org.apache.spark.sql.functions.col;

import dev.tuner.core.ensemble.EnsembleProvider;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.forest.ForestArtifacts;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The MLlib forests of one fit, partitioned by phase as tuner's forest partitions its trees by default
 * ({@code partition_by=auto}): decode and prefill are different regimes, so each phase gets a forest grown from its
 * own rows only, one level shallower than {@code maxDepth} because the phase split takes the root's level. As in
 * tuner's trainer, when the schema has no phase flag or either phase has fewer than
 * {@value ForestArtifacts#MIN_PARTITION_ROWS} rows, one forest of full depth is grown on every row instead, and
 * {@link #decode} and {@link #prefill} are that same model.
 *
 * @param decodeRows training rows of decode, which weigh the decode tree's root value in a partitioned tree's root
 * @param prefillRows training rows of prefill
 */
public record PhaseForests(RandomForestRegressionModel decode, RandomForestRegressionModel prefill, long decodeRows,
    long prefillRows) {

  /** Whether each phase has its own forest. */
  public boolean partitioned() {
    return decode != prefill;
  }

  public RandomForestRegressionModel of(Phase phase) {
    return phase == Phase.PREFILL ? prefill : decode;
  }

  /** MLlib's regressor with these settings and {@code maxDepth}, reading the encoded features and label. */
  static RandomForestRegressor regressor(TrainSettings s, int maxDepth) {
    return new RandomForestRegressor()
        .setFeaturesCol(TelemetryEncoding.FEATURES)
        .setLabelCol(TelemetryEncoding.LABEL)
        .setNumTrees(s.trees())
        .setMaxDepth(maxDepth)
        .setMinInstancesPerNode(s.minLeaf())
        .setFeatureSubsetStrategy(s.featureSubset())
        .setSubsamplingRate(s.subsample())
        .setMaxBins(s.maxBins())
        .setSeed(s.seed());
  }

  /** Fits on encoded rows ({@link TelemetryEncoding}, skipped rows already left out); each phase filtered in Spark. */
  public static PhaseForests fit(Dataset<Row> rows, FeatureSchema schema, TrainSettings s) {
    long decodeRows = 0;
    long prefillRows = 0;
    for (Row r : rows.groupBy(TelemetryEncoding.PHASE).count().collectAsList()) {
      if (Phase.PREFILL.id().equals(r.getString(0))) {
        prefillRows = r.getLong(1);
      } else {
        decodeRows += r.getLong(1);
      }
    }
    if (schema.indexOf(EnsembleProvider.PHASE_FEATURE) < 0
        || Math.min(decodeRows, prefillRows) < ForestArtifacts.MIN_PARTITION_ROWS) {
      RandomForestRegressionModel whole = regressor(s, s.maxDepth()).fit(rows);
      return new PhaseForests(whole, whole, decodeRows, prefillRows);
    }
    RandomForestRegressor perPhase = regressor(s, s.maxDepth() - 1);
    return new PhaseForests(perPhase.fit(phase(rows, Phase.DECODE)), perPhase.fit(phase(rows, Phase.PREFILL)),
        decodeRows, prefillRows);
  }

  private static Dataset<Row> phase(Dataset<Row> rows, Phase phase) {
    return rows.filter(col(TelemetryEncoding.PHASE).equalTo(phase.id()));
  }

  /** {@code rows} with MLlib's {@code prediction} column, each row predicted by its phase's forest. */
  public Dataset<Row> transform(Dataset<Row> rows) {
    if (!partitioned()) {
      return decode.transform(rows);
    }
    return decode.transform(phase(rows, Phase.DECODE)).union(prefill.transform(phase(rows, Phase.PREFILL)));
  }

  /**
   * The trees in the forest provider's layout: when partitioned, tree {@code t} is the phase split on the phase
   * flag (decode is 0, at most the threshold) over tree {@code t} of each phase, which predicts for every row what
   * its phase's MLlib forest predicts.
   */
  List<ForestArtifacts.FlatTree> flatTrees(FeatureSchema schema) {
    List<ForestArtifacts.FlatTree> decodeTrees = TreeConversion.flatTrees(decode);
    if (!partitioned()) {
      return decodeTrees;
    }
    List<ForestArtifacts.FlatTree> prefillTrees = TreeConversion.flatTrees(prefill);
    int flag = schema.indexOf(EnsembleProvider.PHASE_FEATURE);
    List<ForestArtifacts.FlatTree> out = new ArrayList<>(decodeTrees.size());
    for (int t = 0; t < decodeTrees.size(); t++) {
      double root = (decodeRows * decodeTrees.get(t).value()[0] + prefillRows * prefillTrees.get(t).value()[0])
          / (decodeRows + prefillRows);
      out.add(ForestArtifacts.partitioned(flag, root, decodeTrees.get(t), prefillTrees.get(t)));
    }
    return out;
  }
}
