package dev.tuner.forest;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.MonotoneConstraints;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forest's hyper-parameters, parsed from the text map of {@link dev.tuner.api.TrainingOptions}.
 *
 * @param trees number of trees
 * @param maxDepth maximum depth of a tree
 * @param minLeaf Smile's {@code nodeSize}: a node with fewer than twice this many rows is not split
 * @param maxNodes maximum number of leaves of a tree
 * @param mtryFraction fraction of the features tried at each split
 * @param subsample 1.0 draws each tree's rows with replacement (bootstrap); below 1 draws that fraction without
 * @param partitionBy {@value #AUTO}, {@value #NONE} or a feature name: every tree first splits the rows on that
 *     feature at 0.5 and grows one subtree per side from that side's rows alone ({@value #AUTO}: the feature
 *     {@value #AUTO_FEATURE} when the training set has it with enough rows on both sides, else none)
 * @param monotone features the forest's output must be monotone in, by name, each with its direction: +1
 *     non-decreasing, -1 non-increasing (given as {@code name:+,name:-}); enforced on every tree by {@link
 *     MonotoneProjection} after it is grown
 * @param exclude features the trees must not split on, by name (held constant while growing)
 * @param maxSamples the most rows one tree draws ({@link #MAX_SAMPLES}; 0 = auto)
 */
record ForestHyperParameters(
    int trees, int maxDepth, int minLeaf, int maxNodes, double mtryFraction, double subsample, String partitionBy,
    Map<String, Integer> monotone, List<String> exclude, int maxSamples) {

  static final String TREES = "trees";
  static final String MAX_DEPTH = "max_depth";
  static final String MIN_LEAF = "min_leaf";
  static final String MAX_NODES = "max_nodes";
  static final String MTRY_FRACTION = "mtry_fraction";
  static final String SUBSAMPLE = "subsample";
  static final String PARTITION_BY = "partition_by";
  static final String MONOTONE = MonotoneConstraints.KEY;
  static final String EXCLUDE = "exclude";
  /**
   * The most rows one tree's bootstrap draws. A tree's cost grows with the rows it is grown on, and beyond some tens
   * of thousands more draws per tree mostly repeat what the other trees see; drawing fewer lets a forest train on
   * 10^5-10^6 rows in minutes (BENCHMARKS.md). {@value #AUTO_MAX_SAMPLES} stands for auto: every row (as many draws
   * as rows) up to {@value #DEFAULT_DRAW_CAP} rows, that many draws above. Left out of the canonical map while auto,
   * so that models trained before the key existed read and retrain unchanged.
   */
  static final String MAX_SAMPLES = "max_samples";
  static final int AUTO_MAX_SAMPLES = 0;
  static final int DEFAULT_DRAW_CAP = 65_536;
  static final String AUTO = "auto";
  static final String NONE = "none";
  /**
   * Decode and prefill are different regimes (memory- vs compute-bound) whose efficiencies depend on different
   * things; trees that share splits across them generalise worse to unseen devices. Leave-one-device-out on the
   * shipped data: decode MAPE 13.9% partitioned vs 17.0% shared, prefill 26.7% vs 26.3%.
   */
  static final String AUTO_FEATURE = "is_prefill";

  static final int MAX_TREES = 5000;
  static final int MAX_LEAVES = 100_000;

  // Leave-one-device-out on the shipped data: 80 trees of depth ≤ 10 predict as well as 200 of depth ≤ 20 (decode
  // MAPE 17.0% vs 16.6%, prefill 26.3% vs 26.6%; over three seeds 80 and 100 trees differ by less than the seeds
  // do) with under half the node visits per prediction.
  static final ForestHyperParameters DEFAULTS = new ForestHyperParameters(80, 10, 2, 1000, 0.6, 1.0, AUTO);

  /** Without monotone constraints or excluded features, drawing auto max_samples rows per tree. */
  ForestHyperParameters(int trees, int maxDepth, int minLeaf, int maxNodes, double mtryFraction, double subsample,
      String partitionBy) {
    this(trees, maxDepth, minLeaf, maxNodes, mtryFraction, subsample, partitionBy, Map.of(), List.of());
  }

  /** Drawing auto max_samples rows per tree. */
  ForestHyperParameters(int trees, int maxDepth, int minLeaf, int maxNodes, double mtryFraction, double subsample,
      String partitionBy, Map<String, Integer> monotone, List<String> exclude) {
    this(trees, maxDepth, minLeaf, maxNodes, mtryFraction, subsample, partitionBy, monotone, exclude,
        AUTO_MAX_SAMPLES);
  }

  ForestHyperParameters {
    monotone = Collections.unmodifiableMap(new LinkedHashMap<>(monotone));
    exclude = List.copyOf(exclude);
    InvalidInputException.requireInRange(TREES, trees, 1, MAX_TREES, "");
    InvalidInputException.requireInRange(MAX_DEPTH, maxDepth, 2, 64, "");
    InvalidInputException.requireInRange(MIN_LEAF, minLeaf, 1, 1000, "");
    InvalidInputException.requireInRange(MAX_NODES, maxNodes, 2, MAX_LEAVES, "");
    requireFraction(MTRY_FRACTION, mtryFraction, Double.toString(mtryFraction));
    requireFraction(SUBSAMPLE, subsample, Double.toString(subsample));
    InvalidInputException.requireInRange(MAX_SAMPLES, maxSamples, 0, Integer.MAX_VALUE, "rows per tree (0: auto)");
    if (partitionBy == null || partitionBy.isBlank()) {
      throw new InvalidInputException(PARTITION_BY, String.valueOf(partitionBy), AUTO + ", " + NONE
          + " or the name of a feature");
    }
  }

  /**
   * Reads {@code given} over the defaults.
   *
   * @throws InvalidInputException for an unknown key, a value that is not a number or one out of range
   */
  static ForestHyperParameters parse(Map<String, String> given) {
    Map<String, String> merged = new LinkedHashMap<>(DEFAULTS.asMap());
    merged.put(MAX_SAMPLES, Integer.toString(AUTO_MAX_SAMPLES));
    for (Map.Entry<String, String> e : given.entrySet()) {
      if (!merged.containsKey(e.getKey())) {
        throw new InvalidInputException(
            e.getKey(), String.valueOf(e.getValue()), "one of the forest hyper-parameters " + String.join(", ", merged.keySet()));
      }
      merged.put(e.getKey(), e.getValue());
    }
    return new ForestHyperParameters(
        parseInt(TREES, merged.get(TREES), 1, MAX_TREES),
        parseInt(MAX_DEPTH, merged.get(MAX_DEPTH), 2, 64),
        parseInt(MIN_LEAF, merged.get(MIN_LEAF), 1, 1000),
        parseInt(MAX_NODES, merged.get(MAX_NODES), 2, MAX_LEAVES),
        parseFraction(MTRY_FRACTION, merged.get(MTRY_FRACTION)),
        parseFraction(SUBSAMPLE, merged.get(SUBSAMPLE)),
        merged.get(PARTITION_BY).trim(),
        MonotoneConstraints.parse(merged.get(MONOTONE)),
        names(merged.get(EXCLUDE)),
        parseInt(MAX_SAMPLES, merged.get(MAX_SAMPLES), 0, Integer.MAX_VALUE));
  }

  private static List<String> names(String text) {
    List<String> out = new ArrayList<>();
    for (String name : text.split(",")) {
      if (!name.isBlank() && !out.contains(name.trim())) {
        out.add(name.trim());
      }
    }
    return out;
  }

  /** The canonical text form, in a fixed order, so equal settings always encode to equal payloads. */
  Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(TREES, Integer.toString(trees));
    m.put(MAX_DEPTH, Integer.toString(maxDepth));
    m.put(MIN_LEAF, Integer.toString(minLeaf));
    m.put(MAX_NODES, Integer.toString(maxNodes));
    m.put(MTRY_FRACTION, Double.toString(mtryFraction));
    m.put(SUBSAMPLE, Double.toString(subsample));
    m.put(PARTITION_BY, partitionBy);
    m.put(MONOTONE, MonotoneConstraints.format(monotone));
    m.put(EXCLUDE, String.join(",", exclude));
    if (maxSamples != AUTO_MAX_SAMPLES) {
      m.put(MAX_SAMPLES, Integer.toString(maxSamples));
    }
    return Collections.unmodifiableMap(m);
  }

  /** How many rows one tree draws from {@code available}: all of them up to the cap (auto, or the given figure). */
  int draws(int available) {
    int cap = maxSamples == AUTO_MAX_SAMPLES ? DEFAULT_DRAW_CAP : maxSamples;
    return Math.min(available, cap);
  }

  /** The number of features tried at each split: the fraction of {@code featureCount}, rounded, at least 1. */
  int mtry(int featureCount) {
    return (int) Math.max(1, Math.min(featureCount, Math.round(mtryFraction * featureCount)));
  }

  private static int parseInt(String key, String text, int min, int max) {
    int v;
    try {
      v = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(key, text, "an integer in [" + min + ", " + max + "]");
    }
    return v;
  }

  private static double parseFraction(String key, String text) {
    double v;
    try {
      v = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(key, text, "a number in (0, 1]");
    }
    return requireFraction(key, v, text);
  }

  private static double requireFraction(String key, double v, String text) {
    if (!(v > 0 && v <= 1)) {
      throw new InvalidInputException(key, text, "a number in (0, 1]");
    }
    return v;
  }
}
