package dev.tuner.spark;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.api.TunerException;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.scenario.Scenario;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a {@code Dataset<Row>} of scenarios with a tuner model artifact, on however many executors the session
 * has. The input's columns are those of the measurements CSV (see {@link ScenarioColumns}); the output is every
 * input column followed by {@value #TOKENS}, {@value #ROOFLINE}, {@value #BOUND}, {@value #LOW}, {@value #HIGH},
 * {@value #CONFIDENCE} and {@value #ERROR}. Each value is what {@code Predictor.predict} gives for the row's scenario
 * in one JVM, bit for bit: the artifact's bytes are broadcast and each executor loads them once into the same
 * predictor (see {@link ExecutorModels}). A row that cannot be predicted (a missing or malformed figure, an unknown
 * name, a model that fails on it) gets the message in {@value #ERROR} and nulls elsewhere; the job goes on.
 */
public final class SparkScorer {
  public static final String TOKENS = "tokens_per_s";
  public static final String ROOFLINE = "roofline_tokens_per_s";
  public static final String BOUND = "bound";
  public static final String LOW = "interval_lo";
  public static final String HIGH = "interval_hi";
  public static final String CONFIDENCE = "confidence";
  public static final String ERROR = "error";
  static final List<String> OUTPUTS = List.of(TOKENS, ROOFLINE, BOUND, LOW, HIGH, CONFIDENCE, ERROR);

  private final SparkSession spark;
  private final byte[] artifact;
  private final String sha256;
  private final double intervalLevel;

  /**
   * @param artifact a tuner model artifact file's bytes (checked on the driver before anything is broadcast)
   * @param intervalLevel nominal coverage of the prediction intervals, in [0.5, 0.99]
   */
  public SparkScorer(SparkSession spark, byte[] artifact, double intervalLevel) {
    this.spark = Objects.requireNonNull(spark, "spark");
    this.artifact = artifact.clone();
    this.sha256 = sha256(this.artifact);
    this.intervalLevel = intervalLevel;
    ExecutorModels.get(sha256, intervalLevel, () -> this.artifact);
  }

  /** The model embedded in tuner's runnable jar (class-path resource {@value TunerConfig#DEFAULT_MODEL_RESOURCE}). */
  public static byte[] defaultModel() {
    try (InputStream in = SparkScorer.class.getClassLoader()
        .getResourceAsStream(TunerConfig.DEFAULT_MODEL_RESOURCE)) {
      if (in == null) {
        throw new ModelLoadException("the default model (" + TunerConfig.DEFAULT_MODEL_RESOURCE
            + ") is not on the class path; give a model file");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The SHA-256 of the artifact's bytes, in hex: the key executors load it under. */
  public String artifactSha256() {
    return sha256;
  }

  /**
   * The scenarios with their predictions; lazy like any Spark transformation.
   *
   * @throws InvalidInputException when the input already has a column of an output's name
   */
  public Dataset<Row> score(Dataset<Row> scenarios) {
    StructType in = scenarios.schema();
    for (String name : in.fieldNames()) {
      if (OUTPUTS.contains(name.trim().toLowerCase(java.util.Locale.ROOT))) {
        throw new InvalidInputException("scenario column", name, "none of the output columns " + OUTPUTS
            + " (drop or rename it first, e.g. a measured tokens_per_s)");
      }
    }
    StructType out = in
        .add(TOKENS, DataTypes.DoubleType, true)
        .add(ROOFLINE, DataTypes.DoubleType, true)
        .add(BOUND, DataTypes.StringType, true)
        .add(LOW, DataTypes.DoubleType, true)
        .add(HIGH, DataTypes.DoubleType, true)
        .add(CONFIDENCE, DataTypes.DoubleType, true)
        .add(ERROR, DataTypes.StringType, true);
    Broadcast<byte[]> bytes = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(artifact);
    return scenarios.mapPartitions(new ScorePartition(bytes, sha256, intervalLevel, new ScenarioColumns(in),
        in.fields().length), Encoders.row(out));
  }

  /**
   * Tokens/s only, for sweeps that need nothing else: every input column followed by {@value #TOKENS} and {@value
   * #ERROR}, each value {@code Predictor.predict(s).tokensPerSecond()} bit for bit, scored through the predictor's
   * batch path ({@code predictTokensPerSecond}, {@value #BLOCK} rows per model call) instead of one full prediction
   * per row (interval, confidence and assumptions are never computed). Bad rows get their error as in {@link
   * #score}. Lazy.
   *
   * @throws InvalidInputException when the input already has a column named {@value #TOKENS} or {@value #ERROR}
   */
  public Dataset<Row> scoreTokens(Dataset<Row> scenarios) {
    StructType in = scenarios.schema();
    for (String name : in.fieldNames()) {
      String n = name.trim().toLowerCase(java.util.Locale.ROOT);
      if (n.equals(TOKENS) || n.equals(ERROR)) {
        throw new InvalidInputException("scenario column", name, "neither " + TOKENS + " nor " + ERROR
            + " (drop or rename it first, e.g. a measured tokens_per_s)");
      }
    }
    StructType out = in.add(TOKENS, DataTypes.DoubleType, true).add(ERROR, DataTypes.StringType, true);
    Broadcast<byte[]> bytes = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(artifact);
    return scenarios.mapPartitions(new TokensPartition(bytes, sha256, intervalLevel, new ScenarioColumns(in),
        in.fields().length), Encoders.row(out));
  }

  /** Rows per batch-path call in {@link #scoreTokens}: the predictor's own chunk, so one call is one model call. */
  static final int BLOCK = dev.tuner.core.predict.Predictor.CHUNK;

  /** {@link #scoreTokens}'s per-partition function: reads {@value #BLOCK} rows, scores them in one call. */
  private static final class TokensPartition extends Partition {
    private static final long serialVersionUID = 1L;

    TokensPartition(Broadcast<byte[]> artifact, String sha256, double level, ScenarioColumns columns, int width) {
      super(artifact, sha256, level, columns, width);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      ExecutorModels.Scoring scoring = scoring();
      Row[] block = new Row[BLOCK];
      Scenario[] scenarios = new Scenario[BLOCK];
      String[] errors = new String[BLOCK];
      int[] resolved = new int[BLOCK];
      double[] tokens = new double[BLOCK];
      return new Iterator<>() {
        private int size;
        private int next;

        @Override
        public boolean hasNext() {
          if (next == size) {
            fill();
          }
          return next < size;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          int i = next++;
          Object[] values = new Object[width + 2];
          for (int c = 0; c < width; c++) {
            values[c] = block[i].get(c);
          }
          if (errors[i] == null) {
            values[width] = tokens[i];
          } else {
            values[width + 1] = errors[i];
          }
          return RowFactory.create(values);
        }

        /** Reads the next block, resolves its scenarios and scores the resolved ones in one call. */
        private void fill() {
          size = 0;
          next = 0;
          int ok = 0;
          while (size < BLOCK && rows.hasNext()) {
            block[size] = rows.next();
            errors[size] = null;
            try {
              scenarios[ok] = columns.request(block[size], scoring.catalog(), false).resolve(scoring.catalog());
              resolved[ok++] = size;
            } catch (TunerException e) {
              errors[size] = e.getMessage();
            }
            size++;
          }
          Scenario[] batch = ok == BLOCK ? scenarios : java.util.Arrays.copyOf(scenarios, ok);
          double[] out = new double[ok];
          try {
            scoring.predictor().predictTokensPerSecond(batch, out);
          } catch (TunerException e) {
            // a model that fails on some row fails the whole call: find which rows, one prediction each
            for (int k = 0; k < ok; k++) {
              try {
                out[k] = scoring.predictor().predict(batch[k], 0).tokensPerSecond();
              } catch (TunerException rowError) {
                errors[resolved[k]] = rowError.getMessage();
              }
            }
          }
          for (int k = 0; k < ok; k++) {
            tokens[resolved[k]] = out[k];
          }
        }
      };
    }
  }

  /**
   * What both per-partition functions hold: the broadcast artifact, its hash and interval level (the key of the
   * executor's model cache), and how to read the input columns. Everything is serialisable and immutable.
   */
  private abstract static class Partition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> artifact;
    private final String sha256;
    private final double level;
    final ScenarioColumns columns;
    final int width;

    Partition(Broadcast<byte[]> artifact, String sha256, double level, ScenarioColumns columns, int width) {
      this.artifact = artifact;
      this.sha256 = sha256;
      this.level = level;
      this.columns = columns;
      this.width = width;
    }

    /** This executor's predictor for the artifact, loaded once per JVM. */
    final ExecutorModels.Scoring scoring() {
      return ExecutorModels.get(sha256, level, artifact::value);
    }
  }

  /** The per-partition function of {@link #score}: one full prediction per row. */
  private static final class ScorePartition extends Partition {
    private static final long serialVersionUID = 1L;

    ScorePartition(Broadcast<byte[]> artifact, String sha256, double level, ScenarioColumns columns, int width) {
      super(artifact, sha256, level, columns, width);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      ExecutorModels.Scoring scoring = scoring();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row next() {
          return score(rows.next(), scoring);
        }
      };
    }

    private Row score(Row row, ExecutorModels.Scoring scoring) {
      Object[] values = new Object[width + OUTPUTS.size()];
      for (int i = 0; i < width; i++) {
        values[i] = row.get(i);
      }
      try {
        Scenario s = columns.request(row, scoring.catalog(), false).resolve(scoring.catalog());
        ThroughputPrediction p = scoring.predictor().predict(s, 0);
        values[width] = p.tokensPerSecond();
        values[width + 1] = p.rooflineTokensPerSecond();
        values[width + 2] = p.bound().id();
        values[width + 3] = p.interval().low();
        values[width + 4] = p.interval().high();
        values[width + 5] = p.confidence();
      } catch (TunerException e) {
        values[width + 6] = e.getMessage();
      }
      return RowFactory.create(values);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
