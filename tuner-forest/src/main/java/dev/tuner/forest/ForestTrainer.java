package dev.tuner.forest;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelTrainer;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingException;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import dev.tuner.api.TunerException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import smile.base.cart.CART;
import smile.base.cart.Loss;
import smile.data.DataFrame;
import smile.data.type.DataTypes;
import smile.data.type.StructField;
import smile.math.MathEx;
import smile.regression.RegressionTree;

/**
 * Trains a random-forest regressor with Smile 2.6.0 and flattens it into a {@link ForestModel}.
 *
 * <p>Determinism: Smile's own {@code RandomForest.fit} grows trees on a parallel stream and draws from a
 * thread-local generator, so which thread grows which tree decides the random numbers. Here every tree is grown
 * as one task that first seeds the current thread's Smile generator with a seed derived from the training seed
 * and the tree's index, then draws its bootstrap and grows the tree on that same thread, exactly as Smile's
 * per-tree code does. Tasks run on a fixed pool of {@code options.threads()} threads and are collected in tree
 * order, so the forest, its importances and its payload are the same for any thread count. Each tree equals the
 * one {@code RandomForest.fit(formula, data, 1, mtry, maxDepth, maxNodes, nodeSize, subsample,
 * LongStream.of(treeSeed))} grows.
 *
 * <p>Training also records, as model properties: impurity importance (each feature's share of the total decrease
 * of the residual sum of squares over all splits, Smile's {@code importance()}), permutation importance (the
 * increase of each tree's mean squared error on its out-of-bag rows when the feature is shuffled among them,
 * averaged over trees, on at most 2000 rows), both for the top 10 features, and
 * the out-of-bag RMSE and R².
 *
 * <p>Partitioned trees ({@code partition_by}): each tree's root splits on the partition feature at 0.5 and each
 * side is a tree grown as above, with one level less, on a bootstrap drawn from that side's rows only; the root's
 * value is the mean of both bootstraps' targets, and its decrease of the residual sum of squares counts towards the
 * partition feature's impurity importance.
 */
public final class ForestTrainer implements ModelTrainer {
  static final int MIN_ROWS = 10;
  static final int TOP_IMPORTANCES = 10;

  /** Smile's Mersenne twister keeps only the seed modulo this, so distinct tree seeds stay below it. */
  static final long SMILE_SEED_MODULUS = 899_999_963L;

  /**
   * Guards {@link MathEx#setSeed}, which also updates a static, unsynchronised set of seeds inside Smile; the
   * generator it seeds is the calling thread's own.
   */
  private static final Object SMILE_SEED_LOCK = new Object();

  public ForestTrainer() {}

  @Override
  public Map<String, String> defaultHyperParameters() {
    return ForestHyperParameters.DEFAULTS.asMap();
  }

  @Override
  public TrainedModel train(TrainingSet data, TrainingOptions options) {
    Fit fit = fit(data, options);
    return new TrainedModel(fit.model(), fit.payload(), fit.hyperParameters().asMap());
  }

  /** A trained forest with what a test needs to regrow it with Smile's own {@code RandomForest.fit}. */
  record Fit(ForestModel model, byte[] payload, ForestHyperParameters hyperParameters, int mtry, long[] treeSeeds) {}

  Fit fit(TrainingSet data, TrainingOptions options) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(options, "options");
    ForestHyperParameters hp = ForestHyperParameters.parse(options.hyperParameters());
    int n = data.rows();
    if (n < MIN_ROWS) {
      throw new TrainingException(
          "a forest needs at least " + MIN_ROWS + " training rows, but the training set has " + n);
    }
    if (data.width() > ForestPayload.MAX_FEATURES) {
      throw new TrainingException(
          "a forest takes at most " + ForestPayload.MAX_FEATURES + " features, but the training set has "
              + data.width());
    }
    if (hp.subsample() < 1 && Math.round(n * hp.subsample()) < 2) {
      throw new TrainingException(
          "subsample = " + hp.subsample() + " keeps " + Math.round(n * hp.subsample()) + " of the " + n
              + " rows for each tree; at least 2 are needed");
    }
    var job = new Job(data, hp, options);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.threads(), hp.trees()), r -> {
      Thread thread = new Thread(r, "tuner-forest");
      thread.setDaemon(true);
      return thread;
    });
    try {
      return job.run(pool);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Seeds in [2, modulus), all distinct: Smile ignores seeds of 1 and below and reduces the rest modulo. */
  static long[] treeSeeds(long seed, int trees) {
    var rng = new SplittableRandom(seed);
    Set<Long> used = new HashSet<>();
    long[] seeds = new long[trees];
    for (int t = 0; t < trees; ) {
      long s = rng.nextLong(2, SMILE_SEED_MODULUS);
      if (used.add(s)) {
        seeds[t++] = s;
      }
    }
    return seeds;
  }

  /** One tree's result: its arrays, its impurity importance and the rows its bootstrap drew. */
  private record Grown(FlatForest.Tree tree, double[] importance, BitSet inBag) {}

  /** The state of one training run; its tree tasks only read it, apart from the synchronised progress count. */
  private static final class Job {
    private final TrainingSet data;
    private final ForestHyperParameters hp;
    private final TrainingOptions options;
    private final int rows;
    private final int width;
    private final int mtry;
    private final float[] x;
    private final double[] y;
    private final DataFrame frame;
    private final int[][] order;
    private final long[] seeds;
    /** The partition feature's index, or -1; and the rows on each side of it. */
    private final int partition;
    private final int[] allRows;
    private final int[] lowRows;
    private final int[] highRows;
    /** Per feature: +1 / -1 for a monotone constraint, 0 for none. */
    private final int[] direction;
    private final StructField response = new StructField("y", DataTypes.DoubleType);
    private int treesDone;

    Job(TrainingSet data, ForestHyperParameters hp, TrainingOptions options) {
      this.data = data;
      this.hp = hp;
      this.options = options;
      this.rows = data.rows();
      this.width = data.width();
      this.mtry = hp.mtry(width);
      this.x = data.features();
      this.y = data.targets();
      this.direction = new int[width];
      hp.monotone().forEach((name, d) -> direction[index(data, ForestHyperParameters.MONOTONE, name)] = d);
      boolean[] excluded = new boolean[width];
      for (String name : hp.exclude()) {
        excluded[index(data, ForestHyperParameters.EXCLUDE, name)] = true;
      }
      // column by column: a row-major double[rows][width] copy first would hold the data twice more at its peak
      smile.data.vector.BaseVector<?, ?, ?>[] columns = new smile.data.vector.BaseVector<?, ?, ?>[width];
      for (int j = 0; j < width; j++) {
        double[] column = new double[rows];
        for (int i = 0; i < rows; i++) {
          // an excluded column is held at 0 while growing: a constant column is never split on
          column[i] = excluded[j] ? 0 : x[i * width + j];
        }
        columns[j] = smile.data.vector.DoubleVector.of("f" + j, column);
      }
      this.frame = DataFrame.of(columns);
      this.order = CART.order(frame);
      this.seeds = treeSeeds(options.seed(), hp.trees());
      this.allRows = java.util.stream.IntStream.range(0, rows).toArray();
      this.partition = partitionFeature(data, hp);
      this.lowRows = partition < 0 ? new int[0] : side(data, partition, false);
      this.highRows = partition < 0 ? new int[0] : side(data, partition, true);
    }

    private static int index(TrainingSet data, String key, String name) {
      int j = data.featureNames().indexOf(name);
      if (j < 0) {
        throw new InvalidInputException(key, name, "names of the training set's features: "
            + String.join(", ", data.featureNames()));
      }
      return j;
    }

    /** The index of the feature trees are partitioned on, or -1. */
    private static int partitionFeature(TrainingSet data, ForestHyperParameters hp) {
      String by = hp.partitionBy();
      if (by.equals(ForestHyperParameters.NONE)) {
        return -1;
      }
      boolean auto = by.equals(ForestHyperParameters.AUTO);
      String name = auto ? ForestHyperParameters.AUTO_FEATURE : by;
      int index = data.featureNames().indexOf(name);
      if (index < 0) {
        if (auto) {
          return -1;
        }
        throw new InvalidInputException(ForestHyperParameters.PARTITION_BY, by, ForestHyperParameters.AUTO + ", "
            + ForestHyperParameters.NONE + " or one of the training set's features " + data.featureNames());
      }
      int low = side(data, index, false).length;
      int high = data.rows() - low;
      if (Math.min(low, high) < MIN_ROWS) {
        if (auto) {
          return -1;
        }
        throw new TrainingException(ForestHyperParameters.PARTITION_BY + " = " + by + " puts " + low + " rows at or "
            + "below 0.5 and " + high + " above it; each side needs at least " + MIN_ROWS);
      }
      if (hp.maxDepth() < 3) {
        throw new InvalidInputException(ForestHyperParameters.MAX_DEPTH, hp.maxDepth(),
            "at least 3 when trees are partitioned (the partition takes one level)");
      }
      return index;
    }

    private static int[] side(TrainingSet data, int feature, boolean high) {
      int w = data.width();
      float[] f = data.features();
      return java.util.stream.IntStream.range(0, data.rows())
          .filter(i -> (f[i * w + feature] > ForestArtifacts.PARTITION_THRESHOLD) == high).toArray();
    }

    Fit run(ExecutorService pool) {
      List<Future<Grown>> futures = new ArrayList<>(hp.trees());
      for (int t = 0; t < hp.trees(); t++) {
        int tree = t;
        futures.add(pool.submit(() -> grow(tree)));
      }
      List<FlatForest.Tree> trees = new ArrayList<>(hp.trees());
      List<BitSet> inBag = new ArrayList<>(hp.trees());
      double[] impurity = new double[width];
      long nodes = 0;
      for (int t = 0; t < futures.size(); t++) {
        Grown g = await(futures.get(t), "growing tree " + t);
        nodes += g.tree().feature().length;
        if (nodes > FlatForest.MAX_NODES) {
          throw new TrainingException(
              "the forest would exceed " + FlatForest.MAX_NODES + " nodes after " + (t + 1) + " of " + hp.trees()
                  + " trees; lower trees or max_nodes");
        }
        trees.add(g.tree());
        inBag.add(g.inBag());
        for (int j = 0; j < width; j++) {
          impurity[j] += g.importance()[j];
        }
      }
      FlatForest forest = FlatForest.concat(width, trees);
      forest.defect().ifPresent(d -> {
        throw new IllegalStateException("flattening Smile's trees produced an invalid forest: " + d);
      });

      var oob = new OutOfBag(forest, inBag, x, y);
      double[] permutation = new double[width];
      List<Future<Double>> tasks;
      try {
        tasks = pool.invokeAll(oob.permutationTasks(options.seed()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TrainingException("forest training was interrupted", e);
      }
      for (int j = 0; j < width; j++) {
        permutation[j] = await(tasks.get(j), "computing permutation importance of feature " + j);
      }

      Map<String, String> properties = new LinkedHashMap<>();
      properties.put("seed", Long.toString(options.seed()));
      properties.put("partition.feature", partition < 0 ? ForestHyperParameters.NONE
          : data.featureNames().get(partition));
      properties.put("mtry", Integer.toString(mtry));
      properties.put("training.rows", Integer.toString(rows));
      oob.metrics().ifPresent(m -> {
        properties.put("oob.rows", Integer.toString(m.rows()));
        properties.put("oob.rmse", format(m.rmse()));
        properties.put("oob.r2", format(m.r2()));
      });
      double impuritySum = 0;
      for (double v : impurity) {
        impuritySum += v;
      }
      double[] impurityShare = new double[width];
      for (int j = 0; j < width; j++) {
        impurityShare[j] = impuritySum > 0 ? impurity[j] / impuritySum : 0;
      }
      putTop(properties, "importance.impurity.", impurityShare);
      putTop(properties, "importance.permutation.", permutation);

      var contents = new ForestPayload.Contents(data.featureNames(), hp, properties, forest);
      byte[] payload = ForestPayload.write(contents);
      ForestModel model = ForestModel.of(contents, payload, data.schema(), data.target());
      return new Fit(model, payload, hp, mtry, seeds.clone());
    }

    /** Grows tree {@code t} entirely on the calling thread, as Smile's per-tree code does inside its own fit. */
    private Grown grow(int t) {
      synchronized (SMILE_SEED_LOCK) {
        MathEx.setSeed(seeds[t]);
      }
      Grown grown = partition >= 0 ? growPartitioned() : growWhole();
      reportTreeDone();
      return grown;
    }

    private Grown growWhole() {
      int[] samples = bootstrap(allRows);
      var tree = tree(hp.maxDepth(), samples);
      FlatForest.Tree flat = TreeFlattener.flatten(tree, frame.schema(), x, y, samples);
      return new Grown(monotone(flat, samples), tree.importance().clone(), inBag(samples));
    }

    /** A partitioned tree: the low side's bootstrap is drawn first, then the high side's. */
    private Grown growPartitioned() {
      int[] low = bootstrap(lowRows);
      int[] high = bootstrap(highRows);
      var lowTree = tree(hp.maxDepth() - 1, low);
      var highTree = tree(hp.maxDepth() - 1, high);
      FlatForest.Tree lowFlat = TreeFlattener.flatten(lowTree, frame.schema(), x, y, low);
      FlatForest.Tree highFlat = TreeFlattener.flatten(highTree, frame.schema(), x, y, high);
      double wl = 0;
      double wh = 0;
      for (int i = 0; i < rows; i++) {
        wl += low[i];
        wh += high[i];
      }
      double vl = lowFlat.value()[0];
      double vh = highFlat.value()[0];
      FlatForest.Tree joined = FlatForest.join(partition, ForestArtifacts.PARTITION_THRESHOLD,
          (wl * vl + wh * vh) / (wl + wh), lowFlat, highFlat);
      double[] importance = lowTree.importance().clone();
      double[] highImportance = highTree.importance();
      for (int j = 0; j < width; j++) {
        importance[j] += highImportance[j];
      }
      importance[partition] += wl * wh / (wl + wh) * (vl - vh) * (vl - vh);
      return new Grown(monotone(joined, low, high), importance, inBag(low, high));
    }

    /**
     * {@code tree} made monotone in the constrained features, each leaf weighted by the rows the bootstrap
     * {@code draws} put in it; unchanged (and no row walked) when nothing is constrained.
     */
    private FlatForest.Tree monotone(FlatForest.Tree tree, int[]... draws) {
      return hp.monotone().isEmpty() ? tree
          : MonotoneProjection.project(tree, direction, MonotoneProjection.leafWeights(tree, x, width, draws));
    }

    private RegressionTree tree(int maxDepth, int[] samples) {
      return new RegressionTree(
          frame, Loss.ls(y), response, maxDepth, hp.maxNodes(), hp.minLeaf(), mtry, samples, order);
    }

    /** The rows drawn at least once by any of the draws. */
    private BitSet inBag(int[]... draws) {
      var inBag = new BitSet(rows);
      for (int[] samples : draws) {
        for (int i = 0; i < rows; i++) {
          if (samples[i] > 0) {
            inBag.set(i);
          }
        }
      }
      return inBag;
    }

    /**
     * Sample counts over all rows for a draw from {@code side} only: with replacement, as many draws as the side has
     * rows, or without replacement the subsample fraction of them (Smile's own per-tree sampling when the side is
     * every row); above the max_samples cap, that many draws instead of one per row.
     */
    private int[] bootstrap(int[] side) {
      int[] samples = new int[rows];
      int draws = hp.draws(side.length);
      if (hp.subsample() == 1.0) {
        for (int i = 0; i < draws; i++) {
          samples[side[MathEx.randomInt(side.length)]]++;
        }
      } else {
        int[] permutation = MathEx.permutate(side.length);
        int kept = Math.max(1, (int) Math.round(draws * hp.subsample()));
        for (int i = 0; i < kept; i++) {
          samples[side[permutation[i]]] = 1;
        }
      }
      return samples;
    }

    /** Serialised so that the listener sees the count rise one by one. */
    private synchronized void reportTreeDone() {
      treesDone++;
      ProgressListener progress = options.progress();
      progress.progress("forest", treesDone, hp.trees());
    }

    private static <T> T await(Future<T> future, String what) {
      try {
        return future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TrainingException("forest training was interrupted while " + what, e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof TunerException) {
          throw (TunerException) cause;
        }
        throw new TrainingException("forest training failed while " + what + ": " + cause, cause);
      }
    }

    private void putTop(Map<String, String> properties, String prefix, double[] values) {
      List<Integer> ranked = new ArrayList<>();
      for (int j = 0; j < values.length; j++) {
        if (values[j] > 0) {
          ranked.add(j);
        }
      }
      ranked.sort(Comparator.comparingDouble((Integer j) -> -values[j]).thenComparing(j -> j));
      for (int j : ranked.subList(0, Math.min(TOP_IMPORTANCES, ranked.size()))) {
        properties.put(prefix + data.featureNames().get(j), format(values[j]));
      }
    }

    private static String format(double v) {
      return String.format(Locale.ROOT, "%.6g", v);
    }
  }
}
