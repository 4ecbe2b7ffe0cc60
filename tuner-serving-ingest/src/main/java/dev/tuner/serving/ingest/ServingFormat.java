package dev.tuner.serving.ingest;

import dev.tuner.api.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The serving-benchmark outputs {@code tuner ingest --serving} turns into serving rows (the columns of
 * data/serving.csv), by the id a user types. Every figure is written as the tool printed it, for the whole deployment
 * (all {@code num_devices} GPUs), with its meaning in {@code notes}; {@code output_tps} counts generated tokens only,
 * {@code total_tps} prompt plus generated tokens. Lengths are measured per-request means (token totals / requests),
 * never a dataset's nominal lengths (FORMATS.md §7.2). What the output does not state comes from the options
 * ({@link ServingIngestOptions}) or the record is rejected naming the option to pass.
 *
 * <ul>
 *   <li>{@code vllm-serve}: {@code vllm bench serve --save-result} / {@code benchmark_serving.py} JSON (an object, an
 *       array, or JSONL from {@code --append-result}). Engine from {@code backend} ({@code openai*} names the client
 *       API, not the engine: pass {@code --engine}); model from {@code model_id}; GPU, GPU count, tp/pp/ep, replicas,
 *       quantization and KV dtype from {@code --metadata} keys ({@code gpu=4xNVIDIA_L40S}, {@code tp=...},
 *       {@code decode_replicas=...}); load = {@code max_concurrency} and {@code request_rate} ({@code inf}: all at
 *       once) with {@code num_prompts}; metrics = {@code request_throughput}, {@code output_throughput},
 *       {@code total_token_throughput}, mean/median TTFT and TPOT, mean ITL; p99s, median ITL and metadata in notes.
 *       A result whose throughputs × duration contradict its token totals is rejected; so are pooling results and
 *       disaggregated prefill/decode runs.
 *   <li>{@code vllm-serve-console}: the same tool's printed summary ({@code ============ Serving Benchmark Result
 *       ============}); the same figures to two decimals. It names no engine ({@code --engine}) and no model.
 *   <li>{@code sglang-serving}: SGLang's {@code bench_serving} summary: as above plus {@code Backend:} (the engine),
 *       {@code Traffic request rate:}, {@code Max request concurrency:} (also the {@code reqeuest} misspelling); its
 *       measured mean {@code Concurrency:} and input throughput go to notes.
 *   <li>{@code vllm-throughput}: vLLM's offline {@code benchmark_throughput} line. Offline load (request rate
 *       {@code inf}); {@code total_tps} is the tokens/s figure, which counts prompt tokens (FORMATS.md §7.1);
 *       {@code output_tps} only from the newer line that prints output tokens/s. isl/osl follow from the ratios
 *       (tokens/s ÷ requests/s = tokens per request); the older line gives only their sum, so {@code --isl} or
 *       {@code --osl} must split it.
 *   <li>{@code sglang-one-batch}: SGLang's {@code bench_one_batch}: static batching, so {@code batch} = the printed
 *       batch size, {@code prefill_tps} = prompt tokens/s of the batch's prefill, {@code decode_tps} = generated
 *       tokens/s of the median decode step, {@code total_tps} = (isl + osl) × batch / total latency, TTFT = the prefill
 *       latency, TPOT = the median step latency. isl and osl are not printed: they follow from the throughputs and
 *       latencies within print precision, or come from {@code --isl}/{@code --osl} (checked against them).
 *   <li>{@code trtllm-bench}: the {@code trtllm-bench} report: model, version, quantization (else dtype) and KV dtype
 *       from its backend section, TP/PP/EP (GPUs = tp × pp, checked against the per-GPU output figure), average
 *       lengths, request/output/total throughput, streaming TTFT/TPOT means and medians; the GPU only from a
 *       {@code MACHINE DETAILS} section. Load: request rate {@code inf} (all requests issued at once) unless
 *       {@code --concurrency} says otherwise; max batch, token budget and KV-memory fraction go to notes in the form
 *       serving.csv readers use.
 * </ul>
 */
public enum ServingFormat {
  VLLM_SERVE("vllm-serve"),
  VLLM_SERVE_CONSOLE("vllm-serve-console"),
  VLLM_THROUGHPUT("vllm-throughput"),
  SGLANG_SERVING("sglang-serving"),
  SGLANG_ONE_BATCH("sglang-one-batch"),
  TRTLLM_BENCH("trtllm-bench");

  private final String id;

  ServingFormat(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** The format named {@code id} (case ignored); otherwise an error listing the ids. */
  public static ServingFormat parse(String id) {
    String wanted = id == null ? "" : id.strip().toLowerCase(Locale.ROOT);
    for (ServingFormat f : values()) {
      if (f.id.equals(wanted)) {
        return f;
      }
    }
    throw new InvalidInputException("--format", "\"" + id + "\"", "one of " + ids() + " (with --serving)");
  }

  /**
   * The format {@code text} (the start of a file) is written in, from marks each tool always prints; empty when none,
   * or more than one, is recognised.
   */
  public static Optional<ServingFormat> detect(String text) {
    List<ServingFormat> seen = new ArrayList<>();
    String t = text.stripLeading();
    if ((t.startsWith("{") || t.startsWith("[")) && text.contains("\"output_throughput\"")) {
      seen.add(VLLM_SERVE);
    }
    if (text.contains(ServingConsole.BANNER)) {
      boolean sglang = text.matches("(?s).*(^|\\n)\\s*Backend:.*") || text.contains("(retokenized)")
          || text.contains("Input token throughput");
      seen.add(sglang ? SGLANG_SERVING : VLLM_SERVE_CONSOLE);
    }
    if (text.matches("(?s).*Throughput:\\s*[0-9.]+\\s*requests/s,.*")) {
      seen.add(VLLM_THROUGHPUT);
    }
    if (text.contains("Prefill. latency:") && text.contains("Total. latency:")) {
      seen.add(SGLANG_ONE_BATCH);
    }
    if (text.contains("PERFORMANCE OVERVIEW") || text.contains("Request Throughput (req/sec):")) {
      seen.add(TRTLLM_BENCH);
    }
    return seen.size() == 1 ? Optional.of(seen.get(0)) : Optional.empty();
  }

  public static String ids() {
    return Arrays.stream(values()).map(ServingFormat::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
