package dev.tuner.core.ingest;

import static java.util.Map.entry;

import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * vLLM serving results ({@code benchmark_serving.py --save-result}, {@code vllm bench serve}; FORMATS.md §3.2), one
 * record per result object. The only figure taken is {@code output_throughput}: generated tokens over the whole
 * benchmark's wall time, so an end-to-end decode figure that includes prefill and queueing. No prefill figure is
 * made: TTFT includes queueing, so prompt tokens / TTFT is not a clean prefill rate.
 */
final class VllmServe {
  /** Keys people pass with {@code --metadata} to say what ran the benchmark, in the order they are trusted. */
  private static final List<String> DEVICE_KEYS = List.of(
      "gpu", "hardware", "device", "accelerator", "gpu_type", "gpu_name", "gpu_model");
  private static final List<String> QUANT_KEYS = List.of("quant", "quantization", "dtype");
  /** Keys of the parallel sizes as people pass them with {@code --metadata}, in the order they are trusted. */
  private static final List<String> TP_KEYS = List.of("tensor_parallel_size", "tp", "tp_size");
  private static final List<String> PP_KEYS = List.of("pipeline_parallel_size", "pp_size", "pp");
  private static final List<String> DP_KEYS = List.of("data_parallel_size", "dp", "dp_size");
  private static final List<String> EP_KEYS = List.of("expert_parallel_size", "ep", "ep_size");
  private static final Pattern COUNT_FIRST = Pattern.compile("^\\s*(\\d{1,4})\\s*[xX×*]\\s*(.+?)\\s*$");
  private static final Pattern COUNT_LAST = Pattern.compile("^\\s*(.+?)\\s*[xX×*]\\s*(\\d{1,4})\\s*$");
  private static final Map<String, String> ENGINES = Map.ofEntries(
      entry("vllm", "vLLM"), entry("openai", "vLLM"), entry("openai-chat", "vLLM"), entry("sglang", "SGLang"),
      entry("tgi", "TGI"), entry("lmdeploy", "LMDeploy"), entry("tensorrt-llm", "TensorRT-LLM"),
      entry("deepspeed-mii", "DeepSpeed-MII"));
  private static final double THROUGHPUT_TOLERANCE = 0.01;

  private final CatalogLookup lookup;
  private final Stated stated;

  VllmServe(CatalogLookup lookup, Stated stated) {
    this.lookup = lookup;
    this.stated = stated;
  }

  void parse(SourceText src, Emitter out) {
    List<JsonRecords.Item> items = JsonRecords.read(src);
    if (items.isEmpty()) {
      out.reject(src.name(), RejectReason.UNSUPPORTED, "no JSON object found: expected a vLLM serving result");
    }
    for (JsonRecords.Item item : items) {
      String origin = src.origin(item.line());
      if (!item.ok()) {
        out.reject(origin, item.reason(), item.detail());
        continue;
      }
      try {
        out.accept(origin, map(Fields.of(item.node())));
      } catch (RecordRejected e) {
        out.reject(origin, e);
      }
    }
  }

  private Candidate map(Fields f) throws RecordRejected {
    if (f.has("total_input_sequences") || !f.has("output_throughput") && f.has("input_sequence_throughput")) {
      throw new RecordRejected(RejectReason.UNSUPPORTED, "a pooling/embedding result: no generated tokens");
    }
    Double throughput = f.positive("output_throughput");
    if (throughput == null) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "output_throughput is missing");
    }
    Long completed = f.integer("completed", 0, Long.MAX_VALUE);
    if (completed == null) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "completed (finished requests) is missing");
    }
    if (completed == 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "completed = 0: no request finished");
    }
    Long input = f.integer("total_input_tokens", 0, Long.MAX_VALUE);
    Long output = f.integer("total_output_tokens", 1, Long.MAX_VALUE);
    if (input == null || output == null) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "total_input_tokens and total_output_tokens are needed for"
          + " the context");
    }
    Double duration = f.positive("duration");
    if (duration != null && Math.abs(throughput * duration - output) > THROUGHPUT_TOLERANCE * output) {
      throw new RecordRejected(RejectReason.INCONSISTENT, String.format(Locale.ROOT,
          "output_throughput %.3f × duration %.3f s = %.0f tokens, but total_output_tokens is %d", throughput, duration,
          throughput * duration, output));
    }
    List<String> notes = new ArrayList<>();
    notes.add("E2E: vllm bench serve output_throughput = total_output_tokens/duration, request-level over the whole"
        + " run, so it includes prefill and queueing");

    ModelSpec model = model(f);
    Placement placement = device(f, model, notes);
    String device = placement.device();
    String quant = quant(f);
    int batch = batch(f, completed, output, notes);
    double meanIn = (double) input / completed;
    double meanOut = (double) output / completed;
    long context = Math.round(meanIn + meanOut);
    if (context < 1 || context > Scenario.MAX_CONTEXT) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "mean input + output length " + context + " tokens: expected 1 to "
          + Scenario.MAX_CONTEXT);
    }
    notes.add(String.format(Locale.ROOT, "context = mean input %.1f + mean output %.1f tokens per request", meanIn,
        meanOut));
    Long failed = f.integer("failed", 0, Long.MAX_VALUE);
    notes.add(completed + " requests completed" + (failed != null && failed > 0 ? ", " + failed + " failed" : ""));
    Double tpot = f.number("mean_tpot_ms");
    if (tpot != null && tpot > 0) {
      notes.add(String.format(Locale.ROOT, "mean TPOT %.2f ms (%.1f tokens/s per request)", tpot, 1000 / tpot));
    }
    for (String key : List.of("model_id", "date", "label")) {
      if (f.text(key) != null) {
        notes.add(key + " " + f.text(key));
      }
    }
    return new Candidate(device, model.name(), null, quant, batch, (int) context, Phase.DECODE, null, engine(f),
        throughput, String.join("; ", notes), null, null, null, null, null, placement.devices(), placement.tp(),
        placement.pp(), placement.ep(), null);
  }

  /** The device and, on several, the layout (null sizes when the run used one device). */
  private record Placement(String device, Integer devices, Integer tp, Integer pp, Integer ep) {}

  /**
   * From the metadata, else --device (which must be the catalog device the metadata names, if any), with the layout:
   * a GPU count ({@code 4xNVIDIA_L40S}) and the parallel sizes the metadata states. Devices are the count, else
   * tp × pp × dp; tp × pp beyond them are data-parallel replicas.
   * {@code enable_expert_parallel} gives vLLM's expert-parallel size tp × dp for a mixture of experts (a dense
   * {@code model} has no experts to place, so the flag changes nothing there). A count that disagrees with the sizes
   * is refused.
   */
  private Placement device(Fields f, ModelSpec model, List<String> notes) throws RecordRejected {
    String key = DEVICE_KEYS.stream().filter(f::has).findFirst().orElse(null);
    String described = key == null ? null : f.text(key);
    String name = described;
    int count = 0;
    if (described != null) {
      Matcher m = COUNT_FIRST.matcher(described);
      Matcher n = COUNT_LAST.matcher(described);
      if (m.matches()) {
        count = Integer.parseInt(m.group(1));
        name = m.group(2);
      } else if (n.matches()) {
        count = Integer.parseInt(n.group(2));
        name = n.group(1);
      }
    }
    int tp = size(f, TP_KEYS, notes);
    int pp = size(f, PP_KEYS, notes);
    int dp = size(f, DP_KEYS, notes);
    int ep = size(f, EP_KEYS, notes);
    if (ep == 1 && Boolean.TRUE.equals(f.bool("enable_expert_parallel"))) {
      if (model.moe().isMoe()) {
        ep = tp * dp;
        notes.add("enable_expert_parallel: ep = tp × dp = " + ep);
      } else {
        notes.add("enable_expert_parallel on a dense model: no experts to place, ep 1");
      }
    }
    long sized = (long) tp * pp * dp;
    int devices = count > 0 ? count : (int) Math.min(sized, Integer.MAX_VALUE);
    if (count > 0 && (count % ((long) tp * pp) != 0 || DP_KEYS.stream().anyMatch(f::has) && count != sized)) {
      throw new RecordRejected(RejectReason.MULTI_GPU, key + " = " + described + " names " + count + " GPUs but tp "
          + tp + " × pp " + pp + (dp > 1 ? " × dp " + dp : "") + " = " + sized + " do not make them");
    }
    boolean several = devices > 1 || ep > 1;
    Placement layout = new Placement(null, several ? devices : null, several ? tp : null, several ? pp : null,
        several ? ep : null);
    if (stated.device().isPresent()) {
      if (described != null) {
        stated.requireSameDevice(lookup.device(name));
        notes.add(key + " " + described);
      }
      return withDevice(layout, stated.device().get().name());
    }
    if (name == null) {
      throw new RecordRejected(RejectReason.NO_DEVICE, "vLLM does not record the GPU (unless benchmarked with"
          + " --metadata gpu=<name>)");
    }
    String gpu = name;
    String resolved = lookup.device(gpu).map(d -> d.name()).orElseThrow(() -> new RecordRejected(
        RejectReason.UNKNOWN_DEVICE, "unknown device " + gpu + " (" + key + "); closest catalog devices: "
            + String.join(", ", lookup.catalog().devices().closest(gpu, 3))));
    return withDevice(layout, resolved);
  }

  private static Placement withDevice(Placement p, String device) {
    return new Placement(device, p.devices(), p.tp(), p.pp(), p.ep());
  }

  /** The first of {@code keys} the metadata states, 1 when none. */
  private static int size(Fields f, List<String> keys, List<String> notes) throws RecordRejected {
    for (String k : keys) {
      Long v = f.integer(k, 1, ParallelLayout.MAX_DEVICES);
      if (v != null) {
        if (v > 1) {
          notes.add(k + " " + v);
        }
        return v.intValue();
      }
    }
    return 1;
  }

  private ModelSpec model(Fields f) throws RecordRejected {
    String id = f.text("model_id") != null ? f.text("model_id") : f.text("model");
    List<String> names = new ArrayList<>();
    if (id != null) {
      names.add(id);
    }
    if (f.text("model") != null) {
      names.add(f.text("model"));
    }
    Optional<ModelSpec> printed = lookup.model(names, null);
    if (stated.model().isPresent()) {
      stated.requireSameModel(printed);
      return stated.model().get();
    }
    if (id == null) {
      throw new RecordRejected(RejectReason.NO_MODEL, "no model_id");
    }
    return printed.orElseThrow(() -> new RecordRejected(RejectReason.UNKNOWN_MODEL,
        "unknown model " + id + "; closest catalog models: "
            + String.join(", ", lookup.catalog().models().closest(id, 3))));
  }

  /** From --quant, else metadata, else a suffix of the model id such as {@code -FP8} or {@code -AWQ}. */
  private String quant(Fields f) throws RecordRejected {
    if (stated.quant().isPresent()) {
      return stated.quant().get().name();
    }
    for (String key : QUANT_KEYS) {
      String v = f.text(key);
      if (v != null) {
        return lookup.quant(v).map(Quantization::name).orElseThrow(() -> new RecordRejected(
            RejectReason.UNKNOWN_QUANT, key + " = " + v + " is not in the catalog"));
      }
    }
    String id = f.text("model_id");
    if (id != null) {
      String base = id.substring(id.lastIndexOf('/') + 1);
      List<String> words = Arrays.asList(base.split("[-_.]"));
      for (int i = words.size() - 1; i > 0; i--) {
        Optional<Quantization> q = lookup.quant(words.get(i));
        if (q.isEmpty() && i + 1 < words.size()) {
          q = lookup.quant(words.get(i) + "-" + words.get(i + 1));
        }
        if (q.isPresent()) {
          return q.get().name();
        }
      }
    }
    throw new RecordRejected(RejectReason.NO_QUANT, "vLLM does not record the weight format and the model id names"
        + " none (an unquantized checkpoint runs in its own dtype, usually BF16)");
  }

  /**
   * Concurrent sequences: max_concurrency when set. Without it, an unlimited request rate sends every prompt at once
   * (batch = prompts, capped in reality by the server's max-num-seqs); a finite rate sets the concurrency by arrival,
   * so it is estimated with Little's law and flagged DERIVED.
   */
  private static int batch(Fields f, long completed, long output, List<String> notes) throws RecordRejected {
    Long max = f.integer("max_concurrency", 1, Integer.MAX_VALUE);
    String rate = f.text("request_rate");
    long batch;
    if (max != null) {
      batch = max;
      notes.add("max_concurrency " + max + (rate == null ? "" : ", request_rate " + rate));
    } else if (rate != null && (rate.equalsIgnoreCase("inf") || rate.equalsIgnoreCase("infinity"))) {
      Long prompts = f.integer("num_prompts", 1, Integer.MAX_VALUE);
      batch = prompts != null ? prompts : completed;
      notes.add("no max_concurrency and request_rate inf: all " + batch + " prompts sent at once, batch = number of"
          + " prompts (the server's max-num-seqs may have capped the real batch)");
    } else {
      Double throughput = f.positive("request_throughput");
      Double ttft = f.number("mean_ttft_ms");
      Double tpot = f.number("mean_tpot_ms");
      if (rate == null || throughput == null || ttft == null || tpot == null) {
        throw new RecordRejected(RejectReason.MISSING_FIELD, "no max_concurrency, and request_rate, request_throughput,"
            + " mean_ttft_ms and mean_tpot_ms are needed to estimate the concurrency");
      }
      double meanOut = (double) output / completed;
      double latency = (ttft + tpot * Math.max(0, meanOut - 1)) / 1000;
      batch = Math.max(1, Math.round(throughput * latency));
      notes.add(String.format(Locale.ROOT, "DERIVED batch: about %d requests in flight by Little's law (request_throughput"
          + " %.3f/s × mean latency %.3f s from mean TTFT and TPOT) at request_rate %s without max_concurrency", batch,
          throughput, latency, rate));
    }
    if (batch > Scenario.MAX_BATCH) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "batch " + batch + ": expected at most " + Scenario.MAX_BATCH);
    }
    return (int) batch;
  }

  private static String engine(Fields f) {
    String b = f.text("backend") != null ? f.text("backend") : f.text("endpoint_type");
    if (b == null) {
      return "vLLM";
    }
    return ENGINES.getOrDefault(b.toLowerCase(Locale.ROOT), b);
  }
}
