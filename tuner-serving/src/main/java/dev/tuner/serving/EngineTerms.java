package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

/**
 * The learned part of an iteration's time, per engine: a fixed {@code overheadS} seconds per iteration
 * (scheduling, sampling, kernel launches) and the shares of peak bandwidth, compute and interconnect the engine's
 * kernels reach. An iteration takes {@code overhead + max(memory / bandwidthEff, compute / computeEff) +
 * interconnect / interconnectEff} seconds, where memory, compute and interconnect are the roofline times
 * ({@link StepTimes}). {@link #PHYSICS} (no overhead, every share 1) is the roofline itself.
 */
public record EngineTerms(
    double overheadS, double bandwidthEff, double computeEff, double interconnectEff) {
  public static final EngineTerms PHYSICS = new EngineTerms(0, 1, 1, 1);

  public EngineTerms {
    requireInRange("overhead per iteration", overheadS, 0, 10, "seconds");
    requireInRange("bandwidth efficiency", bandwidthEff, 0.01, 1, "of peak");
    requireInRange("compute efficiency", computeEff, 0.01, 1, "of peak");
    requireInRange("interconnect efficiency", interconnectEff, 0.01, 1, "of peak");
  }

  /** Seconds of one iteration. */
  public double seconds(StepTimes t) {
    return overheadS + Math.max(t.memory() / bandwidthEff, t.compute() / computeEff)
        + t.interconnect() / interconnectEff;
  }

  /** What dominates an iteration's time under these terms. */
  public LimitedBy dominant(StepTimes t) {
    double mem = t.memory() / bandwidthEff;
    double cmp = t.compute() / computeEff;
    double net = t.interconnect() / interconnectEff;
    double best = Math.max(Math.max(mem, cmp), Math.max(net, overheadS));
    if (best == overheadS && overheadS > 0) {
      return LimitedBy.ENGINE_OVERHEAD;
    }
    if (best == net && net > 0) {
      return LimitedBy.INTERCONNECT;
    }
    return cmp > mem ? LimitedBy.COMPUTE : LimitedBy.BANDWIDTH;
  }
}
