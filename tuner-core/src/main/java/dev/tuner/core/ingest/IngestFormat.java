package dev.tuner.core.ingest;

import dev.tuner.api.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The benchmark outputs tuner can learn from, by the id a user types.
 *
 * <ul>
 *   <li>{@code llama-bench}: llama.cpp's {@code llama-bench} in every output it prints except SQL — JSON (an array,
 *       possibly cut short by a crash), JSONL, CSV and markdown tables — across its schema generations (boolean
 *       backend flags or a {@code backends} string, with or without {@code n_depth}).
 *   <li>{@code vllm-serve}: result files of {@code benchmark_serving.py --save-result} / {@code vllm bench serve}, one
 *       JSON object per file or one per line ({@code --append-result}).
 *   <li>{@code ollama}: the timing blocks {@code ollama run --verbose} prints after each reply.
 * </ul>
 *
 * <p>Out of scope, on purpose: SGLang ({@code bench_one_batch}, {@code bench_serving}), TensorRT-LLM
 * ({@code trtllm-bench}) and vLLM's offline throughput benchmark. Their console reports lack the device and often the
 * model, and vLLM's throughput figure counts prompt tokens; ingesting them would need a parser per report layout and a
 * rule per pitfall, so they are not parsed at all rather than parsed badly.
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

  /** The ids, comma-separated, for messages and help. */
  public static String ids() {
    return Arrays.stream(values()).map(IngestFormat::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
