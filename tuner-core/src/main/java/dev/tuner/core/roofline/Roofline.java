package dev.tuner.core.roofline;

import dev.tuner.api.Bound;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.Vendors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The physical upper bound on tokens/s, computed from the raw scenario.
 *
 * <p>A step of one replica (a copy of the model on {@code tp × pp} devices, serving {@code batch / replicas}
 * sequences over the replicas that step, {@link ParallelLayout#steppingReplicas}) takes at least the longest of three
 * times; the roofline is the replicas' tokens per step over it, and names the time that binds.
 *
 * <ul>
 *   <li><b>Memory</b>: the weights a step reads (see {@link ModelPhysics}: the body that every token uses and the
 *       routed experts the step's tokens touch, once per pass ({@link #weightPasses}: a prompt longer than the
 *       engine's physical batch {@code n_ubatch} is run as chunks, each reading them again), the LM head once, and
 *       for untied embeddings one gathered table row per token) at their true bits per weight, plus the KV cache:
 *       decode reads each sequence's cache over the window's mean length {@code depth + context / 2}; prefill writes
 *       the prompt's entries and reads the {@code depth} cached ones once. Tensor parallelism splits every tensor
 *       over {@code tp} devices. Pipeline stages run one after another for a chunk (its next stage needs this one's
 *       output); llama.cpp's pipeline parallelism overlaps them only across a prompt's n_ubatch chunks, so
 *       {@code pp} speeds a step up by {@link #pipelineSpeedup} of its chunks: not at all for a decode step or a
 *       prompt of one chunk, towards {@code pp} for many chunks. With zero-copy the weights cross the host link
 *       ({@code interconnect_gbs} of a PCIe device) instead.
 *   <li><b>Compute</b>: per token, 2 FLOPs per active body parameter, attention ({@code 4 × heads × head_dim} per
 *       cached token per attending layer, over {@code depth} plus the mean causal length {@code context / 2}) and
 *       the LM head's {@code 2 × vocab × hidden} for every decode token but only the last token of each prompt
 *       (llama.cpp computes no other logits), over {@code tp} devices and the pipeline's speed-up (as for memory) at
 *       the peak of the arithmetic the quantization's kernels use (see {@link #peakTflops}).
 *   <li><b>Interconnect</b> (several devices): two all-reduces per layer under tensor parallelism, each moving
 *       {@code 2 (tp − 1) / tp} of the step's activations ({@code tokens × hidden × 2} bytes) per device; one
 *       activation transfer between consecutive pipeline stages; under expert parallelism two all-to-alls per MoE
 *       layer (dispatch and combine), each moving {@code k} copies of a device's tokens' activations, {@code (ep −
 *       1) / ep} of them to other devices. Each collective also costs {@link #COLLECTIVE_LATENCY_S}.
 * </ul>
 *
 * <p>Whatever cannot be computed is left out — which can only raise the bound, so it stays a bound — and the
 * result says what was assumed.
 *
 * <p>The result also carries the device's vector peak (FP32 on the non-tensor ALUs), which does not bound anything
 * but which batch-1 decode kernels that dequantise on those ALUs are limited by.
 */
public final class Roofline {
  /**
   * Latency of one collective, in seconds: 1 µs, the per-hop latency of NCCL's low-latency (LL) protocol (Hu et al.,
   * "Demystifying NCCL", arXiv:2507.04786, 2025, from the NCCL 2.19 source). Every collective takes at least one
   * hop, so the figure keeps the interconnect roof a bound; real all-reduces over several hops take longer.
   */
  public static final double COLLECTIVE_LATENCY_S = 1e-6;
  /** Bytes per activation element crossing the interconnect: engines exchange FP16/BF16 activations. */
  public static final double ACTIVATION_BYTES = 2;

  private final SpecEstimates estimates;

  /**
   * Unknown peaks are imputed by {@link SpecEstimates} from {@code catalog}'s devices: generously for the bound,
   * as a best estimate for the figures the learned model reads ({@link RooflineResult#features}).
   */
  public Roofline(Catalog catalog) {
    this(SpecEstimates.of(catalog));
  }

  public Roofline(SpecEstimates estimates) {
    this.estimates = estimates;
  }

  public RooflineResult compute(Scenario s) {
    return compute(s, true);
  }

  /**
   * {@link #compute} without the assumptions' text and, for a prompt, without the roofline of its generation (see
   * {@link RooflineResult#generation}): the same figures otherwise, and an empty assumption list. For batch scoring,
   * which reads only the figures: saying what was assumed costs more than the arithmetic, for scenarios with unknown
   * specs, and a prompt's generation matters only for the few prompts predicted below it.
   */
  public RooflineResult computeFigures(Scenario s) {
    return compute(s, false);
  }

  private RooflineResult compute(Scenario s, boolean explain) {
    ModelSpec m = s.model();
    DeviceSpec d = s.device();
    ModelPhysics physics = new ModelPhysics(m);
    ParallelLayout layout = s.parallel();
    int tp = layout.tp();
    int pp = layout.pp();
    int replicas = layout.steppingReplicas(s.batch());
    WeightBytes bytes = WeightBytes.of(physics, s.quant());
    double bytesPerWeight = bytes.other();
    double sequences = (double) s.batch() / replicas;
    boolean decode = s.phase() == Phase.DECODE;
    double tokensPerStep = decode ? sequences : sequences * s.context();
    // expert parallelism wider than a replica routes several replicas' tokens over one shared set of experts
    double expertGroup = layout.expertGroup();
    double passes = weightPasses(decode, tokensPerStep, s.engine().nUbatch());
    double tokensPerPass = tokensPerStep / passes;
    double expertsTouched = physics.expertsTouched(tokensPerPass * expertGroup);
    double expertBytes = physics.routedParamsTouched(tokensPerPass * expertGroup) * bytes.expert() / expertGroup;
    double denseBytes = physics.denseBodyParams() * bytesPerWeight;
    double lmHeadBytes = physics.embeddingParams() * bytesPerWeight;
    double gatherBytes = physics.tied() || m.vocab() == 0 ? 0
        : Math.min(tokensPerStep, m.vocab()) * m.hidden() * bytesPerWeight;
    double weightBytes = passes * (denseBytes + expertBytes) + lmHeadBytes + gatherBytes;

    double depth = s.depth();
    double kvElements = 0;
    if (physics.knowsKv()) {
      kvElements = decode ? physics.meanKvElements(depth, depth + s.context())
          : physics.kvElements(depth + s.context());
    }
    double kvBytes = sequences * kvElements * s.kvCache().bytesPerElement();
    double bytesPerStep = weightBytes + kvBytes;

    double bandwidth = d.memBandwidthGBs() * 1e9;
    double weightBandwidth = weightBandwidthGBs(s) * 1e9;
    // llama.cpp overlaps pipeline stages only across a prompt's n_ubatch chunks; a decode step is one chunk
    double overlapped = pipelineSpeedup(passes, pp);
    double kvSeconds = kvBytes / (tp * overlapped * bandwidth);
    double memorySeconds = weightBytes / (tp * overlapped * weightBandwidth) + kvSeconds;

    double attention = physics.meanAttentionFlops(depth, depth + s.context());
    double logitsPerToken = decode ? 1 : 1.0 / s.context();
    double flopsPerToken = 2.0 * physics.activeBodyParams() + attention
        + 2.0 * physics.embeddingParams() * logitsPerToken;
    SpecEstimates.DeviceEstimates e = estimates.of(d);
    Activation activation = s.quant().activation();
    Backend backend = s.engine().backend();
    double peak = peak(d, activation, backend, e.generousFp16().value(), e.int8().value());
    double computeSeconds = peak > 0 ? tokensPerStep * flopsPerToken / (tp * overlapped * peak * 1e12) : 0;

    Collectives collectives = collectives(s, physics, tokensPerStep, expertGroup);
    double interconnectSeconds = collectives.seconds();

    double memoryRoof = replicas * tokensPerStep / memorySeconds;
    double computeRoof = peak > 0 ? replicas * tokensPerStep / computeSeconds : Double.POSITIVE_INFINITY;
    double interconnectRoof = interconnectSeconds > 0 ? replicas * tokensPerStep / interconnectSeconds
        : Double.POSITIVE_INFINITY;
    double roof = Math.min(memoryRoof, Math.min(computeRoof, interconnectRoof));
    Bound bound = roof == memoryRoof ? Bound.MEMORY : roof == computeRoof ? Bound.COMPUTE : Bound.INTERCONNECT;
    double intensity = flopsPerToken * tokensPerStep / bytesPerStep;
    double vector = e.fp32().value();
    double serialRoof = roof;
    if (decode && vector > 0) {
      double seconds = memorySeconds + tokensPerStep * flopsPerToken / (tp * vector * 1e12) + interconnectSeconds;
      serialRoof = Math.min(roof, replicas * tokensPerStep / seconds);
    } else if (interconnectSeconds > 0) {
      serialRoof = Math.min(roof,
          replicas * tokensPerStep / (Math.max(memorySeconds, computeSeconds) + interconnectSeconds));
    }
    StepDetail detail = new StepDetail(physics.activeParams(), denseBytes, expertBytes, expertsTouched, passes,
        lmHeadBytes, gatherBytes, kvElements, memorySeconds, kvSeconds, computeSeconds, interconnectSeconds,
        collectives.bytes(), collectives.count(), replicas);
    return new RooflineResult(
        roof,
        memoryRoof,
        computeRoof,
        bound,
        bytesPerStep,
        weightBytes,
        kvBytes,
        tokensPerStep,
        flopsPerToken,
        peak,
        vector,
        intensity,
        serialRoof,
        explain ? assumptions(s, physics, e) : List.of(),
        interconnectRoof,
        detail,
        features(d, activation, backend, e),
        decode && s.batch() != 1 ? compute(s.withBatch(1), false) : null,
        decode || !explain ? null : compute(s.withPhase(Phase.DECODE), false));
  }

  /**
   * How many times a step streams its body and routed-expert weights: once for decode; for a prompt of more tokens
   * than the engine's physical batch ({@code n_ubatch}), once per chunk, as each chunk is its own pass over every
   * layer. The fractional count {@code tokens / n_ubatch} is never above the whole chunks an engine runs, so the
   * memory roof stays a bound, and keeps prompt tokens/s from saw-toothing at each chunk boundary.
   */
  static double weightPasses(boolean decode, double tokensPerStep, int nUbatch) {
    return decode ? 1 : Math.max(1, tokensPerStep / nUbatch);
  }

  /**
   * How many times faster {@code stages} pipeline stages run {@code chunks} chunks of a step than one device holding
   * every stage: a stage passes a chunk on to the next and takes the following one, so the chunks take
   * {@code chunks + stages − 1} times one chunk's time on one stage, where one device takes {@code chunks × stages}.
   * One chunk (a decode step, a prompt within n_ubatch) gains nothing: its stages run one after another. The
   * fractional chunk count of {@link #weightPasses} gives the same figure as whole chunks with a shorter last one
   * (the first stage's fill is one full chunk), so the roof stays a bound.
   */
  public static double pipelineSpeedup(double chunks, int stages) {
    return chunks * stages / (chunks + stages - 1);
  }

  /**
   * An upper bound on the roofline of generating prompt {@code s}'s tokens one at a time ({@link
   * RooflineResult#generation}), from the prompt's own roofline {@code r}, without computing it: every decode step of
   * the batch reads at least the body and the LM head, split over the tensor-parallel devices, at no more than the
   * device's bandwidth. Batch scoring computes the generation only for prompts predicted below it.
   */
  public static double generationCeiling(Scenario s, RooflineResult r) {
    double bytes = r.detail().denseWeightBytes() + r.detail().lmHeadBytes();
    return bytes > 0 ? s.batch() * s.parallel().tp() * s.device().memBandwidthGBs() * 1e9 / bytes
        : Double.POSITIVE_INFINITY;
  }

  /** The collectives of one replica step: how many, the bytes one device sends, and their time. */
  private record Collectives(int count, double bytes, double seconds) {}

  private static Collectives collectives(Scenario s, ModelPhysics physics, double tokens, double expertGroup) {
    ParallelLayout layout = s.parallel();
    OptionalDouble link = s.device().interconnectGBs();
    if (layout.isSingle() || s.model().hidden() == 0 || link.isEmpty()) {
      return new Collectives(0, 0, 0);
    }
    double activations = tokens * s.model().hidden() * ACTIVATION_BYTES;
    int count = 0;
    double bytes = 0;
    int tp = layout.tp();
    if (tp > 1 && s.model().layers() > 0) {
      int allReduces = 2 * s.model().layers();
      count += allReduces;
      bytes += allReduces * 2.0 * (tp - 1) / tp * activations;
    }
    if (layout.pp() > 1) {
      count += layout.pp() - 1;
      bytes += (layout.pp() - 1) * activations;
    }
    int ep = layout.ep();
    if (ep > 1 && s.model().moe().isMoe() && physics.moeLayers() > 0) {
      int allToAlls = 2 * physics.moeLayers();
      double perDevice = activations * expertGroup / ep * s.model().moe().expertsPerToken();
      count += allToAlls;
      bytes += allToAlls * perDevice * (ep - 1) / ep;
    }
    return new Collectives(count, bytes, count * COLLECTIVE_LATENCY_S + bytes / (link.getAsDouble() * 1e9));
  }

  /**
   * The GB/s a step's weights are read at: the device's memory bandwidth, or with zero-copy the lower of it and the
   * host link's. The KV cache is always read at the device's memory bandwidth.
   */
  public static double weightBandwidthGBs(Scenario s) {
    double bandwidth = s.device().memBandwidthGBs();
    return s.zeroCopy() ? Math.min(bandwidth, hostLinkGBs(s.device())) : bandwidth;
  }

  /**
   * The host-link bandwidth zero-copy weights cross: a PCIe device's {@code interconnect_gbs}; unified memory has
   * no host link (the weights already sit in the memory the GPU reads). {@link Scenario} refuses zero-copy on any
   * other device, so this is only asked for those two.
   */
  private static double hostLinkGBs(DeviceSpec d) {
    return Scenario.isUnifiedMemory(d) ? d.memBandwidthGBs() : d.interconnectGBs().orElse(d.memBandwidthGBs());
  }

  /**
   * What {@link #compute} had to assume, in the order it meets the gaps. Most scenarios need no assumption, and
   * batch scoring computes millions of rooflines, so the list is only built when there is something to say.
   */
  private List<String> assumptions(Scenario s, ModelPhysics physics, SpecEstimates.DeviceEstimates e) {
    ModelSpec m = s.model();
    DeviceSpec d = s.device();
    Activation activation = s.quant().activation();
    boolean kv = !physics.knowsKv() && s.totalContext() > 0;
    boolean attention = !m.knowsAttentionShape() && s.totalContext() > 0;
    boolean embeddings = physics.embeddingParams() == 0;
    boolean tiedGuess = !embeddings && m.tiedEmbeddings().isEmpty();
    boolean experts = !physics.routedKnown() || !physics.activeKnown();
    boolean int8Estimated = restsOnInt8Estimate(activation, s.engine().backend(), e);
    // a user's device of no named vendor may be the host itself, given by its own figures: nothing to say then
    boolean hostCores = s.engine().backend() == Backend.CPU && Vendors.named(d);
    if (!kv && !attention && !embeddings && !tiedGuess && !experts && d.fp16Tflops().isPresent()
        && d.fp32Tflops().isPresent() && !int8Estimated && lowerPrecisionPeak(d, activation).isEmpty() && !hostCores) {
      return List.of();
    }
    List<String> assumptions = new ArrayList<>(4);
    if (hostCores) {
      assumptions.add("backend cpu on " + d.name() + ": llama.cpp's CPU backend runs on the host's cores, which share"
          + " this device's memory; the roofline takes that memory's full bandwidth and the GPU's compute peaks, which"
          + " the cores do not reach, so it bounds the run only loosely (a prompt, which the peaks bind, most)");
    }
    if (kv) {
      assumptions.add("KV-cache traffic not counted: layers, KV heads or head dimension of " + m.name() + " unknown");
    }
    if (attention) {
      assumptions.add("attention FLOPs not counted: layers, heads or head dimension of " + m.name() + " unknown");
    }
    if (embeddings) {
      assumptions.add("vocabulary or hidden size of " + m.name() + " unknown: the embeddings are counted as streamed"
          + " weights with 2 FLOPs per parameter per token");
    } else if (tiedGuess) {
      assumptions.add("whether " + m.name() + " ties its embeddings is unknown: taken as "
          + (physics.tied() ? "tied (its parameter count cannot hold two tables)" : "untied (fewer bytes and FLOPs)"));
    }
    if (physics.expertLayoutUnknown()) {
      assumptions.add(String.format(Locale.ROOT, "expert layout of %s unknown: each step is taken to read only its"
          + " %.2f B active parameters (the least any step reads, so the roof stays a bound)", m.name(),
          m.activeParamsB().getAsDouble()));
    } else if (experts) {
      assumptions.add(m.name() + " is a mixture of experts without its expert FFN size or active parameters: every"
          + " parameter is counted for every token");
    }
    peakAssumptions(d, activation, e, int8Estimated, assumptions);
    return List.copyOf(assumptions);
  }

  /**
   * The peak for the compute roof in TFLOPS (TOPS for integer arithmetic), 0 when none can be used. Records every
   * assumption made when {@code assumptions} is not null.
   *
   * <ul>
   *   <li>FP16 / FP32: the FP16 tensor peak (known, else the generous figure of {@link SpecEstimates}; the higher of
   *       the two for FP32 weights, which an engine may compute in either).
   *   <li>FP8: the FP8 peak where the device has one, else the FP16 peak.
   *   <li>INT8 (llama.cpp's MMQ/MMVQ integer dot products, W8A8): the higher of the INT8 (known or estimated) and FP16
   *       peaks. On CUDA the integer kernels run (dp4a on Pascal, int8 MMA from Turing on), on ROCm, Vulkan and SYCL
   *       they run where the hardware and build have integer dot products, else the dequantise-to-FP16 kernels do:
   *       when it is not known which runs, the bound takes the higher peak. On Metal llama.cpp dequantises into FP16/FP32
   *       simdgroup matrices and has no integer-dot kernels, so the FP16 peak binds there.
   *   <li>FP4 (NVFP4/MXFP4): the FP4 peak where the device has one, else the FP8 or FP16 peak the weights are
   *       dequantised to (the higher that is known).
   * </ul>
   */
  public double peakTflops(DeviceSpec d, Activation activation, Backend backend, List<String> assumptions) {
    SpecEstimates.DeviceEstimates e = estimates.of(d);
    if (assumptions != null) {
      boundAssumptions(d, activation, e, restsOnInt8Estimate(activation, backend, e), assumptions);
    }
    return peak(d, activation, backend, e.generousFp16().value(), e.int8().value());
  }

  /** {@link #peakTflops} from the given FP16 and INT8 figures (0 when unknown); FP8 and FP4 are never imputed. */
  private static double peak(DeviceSpec d, Activation activation, Backend backend, double fp16, double int8) {
    switch (activation) {
      case FP8:
        return d.fp8Tflops().isPresent() ? d.fp8Tflops().getAsDouble() : fp16;
      case INT8:
        if (backend == Backend.METAL) {
          return fp16;
        }
        return Math.max(fp16, int8);
      case FP4:
        return Math.max(d.fp4Tflops().orElse(0), Math.max(d.fp8Tflops().orElse(0), fp16));
      case FP32:
        return Math.max(fp16, d.fp32Tflops().orElse(0));
      default:
        return fp16;
    }
  }

  /**
   * Whether the peak used rests on an estimated INT8 figure: integer kernels, on a backend that has them, and the
   * estimate above the FP16 peak (below it, {@link #peak} takes the FP16 one).
   */
  private static boolean restsOnInt8Estimate(Activation activation, Backend backend,
      SpecEstimates.DeviceEstimates e) {
    return activation == Activation.INT8 && backend != Backend.METAL
        && e.int8().source() == SpecEstimates.Source.ESTIMATED && e.int8().value() > e.fp16().value();
  }

  /**
   * The figures the learned model reads: the same peak choice at the best estimates, the missingness flags (a figure
   * the catalog does not give) and whether any figure the prediction rests on was imputed. An unknown INT8 peak counts
   * as a missing figure, but as an imputed one only when its estimate is the peak used: otherwise the FP16 peak,
   * which the kernels can always fall back to, is.
   */
  private static FeatureFigures features(DeviceSpec d, Activation activation, Backend backend,
      SpecEstimates.DeviceEstimates e) {
    double peak = peak(d, activation, backend, e.fp16().value(), e.int8().value());
    boolean fp16Missing = !e.fp16().known();
    boolean fp32Missing = !e.fp32().known();
    boolean int8Missing = activation == Activation.INT8 && !e.int8().known();
    boolean imputed = fp16Missing || fp32Missing || restsOnInt8Estimate(activation, backend, e);
    return new FeatureFigures(peak, fp16Missing, fp32Missing, int8Missing, imputed);
  }

  /** States each imputed peak with its figure and where it came from, for the bound and for the model apart. */
  private static void peakAssumptions(DeviceSpec d, Activation activation, SpecEstimates.DeviceEstimates e,
      boolean int8Estimated, List<String> assumptions) {
    boundAssumptions(d, activation, e, int8Estimated, assumptions);
    if (!e.fp16().known()) {
      if (e.fp16().value() > 0) {
        assumptions.add(String.format(Locale.ROOT,
            "FP16 peak of %s unknown: the model is given the best estimate %.1f TFLOPS (%s)", d.name(),
            e.fp16().value(), e.fp16().basis()));
      }
    }
    if (!e.fp32().known()) {
      assumptions.add(e.fp32().value() > 0
          ? String.format(Locale.ROOT, "FP32 vector peak of %s unknown: assumed the best estimate %.1f TFLOPS (%s)",
              d.name(), e.fp32().value(), e.fp32().basis())
          : "FP32 vector peak of " + d.name() + " unknown and not estimable: taken as 0");
    }
  }

  /**
   * The figures the bound assumed: the generous FP16 peak, an estimated INT8 peak, and the peak of a wider format for
   * FP8 or FP4 arithmetic the catalog gives no peak of ({@link #lowerPrecisionPeak}).
   */
  private static void boundAssumptions(DeviceSpec d, Activation activation, SpecEstimates.DeviceEstimates e,
      boolean int8Estimated, List<String> assumptions) {
    lowerPrecisionPeak(d, activation).ifPresent(assumptions::add);
    if (!e.fp16().known()) {
      SpecEstimates.Estimate bound = e.generousFp16();
      if (bound.value() > 0) {
        assumptions.add(String.format(Locale.ROOT, "FP16 peak of %s unknown: the bound assumes %.1f TFLOPS (%s)",
            d.name(), bound.value(), bound.basis()));
      } else {
        assumptions.add("FP16 peak of " + d.name() + " unknown and not estimable: compute roof not applied");
      }
    }
    if (int8Estimated) {
      assumptions.add(String.format(Locale.ROOT,
          "INT8 peak of %s unknown: assumed the best estimate %.1f TOPS (%s)", d.name(),
          e.int8().value(), e.int8().basis()));
    }
  }

  /**
   * What {@link #peak} says of FP8 or FP4 weights on a device the catalog gives no peak of that format for: it has no
   * such tensor cores (an A100's FP8, an H100's FP4), or the figure is not known. Either way the kernels dequantise
   * to a format it has (weight-only, as vLLM's Marlin kernels run FP8 and FP4 checkpoints on Ampere), whose peak binds.
   */
  private static Optional<String> lowerPrecisionPeak(DeviceSpec d, Activation activation) {
    if (activation == Activation.FP8 && d.fp8Tflops().isEmpty()) {
      return Optional.of("no FP8 peak of " + d.name() + " in the catalog (no FP8 tensor cores, or not known): FP8"
          + " weights are taken to run dequantised at its FP16 peak");
    }
    if (activation == Activation.FP4 && d.fp4Tflops().isEmpty()) {
      return Optional.of("no FP4 peak of " + d.name() + " in the catalog (no FP4 tensor cores, or not known): FP4"
          + " weights are taken to run dequantised at its " + (d.fp8Tflops().isPresent() ? "FP8" : "FP16") + " peak");
    }
    return Optional.empty();
  }
}
