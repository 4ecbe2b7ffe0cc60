package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a scenario spreads one model over {@code devices} identical accelerators: tensor-parallel size {@code tp}
 * (each layer split over tp GPUs), pipeline-parallel size {@code pp} (layers split into pp stages) and
 * expert-parallel size {@code ep} (routed experts placed over ep GPUs). Devices beyond {@code tp × pp} are
 * data-parallel replicas, each serving its share of the batch, so {@code devices} must be a multiple of
 * {@code tp × pp}; experts are placed over GPUs of the replicas' tp × pp grid or over replicas, so {@code ep} is at
 * most {@code devices}.
 */
public record ParallelLayout(int devices, int tp, int pp, int ep) {
  public static final int MAX_DEVICES = 4096;
  /** One device, no parallelism. */
  public static final ParallelLayout SINGLE = new ParallelLayout(1, 1, 1, 1);

  public ParallelLayout {
    requireInRange("devices", devices, 1, MAX_DEVICES, "accelerators");
    requireInRange("tp", tp, 1, MAX_DEVICES, "tensor-parallel size");
    requireInRange("pp", pp, 1, MAX_DEVICES, "pipeline-parallel size");
    requireInRange("ep", ep, 1, MAX_DEVICES, "expert-parallel size");
    if ((long) tp * pp > devices) {
      throw new InvalidInputException("tp × pp", tp + " × " + pp + " = " + (long) tp * pp,
          "at most the devices (" + devices + ")");
    }
    if (devices % (tp * pp) != 0) {
      throw new InvalidInputException("devices", Integer.toString(devices),
          "a multiple of tp × pp = " + tp * pp + " (the devices beyond it are whole data-parallel replicas)");
    }
    if (ep > devices) {
      throw new InvalidInputException("ep", Integer.toString(ep), "at most the devices (" + devices + ")");
    }
  }

  /** As messages write it: {@code tp 2, pp 1, ep 1}. */
  public String describe() {
    return "tp " + tp + ", pp " + pp + ", ep " + ep;
  }

  /** Data-parallel replicas: whole copies of the model, each on tp × pp devices. */
  public int replicas() {
    return devices / (tp * pp);
  }

  /**
   * Whether expert parallelism is wider than a replica, so that several replicas route their tokens over one shared
   * set of experts and step together.
   */
  public boolean replicasShareExperts() {
    return ep > tp * pp;
  }

  /**
   * The replicas whose tokens one GPU's routed experts serve: {@code ep / (tp × pp)} when expert parallelism is wider
   * than a replica (each GPU holds {@code 1/ep} of the experts, and every replica of its group routes its tokens
   * there), else 1. Not necessarily whole: {@code ep} need only divide the experts.
   */
  public double expertGroup() {
    return Math.max(1.0, (double) ep / (tp * pp));
  }

  /**
   * {@link #expertGroup} when only {@code busy} of the replicas carry tokens, spread evenly over the groups: a busy
   * replica's experts serve its own tokens at least.
   */
  public double expertGroup(int busy) {
    return Math.max(1.0, expertGroup() * busy / replicas());
  }

  /**
   * The replicas that step for a batch of {@code sequences}: replicas with experts of their own step apart, and only
   * those with a sequence step at all; replicas sharing their experts step together.
   */
  public int steppingReplicas(int sequences) {
    return replicasShareExperts() ? replicas() : busyReplicas(sequences);
  }

  /** The replicas with a sequence of a batch of {@code sequences} to serve, whether or not the others step. */
  public int busyReplicas(int sequences) {
    return Math.min(replicas(), sequences);
  }

  public boolean isSingle() {
    return devices == 1;
  }

  /** Whether one model instance spans several devices (tensor, pipeline or expert parallel), not just replicas. */
  public boolean splits() {
    return (long) tp * pp > 1 || ep > 1;
  }

  /**
   * Refuses a model split over several {@code device}s whose GPU-to-GPU link has no stated bandwidth: the split's
   * collectives run on that link, so nothing would bound them and the split would look free (Apple silicon's
   * "unified" memory has no peer link). Replicas, which share no activations, need none.
   */
  public static void requireLinkForSplit(DeviceSpec device, boolean splits) {
    Optional<String> missing = linkMissing(device, splits);
    if (missing.isPresent()) {
      throw new InvalidInputException("layout", "a model split over several " + device.name(), "one device per"
          + " model instance (tp, pp and ep 1; replicas only): " + missing.get());
    }
  }

  /** Why a split over {@code device}s has no link to bound it, if it has none ({@link #requireLinkForSplit}). */
  public static Optional<String> linkMissing(DeviceSpec device, boolean splits) {
    if (!splits || device.interconnectGBs().isPresent()) {
      return Optional.empty();
    }
    return Optional.of("a split needs a GPU-to-GPU link of stated bandwidth (interconnect_gbs: DeviceSpec's"
        + " interconnectGBs or a catalog entry's, --interconnect-gbs or --catalog in the CLI), and " + device.name()
        + " has none (interconnect " + (device.interconnect().isEmpty() ? "unknown" : device.interconnect()) + ")");
  }

  /**
   * Why an engine that shards whole attention heads (vLLM, SGLang, TensorRT-LLM, LMDeploy) cannot split {@code model}
   * over {@code tp} ranks, if it cannot: the heads must divide among the ranks, and the KV heads divide among them or
   * be replicated evenly (MLA's latent cache is not split by heads); data/SOURCES.md doc_tp_head_divisibility.
   * Unknown figures (0) are not checked.
   */
  public Optional<String> whyNotSharded(ModelSpec model) {
    if (tp > 1 && model.heads() > 0 && model.heads() % tp != 0) {
      return Optional.of("tp " + tp + " does not divide the " + model.heads() + " attention heads"
          + shardingSizes(model));
    }
    if (!kvHeadsDivide(model, tp)) {
      return Optional.of("tp " + tp + " neither divides the " + model.kvHeads() + " KV heads nor is a multiple of them"
          + shardingSizes(model));
    }
    return Optional.empty();
  }

  /**
   * Why {@code model} cannot be placed this way on any engine, if it cannot: a pipeline stage needs at least one
   * layer, and expert parallelism needs routed experts that divide among its ranks (a dense model has none to place).
   * Unknown figures (0) are not checked.
   */
  public Optional<String> whyNotPlaced(ModelSpec model) {
    if (pp > 1 && model.layers() > 0 && pp > model.layers()) {
      return Optional.of("pp " + pp + " is more stages than the " + model.layers() + " layers");
    }
    if (ep > 1 && !model.moe().isMoe()) {
      return Optional.of("ep " + ep + " on a dense model, which has no routed experts to place");
    }
    int experts = model.moe().experts();
    if (ep > 1 && experts > 0 && experts % ep != 0) {
      return Optional.of("ep " + ep + " does not divide the " + experts + " routed experts");
    }
    return Optional.empty();
  }

  /** The tensor-parallel sizes that give every rank whole heads ({@link #whyNotSharded}), for messages. */
  private static String shardingSizes(ModelSpec model) {
    List<String> out = new ArrayList<>();
    for (int t = 1; t <= model.heads(); t++) {
      if (model.heads() % t == 0 && kvHeadsDivide(model, t)) {
        out.add(Integer.toString(t));
      }
    }
    return " (tensor-parallel sizes that do: " + String.join(", ", out) + ")";
  }

  private static boolean kvHeadsDivide(ModelSpec model, int tp) {
    int kv = model.kvHeads();
    if (tp == 1 || kv == 0 || model.attention().kind() == AttentionKind.MLA) {
      return true;
    }
    return kv >= tp ? kv % tp == 0 : tp % kv == 0;
  }
}
