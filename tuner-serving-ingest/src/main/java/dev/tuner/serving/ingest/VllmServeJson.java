package dev.tuner.serving.ingest;

import dev.tuner.core.ingest.RecordRejected;
import static dev.tuner.serving.ingest.ServingColumn.*;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tuner.core.ingest.RejectReason;
import dev.tuner.core.io.JsonErrors;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Result files of {@code vllm bench serve --save-result} / {@code benchmark_serving.py} (FORMATS.md §3.2): one JSON
 * object per file, an array of them, or one per line ({@code --append-result}).
 */
final class VllmServeJson implements Parser {
  // An ObjectReader is immutable once built, so sharing one is safe.
  private static final ObjectReader READER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxNumberLength(100).build())
      // Python's json.dump writes Infinity for an unlimited request rate in some versions
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build()).reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  /** Keys people pass with {@code --metadata} to name the hardware, in the order they are trusted. */
  private static final List<String> DEVICE_KEYS = List.of(
      "gpu", "hardware", "device", "accelerator", "gpu_type", "gpu_name", "gpu_model");
  private static final List<String> QUANT_KEYS = List.of("quantization", "quant", "weight_dtype");
  private static final List<String> KV_KEYS = List.of("kv_cache_dtype", "kv_dtype");
  private static final List<String> TP_KEYS = List.of("tensor_parallel_size", "tp", "tp_size");
  private static final List<String> PP_KEYS = List.of("pipeline_parallel_size", "pp", "pp_size");
  private static final List<String> EP_KEYS = List.of("expert_parallel_size", "ep", "ep_size");
  private static final List<String> REPLICA_KEYS = List.of(
      "data_parallel_size", "dp", "replicas", "num_replicas", "decode_replicas");
  private static final Pattern COUNT_FIRST = Pattern.compile("^\\s*(\\d{1,4})\\s*[xX×*]\\s*(.+?)\\s*$");
  /** Keys of the result itself; every other top-level key came from {@code --metadata} and is kept in notes. */
  private static final Set<String> RESULT_KEYS = Set.of("date", "endpoint_type", "backend", "label", "model_id",
      "tokenizer_id", "num_prompts", "best_of", "use_beam_search", "version", "request_rate", "burstiness",
      "max_concurrency", "duration", "completed", "failed", "total_input_tokens", "total_output_tokens",
      "request_throughput", "request_goodput", "request_goodput:", "output_throughput", "total_token_throughput",
      "max_output_tokens_per_s", "max_concurrent_requests", "rtfx", "ramp_up_strategy", "ramp_up_start_rps",
      "ramp_up_end_rps", "input_lens", "output_lens", "ttfts", "itls", "latencies", "start_times", "queue_times",
      "generated_texts", "errors");
  private static final Pattern STAT = Pattern.compile("(mean|median|std|p[0-9.]+)_(ttft|tpot|itl|e2el)_ms");

  @Override
  public void parse(Text text, Sink out) {
    for (Item item : items(text)) {
      if (item.error != null) {
        out.reject(text.origin(item.line), RejectReason.MALFORMED, item.error);
        continue;
      }
      try {
        out.accept(map(item.node, new Draft(text.origin(item.line))));
      } catch (RecordRejected e) {
        out.reject(text.origin(item.line), e);
      }
    }
  }

  private record Item(int line, JsonNode node, String error) {}

  /** JSONL when every non-blank line is an object; otherwise the whole text is one object or an array of them. */
  private static List<Item> items(Text text) {
    List<Item> out = new ArrayList<>();
    boolean jsonl = text.lines().stream().filter(l -> !l.isBlank()).count() > 1
        && text.lines().stream().filter(l -> !l.isBlank()).allMatch(l -> l.strip().startsWith("{"));
    if (jsonl) {
      for (int i = 1; i <= text.lines().size(); i++) {
        if (!text.line(i).isBlank()) {
          out.add(parse(text.line(i), i));
        }
      }
      return out;
    }
    int first = 1;
    while (first <= text.lines().size() && text.line(first).isBlank()) {
      first++;
    }
    Item whole = parse(text.whole(), first);
    if (whole.node != null && whole.node.isArray()) {
      for (JsonNode n : whole.node) {
        out.add(n.isObject() ? new Item(first, n, null) : new Item(first, null, "an array element is not an object"));
      }
      return out;
    }
    out.add(whole);
    return out;
  }

  private static Item parse(String json, int line) {
    try {
      JsonNode n = READER.readTree(json);
      if (n == null || !(n.isObject() || n.isArray())) {
        return new Item(line, null, "not a JSON object: expected a vLLM serving result");
      }
      return new Item(line, n, null);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + (line + e.getLocation().getLineNr() - 1)
          + ", column " + e.getLocation().getColumnNr();
      String msg = JsonErrors.clean(e.getOriginalMessage());
      return new Item(line, null, "invalid JSON" + where + ": " + (msg.length() > 160 ? msg.substring(0, 160) + "…"
          : msg));
    }
  }

  private static Draft map(JsonNode f, Draft d) throws RecordRejected {
    if (f.has("total_input_sequences") || f.has("input_sequence_throughput") && !f.has("output_throughput")) {
      throw new RecordRejected(RejectReason.UNSUPPORTED, "a pooling/embedding result: no generated tokens");
    }
    long completed = count(f, "completed");
    if (completed == 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "completed = 0: no request finished");
    }
    long input = count(f, "total_input_tokens");
    long output = count(f, "total_output_tokens");
    BigDecimal duration = positive(f, "duration");
    BigDecimal outTps = positive(f, "output_throughput");
    BigDecimal totalTps = optional(f, "total_token_throughput");
    BigDecimal reqTps = optional(f, "request_throughput");
    double s = duration.doubleValue();
    // FORMATS.md §7.7: only internally consistent results are ingested
    Figures.agree(outTps.doubleValue() * s, output, "output_throughput " + outTps + " × duration " + duration
        + " s ≠ total_output_tokens " + output);
    if (totalTps != null) {
      Figures.agree(totalTps.doubleValue() * s, input + output, "total_token_throughput " + totalTps
          + " × duration " + duration + " s ≠ total_input_tokens + total_output_tokens " + (input + output));
    }
    if (reqTps != null) {
      Figures.agree(reqTps.doubleValue() * s, completed, "request_throughput " + reqTps + " × duration " + duration
          + " s ≠ completed " + completed);
    }
    d.note("vllm bench serve result" + (f.hasNonNull("date") ? " of " + f.get("date").asText() : "")
        + "; output_tps = total_output_tokens / duration and total_tps = (input + output tokens) / duration, both"
        + " for the whole deployment over the whole run (prefill and queueing included); TTFT includes queueing;"
        + " TPOT = (latency - TTFT) / (output tokens - 1) per request");
    engine(f, d);
    String model = text(f, "model_id");
    d.set(MODEL, model != null ? model : text(f, "model"));
    lengths(d, input, output, completed);
    d.set(DATASET, "vllm bench serve" + (text(f, "dataset_name") != null ? " " + text(f, "dataset_name") : "")
        + "; isl/osl = measured token totals / completed requests");
    load(f, d, completed);
    placement(f, d);
    for (List<String> keys : List.of(QUANT_KEYS, KV_KEYS)) {
      for (String k : keys) {
        if (text(f, k) != null) {
          d.set(keys == QUANT_KEYS ? WEIGHT_DTYPE : KV_DTYPE, text(f, k));
          break;
        }
      }
    }
    d.set(REQ_PER_S, reqTps).set(OUTPUT_TPS, outTps).set(TOTAL_TPS, totalTps)
        .set(TTFT_MEAN_MS, optional(f, "mean_ttft_ms")).set(TTFT_MEDIAN_MS, optional(f, "median_ttft_ms"))
        .set(TPOT_MEAN_MS, optional(f, "mean_tpot_ms")).set(TPOT_MEDIAN_MS, optional(f, "median_tpot_ms"))
        .set(ITL_MEAN_MS, optional(f, "mean_itl_ms"));
    List<String> extra = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Matcher stat = STAT.matcher(e.getKey());
      boolean inColumns = e.getKey().matches("(mean|median)_(ttft|tpot)_ms|mean_itl_ms");
      if (e.getKey().startsWith("spec_decode")) {
        extra.add("speculative decoding (" + e.getKey() + ")");
      } else if (stat.matches() && !inColumns && !e.getKey().startsWith("std") && e.getValue().isNumber()) {
        extra.add(e.getKey() + "=" + Draft.plain(e.getValue().decimalValue()));
      } else if (!RESULT_KEYS.contains(e.getKey()) && !stat.matches() && e.getValue().isValueNode()
          && !e.getValue().isNull()) {
        extra.add(e.getKey() + "=" + e.getValue().asText());
      }
    }
    long failed = f.path("failed").asLong(0);
    if (failed > 0) {
      extra.add(failed + " requests failed");
    }
    extra.forEach(d::note);
    return d;
  }

  private static void engine(JsonNode f, Draft d) {
    String backend = text(f, "backend") != null ? text(f, "backend") : text(f, "endpoint_type");
    if (backend == null) {
      return;
    }
    String b = backend.toLowerCase(Locale.ROOT);
    if (b.startsWith("openai") || b.equals("tgi") || b.equals("deepspeed-mii")) {
      // "openai" is the client API: any OpenAI-compatible server answers it, so it names no engine
      d.note("backend " + backend + " (the client API; the server engine is not recorded)");
    } else {
      d.set(ENGINE, backend);
    }
  }

  private static void lengths(Draft d, long input, long output, long completed) {
    long isl = Figures.perRequest(input, completed);
    long osl = Figures.perRequest(output, completed);
    d.set(ISL, isl).set(OSL, osl);
    d.note(String.format(Locale.ROOT, "mean %.2f input and %.2f output tokens per request over %d requests",
        (double) input / completed, (double) output / completed, completed));
  }

  /** max_concurrency and request_rate as the run set them ({@code inf}: every prompt sent at once). */
  private static void load(JsonNode f, Draft d, long completed) throws RecordRejected {
    if (f.hasNonNull("max_concurrency")) {
      d.set(CONCURRENCY, count(f, "max_concurrency"));
    }
    JsonNode rate = f.get("request_rate");
    if (rate != null && !rate.isNull()) {
      String r = rate.asText().strip().toLowerCase(Locale.ROOT);
      if (r.equals("inf") || r.equals("infinity")) {
        d.set(REQUEST_RATE, "inf");
      } else {
        d.set(REQUEST_RATE, Figures.number("request_rate", r));
      }
    }
    d.set(NUM_PROMPTS, f.hasNonNull("num_prompts") ? count(f, "num_prompts") : completed);
  }

  /**
   * The GPUs from the metadata: a count before the name ({@code 4xNVIDIA_L40S}), the parallel sizes and the replica
   * count people record. GPUs per replica = count / replicas; one per replica means tp = pp = 1.
   */
  private static void placement(JsonNode f, Draft d) throws RecordRejected {
    String key = DEVICE_KEYS.stream().filter(k -> text(f, k) != null).findFirst().orElse(null);
    Long count = null;
    if (key != null) {
      Matcher m = COUNT_FIRST.matcher(text(f, key));
      if (m.matches()) {
        count = Long.parseLong(m.group(1));
        d.set(DEVICE, m.group(2));
      } else {
        d.set(DEVICE, text(f, key));
      }
    }
    Long tp = metadataInt(f, TP_KEYS);
    Long pp = metadataInt(f, PP_KEYS);
    Long ep = metadataInt(f, EP_KEYS);
    long prefillReplicas = metadataInt(f, List.of("prefill_replicas")) == null ? 0
        : metadataInt(f, List.of("prefill_replicas"));
    if (prefillReplicas > 0) {
      throw new RecordRejected(RejectReason.UNSUPPORTED, "prefill_replicas = " + prefillReplicas
          + ": disaggregated prefill and decode, which tuner does not model");
    }
    Long replicas = metadataInt(f, REPLICA_KEYS);
    if (tp != null && pp == null) {
      pp = 1L;
      d.note("pp 1: the metadata states tp but no pipeline size (vLLM's default is 1)");
    }
    if (count != null && tp == null && replicas != null && count.equals(replicas)) {
      tp = 1L;
      pp = 1L;
      d.note(count + " GPUs serve " + replicas + " replicas: one GPU each");
    }
    if (count == null && tp != null) {
      count = tp * pp * (replicas == null ? 1 : replicas);
    }
    if (count != null && tp != null && count % (tp * pp) != 0) {
      throw new RecordRejected(RejectReason.MULTI_GPU, key + " names " + count + " GPUs, which tp " + tp + " × pp " + pp
          + " replicas do not fill");
    }
    if (count != null) {
      d.set(NUM_DEVICES, count);
    }
    if (tp != null) {
      d.set(TP, tp).set(PP, pp);
    }
    if (ep != null) {
      d.set(EP, ep);
    }
  }

  private static Long metadataInt(JsonNode f, List<String> keys) throws RecordRejected {
    for (String k : keys) {
      String v = text(f, k);
      if (v != null) {
        try {
          long n = Long.parseLong(v.strip());
          if (n < 0) {
            throw new NumberFormatException();
          }
          return n;
        } catch (NumberFormatException e) {
          throw new RecordRejected(RejectReason.BAD_VALUE, k + " = \"" + v + "\" is not a whole number");
        }
      }
    }
    return null;
  }

  private static String text(JsonNode f, String key) {
    JsonNode n = f.get(key);
    return n == null || n.isNull() || !n.isValueNode() || n.asText().isBlank() ? null : n.asText();
  }

  private static long count(JsonNode f, String key) throws RecordRejected {
    JsonNode n = f.get(key);
    if (n == null || n.isNull()) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, key + " is missing");
    }
    if (!n.canConvertToExactIntegral() || n.asLong() < 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " = " + n + " is not a whole number of at least 0");
    }
    return n.asLong();
  }

  private static BigDecimal positive(JsonNode f, String key) throws RecordRejected {
    BigDecimal v = optional(f, key);
    if (v == null) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, key + " is missing");
    }
    if (v.signum() <= 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " = " + v + " is not positive");
    }
    return v;
  }

  private static BigDecimal optional(JsonNode f, String key) throws RecordRejected {
    JsonNode n = f.get(key);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " = " + n + " is not a finite number");
    }
    BigDecimal v = n.decimalValue();
    if (v.signum() < 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " = " + n + " is negative");
    }
    return v;
  }
}
