package dev.tuner.core.recommend;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.MemoryEstimate;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.KernelType;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeSet;

/**
 * What to recommend for: one model on one device or several, decode phase, over the grid quantizations × KV-cache types ×
 * batch sizes at one context length. {@code memoryGb} overrides the device's capacity (GiB, see
 * {@link MemoryEstimate}); {@code maxMsPerToken} is the per-sequence decode latency budget
 * ({@code 1000 × batch / aggregate tokens/s}); {@code cudaGraphs} and {@code kernel} are held fixed over the grid;
 * {@code top} is how many of the ranked configurations to return; {@code layouts} are the parallel layouts the grid is
 * tried on (one device unless stated; see {@link LayoutSearch}). Duplicates in the lists are dropped; batches are
 * sorted.
 */
public record RecommendRequest(
    ModelSpec model,
    DeviceSpec device,
    OptionalDouble memoryGb,
    OptionalDouble maxMsPerToken,
    List<Quantization> quants,
    List<Integer> batches,
    List<KvCacheType> kvCacheTypes,
    int context,
    boolean cudaGraphs,
    Optional<KernelType> kernel,
    int top,
    List<ParallelLayout> layouts,
    EngineSettings engine) {

  /** A request with llama-bench's engine settings ({@link EngineSettings#DEFAULTS}). */
  public RecommendRequest(
      ModelSpec model, DeviceSpec device, OptionalDouble memoryGb, OptionalDouble maxMsPerToken,
      List<Quantization> quants, List<Integer> batches, List<KvCacheType> kvCacheTypes, int context,
      boolean cudaGraphs, Optional<KernelType> kernel, int top, List<ParallelLayout> layouts) {
    this(model, device, memoryGb, maxMsPerToken, quants, batches, kvCacheTypes, context, cudaGraphs, kernel, top,
        layouts, EngineSettings.DEFAULTS);
  }

  /** A request for one device. */
  public RecommendRequest(
      ModelSpec model, DeviceSpec device, OptionalDouble memoryGb, OptionalDouble maxMsPerToken,
      List<Quantization> quants, List<Integer> batches, List<KvCacheType> kvCacheTypes, int context,
      boolean cudaGraphs, Optional<KernelType> kernel, int top) {
    this(model, device, memoryGb, maxMsPerToken, quants, batches, kvCacheTypes, context, cudaGraphs, kernel, top,
        List.of(ParallelLayout.SINGLE));
  }

  /** 1, 2, 4, …, 256 concurrent sequences. */
  public static final List<Integer> DEFAULT_BATCHES = List.of(1, 2, 4, 8, 16, 32, 64, 128, 256);
  public static final List<KvCacheType> DEFAULT_KV_CACHE_TYPES = List.of(KvCacheType.F16, KvCacheType.Q8_0);
  /** The llama.cpp formats most often deployed, from smallest to exact. */
  public static final List<String> DEFAULT_QUANTS = List.of("Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16");
  public static final int DEFAULT_CONTEXT = 4096;
  public static final int DEFAULT_TOP = 10;
  public static final int MAX_TOP = 10_000;

  public RecommendRequest {
    requirePresent("model", model, "a model spec (e.g. Catalog.model)");
    requirePresent("device", device, "a device spec (e.g. Catalog.device)");
    Objects.requireNonNull(memoryGb, "memoryGb");
    Objects.requireNonNull(maxMsPerToken, "maxMsPerToken");
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(engine, "engine settings");
    if (memoryGb.isPresent()) {
      requireInRange("memory capacity", memoryGb.getAsDouble(), 0.001, 100_000, "GiB");
    }
    if (maxMsPerToken.isPresent()) {
      requireInRange("max ms per token", maxMsPerToken.getAsDouble(), 0.001, 1e7, "ms per token per sequence");
    }
    quants = distinct("quantizations", quants);
    kvCacheTypes = distinct("KV-cache types", kvCacheTypes);
    if (batches == null || batches.isEmpty()) {
      throw new InvalidInputException("batches", "[]", "at least one batch size in [1, " + Scenario.MAX_BATCH + "]");
    }
    TreeSet<Integer> sorted = new TreeSet<>();
    for (Integer b : batches) {
      if (b == null) {
        throw new InvalidInputException("batch", "null", "an integer in [1, " + Scenario.MAX_BATCH + "]");
      }
      sorted.add(requireInRange("batch", b, 1, Scenario.MAX_BATCH, "sequences"));
    }
    batches = List.copyOf(sorted);
    requireContext(context);
    requireInRange("top", top, 1, MAX_TOP, "configurations");
    layouts = distinct("parallel layouts", layouts);
  }

  /** {@code context}, the tokens each sequence must hold, when in [1, {@link Scenario#MAX_CONTEXT}]; else refused. */
  public static int requireContext(int context) {
    return requireInRange("context", context, 1, Scenario.MAX_CONTEXT, "tokens");
  }

  /**
   * The default grid's quantizations for {@code model}: {@link #DEFAULT_QUANTS}, and for a mixture of experts also
   * MXFP4_MOE, which llama-quantize writes for any mixture (its experts in MXFP4, the rest in Q8_0) and in which the
   * published gpt-oss GGUFs ship.
   */
  public static List<String> defaultQuants(ModelSpec model) {
    if (!model.moe().isMoe()) {
      return DEFAULT_QUANTS;
    }
    List<String> out = new ArrayList<>(DEFAULT_QUANTS);
    out.add(0, "MXFP4_MOE");
    return List.copyOf(out);
  }

  /** The default grid for a model and device, with the default quantizations looked up in {@code catalog}. */
  public static RecommendRequest defaults(ModelSpec model, DeviceSpec device, Catalog catalog) {
    requirePresent("model", model, "a model spec (e.g. Catalog.model)");
    requirePresent("catalog", catalog, "the catalog to look the default quantizations up in (e.g. Catalog.shipped())");
    List<Quantization> quants = new ArrayList<>();
    for (String name : defaultQuants(model)) {
      quants.add(catalog.quant(name));
    }
    return new RecommendRequest(model, device, OptionalDouble.empty(), OptionalDouble.empty(), quants,
        DEFAULT_BATCHES, DEFAULT_KV_CACHE_TYPES, DEFAULT_CONTEXT, false, Optional.empty(), DEFAULT_TOP);
  }

  public RecommendRequest withMemoryGb(double gib) {
    return new RecommendRequest(model, device, OptionalDouble.of(gib), maxMsPerToken, quants, batches, kvCacheTypes,
        context, cudaGraphs, kernel, top, layouts, engine);
  }

  public RecommendRequest withMaxMsPerToken(double ms) {
    return new RecommendRequest(model, device, memoryGb, OptionalDouble.of(ms), quants, batches, kvCacheTypes,
        context, cudaGraphs, kernel, top, layouts, engine);
  }

  /** This request over {@code l} instead of its layouts. */
  public RecommendRequest withLayouts(List<ParallelLayout> l) {
    return new RecommendRequest(model, device, memoryGb, maxMsPerToken, quants, batches, kvCacheTypes, context,
        cudaGraphs, kernel, top, l, engine);
  }

  /** Whether more than the one device is searched. */
  public boolean multiDevice() {
    return layouts.size() > 1 || !layouts.get(0).isSingle();
  }

  /** Number of configurations in the grid of one layout. */
  public int gridSize() {
    return quants.size() * kvCacheTypes.size() * batches.size();
  }

  private static void requirePresent(String field, Object value, String allowed) {
    if (value == null) {
      throw new InvalidInputException(field, "missing", allowed);
    }
  }

  private static <T> List<T> distinct(String field, List<T> values) {
    if (values == null || values.isEmpty()) {
      throw new InvalidInputException(field, "[]", "at least one value");
    }
    LinkedHashSet<T> out = new LinkedHashSet<>();
    for (T v : values) {
      out.add(Objects.requireNonNull(v, field));
    }
    return List.copyOf(out);
  }
}
