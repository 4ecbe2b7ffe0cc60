package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A scenario as a user or a data row states it: names to look up in the catalog and/or explicit figures, which
 * override the catalog entry's. {@code null} means "not given". Defaults, all visible in the resolved scenario:
 * batch 1, phase decode, KV cache f16, no CUDA graphs, no kernel, no zero-copy, depth 0, one device (tp = pp = ep
 * = 1, devices = tp × pp when only those are given), llama-bench's engine defaults ({@link
 * EngineSettings#DEFAULTS}: n_ubatch 512, flash attention off, build unknown), and the device's usual backend
 * ({@link Backend#usualOn}: CUDA on an RTX 4090; unknown for a vendor it does not name), marked assumed so that the
 * prediction says so ({@link EngineSettings#backendAssumed}). Context has no default.
 * {@code modelSizeBytes}, the model file's size where the source gives it (llama-bench's {@code model_size}),
 * replaces the quantization's nominal bits per weight with the file's average over the model's parameters.
 * {@code modelFigures} holds the mixture-of-experts and attention figures a user states ({@link ModelFigures#NONE}
 * when none is given); {@code buildDate} ({@code YYYY-MM}) and {@code blas} ({@link BlasLibrary}) are engine settings
 * like n_ubatch.
 */
public record ScenarioRequest(
    String model,
    String device,
    String quant,
    Integer batch,
    Integer context,
    String phase,
    String kvCacheType,
    Boolean cudaGraphs,
    String kernel,
    Boolean zeroCopy,
    Double paramsB,
    Integer hidden,
    Integer layers,
    Integer heads,
    Integer kvHeads,
    Integer headDim,
    Integer vocab,
    Double memBandwidthGBs,
    Double fp16Tflops,
    Double fp32Tflops,
    Integer computeUnits,
    Double l2CacheMb,
    Double memoryGb,
    Integer depth,
    Integer devices,
    Integer tp,
    Integer pp,
    Integer ep,
    Integer nUbatch,
    Boolean flashAttn,
    String backend,
    String build,
    Double modelSizeBytes,
    ModelFigures modelFigures,
    String buildDate,
    String blas) {

  /**
   * A request without mixture-of-experts or attention figures (the catalog's, or a dense model's, hold), build date
   * (unknown) or BLAS library (the backend's own).
   */
  public ScenarioRequest(
      String model, String device, String quant, Integer batch, Integer context, String phase, String kvCacheType,
      Boolean cudaGraphs, String kernel, Boolean zeroCopy, Double paramsB, Integer hidden, Integer layers,
      Integer heads, Integer kvHeads, Integer headDim, Integer vocab, Double memBandwidthGBs, Double fp16Tflops,
      Double fp32Tflops, Integer computeUnits, Double l2CacheMb, Double memoryGb, Integer depth, Integer devices,
      Integer tp, Integer pp, Integer ep, Integer nUbatch, Boolean flashAttn, String backend, String build,
      Double modelSizeBytes) {
    this(model, device, quant, batch, context, phase, kvCacheType, cudaGraphs, kernel, zeroCopy, paramsB, hidden,
        layers, heads, kvHeads, headDim, vocab, memBandwidthGBs, fp16Tflops, fp32Tflops, computeUnits, l2CacheMb,
        memoryGb, depth, devices, tp, pp, ep, nUbatch, flashAttn, backend, build, modelSizeBytes, ModelFigures.NONE,
        null, null);
  }

  public ScenarioRequest {
    modelFigures = modelFigures == null ? ModelFigures.NONE : modelFigures;
  }

  /** A request with none of the depth, parallel, engine and file-size figures given (all take their defaults). */
  public ScenarioRequest(
      String model, String device, String quant, Integer batch, Integer context, String phase, String kvCacheType,
      Boolean cudaGraphs, String kernel, Boolean zeroCopy, Double paramsB, Integer hidden, Integer layers,
      Integer heads, Integer kvHeads, Integer headDim, Integer vocab, Double memBandwidthGBs, Double fp16Tflops,
      Double fp32Tflops, Integer computeUnits, Double l2CacheMb, Double memoryGb) {
    this(model, device, quant, batch, context, phase, kvCacheType, cudaGraphs, kernel, zeroCopy, paramsB, hidden,
        layers, heads, kvHeads, headDim, vocab, memBandwidthGBs, fp16Tflops, fp32Tflops, computeUnits, l2CacheMb,
        memoryGb, null, null, null, null, null, null, null, null, null, null);
  }

  public static ScenarioRequest of(String model, String device, String quant, int batch, int context, String phase) {
    return new ScenarioRequest(model, device, quant, batch, context, phase, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null);
  }

  public Scenario resolve(SpecLookup catalog) {
    if (catalog == null) {
      throw new InvalidInputException("catalog", "missing",
          "the catalog to look the names up in (e.g. Catalog.shipped())");
    }
    ModelSpec m = resolveModel(catalog);
    DeviceSpec d = resolveDevice(catalog);
    if (quant == null || quant.isBlank()) {
      throw new InvalidInputException("quantization", "unset", "a quantization such as Q4_K_M, Q8_0, F16 or FP8");
    }
    Quantization q = withFileSize(catalog.quant(quant), m);
    if (context == null) {
      throw new InvalidInputException("context", "unset", "the KV-cache length in tokens (prompt length for prefill)");
    }
    return new Scenario(
        m,
        d,
        q,
        // only an absent setting takes the default; an empty one is a mistake the parser names
        kvCacheType == null ? KvCacheType.F16 : KvCacheType.parse(kvCacheType),
        batch == null ? 1 : batch,
        context,
        phase == null ? Phase.DECODE : Phase.parse(phase),
        Boolean.TRUE.equals(cudaGraphs),
        kernel == null ? Optional.empty() : Optional.of(KernelType.parse(kernel)),
        Boolean.TRUE.equals(zeroCopy),
        depth == null ? 0 : depth,
        layout(),
        engine().withUsualBackend(d));
  }

  /** This request with {@code text} as its backend, which must name one ({@link Backend#parseStated}). */
  public ScenarioRequest withBackend(String text) {
    Backend.parseStated("backend", text);
    return withBackendText(text);
  }

  /**
   * This request with a measurement's free-text backend, which may name no compute API ("vLLM", "Ollama"): read as
   * {@link Backend#parse} reads it, unknown then. For what a user states, {@link #withBackend}.
   */
  public ScenarioRequest withBackendText(String text) {
    return new ScenarioRequest(model, device, quant, batch, context, phase, kvCacheType, cudaGraphs, kernel, zeroCopy,
        paramsB, hidden, layers, heads, kvHeads, headDim, vocab, memBandwidthGBs, fp16Tflops, fp32Tflops,
        computeUnits, l2CacheMb, memoryGb, depth, devices, tp, pp, ep, nUbatch, flashAttn, text, build,
        modelSizeBytes, modelFigures, buildDate, blas);
  }

  /** This request with {@code given} as its parameter count ({@code null}: the named model's). */
  public ScenarioRequest withParamsB(Double given) {
    return new ScenarioRequest(model, device, quant, batch, context, phase, kvCacheType, cudaGraphs, kernel, zeroCopy,
        given, hidden, layers, heads, kvHeads, headDim, vocab, memBandwidthGBs, fp16Tflops, fp32Tflops,
        computeUnits, l2CacheMb, memoryGb, depth, devices, tp, pp, ep, nUbatch, flashAttn, backend, build,
        modelSizeBytes, modelFigures, buildDate, blas);
  }

  /** This request with the given parallel sizes ({@code null} = not given). */
  public ScenarioRequest withParallel(Integer devicesGiven, Integer tpGiven, Integer ppGiven, Integer epGiven) {
    return new ScenarioRequest(model, device, quant, batch, context, phase, kvCacheType, cudaGraphs, kernel, zeroCopy,
        paramsB, hidden, layers, heads, kvHeads, headDim, vocab, memBandwidthGBs, fp16Tflops, fp32Tflops,
        computeUnits, l2CacheMb, memoryGb, depth, devicesGiven, tpGiven, ppGiven, epGiven, nUbatch, flashAttn,
        backend, build, modelSizeBytes, modelFigures, buildDate, blas);
  }

  /** This request with {@code figures} as its mixture-of-experts and attention figures. */
  public ScenarioRequest withModelFigures(ModelFigures figures) {
    return new ScenarioRequest(model, device, quant, batch, context, phase, kvCacheType, cudaGraphs, kernel, zeroCopy,
        paramsB, hidden, layers, heads, kvHeads, headDim, vocab, memBandwidthGBs, fp16Tflops, fp32Tflops,
        computeUnits, l2CacheMb, memoryGb, depth, devices, tp, pp, ep, nUbatch, flashAttn, backend, build,
        modelSizeBytes, figures, buildDate, blas);
  }

  /** The parallel layout: what is given, devices defaulting to the larger of tp × pp and ep. */
  public ParallelLayout layout() {
    int t = tp == null ? 1 : tp;
    int p = pp == null ? 1 : pp;
    int e = ep == null ? 1 : ep;
    // unstated devices: one replica, or as many as the expert-parallel size needs (vLLM places experts over replicas)
    int n = devices != null ? devices : (int) Math.min(Math.max((long) t * p, e), ParallelLayout.MAX_DEVICES + 1L);
    return new ParallelLayout(n, t, p, e);
  }

  /** The engine settings: what is given, llama-bench's defaults for the rest. */
  public EngineSettings engine() {
    return EngineSettings.of(nUbatch, flashAttn, backend == null ? null : Backend.parse(backend), build,
        buildDate == null ? null : BuildDate.parse("build_date", buildDate),
        blas == null ? null : BlasLibrary.parse("blas", blas));
  }

  /**
   * {@code q} with the file's average bits per weight when its size is given: the one convention for every format
   * (block scales, the embedding and output tensors' own types and any metadata included).
   */
  private Quantization withFileSize(Quantization q, ModelSpec m) {
    if (modelSizeBytes == null) {
      return q;
    }
    requireInRange("model_size_bytes", modelSizeBytes, 1, 1e15, "bytes");
    double bits = modelSizeBytes * 8 / (m.paramsB() * 1e9);
    if (!(bits >= 1 && bits <= 64)) {
      throw new InvalidInputException("model_size_bytes", modelSizeBytes,
          String.format(java.util.Locale.ROOT, "a file size between 1 and 64 bits per parameter of %s (%.4gB"
              + " parameters: %.4g to %.4g bytes); this size gives %.3g bits", m.name(), m.paramsB(),
              m.paramsB() * 1e9 / 8, m.paramsB() * 8e9, bits));
    }
    return q.withAverageBits(bits, q.source() + " + file size " + Math.round(modelSizeBytes) + " bytes");
  }

  private ModelSpec resolveModel(SpecLookup catalog) {
    ModelSpec base;
    if (model != null && !model.isBlank()) {
      base = catalog.model(model);
    } else if (paramsB != null) {
      base = null;
    } else {
      throw new InvalidInputException("model", "unset", "a catalog model name or at least its parameter count");
    }
    if (base != null && paramsB == null && hidden == null && layers == null && heads == null && kvHeads == null
        && headDim == null && vocab == null && modelFigures.isEmpty()) {
      return base;
    }
    String name = base != null ? base.name() + " (with given figures)" : String.format(java.util.Locale.ROOT,
        "custom %.3gB model", paramsB);
    ModelSpec given = new ModelSpec(
        name,
        paramsB != null ? paramsB : base.paramsB(),
        pick(hidden, base == null ? 0 : base.hidden()),
        pick(layers, base == null ? 0 : base.layers()),
        pick(heads, base == null ? 0 : base.heads()),
        pick(kvHeads, base == null ? 0 : base.kvHeads()),
        headDim != null ? headDim : base == null ? 0 : baseHeadDim(base),
        pick(vocab, base == null ? 0 : base.vocab()),
        List.of(),
        base != null ? base.source() + " + given figures" : "given figures",
        base != null ? base.architecture() : null,
        // a given parameter count may be below the catalog's active count, which then no longer describes it
        modelFigures.activeParams(
            base != null && (paramsB == null || base.activeParamsB().orElse(0) <= paramsB) ? base.activeParamsB()
                : OptionalDouble.empty()),
        modelFigures.tiedEmbeddings(base != null ? base.tiedEmbeddings() : Optional.empty()),
        modelFigures.ffnDim(base != null ? base.ffnDim() : 0),
        modelFigures.moe(base != null ? base.moe() : MoeSpec.NONE),
        modelFigures.attention(base != null ? base.attention() : AttentionSpec.STANDARD),
        modelFigures.maxContext(base != null ? base.maxContext() : OptionalInt.empty()),
        // a module inside the catalog's parameter count; a given count describes another file
        base != null && paramsB == null ? base.mtpParamsB() : 0);
    ModelShape.requirePlausible(given);
    return given;
  }

  private DeviceSpec resolveDevice(SpecLookup catalog) {
    DeviceSpec base;
    if (device != null && !device.isBlank()) {
      base = catalog.device(device);
    } else if (memBandwidthGBs != null) {
      base = null;
    } else {
      throw new InvalidInputException("device", "unset", "a catalog device name or at least its memory bandwidth");
    }
    if (base != null && memBandwidthGBs == null && fp16Tflops == null && fp32Tflops == null && computeUnits == null
        && l2CacheMb == null && memoryGb == null) {
      return base;
    }
    String name = base != null ? base.name() + " (with given figures)" : "custom device";
    return new DeviceSpec(
        name,
        base != null ? base.vendor() : "",
        memBandwidthGBs != null ? memBandwidthGBs : base.memBandwidthGBs(),
        // each given figure replaces only its own: the catalog's other peaks stay, so restating a catalog figure
        // changes nothing and a peak that is unknown is filled in (and said so) by the roofline alone
        fp16Tflops != null ? OptionalDouble.of(fp16Tflops) : base != null ? base.fp16Tflops() : OptionalDouble.empty(),
        base != null ? base.fp8Tflops() : OptionalDouble.empty(),
        fp32Tflops != null ? OptionalDouble.of(fp32Tflops) : base != null ? base.fp32Tflops() : OptionalDouble.empty(),
        computeUnits != null ? computeUnits : base != null ? base.computeUnits() : 0,
        l2CacheMb != null ? OptionalDouble.of(l2CacheMb) : base != null ? base.l2CacheMb() : OptionalDouble.empty(),
        memoryGb != null ? OptionalDouble.of(memoryGb) : base != null ? base.memoryGb() : OptionalDouble.empty(),
        List.of(),
        base != null ? base.source() + " + given figures" : "given figures",
        base != null ? base.chipFamily() : null,
        base != null ? base.fp4Tflops() : OptionalDouble.empty(),
        base != null ? base.int8Tops() : OptionalDouble.empty(),
        base != null ? base.interconnect() : null,
        base != null ? base.interconnectGBs() : OptionalDouble.empty(),
        base != null ? base.architecture() : null);
  }

  /**
   * The catalog's head dimension, unless it is just hidden / heads and one of those is given: then it is derived
   * anew from the given shape (and the shape must allow it), rather than kept from a shape that no longer holds.
   */
  private int baseHeadDim(ModelSpec base) {
    boolean derived = base.heads() > 0 && base.headDim() * base.heads() == base.hidden();
    return derived && (hidden != null || heads != null) ? 0 : base.headDim();
  }

  private static int pick(Integer given, int fallback) {
    return given != null ? given : fallback;
  }
}
