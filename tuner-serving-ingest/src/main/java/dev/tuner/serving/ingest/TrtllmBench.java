package dev.tuner.serving.ingest;

import dev.tuner.core.ingest.RecordRejected;
import static dev.tuner.serving.ingest.ServingColumn.*;

import dev.tuner.core.ingest.RejectReason;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The report {@code trtllm-bench throughput|latency} prints (FORMATS.md §5; labels as in TensorRT-LLM's
 * {@code bench/dataclasses/reporting.py}): sections headed {@code = NAME} between rules of {@code =}, holding
 * {@code Label: value} lines. One record per report; a section heading seen twice starts the next report.
 */
final class TrtllmBench implements Parser {
  private static final Pattern SECTION = Pattern.compile("^\\s*=\\s+([A-Z][^=]*?)\\s*$");
  /** An issue rate this high means requests were issued as fast as the loop runs: all at once. */
  private static final double UNLIMITED_RATE = 1e6;

  @Override
  public void parse(Text text, Sink out) {
    Map<String, Labelled> report = new HashMap<>();
    Set<String> sections = new HashSet<>();
    String section = "";
    String machine = null;
    int start = 0;
    for (int i = 1; i <= text.lines().size(); i++) {
      String line = text.line(i);
      Matcher s = SECTION.matcher(line);
      if (s.matches()) {
        section = s.group(1).strip();
        if (!sections.add(section)) {
          emit(text, start, report, machine, out);
          report.clear();
          sections.clear();
          sections.add(section);
          machine = null;
          start = i;
        }
        start = start == 0 ? i : start;
        continue;
      }
      if (section.startsWith("MACHINE DETAILS") && !line.isBlank() && !line.strip().startsWith("=")) {
        machine = line.strip();
        continue;
      }
      Matcher m = Figures.LABELLED.matcher(line);
      if (m.matches()) {
        start = start == 0 ? i : start;
        report.putIfAbsent(Figures.key(m.group(1)), new Labelled(m.group(1).strip(), m.group(2).strip()));
      }
      if (section.startsWith("DECODING STATISTICS")) {
        report.put("speculative", new Labelled("DECODING STATISTICS", section));
      }
    }
    if (!report.isEmpty()) {
      emit(text, start, report, machine, out);
    }
  }

  private record Labelled(String label, String value) {}

  private void emit(Text text, int start, Map<String, Labelled> report, String machine, Sink out) {
    String origin = text.origin(Math.max(start, 1));
    try {
      out.accept(map(Map.copyOf(report), machine, new Draft(origin)));
    } catch (RecordRejected e) {
      out.reject(origin, e);
    }
  }

  private Draft map(Map<String, Labelled> f, String machine, Draft d) throws RecordRejected {
    BigDecimal req = number(f, "request throughput (req/sec)");
    BigDecimal output = number(f, "total output throughput (tokens/sec)");
    if (req == null || output == null || req.signum() == 0) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "no PERFORMANCE OVERVIEW with Request Throughput and Total"
          + " Output Throughput");
    }
    BigDecimal total = number(f, "total token throughput (tokens/sec)");
    BigDecimal perGpu = number(f, "per gpu output throughput (tps/gpu)");
    d.set(ENGINE, "TensorRT-LLM").set(REQ_PER_S, req).set(OUTPUT_TPS, output).set(TOTAL_TPS, total);
    d.note("trtllm-bench report; output_tps = Total Output Throughput (all generated tokens incl. the first, whole"
        + " deployment); total_tps adds prompt tokens; the per-GPU figure is output_tps / (tp × pp)");
    String version = value(f, "tensorrt-llm version", "tensorrt llm version");
    d.set(ENGINE_VERSION, version);
    d.set(MODEL, value(f, "model"));
    if (f.containsKey("model path")) {
      d.note("model path " + f.get("model path").value());
    }
    precision(f, d);
    if (machine != null && !machine.toLowerCase(Locale.ROOT).startsWith("no gpu info")) {
      d.set(DEVICE, machine.split(",\\s*memory", 2)[0]);
    }
    layout(f, d, output, perGpu);
    lengths(f, d, req, output, total);
    BigDecimal requests = number(f, "number of requests");
    if (requests == null) {
      requests = number(f, "number of sequences");
    }
    d.set(NUM_PROMPTS, requests);
    BigDecimal rate = number(f, "issue rate (req/sec)");
    if (rate != null && rate.doubleValue() >= UNLIMITED_RATE) {
      d.set(REQUEST_RATE, "inf");
      d.note("issue rate " + f.get("issue rate (req/sec)").value() + " req/s: every request issued at once"
          + " (trtllm-bench does not print a --concurrency limit; pass --concurrency if one was set)");
    } else if (rate != null) {
      d.set(REQUEST_RATE, rate);
    }
    d.set(TTFT_MEAN_MS, number(f, "average time-to-first-token [ttft] (ms)"))
        .set(TPOT_MEAN_MS, number(f, "average time-per-output-token [tpot] (ms)"))
        .set(TTFT_MEDIAN_MS, number(f, "[ttft] p50"))
        .set(TPOT_MEDIAN_MS, number(f, "[tpot] p50"));
    keep(f, d, "average request latency (ms)", "mean_e2el_ms");
    keep(f, d, "[latency] p50", "median_e2el_ms");
    keep(f, d, "total latency (ms)", "total_latency_ms");
    keep(f, d, "per user output throughput [w/ ctx] (tps/user)", "out_tok_s_per_user_with_ctx");
    keep(f, d, "number of concurrent requests", "mean_concurrency");
    keep(f, d, "max runtime batch size", "max_num_seqs");
    keep(f, d, "max runtime tokens", "max_num_tokens");
    if (f.containsKey("kv memory percentage")) {
      BigDecimal pct = number(f, "kv memory percentage");
      d.note("kv_cache_free_gpu_mem_fraction " + Draft.plain(pct.movePointLeft(2)));
    }
    if (f.containsKey("scheduling policy")) {
      d.note("scheduling policy " + f.get("scheduling policy").value());
    }
    if (f.containsKey("dataset path")) {
      String path = f.get("dataset path").value();
      d.set(DATASET, "trtllm-bench " + path.substring(path.lastIndexOf('/') + 1)
          + "; isl/osl = per-request means as measured");
    } else {
      d.set(DATASET, "trtllm-bench; isl/osl = per-request means as measured");
    }
    if (f.containsKey("speculative")) {
      d.note("speculative decoding (" + f.get("speculative").value() + ")");
    }
    return d;
  }

  /** Weights: Quantization when set, else the model's Dtype; the KV cache: KV Cache Dtype ({@code None}: default). */
  private static void precision(Map<String, Labelled> f, Draft d) {
    String quant = value(f, "quantization");
    String dtype = value(f, "dtype");
    if (quant != null && !quant.equalsIgnoreCase("none")) {
      d.set(WEIGHT_DTYPE, quant);
      if (dtype != null) {
        d.note("activations/dtype " + dtype);
      }
    } else if (dtype != null) {
      d.set(WEIGHT_DTYPE, dtype);
    }
    String kv = value(f, "kv cache dtype");
    if (kv != null && !kv.equalsIgnoreCase("none")) {
      d.set(KV_DTYPE, kv.toUpperCase(Locale.ROOT));
    }
  }

  /**
   * TP/PP/EP as printed; the GPUs are tp × pp (one instance). Without the sizes, the per-GPU figure gives the GPU
   * count (output / per GPU); a count of one fixes the layout, a larger one leaves tp and pp to the options.
   */
  private static void layout(Map<String, Labelled> f, Draft d, BigDecimal output, BigDecimal perGpu)
      throws RecordRejected {
    BigDecimal tp = number(f, "tp size");
    BigDecimal pp = number(f, "pp size");
    BigDecimal ep = number(f, "ep size");
    Long world = null;
    if (perGpu != null && perGpu.signum() > 0) {
      double ratio = output.doubleValue() / perGpu.doubleValue();
      if (Math.abs(ratio - Math.round(ratio)) > 0.01 * ratio || Math.round(ratio) < 1) {
        throw new RecordRejected(RejectReason.INCONSISTENT, "Total Output Throughput " + output + " / Per GPU " + perGpu
            + " = " + Figures.fmt(ratio) + " GPUs, not a whole number");
      }
      world = Math.round(ratio);
      d.note("out_tok_s_per_gpu=" + Draft.plain(perGpu));
    }
    if (tp != null && pp != null) {
      long gpus = tp.longValueExact() * pp.longValueExact();
      if (world != null && world != gpus) {
        throw new RecordRejected(RejectReason.INCONSISTENT, "TP " + tp + " × PP " + pp + " = " + gpus + " GPUs, but"
            + " Total Output / Per GPU Output Throughput = " + world);
      }
      d.set(NUM_DEVICES, gpus).set(TP, tp).set(PP, pp);
    } else if (world != null) {
      d.set(NUM_DEVICES, world);
      if (world == 1) {
        d.set(TP, 1).set(PP, 1);
      }
    }
    d.set(EP, ep);
  }

  /** REQUEST DETAILS' averages, else the throughputs' ratios (measured, never the dataset's nominal lengths). */
  private static void lengths(Map<String, Labelled> f, Draft d, BigDecimal req, BigDecimal output, BigDecimal total)
      throws RecordRejected {
    double osl = output.doubleValue() / req.doubleValue();
    BigDecimal avgOut = number(f, "average output length (tokens)");
    BigDecimal avgIn = number(f, "average input length (tokens)");
    if (avgOut != null) {
      Figures.agree(osl, avgOut.doubleValue(), "Average Output Length " + avgOut + " but Total Output / Request"
          + " Throughput = " + Figures.fmt(osl) + " tokens per request");
      osl = avgOut.doubleValue();
    }
    Double isl = avgIn != null ? avgIn.doubleValue() : null;
    if (isl == null && total != null) {
      isl = (total.doubleValue() - output.doubleValue()) / req.doubleValue();
    }
    d.set(OSL, Math.round(osl));
    if (isl != null) {
      d.set(ISL, Math.round(isl));
    }
    d.note(String.format(Locale.ROOT, "mean %s input and %.2f output tokens per request (%s)",
        isl == null ? "(not printed)" : Figures.fmt(isl), osl,
        avgOut != null ? "REQUEST DETAILS" : "from the throughputs"));
  }

  private static void keep(Map<String, Labelled> f, Draft d, String key, String note) throws RecordRejected {
    BigDecimal v = number(f, key);
    if (v != null) {
      d.note(note + "=" + Draft.plain(v));
    }
  }

  private static String value(Map<String, Labelled> f, String... keys) {
    for (String k : keys) {
      if (f.containsKey(k)) {
        return f.get(k).value();
      }
    }
    return null;
  }

  private static BigDecimal number(Map<String, Labelled> f, String key) throws RecordRejected {
    Labelled l = f.get(key);
    if (l == null || l.value().equalsIgnoreCase("none") || l.value().equalsIgnoreCase("n/a")) {
      return null;
    }
    BigDecimal v = Figures.number(l.label(), l.value());
    if (v.signum() < 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, l.label() + " = " + l.value() + " is negative");
    }
    return v;
  }
}
