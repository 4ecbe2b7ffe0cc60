package dev.tuner.core.recommend;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The parallel layouts {@code recommend --max-devices N} searches, and which of them an engine cannot run.
 *
 * <p>Device counts, {@code tp}, {@code pp} and {@code ep} are powers of two up to {@code N}. Without expert
 * parallelism {@code tp × pp} is the device count: data-parallel replicas fit exactly as one of them does and only
 * multiply its throughput, so they add nothing to the search. Expert parallelism is searched only when asked for:
 * llama.cpp, whose runs the step model learned from, runs none
 * ({@link dev.tuner.core.predict.Predictor#expertParallelNote}), and a step recommendation that ranked it first would
 * recommend a deployment llama.cpp cannot make. Asked for, for a mixture of experts, {@code ep} ranges over the powers
 * of two up to the device count, and replicas are searched only with experts spread over all of them ({@code ep} =
 * devices, the data-parallel attention + expert-parallel deployment), the one case in which replicas hold less per
 * device. The order is fewest devices first, then the widest tensor parallelism (the usual choice inside one node),
 * then the narrowest expert parallelism, so the first layout that fits is the smallest.
 */
public final class LayoutSearch {
  /** The largest {@code --max-devices}: beyond a few nodes the interconnect figure of one device no longer holds. */
  public static final int MAX_SEARCH_DEVICES = 1024;

  private LayoutSearch() {}

  /**
   * Every layout of up to {@code maxDevices} devices for {@code model}, smallest first, with expert parallelism when
   * {@code expertParallel} and the model is a mixture of experts.
   */
  public static List<ParallelLayout> layouts(ModelSpec model, int maxDevices, boolean expertParallel) {
    requireInRange("max-devices", maxDevices, 1, MAX_SEARCH_DEVICES, "devices");
    boolean moe = expertParallel && model.moe().isMoe();
    List<ParallelLayout> out = new ArrayList<>();
    for (int n = 1; n <= maxDevices; n *= 2) {
      for (int tp = n; tp >= 1; tp /= 2) {
        for (int pp = 1; tp * pp <= n; pp *= 2) {
          boolean replicas = tp * pp < n;
          for (int ep = 1; ep <= (moe ? n : 1); ep *= 2) {
            if (!replicas || ep == n) {
              out.add(new ParallelLayout(n, tp, pp, ep));
            }
          }
        }
      }
    }
    out.sort(Comparator.comparingInt(ParallelLayout::devices)
        .thenComparing(Comparator.comparingInt(ParallelLayout::tp).reversed())
        .thenComparingInt(ParallelLayout::pp)
        .thenComparingInt(ParallelLayout::ep));
    return List.copyOf(out);
  }

  /**
   * Why {@code model} cannot be split this way over {@code device}s: a split needs a GPU-to-GPU link of stated
   * bandwidth ({@link ParallelLayout#requireLinkForSplit}), and the engine's own rules ({@link #whyNot(ModelSpec,
   * ParallelLayout)}).
   */
  public static Optional<String> whyNot(ModelSpec model, DeviceSpec device, ParallelLayout p) {
    return ParallelLayout.linkMissing(device, p.splits()).or(() -> whyNot(model, p));
  }

  /**
   * Why an engine cannot split {@code model} this way, if it cannot: a head cut in two on the engines that shard
   * whole heads ({@link ParallelLayout#whyNotSharded}), or a stage or expert rank left without its share
   * ({@link ParallelLayout#whyNotPlaced}).
   */
  public static Optional<String> whyNot(ModelSpec model, ParallelLayout p) {
    return p.whyNotSharded(model).or(() -> p.whyNotPlaced(model));
  }
}
