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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The physical upper bound on tokens/s, computed from the raw scenario.
 *
 * <p>A step of one replica (a copy of the model on {@code tp × pp} devices, serving {@code batch / replicas}
 * sequences) takes at least the longest of three times; the roofline is the replicas' tokens per step over it, and
 * names the time that binds.
 *
 * <ul>
 *   <li><b>Memory</b>: the weights a step reads (see {@link ModelPhysics}: the body that every token uses, the routed
 *       experts the step's tokens touch, the LM head once, and for untied embeddings one gathered table row per
 *       token) at their true bits per weight, plus the KV cache: decode reads each sequence's cache over the window's
 *       mean length {@code depth + context / 2}; prefill writes the prompt's entries and reads the {@code depth}
 *       cached ones once. Tensor parallelism splits every tensor over {@code tp} devices. Pipeline stages run one
 *       after another for a token (its next stage needs this one's output), so {@code pp} splits the weights but
 *       not their read time: the weights take {@code bytes / (tp × bandwidth)} whatever the schedule; the KV cache,
 *       which micro-batches can read in parallel stages, is credited over all {@code tp × pp} devices. With
 *       zero-copy the weights cross the host link ({@code interconnect_gbs} of a PCIe device) instead.
 *   <li><b>Compute</b>: per token, 2 FLOPs per active body parameter, attention ({@code 4 × heads × head_dim} per
 *       cached token per attending layer, over {@code depth} plus the mean causal length {@code context / 2}) and
 *       the LM head's {@code 2 × vocab × hidden} for every decode token but only the last token of each prompt
 *       (llama.cpp computes no other logits), over all {@code tp × pp} devices at the peak of the arithmetic the
 *       quantization's kernels use (see {@link #peakTflops}).
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

  private final Map<String, Double> tflopsPerUnitByVendor;
  private final Map<String, Double> fp32PerFp16ByVendor;

  /**
   * Unknown FP16 peaks are imputed from the highest TFLOPS per compute unit among {@code catalog}'s devices of a
   * vendor; unknown vector peaks from the FP16 peak and the median FP32/FP16 ratio of that vendor's devices.
   */
  public Roofline(Catalog catalog) {
    this(peakPerUnit(catalog.devices().entries()), fp32PerFp16(catalog.devices().entries()));
  }

  /** Without vector ratios: a device's unknown vector peak is then never imputed. */
  public Roofline(Map<String, Double> tflopsPerUnitByVendor) {
    this(tflopsPerUnitByVendor, Map.of());
  }

  /** Both maps are keyed by lower-case vendor name. */
  public Roofline(Map<String, Double> tflopsPerUnitByVendor, Map<String, Double> fp32PerFp16ByVendor) {
    this.tflopsPerUnitByVendor = Map.copyOf(tflopsPerUnitByVendor);
    this.fp32PerFp16ByVendor = Map.copyOf(fp32PerFp16ByVendor);
  }

  /** The highest FP16 TFLOPS per compute unit of each vendor: generous on purpose, as the roof must not be low. */
  public static Map<String, Double> peakPerUnit(List<DeviceSpec> devices) {
    Map<String, Double> out = new HashMap<>();
    for (DeviceSpec d : devices) {
      if (d.fp16Tflops().isPresent() && d.computeUnits() > 0 && !d.vendor().isEmpty()) {
        out.merge(d.vendor().toLowerCase(Locale.ROOT), d.fp16Tflops().getAsDouble() / d.computeUnits(), Math::max);
      }
    }
    return out;
  }

  /**
   * The median FP32 (vector) / FP16 (tensor) peak ratio of each vendor's devices that have both. The median, not the
   * extreme as for {@link #peakPerUnit}: the vector peak is no bound, so being generous buys nothing, and a vendor's
   * ratio differs by product line (a quarter on NVIDIA's GeForce and workstation parts, a sixteenth on its
   * data-centre parts).
   */
  public static Map<String, Double> fp32PerFp16(List<DeviceSpec> devices) {
    Map<String, List<Double>> ratios = new HashMap<>();
    for (DeviceSpec d : devices) {
      if (d.fp32Tflops().isPresent() && d.fp16Tflops().isPresent() && !d.vendor().isEmpty()) {
        ratios.computeIfAbsent(d.vendor().toLowerCase(Locale.ROOT), v -> new ArrayList<>())
            .add(d.fp32Tflops().getAsDouble() / d.fp16Tflops().getAsDouble());
      }
    }
    Map<String, Double> out = new HashMap<>();
    ratios.forEach((vendor, list) -> out.put(vendor, median(list)));
    return out;
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  public RooflineResult compute(Scenario s) {
    return compute(s, true);
  }

  /**
   * {@link #compute} without the assumptions' text: the same figures and an empty assumption list. For batch
   * scoring, which reads only the figures: saying what was assumed costs more than the arithmetic, for scenarios
   * with unknown specs.
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
    int replicas = layout.replicas();
    double bytesPerWeight = s.quant().bytesPerWeight();
    double sequences = (double) s.batch() / replicas;
    boolean decode = s.phase() == Phase.DECODE;
    double tokensPerStep = decode ? sequences : sequences * s.context();
    // expert parallelism wider than a replica routes several replicas' tokens over one shared set of experts
    double expertGroup = Math.max(1.0, (double) layout.ep() / (tp * pp));
    double expertsTouched = physics.expertsTouched(tokensPerStep * expertGroup);
    double expertBytes = physics.routedParamsTouched(tokensPerStep * expertGroup) * bytesPerWeight / expertGroup;
    double denseBytes = physics.denseBodyParams() * bytesPerWeight;
    double lmHeadBytes = physics.embeddingParams() * bytesPerWeight;
    double gatherBytes = physics.tied() || m.vocab() == 0 ? 0
        : Math.min(tokensPerStep, m.vocab()) * m.hidden() * bytesPerWeight;
    double weightBytes = denseBytes + expertBytes + lmHeadBytes + gatherBytes;

    double depth = s.depth();
    double kvElements = 0;
    if (physics.knowsKv()) {
      kvElements = decode ? physics.meanKvElements(depth, depth + s.context())
          : physics.kvElements(depth + s.context());
    }
    double kvBytes = sequences * kvElements * s.kvCache().bytesPerElement();
    double bytesPerStep = weightBytes + kvBytes;

    double bandwidth = d.memBandwidthGBs() * 1e9;
    double weightBandwidth = s.zeroCopy() ? Math.min(bandwidth, hostLinkGBs(d) * 1e9) : bandwidth;
    double memorySeconds = weightBytes / (tp * weightBandwidth) + kvBytes / ((double) tp * pp * bandwidth);

    double attention = physics.meanAttentionFlops(depth, depth + s.context());
    double logitsPerToken = decode ? 1 : 1.0 / s.context();
    double flopsPerToken = 2.0 * physics.activeBodyParams() + attention
        + 2.0 * physics.embeddingParams() * logitsPerToken;
    double peak = peak(d, s.quant().activation(), s.engine().backend(), null);
    double computeSeconds = peak > 0 ? tokensPerStep * flopsPerToken / (tp * pp * peak * 1e12) : 0;

    Collectives collectives = collectives(s, physics, tokensPerStep, expertGroup);
    double interconnectSeconds = collectives.seconds();

    double memoryRoof = replicas * tokensPerStep / memorySeconds;
    double computeRoof = peak > 0 ? replicas * tokensPerStep / computeSeconds : Double.POSITIVE_INFINITY;
    double interconnectRoof = interconnectSeconds > 0 ? replicas * tokensPerStep / interconnectSeconds
        : Double.POSITIVE_INFINITY;
    double roof = Math.min(memoryRoof, Math.min(computeRoof, interconnectRoof));
    Bound bound = roof == memoryRoof ? Bound.MEMORY : roof == computeRoof ? Bound.COMPUTE : Bound.INTERCONNECT;
    double intensity = flopsPerToken * tokensPerStep / bytesPerStep;
    double vector = vector(d, null);
    double serialRoof = roof;
    if (decode && vector > 0) {
      double seconds = memorySeconds + tokensPerStep * flopsPerToken / (tp * pp * vector * 1e12) + interconnectSeconds;
      serialRoof = Math.min(roof, replicas * tokensPerStep / seconds);
    } else if (interconnectSeconds > 0) {
      serialRoof = Math.min(roof,
          replicas * tokensPerStep / (Math.max(memorySeconds, computeSeconds) + interconnectSeconds));
    }
    StepDetail detail = new StepDetail(physics.activeParams(), denseBytes, expertBytes, expertsTouched, lmHeadBytes,
        gatherBytes, kvElements, memorySeconds, computeSeconds, interconnectSeconds, collectives.bytes(),
        collectives.count(), replicas);
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
        explain ? assumptions(s, physics) : List.of(),
        interconnectRoof,
        detail);
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
  private List<String> assumptions(Scenario s, ModelPhysics physics) {
    ModelSpec m = s.model();
    DeviceSpec d = s.device();
    Activation activation = s.quant().activation();
    boolean kv = !physics.knowsKv() && s.totalContext() > 0;
    boolean attention = !m.knowsAttentionShape() && s.totalContext() > 0;
    boolean embeddings = physics.embeddingParams() == 0;
    boolean tiedGuess = !embeddings && m.tiedEmbeddings().isEmpty();
    boolean experts = !physics.routedKnown() || !physics.activeKnown();
    boolean link = !s.parallel().isSingle() && d.interconnectGBs().isEmpty();
    boolean peakKnown = d.fp16Tflops().isPresent() || (activation == Activation.FP8 && d.fp8Tflops().isPresent());
    if (!kv && !attention && !embeddings && !tiedGuess && !experts && !link && peakKnown
        && d.fp32Tflops().isPresent()) {
      return List.of();
    }
    List<String> assumptions = new ArrayList<>(4);
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
    if (link) {
      assumptions.add("interconnect bandwidth of " + d.name() + " unknown: collectives not counted");
    }
    peak(d, activation, s.engine().backend(), assumptions);
    vector(d, assumptions);
    return List.copyOf(assumptions);
  }

  /**
   * The peak for the compute roof in TFLOPS (TOPS for integer arithmetic), 0 when none can be used. Records every
   * assumption made when {@code assumptions} is not null.
   *
   * <ul>
   *   <li>FP16 / FP32: the FP16 tensor peak (known or imputed; the higher of the two for FP32 weights, which an
   *       engine may compute in either).
   *   <li>FP8: the FP8 peak where the device has one, else the FP16 peak.
   *   <li>INT8 (llama.cpp's MMQ/MMVQ integer dot products, W8A8): the higher of the INT8 and FP16 peaks. On CUDA the
   *       integer kernels run (dp4a on Pascal, int8 MMA from Turing on), on ROCm, Vulkan and SYCL they run where the
   *       hardware and build have integer dot products, else the dequantise-to-FP16 kernels do: when it is not
   *       known which runs, the bound takes the higher peak. On Metal llama.cpp dequantises into FP16/FP32
   *       simdgroup matrices and has no integer-dot kernels, so the FP16 peak binds there.
   *   <li>FP4 (NVFP4/MXFP4): the FP4 peak where the device has one, else the FP8 or FP16 peak the weights are
   *       dequantised to (the higher that is known).
   * </ul>
   */
  public double peakTflops(DeviceSpec d, Activation activation, Backend backend, List<String> assumptions) {
    return peak(d, activation, backend, assumptions);
  }

  private double peak(DeviceSpec d, Activation activation, Backend backend, List<String> assumptions) {
    double fp16 = fp16(d, assumptions);
    switch (activation) {
      case FP8:
        return d.fp8Tflops().isPresent() ? d.fp8Tflops().getAsDouble() : fp16;
      case INT8:
        if (backend == Backend.METAL) {
          return fp16;
        }
        return Math.max(fp16, d.int8Tops().orElse(0));
      case FP4:
        return Math.max(d.fp4Tflops().orElse(0), Math.max(d.fp8Tflops().orElse(0), fp16));
      case FP32:
        return Math.max(fp16, d.fp32Tflops().orElse(0));
      default:
        return fp16;
    }
  }

  /** The FP16 peak, known or imputed from the vendor's TFLOPS per compute unit; 0 when neither is possible. */
  private double fp16(DeviceSpec d, List<String> assumptions) {
    OptionalDouble fp16 = d.fp16Tflops();
    if (fp16.isPresent()) {
      return fp16.getAsDouble();
    }
    Double perUnit = tflopsPerUnitByVendor.get(d.vendor().toLowerCase(Locale.ROOT));
    if (perUnit != null && d.computeUnits() > 0) {
      double estimate = perUnit * d.computeUnits();
      if (assumptions == null) {
        return estimate;
      }
      assumptions.add(String.format(Locale.ROOT,
          "FP16 peak of %s unknown: assumed %.1f TFLOPS (%d compute units × %.3f, the highest TFLOPS per unit of"
              + " any catalogued %s device)", d.name(), estimate, d.computeUnits(), perUnit, d.vendor()));
      return estimate;
    }
    if (assumptions != null) {
      assumptions.add("FP16 peak of " + d.name() + " unknown and not estimable: compute roof not applied");
    }
    return 0;
  }

  /**
   * The vector peak in TFLOPS: the device's FP32 figure, else its FP16 peak (known or imputed) times the vendor's
   * median FP32/FP16 ratio, else 0. Records the assumption only when {@code assumptions} is not null.
   */
  private double vector(DeviceSpec d, List<String> assumptions) {
    if (d.fp32Tflops().isPresent()) {
      return d.fp32Tflops().getAsDouble();
    }
    Double ratio = fp32PerFp16ByVendor.get(d.vendor().toLowerCase(Locale.ROOT));
    // no list passed on: the compute roof's assumption already says how an unknown FP16 peak was imputed
    double fp16 = ratio == null ? 0 : fp16(d, null);
    if (fp16 > 0) {
      double estimate = fp16 * ratio;
      if (assumptions != null) {
        assumptions.add(String.format(Locale.ROOT,
            "FP32 vector peak of %s unknown: assumed %.1f TFLOPS (%s FP16 peak %.1f × %.3f, the median FP32/FP16"
                + " ratio of the catalogued %s devices that have both)", d.name(), estimate,
            d.fp16Tflops().isPresent() ? "its" : "the assumed", fp16, ratio, d.vendor()));
      }
      return estimate;
    }
    if (assumptions != null) {
      assumptions.add("FP32 vector peak of " + d.name() + " unknown and not estimable: taken as 0");
    }
    return 0;
  }
}
