package dev.tuner.serving;

import dev.tuner.core.roofline.ModelPhysics;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.WeightBytes;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import java.util.ArrayList;
import java.util.List;

/**
 * How a layout splits one model instance over its GPUs, as {@link InstanceFigures}: the one place that knows
 * tensor, pipeline and expert parallelism. Where the parameters sit comes from tuner-core's {@link ModelPhysics}
 * (the same accounting as the step roofline): body weights every token reads, the LM head streamed once per
 * iteration, routed experts read as far as an iteration's tokens touch them ({@code 1 − (1 − k/E)^t} of them under
 * uniform routing), sliding-window, MLA and linear-attention KV caches.
 *
 * <ul>
 *   <li>Weights, KV cache and FLOPs divide over {@code tp × pp} GPUs, except that a KV head is never split (with
 *       fewer KV heads than {@code tp} each GPU keeps one whole head) and MLA's latent is not split by tensor
 *       parallelism; routed experts divide over the larger of {@code tp × pp} and {@code ep}. Expert parallelism
 *       wider than a replica ({@code ep > tp × pp}) shares each GPU's experts among the {@code ep / (tp × pp)}
 *       replicas of its group ({@link ParallelLayout#expertGroup}), so an iteration reads the share of them that the
 *       whole group's tokens touch, as the step roofline counts it, and its all-to-alls carry the group's tokens.
 *   <li>Attention data parallelism ({@link ServingScenario#attentionDp} groups of {@code tp / dp} ranks): each GPU
 *       keeps the attention weights ({@link ModelPhysics#attentionParams}) split over its group's ranks only, and
 *       holds the KV cache of its group's sequences only ({@code 1 / dp} of them); FLOPs per GPU do not change (each
 *       group computes its own tokens). The FFNs gather every group's tokens and scatter the outputs back (a ring
 *       all-reduce's two halves over {@code tp}) instead of tensor parallelism's two all-reduces, and a group of
 *       several ranks all-reduces its attention output. Sequences are taken as spread evenly over the groups; fewer
 *       sequences than groups, or one long prompt, load some groups only, where the composition stays a bound but an
 *       optimistic one (the engines' iteration waits for its busiest group).
 *   <li>The LM head's {@code 2 × vocab × hidden} FLOPs count once per decoded token (a prompt's logits are computed
 *       for its last token only, which is left out).
 *   <li>The tables (input embedding and LM head) are stored in 16 bits by every checkpoint format ({@link
 *       #tableBytes}); an untied model's input table takes memory beside the KV cache, though an iteration reads
 *       only its tokens' rows of it ({@link InstanceFigures#gatheredBytes}; on GPUs llama.cpp leaves it in host
 *       memory).
 *   <li>Sliding-window and linear-attention layers make the KV cache and attention sublinear in the context; they
 *       are linearised at the workload's mean context {@code I + O/2} (the composition is linear in the cached
 *       tokens).
 *   <li>Collectives, as in {@link Roofline}: tensor parallelism's two all-reduces of the hidden state per layer (ring:
 *       {@code 2 (tp − 1) / tp} of the activations sent by each GPU), one transfer between consecutive pipeline
 *       stages, expert parallelism's two all-to-alls per MoE layer; each collective also costs its latency, which
 *       the collective library's cost model gives by link and GPU count ({@link CollectiveLatency}).
 *   <li>Attention's arithmetic runs at the precision of the KV cache it reads, not at the weights'
 *       ({@link #attentionActivation}).
 * </ul>
 */
public final class StepPhysics {
  static final double BYTES_PER_GIB = 1024.0 * 1024 * 1024;
  private final Roofline roofline;

  public StepPhysics(Roofline roofline) {
    this.roofline = roofline;
  }

  public InstanceFigures figures(ServingScenario s) {
    s.requireRunnable();
    ModelSpec m = s.model();
    DeviceSpec d = s.device();
    ParallelLayout l = s.layout();
    ModelPhysics physics = new ModelPhysics(m);
    int split = l.tp() * l.pp();
    int expertSplit = Math.max(split, l.ep());
    List<String> assumptions = new ArrayList<>();
    WeightBytes bytes = WeightBytes.of(physics, s.quant());
    int dp = s.attentionDp();
    int attentionTp = s.attentionTp();
    double attentionParams = dp > 1 ? physics.attentionParams() : 0;
    if (dp > 1 && attentionParams == 0) {
      assumptions.add("attention weights of " + m.name() + " not derivable: counted as split over all " + l.tp()
          + " ranks, not kept by each of the " + dp + " attention groups");
    }
    double table = physics.embeddingParams() / split * tableBytes(s.quant(), bytes);
    double weightBytes = ((physics.denseBodyParams() - attentionParams) / split
        + attentionParams / ((double) attentionTp * l.pp())) * bytes.other() + table;
    // llama.cpp keeps the input table in host memory (its row lookup runs on the CPU); the other engines keep it on
    // the GPU
    double gathered = physics.tied() || s.engine().kind() == EngineKind.LLAMA_CPP ? 0 : table;
    double routedBytes = physics.routedParams() * bytes.expert() / expertSplit;
    double share = m.moe().isMoe() ? (double) m.moe().expertsPerToken() / m.moe().experts() : 0;
    if (!physics.routedKnown() || !physics.activeKnown()) {
      assumptions.add(m.name() + " is a mixture of experts without its expert size or active parameters: every"
          + " parameter is counted for every token");
    }
    double context = Math.max(1, s.workload().input().mean() + s.workload().output().mean() / 2);
    double kvPerToken = 0;
    if (physics.knowsKv()) {
      double elements = physics.kvElements(context) / context;
      double perGpu = elements / l.pp();
      if (m.attention().kind() != dev.tuner.core.scenario.AttentionKind.MLA && m.knowsKvShape()) {
        // a KV head is never split: each GPU holds ceil(kv_heads / tp) of them
        perGpu *= Math.ceil((double) m.kvHeads() / attentionTp) / m.kvHeads();
      }
      // with attention groups a sequence's cache lives in its own group only
      kvPerToken = perGpu / dp * s.kvCache().bytesPerElement();
    } else {
      assumptions.add("KV-cache size of " + m.name() + " unknown: KV traffic and capacity not counted");
    }
    double attention = 0;
    if (m.knowsAttentionShape()) {
      attention = physics.meanAttentionFlops(context, context) / context / split;
    } else {
      assumptions.add("attention shape of " + m.name() + " unknown: attention FLOPs not counted");
    }
    double commBytes = 0;
    int collectives = 0;
    double latency = 0;
    CollectiveLatency alpha = CollectiveLatency.of(d);
    if (!(split == 1 && l.ep() == 1)) {
      ParallelLayout.requireLinkForSplit(d, true);
      double activations = m.hidden() * Roofline.ACTIVATION_BYTES;
      if (m.hidden() == 0) {
        assumptions.add("hidden size of " + m.name() + " unknown: collectives not counted");
      }
      if (l.tp() > 1 && m.layers() > 0 && dp == 1) {
        collectives += 2 * m.layers();
        latency += 2 * m.layers() * alpha.allReduce(l.tp());
        commBytes += 2.0 * m.layers() * 2.0 * (l.tp() - 1) / l.tp() * activations / l.pp();
      } else if (m.layers() > 0 && dp > 1) {
        // the FFN's ranks gather every group's tokens and scatter the reduced outputs back: a ring all-reduce's two
        // halves, receiving the other groups' (dp − 1) / dp of the tokens and sending (tp − 1) / tp
        collectives += 2 * m.layers();
        latency += m.layers() * alpha.allReduce(l.tp());
        commBytes += m.layers() * ((double) (dp - 1) / dp + (double) (l.tp() - 1) / l.tp()) * activations / l.pp();
        if (attentionTp > 1) {
          collectives += m.layers();
          latency += m.layers() * alpha.allReduce(attentionTp);
          commBytes += m.layers() * 2.0 * (attentionTp - 1) / attentionTp * activations / dp / l.pp();
        }
      }
      if (l.pp() > 1) {
        collectives += l.pp() - 1;
        latency += (l.pp() - 1) * alpha.send();
        commBytes += (double) (l.pp() - 1) / l.pp() * activations;
      }
      if (l.ep() > 1 && m.moe().isMoe() && physics.moeLayers() > 0) {
        // the group's tokens, this instance's times the expert group, spread over its ep GPUs: each GPU dispatches
        // its own k copies of a token, (ep − 1) / ep of them to other GPUs (Roofline's all-to-all)
        collectives += 2 * physics.moeLayers();
        latency += 2 * physics.moeLayers() * alpha.allToAll(l.ep());
        commBytes += 2.0 * physics.moeLayers() * activations * m.moe().expertsPerToken() * (l.ep() - 1) / l.ep()
            * l.expertGroup() / l.ep() / l.pp();
      }
    }
    if (l.pp() > 1) {
      assumptions.add(s.engine().kind().overlapsPipelineStages() ? "a request's iteration passes the pipeline stages"
          + " one after another; " + s.engine().kind().id() + " overlaps them only across micro-batches of different"
          + " requests" : chunked(s) ? "an iteration's chunks of " + EngineSettings.DEFAULT_N_UBATCH + " tokens"
          + " (llama.cpp's n_ubatch) overlap over the pipeline stages, one chunk's stages one after another: a decode"
          + " iteration gains nothing" : "pipeline stages run one after another within an iteration (no micro-batch"
          + " overlap)");
    }
    Backend backend = s.engine().backendOn(d);
    double peak = roofline.peakTflops(d, s.quant().activation(), backend, assumptions) * 1e12;
    Activation forAttention = attentionActivation(s.quant().activation(), s.kvCache());
    double attentionPeak = forAttention == s.quant().activation() ? peak
        : roofline.peakTflops(d, forAttention, backend, null) * 1e12;
    double memory = memoryBytes(d);
    if (memory == 0) {
      assumptions.add("memory of " + d.name() + " unknown: KV-cache capacity not checked");
    }
    double link = d.interconnectGBs().orElse(0) * 1e9;
    double perStage = link > 0 ? (double) collectives / l.pp() : 0;
    return new InstanceFigures(weightBytes, routedBytes, share, kvPerToken, 2.0 * physics.activeBodyParams() / split,
        attention, commBytes, d.memBandwidthGBs() * 1e9, peak, link, memory, l.pp(), assumptions,
        2.0 * physics.embeddingParams() / split, perStage, link > 0 ? latency / l.pp() : 0, attentionPeak, gathered,
        l.expertGroup(), chunked(s) ? EngineSettings.DEFAULT_N_UBATCH : 0);
  }

  /**
   * Whether {@code s}'s engine overlaps its pipeline stages over the chunks of one iteration: llama.cpp splits a batch
   * into n_ubatch chunks and passes each to the next stage as it takes the following one (data/SOURCES.md
   * {@code doc_pipeline_micro_batches}), at the server's default n_ubatch, which no serving option changes.
   */
  private static boolean chunked(ServingScenario s) {
    return s.layout().pp() > 1 && s.engine().kind() == EngineKind.LLAMA_CPP;
  }

  /**
   * The bytes of a device's memory, 0 when unknown. Accelerator memory is sold in binary gigabytes: it is built of
   * chips and stacks of power-of-two sizes, and the runtime the engines size their caches from reports them so (an
   * H100 SXM5's "80 GB" is 81 559 MiB, 85.5 × 10⁹ bytes, in nvidia-smi; an A100's 81 920 MiB). The catalog's
   * {@code mem_gb} is read as GiB.
   */
  static double memoryBytes(DeviceSpec d) {
    return d.memoryGb().orElse(0) * BYTES_PER_GIB;
  }

  /**
   * Bytes per element of the embedding table and the LM head. A Hugging Face-style checkpoint quantises the linear
   * layers of the body only and keeps both tables in 16 bits, whatever its format (AWQ and GPTQ quantise {@code
   * nn.Linear} layers and leave {@code lm_head} out; NVIDIA ModelOpt's FP8 and NVFP4 exports exclude {@code lm_head};
   * the gpt-oss MXFP4 checkpoints quantise only the experts: data/SOURCES.md {@code
   * doc_checkpoint_tables}). A GGUF file quantises its tables with the rest, so ggml's types and 16- or 32-bit
   * formats keep their own figure.
   */
  static double tableBytes(Quantization quant, WeightBytes bytes) {
    return quant.bitsPerWeight() < 16 && !EngineKind.ggmlType(quant) ? 2 : bytes.other();
  }

  /**
   * The arithmetic attention runs in. Weight quantisation changes the GEMMs over the weights, not attention: its
   * operands are the queries and the cached keys and values, so a 16-bit KV cache (every engine's default) means
   * 16-bit attention kernels (FlashAttention-2, FlashInfer, TensorRT-LLM's FMHA) whatever the weights' FP8, INT8 or
   * FP4 GEMMs run at. Only an FP8 cache with FP8 (or FP4) activations runs attention in FP8: vLLM documents that with
   * an FP8 KV cache FlashAttention 3 quantises the queries and computes in FP8 (data/SOURCES.md
   * {@code doc_vllm_fp8_kv_attention}); taken for every engine, which is the optimistic bound for the others. FP32
   * activations (CPU backends) stay FP32.
   */
  static Activation attentionActivation(Activation weights, KvCacheType kv) {
    return switch (weights) {
      case FP32, FP16 -> weights;
      case FP8, FP4 -> kv == KvCacheType.FP8 ? Activation.FP8 : Activation.FP16;
      case INT8 -> Activation.FP16;
    };
  }
}
