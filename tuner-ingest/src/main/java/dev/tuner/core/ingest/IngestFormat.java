package dev.tuner.core.ingest;

import dev.tuner.api.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The benchmark outputs tuner can learn from, by the id a user types, and how each becomes measurement rows.
 *
 * <ul>
 *   <li>{@code llama-bench}: llama.cpp's {@code llama-bench} in every output it prints except SQL — JSON (an array,
 *       possibly cut short by a crash), JSONL, CSV and markdown tables — across its schema generations (boolean
 *       backend flags or a {@code backends} string, with or without {@code n_depth}). One row per test: {@code ppN}
 *       → prefill, {@code tgN} → decode, context = depth + N, batch 1, tokens/s = {@code avg_ts}; quantization from
 *       {@code model_type} (else the file name), parameters from {@code model_n_params}, the device from
 *       {@code gpu_info} (markdown: from a backend banner line, else {@code --device}). {@code ppN+tgN} tests, CPU
 *       runs, partial offload and runs split over several GPUs are rejected.
 *   <li>{@code vllm-serve}: result files of {@code benchmark_serving.py --save-result} / {@code vllm bench serve}, one
 *       JSON object per file or one per line ({@code --append-result}). One decode row per result: tokens/s =
 *       {@code output_throughput} (end-to-end: it includes prefill and queueing, flagged {@code E2E:}), batch =
 *       {@code max_concurrency} (all prompts for an unlimited rate; a Little's-law estimate, flagged
 *       {@code DERIVED}, for a finite rate), context = mean input + mean output tokens. No prefill row: TTFT
 *       includes queueing. The GPU comes from {@code --metadata} keys such as {@code gpu}, else {@code --device}.
 *   <li>{@code ollama}: the timing blocks {@code ollama run --verbose} prints after each reply: prompt eval rate →
 *       prefill (context = prompt eval count), eval rate → decode (context = prompt + eval count), batch 1. Needs
 *       {@code --device}, {@code --model} and {@code --quant}: Ollama prints none of them.
 * </ul>
 *
 * <p>Serving-level figures (TTFT, TPOT, requests/s, output and total tokens/s of a deployment) are not measurement
 * rows: SGLang's {@code bench_serving} and {@code bench_one_batch}, TensorRT-LLM's {@code trtllm-bench}, vLLM's offline
 * throughput benchmark and {@code vllm bench serve} (JSON and console) become serving rows through
 * {@code dev.tuner.serving.ingest.ServingFormat} in tuner-serving-ingest ({@code tuner ingest --serving}). Fed to a
 * format here, their reports are rejected.
 */
public enum IngestFormat {
  LLAMA_BENCH("llama-bench"),
  VLLM_SERVE("vllm-serve"),
  OLLAMA("ollama");

  private final String id;

  IngestFormat(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /** The format named {@code id} (case ignored); otherwise an error listing the ids. */
  public static IngestFormat parse(String id) {
    String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
    for (IngestFormat f : values()) {
      if (f.id.equals(wanted)) {
        return f;
      }
    }
    throw new InvalidInputException("format", "\"" + id + "\"", "one of " + ids());
  }

  /**
   * The format {@code text} (the start of a file) is written in, from the marks each tool's output always carries:
   * llama-bench's {@code avg_ts} field or column (JSON, JSONL, CSV) or its markdown table's {@code | model} and
   * {@code t/s} header; a vLLM serving result's {@code output_throughput}; Ollama's {@code prompt eval rate:} and
   * {@code eval rate:} lines. Empty when none, or more than one, is recognised.
   */
  public static java.util.Optional<IngestFormat> detect(String text) {
    java.util.List<IngestFormat> seen = new java.util.ArrayList<>();
    if (text.contains("\"avg_ts\"") || firstLine(text).matches("(?i).*(^|,)\"?avg_ts\"?(,|$).*")
        || text.matches("(?s).*\\|\\s*model\\s*\\|.*\\|\\s*t/s\\s*\\|.*")) {
      seen.add(LLAMA_BENCH);
    }
    if (text.contains("\"output_throughput\"")) {
      seen.add(VLLM_SERVE);
    }
    if (text.matches("(?s).*prompt eval rate:.*") && text.matches("(?s).*(^|\\n)eval rate:.*")) {
      seen.add(OLLAMA);
    }
    return seen.size() == 1 ? java.util.Optional.of(seen.get(0)) : java.util.Optional.empty();
  }

  private static String firstLine(String text) {
    int end = text.indexOf('\n');
    return (end < 0 ? text : text.substring(0, end)).strip();
  }

  /** The ids, comma-separated, for messages and help. */
  public static String ids() {
    return Arrays.stream(values()).map(IngestFormat::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
