package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.TunerException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.io.Csv;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import java.io.Reader;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads serving.csv rows (columns and conventions in data/SOURCES.md and tuner-serving/README.md) into
 * {@link ServingRow}s. Every row is used or rejected with its reason:
 *
 * <ul>
 *   <li>engine, device, model and weight precision must resolve (catalog names and aliases);
 *   <li>input and output lengths must be stated; lengths a random dataset sampled uniformly up to the nominal value
 *       ({@code --random-range-ratio 0.0}) are read as uniform from 1 to it; sampled by an unstated rule, or
 *       approximate, rejects the row;
 *   <li>throughput: {@code output_tps} (whole instance); else the per-GPU figure in notes
 *       ({@code out_tok_s_per_gpu=}) times the GPUs; else {@code total_tps} × O / (I + O); else a static batch's
 *       end-to-end seconds in notes ({@code = <s> sec}) as B·O / seconds. A throughput whose meaning the source
 *       leaves open ({@code throughput_tokens_s=}) is not used;
 *   <li>TTFT: mean, else median; TPOT: mean, else median, else mean ITL (the mean gap between tokens is the mean
 *       TPOT), else the median per-token latency in notes; the median ITL ({@code median_itl_ms=} in notes) is a
 *       metric of its own ({@link Metric#ITL_MS}), beside the TPOT: the iterations that other requests' prompts
 *       stall are the few, so it is a decode iteration's, not a TPOT;
 *   <li>engine limits: the settings the notes state ({@code max_num_seqs=}, {@code --max-num-seqs},
 *       {@code max_num_tokens=}, the KV-cache fraction, {@code --enforce-eager}); else, for a trtllm-bench run, the
 *       limits trtllm-bench chooses for the row's lengths ({@link TrtllmBenchTuning}) where the catalog has the
 *       figures they need (a model without layer figures, e.g. Mixtral 8x22B, keeps the defaults, as its KV-cache
 *       capacity is unknown too); else the engine's defaults;
 *   <li>attention groups ({@link ServingScenario#attentionDp}): {@code attention_dp=N} in the notes (rows written by
 *       {@code tuner ingest --serving --attention-dp}), else SGLang's {@code --enable-dp-attention --dp-size D} in the
 *       row's server command; without its size, or with groups that do not divide tp, the row is rejected;
 *   <li>speculative decoding rows are rejected (not comparable with plain decoding), and so are rows of an engine
 *       release on a kernel path its issue tracker reports broken ({@link KnownDefects}); a row whose scenario cannot
 *       run (weights or one request do not fit) is rejected with the reason.
 * </ul>
 */
public final class ServingCsv {
  /**
   * SGLang's switch for data-parallel attention (data/SOURCES.md {@code doc_attention_dp}). A row states it in its
   * server command; TensorRT-LLM's {@code enable_attention_dp} is not matched, as its rows name it only as a
   * document's example command, not as what each row ran.
   */
  private static final String DP_ATTENTION = "--enable-dp-attention";
  private static final Pattern DP_SIZE = Pattern.compile("--dp-size ([0-9]{1,4})\\b");
  private static final Pattern STATED_GROUPS = Pattern.compile("attention_dp=([0-9]{1,4})\\b");
  private static final Pattern PER_GPU = Pattern.compile("out_tok_s_per_gpu=([0-9.]+)");
  private static final Pattern BATCH_SECONDS = Pattern.compile("= ([0-9.]+) sec");
  private static final Pattern MEDIAN_ITL = Pattern.compile("median_itl_ms=([0-9.]+)");
  private static final Pattern PER_TOKEN = Pattern.compile("per-token latency p50[^=]*= ([0-9.]+)/");
  private static final Pattern MAX_SEQS = Pattern.compile("(?:max_num_seqs=|--max-num-seqs? )([0-9]+)");
  private static final Pattern MAX_TOKENS = Pattern.compile("(?:--max-num-batched-tokens |max_num_tokens=)([0-9]+)");
  private static final Pattern KV_FRACTION = Pattern.compile("kv_cache_free_gpu_mem_fraction ([0-9.]+)");

  private final Catalog catalog;
  private final EngineDefaults defaults;
  private final ServingPredictor physicsOnly;

  public ServingCsv(Catalog catalog, EngineDefaults defaults, StepPhysics physics) {
    this.catalog = catalog;
    this.defaults = defaults;
    this.physicsOnly = new ServingPredictor(physics, ServingTerms.physicsOnly());
  }

  public ServingData read(Reader in, String source) {
    List<Csv.Row> rows = Csv.read(in, source);
    if (rows.isEmpty()) {
      throw new InvalidInputException(source, "an empty file", "a header line and serving rows");
    }
    List<String> header = rows.get(0).fields();
    for (String c : List.of("engine", "device", "model", "weight_dtype", "isl", "osl", "num_devices", "tp")) {
      if (!header.contains(c)) {
        throw new InvalidInputException(source + " header", String.join(",", header), "a column named " + c);
      }
    }
    List<ServingRow> used = new ArrayList<>();
    List<ServingData.Rejected> rejected = new ArrayList<>();
    for (Csv.Row r : rows.subList(1, rows.size())) {
      String where = source + ":" + r.line();
      Map<String, String> m = new java.util.HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        m.put(header.get(i), i < r.fields().size() ? r.fields().get(i).trim() : "");
      }
      try {
        used.add(row(m, where));
      } catch (Reject e) {
        rejected.add(new ServingData.Rejected(where, e.getMessage()));
      } catch (TunerException e) {
        rejected.add(new ServingData.Rejected(where, e.getMessage()));
      }
    }
    return new ServingData(rows.size() - 1, used, rejected);
  }

  /** A row that cannot be used; its message is the reason. */
  static final class Reject extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Reject(String reason) {
      super(reason, null, false, false);
    }
  }

  private ServingRow row(Map<String, String> m, String where) {
    String notes = m.getOrDefault("notes", "");
    String dataset = m.getOrDefault("dataset", "");
    String lower = (notes + " " + dataset).toLowerCase(Locale.ROOT);
    if (lower.contains("speculative") && !lower.contains("speculative decoding: none")) {
      throw new Reject("speculative decoding: not comparable with plain decoding");
    }
    EngineKind kind;
    try {
      kind = EngineKind.parse(m.get("engine"));
    } catch (InvalidInputException e) {
      throw new Reject("engine '" + m.get("engine") + "' is none of " + EngineKind.ALLOWED);
    }
    DeviceSpec device = catalog.findDevice(m.get("device"))
        .orElseThrow(() -> new Reject("device '" + m.get("device") + "' not in the catalog"));
    ModelSpec model = catalog.models().find(m.get("model"))
        .or(() -> UnversionedModel.resolve(catalog, m.get("model"), longest(lengths(m, dataset))))
        .orElseThrow(() -> new Reject("model '" + m.get("model") + "' not in the catalog"));
    Quantization quant = quant(m.get("weight_dtype"));
    KnownDefects.of(kind, m.getOrDefault("engine_version", ""), model, m.get("weight_dtype")).ifPresent(report -> {
      throw new Reject("measures a reported engine defect: " + report);
    });
    KvCacheType kv = kv(m.getOrDefault("kv_dtype", ""));
    int devices = positive(m, "num_devices", 1);
    int tp = positive(m, "tp", 1);
    int pp = positive(m, "pp", 1);
    int ep = positive(m, "ep", 1);
    ParallelLayout layout = new ParallelLayout(devices, tp, pp, ep);
    Lengths[] lengths = lengths(m, dataset);
    EngineLimits base = defaults.of(m.get("engine"));
    if (kind == EngineKind.TENSORRT_LLM && notes.contains("trtllm-bench")
        && TrtllmBenchTuning.computable(model, device)) {
      base = TrtllmBenchTuning.limits(base, model, device, quant, kv, layout, lengths[0].mean(), lengths[1].mean());
    }
    Engine engine = new Engine(kind, "", m.getOrDefault("engine_version", ""), stated(base, notes));
    Load load = load(m);
    ServingScenario s = new ServingScenario(model, device, quant, kv, engine, layout,
        new Workload(lengths[0], lengths[1], load), attentionDp(lower, tp));
    Map<Metric, Double> observed = observed(m, notes, s);
    if (observed.isEmpty()) {
      throw new Reject(notes.contains("throughput_tokens_s=")
          ? "throughput not stated as output or total tokens (throughput_tokens_s in notes) and no other metric"
          : "no metric in the columns or the notes");
    }
    try {
      physicsOnly.predict(s);
    } catch (InvalidInputException e) {
      throw new Reject("cannot run as stated: " + e.getMessage());
    }
    return new ServingRow(where, m.getOrDefault("source_id", ""), s, ChipFamily.of(device), observed,
        lengths[0].description() + "/" + lengths[1].description());
  }

  /**
   * The attention groups: {@code attention_dp=N} in the notes (rows written by {@code tuner ingest --serving
   * --attention-dp}), else what the notes' SGLang command states, {@code --enable-dp-attention} with its
   * {@code --dp-size} (SGLang requires one; data/SOURCES.md {@code doc_attention_dp}); 1 without either.
   */
  private static int attentionDp(String notes, int tp) {
    int dp;
    Matcher stated = STATED_GROUPS.matcher(notes);
    if (stated.find()) {
      dp = Integer.parseInt(stated.group(1));
    } else if (!notes.contains(DP_ATTENTION)) {
      return 1;
    } else {
      Matcher size = DP_SIZE.matcher(notes);
      if (!size.find()) {
        throw new Reject("attention data parallelism (" + DP_ATTENTION + ") without its --dp-size");
      }
      dp = Integer.parseInt(size.group(1));
    }
    if (!ServingScenario.groupsDivide(tp, dp)) {
      throw new Reject("attention data parallelism of " + dp + " groups, which do not divide tp " + tp);
    }
    return dp;
  }

  private Quantization quant(String dtype) {
    String d = dtype == null ? "" : dtype.trim();
    if (d.isEmpty() || d.toLowerCase(Locale.ROOT).startsWith("not stated")) {
      throw new Reject("weight precision not stated");
    }
    String head = d.split("[ (]")[0];
    return catalog.quants().find(head)
        .orElseThrow(() -> new Reject("weight precision '" + head + "' not in the catalog"));
  }

  private static KvCacheType kv(String dtype) {
    String d = dtype.toLowerCase(Locale.ROOT);
    if (d.startsWith("fp8")) {
      return KvCacheType.FP8;
    }
    // blank means the engine's default, a 16-bit cache, for every engine in the data
    return KvCacheType.F16;
  }

  /** {@code l} with the settings the row's notes state, which override the engine's defaults and tuning. */
  private static EngineLimits stated(EngineLimits base, String notes) {
    EngineLimits l = base;
    Matcher seqs = MAX_SEQS.matcher(notes);
    if (seqs.find()) {
      l = l.withMaxBatch(Integer.parseInt(seqs.group(1)));
    }
    Matcher tokens = MAX_TOKENS.matcher(notes);
    if (tokens.find()) {
      l = l.withMaxTokensPerStep(Integer.parseInt(tokens.group(1)));
    }
    Matcher fraction = KV_FRACTION.matcher(notes);
    if (fraction.find()) {
      l = l.withKvCacheFraction(Double.parseDouble(fraction.group(1)));
    }
    if (notes.contains("--enforce-eager")) {
      l = l.withCudaGraphs(false);
    }
    return l;
  }

  /** Tokens of the longest request: its prompt and its output. */
  private static int longest(Lengths[] lengths) {
    return lengths[0].max() + lengths[1].max();
  }

  private static Lengths[] lengths(Map<String, String> m, String dataset) {
    String isl = m.getOrDefault("isl", "");
    String osl = m.getOrDefault("osl", "");
    if (isl.isEmpty() || osl.isEmpty()) {
      throw new Reject("input/output lengths not stated (dataset: " + dataset + ")");
    }
    int in = positive(m, "isl", 1);
    int out = positive(m, "osl", 1);
    String d = dataset.toLowerCase(Locale.ROOT);
    if (d.contains("range-ratio 0.0") || d.contains("sampled uniformly")) {
      return new Lengths[] {Lengths.uniform(1, in), Lengths.uniform(1, out)};
    }
    if (d.contains("sampled") || d.contains("range-ratio not given") || d.contains("approximate")) {
      throw new Reject("lengths sampled by an unstated rule (dataset: " + dataset + ")");
    }
    return new Lengths[] {Lengths.fixed(in), Lengths.fixed(out)};
  }

  private static Load load(Map<String, String> m) {
    if (!m.getOrDefault("batch", "").isEmpty()) {
      return new Load.Batch(positive(m, "batch", 1));
    }
    if (!m.getOrDefault("concurrency", "").isEmpty()) {
      return new Load.Concurrency(positive(m, "concurrency", 1), prompts(m));
    }
    String rate = m.getOrDefault("request_rate", "");
    if (rate.equalsIgnoreCase("inf")) {
      return new Load.Offline(prompts(m));
    }
    if (!rate.isEmpty()) {
      return new Load.RequestRate(number(rate, "request_rate"), prompts(m));
    }
    throw new Reject("load not stated (no batch, concurrency or request rate)");
  }

  /** The run's stated {@code num_prompts}; empty when the row leaves it blank (an endless run). */
  private static OptionalInt prompts(Map<String, String> m) {
    return m.getOrDefault("num_prompts", "").isEmpty() ? OptionalInt.empty()
        : OptionalInt.of(positive(m, "num_prompts", 1));
  }

  private static Map<Metric, Double> observed(Map<String, String> m, String notes, ServingScenario s) {
    Map<Metric, Double> out = new EnumMap<>(Metric.class);
    double in = s.workload().input().mean();
    double o = s.workload().output().mean();
    OptionalDouble output = optional(m, "output_tps");
    if (output.isEmpty()) {
      Matcher g = PER_GPU.matcher(notes);
      if (g.find()) {
        output = OptionalDouble.of(number(g.group(1), "out_tok_s_per_gpu") * s.layout().devices());
      }
    }
    if (output.isEmpty() && optional(m, "total_tps").isPresent()) {
      output = OptionalDouble.of(optional(m, "total_tps").getAsDouble() * o / (in + o));
    }
    if (output.isEmpty() && s.workload().load() instanceof Load.Batch b) {
      Matcher sec = BATCH_SECONDS.matcher(notes);
      if (sec.find()) {
        output = OptionalDouble.of(b.size() * o / number(sec.group(1), "batch latency"));
      }
    }
    output.ifPresent(v -> out.put(Metric.OUTPUT_TPS, v));
    optional(m, "req_per_s").ifPresent(v -> out.put(Metric.REQUESTS_PER_S, v));
    OptionalDouble ttft = optional(m, "ttft_mean_ms");
    if (ttft.isEmpty()) {
      ttft = optional(m, "ttft_median_ms");
    }
    ttft.ifPresent(v -> out.put(Metric.TTFT_MS, v));
    OptionalDouble tpot = optional(m, "tpot_mean_ms");
    for (String c : List.of("tpot_median_ms", "itl_mean_ms")) {
      if (tpot.isEmpty()) {
        tpot = optional(m, c);
      }
    }
    if (tpot.isEmpty()) {
      Matcher token = PER_TOKEN.matcher(notes);
      if (token.find()) {
        tpot = OptionalDouble.of(number(token.group(1), "per-token latency") * 1000);
      }
    }
    tpot.ifPresent(v -> out.put(Metric.TPOT_MS, v));
    Matcher itl = MEDIAN_ITL.matcher(notes);
    if (itl.find()) {
      out.put(Metric.ITL_MS, number(itl.group(1), "median_itl_ms"));
    }
    out.values().removeIf(v -> !(v > 0));
    return out;
  }

  private static OptionalDouble optional(Map<String, String> m, String column) {
    String v = m.getOrDefault(column, "");
    return v.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(number(v, column));
  }

  private static double number(String v, String column) {
    try {
      double d = Double.parseDouble(v);
      if (!Double.isFinite(d) || d < 0) {
        throw new Reject(column + " = " + v + " is not a finite non-negative number");
      }
      return d;
    } catch (NumberFormatException e) {
      throw new Reject(column + " = " + v + " is not a number");
    }
  }

  private static int positive(Map<String, String> m, String column, int blank) {
    String v = m.getOrDefault(column, "");
    if (v.isEmpty()) {
      return blank;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1) {
        throw new Reject(column + " = " + v + " is not a positive integer");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new Reject(column + " = " + v + " is not an integer");
    }
  }
}
