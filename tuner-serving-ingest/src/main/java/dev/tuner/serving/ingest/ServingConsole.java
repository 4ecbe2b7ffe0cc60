package dev.tuner.serving.ingest;

import dev.tuner.core.ingest.RecordRejected;
import static dev.tuner.serving.ingest.ServingColumn.*;

import dev.tuner.core.ingest.RejectReason;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * The summary {@code vllm bench serve} and SGLang's {@code bench_serving} print ({@code ============ Serving
 * Benchmark Result ============}, then {@code Label: value} lines): one record per summary. The lines the tools print
 * before a run ({@code Traffic request rate:}, {@code Maximum request concurrency:}) count for the summary after them.
 */
final class ServingConsole implements Parser {
  static final String BANNER = "Serving Benchmark Result";

  /** The tool, for notes and the engine rule. */
  private final String tool;

  ServingConsole(String tool) {
    this.tool = tool;
  }

  @Override
  public void parse(Text text, Sink out) {
    Map<String, Labelled> before = new LinkedHashMap<>();
    Map<String, Labelled> block = null;
    int start = 0;
    for (int i = 1; i <= text.lines().size(); i++) {
      String line = text.line(i);
      if (line.contains(BANNER)) {
        if (block != null) {
          emit(text, start, block, out);
        }
        block = new LinkedHashMap<>(before);
        before.clear();
        start = i;
        continue;
      }
      Matcher m = Figures.LABELLED.matcher(line);
      if (m.matches()) {
        (block != null ? block : before).put(Figures.key(m.group(1)), new Labelled(m.group(1).strip(), m.group(2), i));
      } else if (block != null && line.strip().matches("=+") && !block.isEmpty()) {
        emit(text, start, block, out);
        block = null;
      }
    }
    if (block != null) {
      emit(text, start, block, out);
    }
  }

  private record Labelled(String label, String value, int line) {}

  private void emit(Text text, int start, Map<String, Labelled> block, Sink out) {
    try {
      out.accept(map(block, new Draft(text.origin(start))));
    } catch (RecordRejected e) {
      out.reject(text.origin(start), e);
    }
  }

  private Draft map(Map<String, Labelled> f, Draft d) throws RecordRejected {
    BigDecimal completed = number(f, "successful requests");
    if (completed == null || completed.signum() <= 0) {
      throw new RecordRejected(completed == null ? RejectReason.MISSING_FIELD : RejectReason.BAD_VALUE,
          "Successful requests " + (completed == null ? "is missing" : "= 0: no request finished"));
    }
    BigDecimal duration = number(f, "benchmark duration (s)");
    BigDecimal input = number(f, "total input tokens");
    BigDecimal output = number(f, "total generated tokens");
    BigDecimal outTps = number(f, "output token throughput (tok/s)");
    BigDecimal totalTps = number(f, "total token throughput (tok/s)");
    BigDecimal reqTps = number(f, "request throughput (req/s)");
    long n = completed.longValueExact();
    if (duration != null && output != null && outTps != null) {
      Figures.agree(outTps.doubleValue() * duration.doubleValue(), output.doubleValue(), "Output token throughput "
          + outTps + " × duration " + duration + " s ≠ Total generated tokens " + output);
    }
    if (duration != null && input != null && output != null && totalTps != null) {
      Figures.agree(totalTps.doubleValue() * duration.doubleValue(), input.doubleValue() + output.doubleValue(),
          "Total token throughput " + totalTps + " × duration " + duration + " s ≠ input + generated tokens "
              + input.add(output));
    }
    d.note(tool + " summary; output_tps = generated tokens / benchmark duration and total_tps = (input + generated"
        + " tokens) / duration, for the whole deployment over the whole run (prefill and queueing included); TTFT"
        + " includes queueing; TPOT excludes the first token");
    if (input != null && output != null) {
      d.set(ISL, Figures.perRequest(input.longValueExact(), n)).set(OSL, Figures.perRequest(output.longValueExact(),
          n));
      d.note(String.format(Locale.ROOT, "mean %.2f input and %.2f output tokens per request over %d requests",
          input.doubleValue() / n, output.doubleValue() / n, n));
      d.set(DATASET, tool + "; isl/osl = measured token totals / successful requests");
    }
    d.set(NUM_PROMPTS, n);
    Labelled backend = f.get("backend");
    if (backend != null) {
      d.set(ENGINE, backend.value());
    }
    for (String k : List.of("traffic request rate", "request rate configured (rps)")) {
      if (f.containsKey(k)) {
        String r = f.get(k).value().strip().toLowerCase(Locale.ROOT);
        d.set(REQUEST_RATE, r.startsWith("inf") ? "inf" : Draft.plain(Figures.number(f.get(k).label(), r)));
      }
    }
    for (Map.Entry<String, Labelled> e : f.entrySet()) {
      // "Max reqeuest concurrency" is SGLang's spelling of that era; vLLM prints "Maximum request concurrency"
      if (e.getKey().matches("max(imum)? re\\w* concurrency") && !e.getValue().value().equalsIgnoreCase("none")) {
        d.set(CONCURRENCY, Figures.number(e.getValue().label(), e.getValue().value()));
      }
    }
    d.set(REQ_PER_S, reqTps).set(OUTPUT_TPS, outTps).set(TOTAL_TPS, totalTps)
        .set(TTFT_MEAN_MS, number(f, "mean ttft (ms)")).set(TTFT_MEDIAN_MS, number(f, "median ttft (ms)"))
        .set(TPOT_MEAN_MS, number(f, "mean tpot (ms)")).set(TPOT_MEDIAN_MS, number(f, "median tpot (ms)"))
        .set(ITL_MEAN_MS, number(f, "mean itl (ms)"));
    keep(f, d, "median itl (ms)", "median_itl_ms");
    keep(f, d, "p99 ttft (ms)", "p99_ttft_ms");
    keep(f, d, "p99 tpot (ms)", "p99_tpot_ms");
    keep(f, d, "p99 itl (ms)", "p99_itl_ms");
    keep(f, d, "mean e2e latency (ms)", "mean_e2el_ms");
    keep(f, d, "median e2e latency (ms)", "median_e2el_ms");
    keep(f, d, "input token throughput (tok/s)", "input_tok_s");
    keep(f, d, "concurrency", "mean_concurrency");
    keep(f, d, "request goodput (req/s)", "goodput_req_s");
    keep(f, d, "peak output token throughput (tok/s)", "peak_output_tok_s");
    keep(f, d, "total generated tokens (retokenized)", "generated_tokens_retokenized");
    BigDecimal failed = number(f, "failed requests");
    if (failed != null && failed.signum() > 0) {
      d.note(Draft.plain(failed) + " requests failed");
    }
    return d;
  }

  private static void keep(Map<String, Labelled> f, Draft d, String key, String note) throws RecordRejected {
    BigDecimal v = number(f, key);
    if (v != null) {
      d.note(note + "=" + Draft.plain(v));
    }
  }

  private static BigDecimal number(Map<String, Labelled> f, String key) throws RecordRejected {
    Labelled l = f.get(key);
    if (l == null) {
      return null;
    }
    BigDecimal v = Figures.number(l.label(), l.value());
    if (v.signum() < 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, l.label() + " = " + l.value() + " is negative");
    }
    return v;
  }
}
