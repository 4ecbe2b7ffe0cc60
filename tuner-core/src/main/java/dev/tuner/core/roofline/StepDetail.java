package dev.tuner.core.roofline;

/**
 * The arithmetic behind one roofline, per replica step, for explanations and features. Bytes and seconds are per
 * step of one replica; {@code replicas} steps run at once.
 *
 * @param activeParams parameters one token computes with (all of them for a dense model)
 * @param denseWeightBytes body weights every pass reads (attention, dense FFNs, shared experts, routers)
 * @param expertWeightBytes routed-expert weights one pass's tokens touch
 * @param expertsTouched distinct routed experts one pass touches per MoE layer (0 for a dense model)
 * @param weightPasses passes over the body and expert weights in the step (1, or a prompt's n_ubatch chunks)
 * @param lmHeadBytes the LM head, streamed once per step
 * @param gatherBytes input-embedding rows gathered (0 when tied: the LM head's stream holds them)
 * @param kvElementsPerSequence KV-cache elements one sequence reads or writes in the step (mean over a decode window)
 * @param memorySeconds time of the step's memory traffic
 * @param kvSeconds the part of {@code memorySeconds} that reads and writes the KV cache
 * @param computeSeconds time of the step's FLOPs at the peak
 * @param interconnectSeconds time of the step's collectives (0 on one device)
 * @param collectiveBytes bytes one device sends over the interconnect in the step
 * @param collectives collectives per step (each costs the latency term)
 * @param replicas data-parallel replicas that step (the layout's, at most one per sequence unless they share their
 *     experts)
 */
public record StepDetail(
    double activeParams,
    double denseWeightBytes,
    double expertWeightBytes,
    double expertsTouched,
    double weightPasses,
    double lmHeadBytes,
    double gatherBytes,
    double kvElementsPerSequence,
    double memorySeconds,
    double kvSeconds,
    double computeSeconds,
    double interconnectSeconds,
    double collectiveBytes,
    int collectives,
    int replicas) {

  /** Interconnect time over the serial sum of the step's times: how much of a step the collectives take. */
  public double interconnectShare() {
    double total = Math.max(memorySeconds, computeSeconds) + interconnectSeconds;
    return total > 0 ? interconnectSeconds / total : 0;
  }
}
