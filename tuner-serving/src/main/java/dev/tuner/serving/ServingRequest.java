package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What {@link ServingRecommender} searches: one model on one device type for one workload's lengths, over engines,
 * precisions, device counts and concurrencies, under optional TTFT and TPOT budgets (milliseconds) and an optional
 * price per GPU-hour (USD; there are no built-in prices); no TPOT budget when every request outputs one token, as
 * there is then no TPOT. {@code attentionGroups}: also try, for a mixture of experts split over several ranks on an
 * engine that has them, every rank as its own attention group
 * ({@link ServingScenario#attentionDp}); off by default, as the only measured runs of it (SGLang 0.4.5, DeepSeek-R1 on
 * 8 H200s) are slower than its physics says (docs/EVALUATION.md). {@code kvCacheTypes}: the KV-cache types to
 * search with every precision; empty for the one {@link #kvCacheRule} gives each precision.
 */
public record ServingRequest(
    ModelSpec model, DeviceSpec device, Lengths input, Lengths output, List<Engine> engines,
    List<Quantization> quants, List<Integer> deviceCounts, List<Integer> concurrencies, OptionalDouble maxTtftMs,
    OptionalDouble maxTpotMs, OptionalDouble gpuHourUsd, boolean attentionGroups, List<KvCacheType> kvCacheTypes) {
  /** What {@link #kvCacheRule} says, for a recommendation's notes. */
  public static final String KV_CACHE_RULE = "KV cache fp8 with FP8 weights (as the engines' FP8 recipes run them),"
      + " f16 with the others";

  /** A search without attention groups, each precision with the KV cache of {@link #kvCacheRule}. */
  public ServingRequest(
      ModelSpec model, DeviceSpec device, Lengths input, Lengths output, List<Engine> engines,
      List<Quantization> quants, List<Integer> deviceCounts, List<Integer> concurrencies, OptionalDouble maxTtftMs,
      OptionalDouble maxTpotMs, OptionalDouble gpuHourUsd) {
    this(model, device, input, output, engines, quants, deviceCounts, concurrencies, maxTtftMs, maxTpotMs, gpuHourUsd,
        false);
  }

  /** Each precision with the KV cache of {@link #kvCacheRule}. */
  public ServingRequest(
      ModelSpec model, DeviceSpec device, Lengths input, Lengths output, List<Engine> engines,
      List<Quantization> quants, List<Integer> deviceCounts, List<Integer> concurrencies, OptionalDouble maxTtftMs,
      OptionalDouble maxTpotMs, OptionalDouble gpuHourUsd, boolean attentionGroups) {
    this(model, device, input, output, engines, quants, deviceCounts, concurrencies, maxTtftMs, maxTpotMs, gpuHourUsd,
        attentionGroups, List.of());
  }

  /**
   * The KV cache a precision gets when no types are given: FP8 for weights that compute in FP8, as the engines'
   * FP8 recipes quantize the cache with the weights (vLLM's and SGLang's {@code --kv-cache-dtype fp8},
   * TensorRT-LLM's FP8 KV-cache quantization); FP16 otherwise, every engine's default.
   */
  public static KvCacheType kvCacheRule(Quantization q) {
    return q.activation() == Activation.FP8 ? KvCacheType.FP8 : KvCacheType.F16;
  }

  /** The KV-cache types searched with {@code q}: those given, or the one {@link #kvCacheRule} gives it. */
  public List<KvCacheType> kvCaches(Quantization q) {
    return kvCacheTypes.isEmpty() ? List.of(kvCacheRule(q)) : kvCacheTypes;
  }

  public ServingRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(input, "input lengths");
    Objects.requireNonNull(output, "output lengths");
    engines = nonEmpty("engines", engines);
    quants = nonEmpty("precisions", quants);
    deviceCounts = nonEmpty("device counts", deviceCounts);
    concurrencies = nonEmpty("concurrencies", concurrencies);
    kvCacheTypes = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(kvCacheTypes, "KV-cache types")));
    deviceCounts.forEach(n -> requireInRange("device count", n, 1, 4096, "GPUs"));
    concurrencies.forEach(c -> requireInRange("concurrency", c, 1, 1_000_000, "requests in flight"));
    maxTtftMs.ifPresent(v -> requireInRange("max TTFT", v, 1e-3, 1e9, "milliseconds"));
    maxTpotMs.ifPresent(v -> requireInRange("max TPOT", v, 1e-3, 1e9, "milliseconds"));
    if (maxTpotMs.isPresent() && output.mean() <= 1) {
      // a budget that every candidate would meet vacuously would read as checked
      throw new InvalidInputException("max TPOT", maxTpotMs.getAsDouble(), "no TPOT budget when every request"
          + " outputs one token: nothing follows the first, so there is no time per output token to bound (the TTFT"
          + " budget bounds the whole request)");
    }
    gpuHourUsd.ifPresent(v -> requireInRange("price per GPU-hour", v, 1e-6, 1e6, "USD"));
  }

  private static <T> List<T> nonEmpty(String field, List<T> list) {
    if (list == null || list.isEmpty()) {
      throw new InvalidInputException(field, "none", "at least one");
    }
    return List.copyOf(list);
  }

  /**
   * The attention groups tried on {@code layout} with {@code engine}: 1, and {@code tp} when {@link #attentionGroups}
   * asks for them, the model is a mixture of experts and the engine runs attention data-parallel.
   */
  public List<Integer> attentionGroups(ParallelLayout layout, Engine engine) {
    return attentionGroups && model.moe().isMoe() && layout.tp() > 1 && engine.kind().runsAttentionDataParallel()
        ? List.of(1, layout.tp()) : List.of(1);
  }

  /** Candidates in the grid. */
  public long size() {
    long placements = 0;
    for (Engine engine : engines) {
      for (int n : deviceCounts) {
        for (ParallelLayout layout : ServingRecommender.layouts(n, model.moe().isMoe())) {
          placements += attentionGroups(layout, engine).size();
        }
      }
    }
    long precisions = quants.stream().mapToLong(q -> kvCaches(q).size()).sum();
    return placements * precisions * concurrencies.size();
  }
}
