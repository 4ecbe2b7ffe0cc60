package dev.tuner.serving.ingest;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The columns of data/serving.csv, in its order (conventions in data/README.md), with the {@code tuner ingest
 * --serving} flag that states a column when the benchmark output does not.
 */
public enum ServingColumn {
  SOURCE_ID("source_id", null),
  ENGINE("engine", "--engine"),
  ENGINE_VERSION("engine_version", "--engine-version"),
  DEVICE("device", "--device"),
  NUM_DEVICES("num_devices", "--devices"),
  TP("tp", "--tp"),
  PP("pp", "--pp"),
  EP("ep", "--ep"),
  MODEL("model", "--model"),
  WEIGHT_DTYPE("weight_dtype", "--quant"),
  KV_DTYPE("kv_dtype", "--kv-dtype"),
  ISL("isl", "--isl"),
  OSL("osl", "--osl"),
  DATASET("dataset", null),
  CONCURRENCY("concurrency", "--concurrency"),
  REQUEST_RATE("request_rate", "--request-rate"),
  NUM_PROMPTS("num_prompts", "--num-prompts"),
  BATCH("batch", "--batch"),
  REQ_PER_S("req_per_s", null),
  OUTPUT_TPS("output_tps", null),
  TOTAL_TPS("total_tps", null),
  TTFT_MEAN_MS("ttft_mean_ms", null),
  TTFT_MEDIAN_MS("ttft_median_ms", null),
  TPOT_MEAN_MS("tpot_mean_ms", null),
  TPOT_MEDIAN_MS("tpot_median_ms", null),
  ITL_MEAN_MS("itl_mean_ms", null),
  PREFILL_TPS("prefill_tps", null),
  DECODE_TPS("decode_tps", null),
  NOTES("notes", null);

  private final String header;
  private final String flag;

  ServingColumn(String header, String flag) {
    this.header = header;
    this.flag = flag;
  }

  /** The name in the CSV header. */
  public String header() {
    return header;
  }

  /** The option that states this column, when one does. */
  public Optional<String> flag() {
    return Optional.ofNullable(flag);
  }

  /** The header line's names, in order. */
  public static List<String> headers() {
    return Arrays.stream(values()).map(ServingColumn::header).toList();
  }
}
