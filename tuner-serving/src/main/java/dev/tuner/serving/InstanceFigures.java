package dev.tuner.serving;

import dev.tuner.core.roofline.ModelPhysics;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.ParallelLayout;
import java.util.List;

/**
 * The per-GPU physics of one model instance, in SI units: what one iteration costs per token and per cached token
 * on each of the instance's GPUs, and the memory each has. Every serving formula reads only these figures, so how
 * a layout splits the model (tensor, pipeline or expert parallel) is decided in one place: {@link StepPhysics}.
 *
 * <ul>
 *   <li>{@code weightBytes}: weight bytes each GPU reads once per iteration for its dense part;
 *   <li>{@code routedBytes}, {@code routedShare}: a mixture of experts' routed-expert bytes on each GPU and the share
 *       {@code k / E} of them one token activates; an iteration of {@code t} tokens reads the expected share
 *       {@code 1 − (1 − k/E)^(t·g)} of them ({@link ModelPhysics#touchedShare}; 0 bytes for a dense model), where
 *       {@code expertGroup} {@code g} is how many replicas' tokens those experts serve ({@link
 *       ParallelLayout#expertGroup}: more than one when expert parallelism is wider than a replica, each replica of
 *       the group running as many tokens as this one);
 *   <li>{@code kvBytesPerToken}: KV-cache bytes per token of context held (and read per decode step) by each GPU;
 *   <li>{@code flopsPerToken}: FLOPs per processed token on each GPU, attention excluded;
 *   <li>{@code attentionFlopsPerPair}: FLOPs per (query token, cached token) pair on each GPU;
 *   <li>{@code commBytesPerToken}: bytes each GPU sends per processed token in all-reduces (0 for one GPU);
 *   <li>{@code bandwidth}, {@code peakFlops}, {@code linkBandwidth}: bytes/s, FLOP/s, bytes/s per direction (0 when
 *       unknown: that term is then not counted, and {@code assumptions} says so);
 *   <li>{@code memoryBytes}: each GPU's memory (0 when unknown: capacity is then not checked);
 *   <li>{@code gatheredBytes}: bytes each GPU holds beside those it streams, which take memory but no bandwidth: an
 *       untied model's input embedding table, of which an iteration gathers only its tokens' rows.
 * </ul>
 * {@code stages} is the pipeline depth: an iteration passes the stages one after another, but for an engine that splits
 * an iteration's tokens into chunks of {@code pipelineChunk} (0: none) and passes each chunk on to the next stage as
 * it takes the following one (llama.cpp's n_ubatch), whose weights', KV cache's and arithmetic's times then shrink by
 * {@link Roofline#pipelineSpeedup} of the chunks, as the step roofline's do. {@code logitFlopsPerDecode}:
 * the LM head's FLOPs per decoded token on each GPU (a prompt's logits are its last token's only, left out);
 * {@code collectives}: how many collectives one stage runs per iteration, whatever their size (0 on one GPU or when
 * the link is unknown); {@code collectiveLatencyS}: their latency in all, per stage per iteration (each collective's
 * from {@link CollectiveLatency}, by the library, the link and the GPUs it spans). {@code attentionPeakFlops}: the
 * FLOP/s attention's arithmetic runs at, which is the KV cache's precision and not the weights' ({@link
 * StepPhysics#attentionActivation}); the linear layers run at {@code peakFlops}.
 */
public record InstanceFigures(
    double weightBytes, double routedBytes, double routedShare, double kvBytesPerToken, double flopsPerToken,
    double attentionFlopsPerPair, double commBytesPerToken, double bandwidth, double peakFlops, double linkBandwidth,
    double memoryBytes, int stages, List<String> assumptions, double logitFlopsPerDecode, double collectives,
    double collectiveLatencyS, double attentionPeakFlops, double gatheredBytes, double expertGroup,
    double pipelineChunk) {
  public InstanceFigures {
    if (!(bandwidth > 0) || stages < 1 || collectiveLatencyS < 0 || attentionPeakFlops < 0 || gatheredBytes < 0
        || !(expertGroup >= 1) || !(pipelineChunk >= 0)) {
      throw new IllegalArgumentException("bandwidth must be positive, stages at least 1, latency, attention peak,"
          + " gathered bytes and pipeline chunk not negative, the expert group at least 1");
    }
    assumptions = List.copyOf(assumptions);
  }

  /** Figures whose stages do not overlap within an iteration. */
  public InstanceFigures(
      double weightBytes, double routedBytes, double routedShare, double kvBytesPerToken, double flopsPerToken,
      double attentionFlopsPerPair, double commBytesPerToken, double bandwidth, double peakFlops, double linkBandwidth,
      double memoryBytes, int stages, List<String> assumptions, double logitFlopsPerDecode, double collectives,
      double collectiveLatencyS, double attentionPeakFlops, double gatheredBytes, double expertGroup) {
    this(weightBytes, routedBytes, routedShare, kvBytesPerToken, flopsPerToken, attentionFlopsPerPair,
        commBytesPerToken, bandwidth, peakFlops, linkBandwidth, memoryBytes, stages, assumptions, logitFlopsPerDecode,
        collectives, collectiveLatencyS, attentionPeakFlops, gatheredBytes, expertGroup, 0);
  }

  /** Figures whose experts serve this instance's tokens only. */
  public InstanceFigures(
      double weightBytes, double routedBytes, double routedShare, double kvBytesPerToken, double flopsPerToken,
      double attentionFlopsPerPair, double commBytesPerToken, double bandwidth, double peakFlops, double linkBandwidth,
      double memoryBytes, int stages, List<String> assumptions, double logitFlopsPerDecode, double collectives,
      double collectiveLatencyS, double attentionPeakFlops, double gatheredBytes) {
    this(weightBytes, routedBytes, routedShare, kvBytesPerToken, flopsPerToken, attentionFlopsPerPair,
        commBytesPerToken, bandwidth, peakFlops, linkBandwidth, memoryBytes, stages, assumptions, logitFlopsPerDecode,
        collectives, collectiveLatencyS, attentionPeakFlops, gatheredBytes, 1);
  }

  /** Figures that hold nothing beyond what they stream. */
  public InstanceFigures(
      double weightBytes, double routedBytes, double routedShare, double kvBytesPerToken, double flopsPerToken,
      double attentionFlopsPerPair, double commBytesPerToken, double bandwidth, double peakFlops, double linkBandwidth,
      double memoryBytes, int stages, List<String> assumptions, double logitFlopsPerDecode, double collectives,
      double collectiveLatencyS, double attentionPeakFlops) {
    this(weightBytes, routedBytes, routedShare, kvBytesPerToken, flopsPerToken, attentionFlopsPerPair,
        commBytesPerToken, bandwidth, peakFlops, linkBandwidth, memoryBytes, stages, assumptions, logitFlopsPerDecode,
        collectives, collectiveLatencyS, attentionPeakFlops, 0);
  }

  /** Figures whose attention runs at the linear layers' peak. */
  public InstanceFigures(
      double weightBytes, double routedBytes, double routedShare, double kvBytesPerToken, double flopsPerToken,
      double attentionFlopsPerPair, double commBytesPerToken, double bandwidth, double peakFlops, double linkBandwidth,
      double memoryBytes, int stages, List<String> assumptions, double logitFlopsPerDecode, double collectives,
      double collectiveLatencyS) {
    this(weightBytes, routedBytes, routedShare, kvBytesPerToken, flopsPerToken, attentionFlopsPerPair,
        commBytesPerToken, bandwidth, peakFlops, linkBandwidth, memoryBytes, stages, assumptions, logitFlopsPerDecode,
        collectives, collectiveLatencyS, peakFlops);
  }

  /** Figures whose collectives each cost the roofline's one hop ({@link Roofline#COLLECTIVE_LATENCY_S}). */
  public InstanceFigures(
      double weightBytes, double routedBytes, double routedShare, double kvBytesPerToken, double flopsPerToken,
      double attentionFlopsPerPair, double commBytesPerToken, double bandwidth, double peakFlops, double linkBandwidth,
      double memoryBytes, int stages, List<String> assumptions, double logitFlopsPerDecode, double collectives) {
    this(weightBytes, routedBytes, routedShare, kvBytesPerToken, flopsPerToken, attentionFlopsPerPair,
        commBytesPerToken, bandwidth, peakFlops, linkBandwidth, memoryBytes, stages, assumptions, logitFlopsPerDecode,
        collectives, collectives * Roofline.COLLECTIVE_LATENCY_S);
  }

  /** Figures without LM-head FLOPs or collective latency. */
  public InstanceFigures(
      double weightBytes, double routedBytes, double routedShare, double kvBytesPerToken, double flopsPerToken,
      double attentionFlopsPerPair, double commBytesPerToken, double bandwidth, double peakFlops, double linkBandwidth,
      double memoryBytes, int stages, List<String> assumptions) {
    this(weightBytes, routedBytes, routedShare, kvBytesPerToken, flopsPerToken, attentionFlopsPerPair,
        commBytesPerToken, bandwidth, peakFlops, linkBandwidth, memoryBytes, stages, assumptions, 0, 0);
  }


  /**
   * These figures with experts that serve {@code group} replicas' tokens: a load that keeps only some of the replicas
   * busy routes fewer tokens to the experts they share ({@link ParallelLayout#expertGroup(int)}).
   */
  public InstanceFigures withExpertGroup(double group) {
    return group == expertGroup ? this : new InstanceFigures(weightBytes, routedBytes, routedShare, kvBytesPerToken,
        flopsPerToken, attentionFlopsPerPair, commBytesPerToken, bandwidth, peakFlops, linkBandwidth, memoryBytes,
        stages, assumptions, logitFlopsPerDecode, collectives, collectiveLatencyS, attentionPeakFlops, gatheredBytes,
        group, pipelineChunk);
  }

  /** Weight bytes on each GPU, routed experts and gathered tables included: what must fit beside the KV cache. */
  public double residentWeightBytes() {
    return weightBytes + routedBytes + gatheredBytes;
  }

  /**
   * Roofline seconds of one iteration on one pipeline stage times the stages (less the overlap of its chunks, when
   * they have {@code pipelineChunk} tokens): {@code decodeSeqs} sequences decode
   * one token each over {@code cachedTokens} tokens of KV cache in all, and {@code promptTokens} prompt tokens are
   * prefilled with {@code promptPairs} attention pairs; their KV cache is written.
   */
  public StepTimes step(double decodeSeqs, double cachedTokens, double promptTokens, double promptPairs) {
    double tokens = decodeSeqs + promptTokens;
    double routed = routedBytes > 0 ? routedBytes * ModelPhysics.touchedShare(routedShare, tokens * expertGroup) : 0;
    double weights = weightBytes + routed;
    double kv = kvBytesPerToken * (cachedTokens + promptTokens);
    double linear = flopsPerToken * tokens + logitFlopsPerDecode * decodeSeqs;
    double attention = peakFlops > 0 && attentionPeakFlops > 0
        ? attentionFlopsPerPair * (cachedTokens + promptPairs) / attentionPeakFlops : 0;
    double compute = peakFlops > 0 ? linear / peakFlops + attention : 0;
    double comm = linkBandwidth > 0 ? commBytesPerToken * tokens / linkBandwidth : 0;
    double latency = linkBandwidth > 0 ? collectiveLatencyS : 0;
    double passes = pipelineChunk > 0 ? stages / Roofline.pipelineSpeedup(Math.max(1, tokens / pipelineChunk),
        stages) : stages;
    return new StepTimes(weights / bandwidth * passes, compute * passes, comm * stages, kv / bandwidth * passes,
        attention * passes, linkBandwidth > 0 ? collectives * stages : 0, latency * stages);
  }
}
