package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.DeviceSpec;
import java.util.Locale;

/**
 * The latency of one small collective inside one node (the α of an α-β model): what an iteration's all-reduces of a
 * few kilobytes cost whatever their bytes. Where it lives depends on what runs it.
 *
 * <ul>
 *   <li>Over a link that connects every GPU to every other (NVLink through NVSwitch, AMD's Infinity Fabric), vLLM,
 *       SGLang, TensorRT-LLM and LMDeploy reduce such messages with their own one-shot kernel instead of NCCL/RCCL:
 *       each GPU signals its peers and reads their inputs over the direct links at once, so the latency is one
 *       signal and one read, flat in the number of GPUs. Measured for vLLM's kernel on H100 at 4 kB (SGLang pull
 *       request 2904, data/SOURCES.md {@code doc_custom_allreduce_latency}): 8.8, 8.5 and 9.3 µs on 2, 4 and 8
 *       GPUs; taken as 9 µs.
 *   <li>Over PCIe the engines leave it to NCCL (vLLM's kernel is off for more than two PCIe GPUs), whose own cost
 *       model ({@code src/graph/tuning.cc}, {@code doc_nccl_tuning}) is a start-up plus one link latency per step:
 *       low-latency protocol, ring 6.6 µs + 1.0 µs per step, tree 6.8 µs + 1.0 µs, a single-node all-reduce of
 *       {@code n} GPUs taking {@code 2 (n − 1)} steps either way. RCCL's fork of the file ({@code doc_rccl_tuning})
 *       has 12 µs and 1.3 µs (ring), 12 µs and 2.2 µs (tree) over PCIe.
 *   <li>An all-to-all (expert parallelism) goes through the library on every link, {@code n − 1} ring steps (NCCL over
 *       NVLink 0.6 µs per step, RCCL over Infinity Fabric 2.3 µs); a transfer between pipeline stages is one step.
 * </ul>
 * The roofline's 1 µs per collective ({@code Roofline.COLLECTIVE_LATENCY_S}) is the single hop below all of these.
 */
record CollectiveLatency(double ringStartS, double ringStepS, double treeStartS, double treeStepS, double oneShotS) {
  /** vLLM's one-shot kernel on H100 (2-8 GPUs at 4 kB: 8.5-9.3 µs). */
  static final double ONE_SHOT_S = 9e-6;
  static final CollectiveLatency NCCL_NVLINK = new CollectiveLatency(6.6e-6, 0.6e-6, 6.8e-6, 0.6e-6, ONE_SHOT_S);
  static final CollectiveLatency NCCL_PCIE = new CollectiveLatency(6.6e-6, 1.0e-6, 6.8e-6, 1.0e-6, 0);
  static final CollectiveLatency RCCL_XGMI = new CollectiveLatency(12e-6, 2.3e-6, 12e-6, 1.2e-6, ONE_SHOT_S);
  static final CollectiveLatency RCCL_PCIE = new CollectiveLatency(12e-6, 1.3e-6, 12e-6, 2.2e-6, 0);

  /** The library and link of {@code d}'s peers: AMD's RCCL or NVIDIA's NCCL, over PCIe or the vendor's own link. */
  static CollectiveLatency of(DeviceSpec d) {
    boolean pcie = d.interconnect().toLowerCase(Locale.ROOT).startsWith("pcie");
    if (d.vendor().equalsIgnoreCase("AMD")) {
      return pcie ? RCCL_PCIE : RCCL_XGMI;
    }
    return pcie ? NCCL_PCIE : NCCL_NVLINK;
  }

  /**
   * Seconds of an all-reduce over {@code ranks} GPUs: the one-shot kernel where the link has one, else the cheaper of
   * the library's ring and tree; 0 on one GPU.
   */
  double allReduce(int ranks) {
    int steps = 2 * (checked(ranks) - 1);
    if (ranks == 1) {
      return 0;
    }
    return oneShotS > 0 ? oneShotS : Math.min(ringStartS + steps * ringStepS, treeStartS + steps * treeStepS);
  }

  /** Seconds of an all-to-all over {@code ranks} GPUs: {@code n − 1} ring steps, 0 on one GPU. */
  double allToAll(int ranks) {
    return checked(ranks) == 1 ? 0 : ringStartS + (ranks - 1) * ringStepS;
  }

  /** Seconds of one transfer to the next pipeline stage: one ring step. */
  double send() {
    return ringStartS + ringStepS;
  }

  private static int checked(int ranks) {
    if (ranks < 1) {
      throw new InvalidInputException("GPUs in a collective", Integer.toString(ranks), "at least 1");
    }
    return ranks;
  }
}
