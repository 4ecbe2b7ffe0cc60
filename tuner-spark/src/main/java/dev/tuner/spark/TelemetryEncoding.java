package dev.tuner.spark;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import dev.tuner.api.TunerException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.data.Dataset.Options;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import dev.tuner.core.schema.FeatureEncoder;
import dev.tuner.core.schema.FeatureSchemas;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.Locale;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Turns measurement rows into training rows inside Spark, with tuner's own reader rules, roofline and
 * {@link FeatureEncoder}: each output row is either used ({@value #SKIPPED} null; features, target, roofline and
 * what evaluation needs filled in) or left out with the reason and detail tuner's {@code Dataset} gives (invalid
 * row, E2E, SUSPECT, unresolvable scenario); as there, a row measured above its own roofline is kept (a physics or
 * catalog error to fix, not a label to drop). {@code hash0..hash3} hold the four 64-bit lanes
 * of the SHA-256 of the row's canonical line (the fields {@code Dataset.Prepared.sha256} joins), whose sums
 * identify the data independently of row order and partitioning.
 */
public final class TelemetryEncoding {
  public static final String SKIPPED = "skipped";
  public static final String DETAIL = "detail";
  public static final String DEVICE = "device";
  public static final String MODEL = "model";
  public static final String PHASE = "phase";
  public static final String FEATURES = "features";
  public static final String LABEL = "label";
  public static final String MEASURED = "measured";
  public static final String ROOF = "roof";
  public static final String REFERENCE = "reference";
  /** Prefix of the four hash-lane columns, hash0 to hash3. */
  public static final String HASH = "hash";

  static final StructType SCHEMA = new StructType()
      .add(SKIPPED, DataTypes.StringType, true)
      .add(DETAIL, DataTypes.StringType, true)
      .add(DEVICE, DataTypes.StringType, true)
      .add(MODEL, DataTypes.StringType, true)
      .add(PHASE, DataTypes.StringType, true)
      .add(FEATURES, SQLDataTypes.VectorType(), true)
      .add(LABEL, DataTypes.DoubleType, true)
      .add(MEASURED, DataTypes.DoubleType, true)
      .add(ROOF, DataTypes.DoubleType, true)
      .add(REFERENCE, DataTypes.DoubleType, true)
      .add(HASH + 0, DataTypes.LongType, true)
      .add(HASH + 1, DataTypes.LongType, true)
      .add(HASH + 2, DataTypes.LongType, true)
      .add(HASH + 3, DataTypes.LongType, true);

  private TelemetryEncoding() {}

  /** Encodes in the schema {@code schemaId} with targets of {@code target}. Lazy. */
  public static Dataset<Row> encode(Dataset<Row> measurements, String schemaId, OutputKind target,
      Options options) {
    FeatureSchemas.byId(schemaId);
    ScenarioColumns columns = new ScenarioColumns(measurements.schema());
    for (String required : new String[] {"quant", "batch", "context", "phase", "tokens_per_s"}) {
      if (!columns.has(required)) {
        throw new InvalidInputException("measurement columns", java.util.Arrays.toString(
            measurements.schema().fieldNames()), "a column named " + required);
      }
    }
    if (!columns.has("device") && !columns.has("mem_bw_gbs")) {
      throw new InvalidInputException("measurement columns", "no device and no mem_bw_gbs",
          "a device or mem_bw_gbs column");
    }
    if (!columns.has("model") && !columns.has("params_b")) {
      throw new InvalidInputException("measurement columns", "no model and no params_b",
          "a model or params_b column");
    }
    return measurements.mapPartitions(new EncodePartition(columns, schemaId, target, options.includeEndToEnd(),
        options.includeSuspect()), Encoders.row(SCHEMA));
  }

  private static final class EncodePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final ScenarioColumns columns;
    private final String schemaId;
    private final OutputKind target;
    private final boolean endToEnd;
    private final boolean suspect;

    EncodePartition(ScenarioColumns columns, String schemaId, OutputKind target, boolean endToEnd,
        boolean suspect) {
      this.columns = columns;
      this.schemaId = schemaId;
      this.target = target;
      this.endToEnd = endToEnd;
      this.suspect = suspect;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) throws NoSuchAlgorithmException {
      Catalog catalog = Catalog.shipped();
      Roofline roofline = new Roofline(catalog);
      FeatureEncoder encoder = new FeatureEncoder(FeatureSchemas.byId(schemaId));
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row next() {
          return encode(rows.next(), catalog, roofline, encoder, sha);
        }
      };
    }

    private static Row skipped(String reason, String detail) {
      return RowFactory.create(reason, detail, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private Row encode(Row row, Catalog catalog, Roofline roofline, FeatureEncoder encoder, MessageDigest sha) {
      ScenarioRequest request;
      double tokens;
      String notes;
      try {
        request = columns.request(row, catalog, true);
        tokens = columns.tokensPerSecond(row);
        notes = columns.notes(row).toUpperCase(Locale.ROOT);
      } catch (InvalidInputException e) {
        return skipped("invalid row", e.getMessage());
      }
      if (notes.contains("E2E") && !endToEnd) {
        return skipped("E2E (not pure decode)", notes);
      }
      if (notes.contains("SUSPECT") && !suspect) {
        return skipped("SUSPECT", notes);
      }
      Scenario s;
      try {
        s = request.resolve(catalog);
      } catch (TunerException e) {
        return skipped("unresolvable scenario", e.getMessage());
      }
      RooflineResult r = roofline.compute(s);
      float[] x = encoder.encode(s, r);
      double[] features = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        features[i] = x[i];
      }
      double reference = r.referenceFor(target);
      String device = request.device() != null ? request.device() : "custom device";
      String model = request.model() != null ? request.model() : "custom model";
      String line = String.join("|", device, model, String.valueOf(request.paramsB()), request.quant(),
          String.valueOf(s.batch()), String.valueOf(s.context()), s.phase().id(), s.kvCache().id(),
          Double.toString(tokens)) + "\n";
      ByteBuffer digest = ByteBuffer.wrap(sha.digest(line.getBytes(StandardCharsets.UTF_8)));
      return RowFactory.create(null, null, s.device().name(), s.model().name(), s.phase().id(),
          Vectors.dense(features), target.fromTokensPerSecond(tokens, reference), tokens, r.tokensPerSecond(),
          reference, digest.getLong(), digest.getLong(), digest.getLong(), digest.getLong());
    }
  }
}
