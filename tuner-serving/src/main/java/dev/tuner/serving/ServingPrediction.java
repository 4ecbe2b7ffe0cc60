package dev.tuner.serving;

import dev.tuner.api.Interval;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Serving metrics of one deployment under one workload. Latencies in milliseconds per request: time to first
 * token, time per output token after the first (the mean inter-token latency), the median inter-token latency (a
 * decode iteration's: the gaps that other requests' prompts stall are the few, so the median leaves them out),
 * end-to-end. TPOT and ITL are empty when every request outputs one token: no token follows the first, so there is
 * no gap to time (a benchmark reports none either), and their intervals are absent. Throughputs for the whole
 * deployment (all replicas) and per GPU. {@code running} is the mean number of requests an instance has in flight.
 * {@code limitedBy} says what sets the throughput, {@code limitDetail} how.
 * Intervals are keyed by the JSON names of the metrics they bound. {@code refusedAtStart}: why the engine would
 * refuse to start this deployment with its defaults (vLLM's KV cache below one request of the model's declared
 * context), also among the assumptions; the prediction is made as for the setting a user would change.
 */
public record ServingPrediction(
    double ttftMs, OptionalDouble tpotMs, OptionalDouble itlMs, double e2eMs, double requestsPerS,
    double outputTokensPerS, double totalTokensPerS, double outputTokensPerSPerGpu, double running, LimitedBy limitedBy,
    String limitDetail, Map<String, Interval> intervals, String termsId, List<String> assumptions,
    Optional<String> refusedAtStart) {
  public ServingPrediction {
    Objects.requireNonNull(tpotMs, "tpotMs");
    Objects.requireNonNull(itlMs, "itlMs");
    intervals = Map.copyOf(intervals);
    assumptions = List.copyOf(assumptions);
    Objects.requireNonNull(refusedAtStart, "refusedAtStart");
  }

  /**
   * The metrics under the JSON names their {@link #intervals} are keyed by, in the order reports print them: one
   * list for every report (JSON, CSV, recommendations), so none can drop or misname one; empty where the metric is
   * undefined (TPOT and ITL of one-token outputs), which a report shows as such, never as a number.
   */
  public Map<String, OptionalDouble> figures() {
    Map<String, OptionalDouble> m = new LinkedHashMap<>();
    m.put("ttft_ms", OptionalDouble.of(ttftMs));
    m.put("tpot_ms", tpotMs);
    m.put("itl_ms", itlMs);
    m.put("e2e_ms", OptionalDouble.of(e2eMs));
    m.put("requests_per_s", OptionalDouble.of(requestsPerS));
    m.put("output_tokens_per_s", OptionalDouble.of(outputTokensPerS));
    m.put("total_tokens_per_s", OptionalDouble.of(totalTokensPerS));
    m.put("output_tokens_per_s_per_gpu", OptionalDouble.of(outputTokensPerSPerGpu));
    return Collections.unmodifiableMap(m);
  }

  /** This prediction with {@code first} listed before its own assumptions (what a caller assumed in asking). */
  public ServingPrediction withAssumptionsFirst(List<String> first) {
    List<String> all = new ArrayList<>(first);
    all.addAll(assumptions);
    return new ServingPrediction(ttftMs, tpotMs, itlMs, e2eMs, requestsPerS, outputTokensPerS, totalTokensPerS,
        outputTokensPerSPerGpu, running, limitedBy, limitDetail, intervals, termsId, all, refusedAtStart);
  }

  /**
   * Output tokens per second each request sees while it decodes (1000 / TPOT), the x axis of a serving curve; empty
   * where the TPOT is.
   */
  public OptionalDouble tokensPerSPerUser() {
    return tpotMs.isPresent() && tpotMs.getAsDouble() > 0 ? OptionalDouble.of(1000 / tpotMs.getAsDouble())
        : OptionalDouble.empty();
  }
}
