package dev.tuner.spark;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.Cells;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ScenarioRequest;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Reads scenarios from rows whose columns are named as in the measurements CSV ({@code source_id, device, backend,
 * model, params_b, quant, batch, context, depth, phase, tokens_per_s, n_ubatch, flash_attn, kv_type, build,
 * build_date, blas, model_size_bytes, num_devices, tp, pp, ep, notes}, {@code kv_cache_type} as the older name of
 * {@code kv_type}) and its optional figures ({@code mem_bw_gbs, fp16_tflops, fp32_tflops, sm_or_cores, l2_mb, mem_gb, hidden, layers,
 * heads, kv_heads, head_dim, vocab, cuda_graphs, kernel}) plus {@code zero_copy}; other columns are ignored. A column
 * may hold text (as a CSV read without schema inference gives) or numbers and booleans (as Parquet does); null and
 * blank mean "not given". Column positions are found once, from the schema, so reading a row looks nothing up by
 * name.
 */
final class ScenarioColumns implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Every column this class reads, in the order of its index array. */
  static final List<String> NAMES = List.of(
      "model", "device", "quant", "batch", "context", "phase", "kv_cache_type", "cuda_graphs", "kernel", "zero_copy",
      "params_b", "hidden", "layers", "heads", "kv_heads", "head_dim", "vocab", "mem_bw_gbs", "fp16_tflops",
      "fp32_tflops", "sm_or_cores", "l2_mb", "mem_gb", "tokens_per_s", "notes", "kv_type", "depth", "num_devices",
      "tp", "pp", "ep", "n_ubatch", "flash_attn", "backend", "build", "model_size_bytes", "build_date", "blas");

  private static final int MODEL = 0;
  private static final int DEVICE = 1;
  private static final int QUANT = 2;
  private static final int BATCH = 3;
  private static final int CONTEXT = 4;
  private static final int PHASE = 5;
  private static final int KV_OLD_NAME = 6;
  private static final int CUDA_GRAPHS = 7;
  private static final int KERNEL = 8;
  private static final int ZERO_COPY = 9;
  private static final int PARAMS_B = 10;
  private static final int TOKENS = 23;
  private static final int NOTES = 24;
  private static final int KV = 25;
  private static final int DEPTH = 26;
  private static final int NUM_DEVICES = 27;
  private static final int TP = 28;
  private static final int PP = 29;
  private static final int EP = 30;
  private static final int N_UBATCH = 31;
  private static final int FLASH_ATTN = 32;
  private static final int BACKEND = 33;
  private static final int BUILD = 34;
  private static final int MODEL_SIZE_BYTES = 35;
  private static final int BUILD_DATE = 36;
  private static final int BLAS = 37;

  /** Position of each of {@link #NAMES} in the row, or -1 when the schema has no such column. */
  private final int[] index;

  ScenarioColumns(StructType schema) {
    String[] fields = schema.fieldNames();
    index = new int[NAMES.size()];
    for (int c = 0; c < index.length; c++) {
      index[c] = -1;
      for (int f = 0; f < fields.length; f++) {
        if (fields[f].trim().toLowerCase(Locale.ROOT).equals(NAMES.get(c))) {
          index[c] = f;
        }
      }
    }
  }

  boolean has(String column) {
    return index[NAMES.indexOf(column)] >= 0;
  }

  /**
   * The scenario as stated. {@code strict} is the measurements reader's rule (quant, batch, context and phase are
   * required); otherwise {@link ScenarioRequest}'s defaults apply. A figure within 1% of the named catalog model's
   * parameter count is dropped, as {@code dev.tuner.core.data.Dataset} does for the same files: data files repeat
   * it next to the name, and keeping it would turn every row into an anonymous model.
   *
   * @throws InvalidInputException naming the column, the value and what is allowed
   */
  ScenarioRequest request(Row row, Catalog catalog, boolean strict) {
    String quant = text(row, QUANT);
    Integer batch = integer(row, BATCH);
    Integer context = integer(row, CONTEXT);
    String phase = text(row, PHASE);
    if (strict) {
      require(quant, "quant");
      require(batch, "batch");
      require(context, "context");
      require(phase, "phase");
    }
    String model = text(row, MODEL);
    Double paramsB = number(row, PARAMS_B);
    if (paramsB != null && model != null) {
      Optional<ModelSpec> known = catalog.models().find(model);
      if (known.isPresent() && Math.abs(paramsB - known.get().paramsB()) <= 0.01 * known.get().paramsB()) {
        paramsB = null;
      }
    }
    String kv = index[KV] >= 0 ? text(row, KV) : text(row, KV_OLD_NAME);
    return new ScenarioRequest(model, text(row, DEVICE), quant, batch, context, phase, kv,
        bool(row, CUDA_GRAPHS), text(row, KERNEL), bool(row, ZERO_COPY), paramsB, integer(row, 11),
        integer(row, 12), integer(row, 13), integer(row, 14), integer(row, 15), integer(row, 16), number(row, 17),
        number(row, 18), number(row, 19), integer(row, 20), number(row, 21), number(row, 22), integer(row, DEPTH),
        integer(row, NUM_DEVICES), integer(row, TP), integer(row, PP), integer(row, EP), integer(row, N_UBATCH),
        bool(row, FLASH_ATTN), text(row, BACKEND), text(row, BUILD), number(row, MODEL_SIZE_BYTES), null,
        text(row, BUILD_DATE), text(row, BLAS));
  }

  /** The measured tokens/s: required, a positive finite number. */
  double tokensPerSecond(Row row) {
    Double v = number(row, TOKENS);
    require(v, "tokens_per_s");
    if (!(v > 0)) {
      throw new InvalidInputException("tokens_per_s", v, "a positive number");
    }
    return v;
  }

  String notes(Row row) {
    String v = text(row, NOTES);
    return v == null ? "" : v;
  }

  private static void require(Object value, String column) {
    if (value == null) {
      throw new InvalidInputException(column, "empty", "a value");
    }
  }

  private Object raw(Row row, int c) {
    int i = index[c];
    if (i < 0 || row.isNullAt(i)) {
      return null;
    }
    Object v = row.get(i);
    if (v instanceof String s) {
      String t = s.trim();
      return t.isEmpty() ? null : t;
    }
    return v;
  }

  private String text(Row row, int c) {
    Object v = raw(row, c);
    return v == null ? null : v.toString();
  }

  private Double number(Row row, int c) {
    Object v = raw(row, c);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n)) {
      return Cells.finite(NAMES.get(c), v.toString());
    }
    if (!Double.isFinite(n.doubleValue())) {
      throw new InvalidInputException(NAMES.get(c), "\"" + v + "\"", "a finite number");
    }
    return n.doubleValue();
  }

  private Integer integer(Row row, int c) {
    Object v = raw(row, c);
    if (v == null) {
      return null;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).intValue();
    }
    String text = v.toString();
    try {
      double d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
      if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
        return (int) d;
      }
    } catch (NumberFormatException e) {
      // reported below with the rest
    }
    throw new InvalidInputException(NAMES.get(c), "\"" + text + "\"", "a whole number");
  }

  private Boolean bool(Row row, int c) {
    Object v = raw(row, c);
    if (v == null) {
      return null;
    }
    return v instanceof Boolean b ? b : Cells.flag(NAMES.get(c), v.toString());
  }
}
