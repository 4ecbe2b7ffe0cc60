package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

/**
 * The learned part of serving time, per engine. An iteration that runs {@code s} sequences and {@code c} collectives
 * takes
 *
 * <pre>  overheadS + perSequenceS · s + max(weights / bandwidthEff, linear / computeEff)
 *     + max(kv / kvEff, attention / computeEff) + interconnect / interconnectEff + latency + collectiveS · c</pre>
 *
 * seconds, where weights, kv, linear, attention, interconnect (the collectives' bytes) and latency (the collectives'
 * latency, {@link CollectiveLatency}) are the physical times ({@link StepTimes}): the
 * linear layers and attention are separate kernels, each bound by its own roofline, and their times add (the
 * per-operator roofline of GenZ and LLMCompass; one max over the whole iteration would let a prompt chunk's GEMMs hide
 * the decodes' KV-cache reads, which no kernel does). Terms of format versions 2 to 4 also make every request
 * wait {@code requestS} more before its first token, a latency per request they learned (the front end); version 5
 * learns none and has 0 here: what a request waits for on the GPU is composed ({@link Composer}), and a fit could not
 * tell the front end's milliseconds apart from the composition's other misses.
 *
 * <ul>
 *   <li>{@code overheadS}: fixed per iteration (kernel launches, the scheduler's loop);
 *   <li>{@code perSequenceS}: per running sequence per iteration (sampling, detokenisation, metadata), which grows
 *       with the batch and so separates a loaded server's iteration from a light one's;
 *   <li>{@code bandwidthEff}, {@code kvEff}: the shares of peak bandwidth that weight reads (large GEMV/GEMM
 *       operands) and KV-cache reads (paged attention, many small blocks) reach;
 *   <li>{@code computeEff}, {@code interconnectEff}: the shares of peak arithmetic and link bandwidth;
 *   <li>{@code collectiveS}: a latency per collective on top of the physical one, learned per engine by terms of
 *       format version 3 (when the physical latency was the roofline's single hop); version 4 takes each
 *       collective's latency from {@link CollectiveLatency} (the engines' one-shot all-reduce, or the collective
 *       library's cost model by link and GPU count), learns none, and has 0 here.
 * </ul>
 * {@link #PHYSICS} (no overheads, every share 1) is the roofline itself.
 */
public record EngineTerms(
    double overheadS, double perSequenceS, double bandwidthEff, double kvEff, double computeEff,
    double interconnectEff, double requestS, double collectiveS) {
  public static final EngineTerms PHYSICS = new EngineTerms(0, 0, 1, 1, 1, 1, 0, 0);
  /** Far above any collective's latency on a GPU link (microseconds to tens of them). */
  public static final double MAX_COLLECTIVE_S = 1e-3;

  public EngineTerms {
    requireInRange("overhead per iteration", overheadS, 0, 10, "seconds");
    requireInRange("overhead per sequence per iteration", perSequenceS, 0, 1, "seconds");
    requireInRange("bandwidth efficiency", bandwidthEff, 0.01, 1, "of peak");
    requireInRange("KV-cache bandwidth efficiency", kvEff, 0.01, 1, "of peak");
    requireInRange("compute efficiency", computeEff, 0.01, 1, "of peak");
    requireInRange("interconnect efficiency", interconnectEff, 0.01, 1, "of peak");
    requireInRange("latency per request", requestS, 0, 100, "seconds");
    requireInRange("latency per collective", collectiveS, 0, MAX_COLLECTIVE_S, "seconds");
  }

  /** Terms of format version 2: no latency per collective beyond the roofline's hop. */
  public EngineTerms(double overheadS, double perSequenceS, double bandwidthEff, double kvEff, double computeEff,
      double interconnectEff, double requestS) {
    this(overheadS, perSequenceS, bandwidthEff, kvEff, computeEff, interconnectEff, requestS, 0);
  }

  /**
   * Terms of format version 1: one overhead per iteration and one bandwidth share for weights and KV cache alike,
   * no per-sequence or per-request terms.
   */
  public EngineTerms(double overheadS, double bandwidthEff, double computeEff, double interconnectEff) {
    this(overheadS, 0, bandwidthEff, bandwidthEff, computeEff, interconnectEff, 0);
  }

  /** Seconds of one iteration that runs {@code sequences} sequences. */
  public double seconds(StepTimes t, double sequences) {
    return engine(sequences) + gemm(t) + attention(t) + network(t);
  }

  /** The engine's own time in an iteration of {@code sequences} sequences: per iteration and per sequence. */
  double engine(double sequences) {
    return overheadS + perSequenceS * sequences;
  }

  /** The weights' reads at the bandwidth share. */
  double weights(StepTimes t) {
    return t.weights() / bandwidthEff;
  }

  /** The linear layers' arithmetic at the compute share. */
  double linear(StepTimes t) {
    return t.linear() / computeEff;
  }

  /** The KV cache's reads at its bandwidth share. */
  double kv(StepTimes t) {
    return t.kv() / kvEff;
  }

  /** Attention's arithmetic at the compute share. */
  double attentionArithmetic(StepTimes t) {
    return t.attention() / computeEff;
  }

  /** Time of the collectives: their bytes at the learned share of the link, plus their latency. */
  double network(StepTimes t) {
    return t.interconnect() / interconnectEff + latency(t);
  }

  /** The collectives' latency, which does not depend on their bytes. */
  double latency(StepTimes t) {
    return t.latency() + collectiveS * t.collectives();
  }

  /** Time of the linear layers: weight reads or their arithmetic, whichever is longer. */
  double gemm(StepTimes t) {
    return Math.max(weights(t), linear(t));
  }

  /** Time of attention: KV-cache traffic or its arithmetic, whichever is longer. */
  double attention(StepTimes t) {
    return Math.max(kv(t), attentionArithmetic(t));
  }

  /** What dominates an iteration's time under these terms. */
  public LimitedBy dominant(StepTimes t, double sequences) {
    double w = weights(t);
    double lin = linear(t);
    double kv = kv(t);
    double att = attentionArithmetic(t);
    // each kernel's time goes to the resource that bounds it
    double mem = (w >= lin ? w : 0) + (kv >= att ? kv : 0);
    double cmp = (w >= lin ? 0 : lin) + (kv >= att ? 0 : att);
    double net = network(t);
    double overhead = engine(sequences);
    double best = Math.max(Math.max(mem, cmp), Math.max(net, overhead));
    if (best == overhead && overhead > 0) {
      return LimitedBy.ENGINE_OVERHEAD;
    }
    if (best == net && net > 0) {
      return LimitedBy.INTERCONNECT;
    }
    return cmp > mem ? LimitedBy.COMPUTE : LimitedBy.BANDWIDTH;
  }
}
