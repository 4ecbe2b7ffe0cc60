package dev.tuner.serving;

import dev.tuner.core.scenario.Backend;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * How a layout splits one model instance over its GPUs, as {@link InstanceFigures}. The one place that knows tensor
 * and pipeline parallelism: weights, KV cache and FLOPs divide over {@code tp × pp} GPUs, except that a KV head is
 * never split (with fewer KV heads than {@code tp} each GPU keeps one whole head); tensor parallelism adds two
 * all-reduces of the hidden state (2 bytes per element) per layer per token, of which a ring all-reduce sends
 * {@code 2 (tp − 1) / tp} from every GPU, over the device's interconnect bandwidth per direction. A mixture of
 * experts computes with its active parameters and reads its routed experts as far as an iteration's tokens touch
 * them: with {@code E} experts of which {@code k} serve a token and routed parameters {@code R = (P − A) / (1 − k/E)}
 * (from total {@code P} and active {@code A}), the dense part {@code P − R} is read whole. Expert parallelism splits
 * the experts like tensor parallelism here (over {@code tp × pp} GPUs). MLA caches its latent
 * ({@code kv_lora_rank + rope_head_dim} elements per layer per token, not split by tensor parallelism).
 */
public final class StepPhysics {
  private final Roofline roofline;

  public StepPhysics(Roofline roofline) {
    this.roofline = roofline;
  }

  public InstanceFigures figures(ServingScenario s) {
    ModelSpec m = s.model();
    DeviceSpec d = s.device();
    Layout l = s.layout();
    int split = l.tp() * l.pp();
    List<String> assumptions = new ArrayList<>();
    double params = m.paramsB() * 1e9;
    double bytesPerParam = s.quant().bytesPerWeight() / split;
    double active = params;
    double routed = 0;
    double share = 0;
    if (m.moe().isMoe() && m.activeParamsB().isPresent()) {
      active = m.activeParamsB().getAsDouble() * 1e9;
      share = (double) m.moe().expertsPerToken() / m.moe().experts();
      routed = share < 1 ? Math.min(params, (params - active) / (1 - share)) : 0;
    } else if (m.moe().isMoe()) {
      assumptions.add("active parameters of " + m.name() + " unknown: every parameter counted per token");
    }
    double weightBytes = (params - routed) * bytesPerParam;
    double kvPerToken = 0;
    if (m.attention().kind() == dev.tuner.core.scenario.AttentionKind.MLA && m.layers() > 0) {
      kvPerToken = (double) m.layers() / l.pp() * (m.attention().kvLoraRank() + m.attention().ropeHeadDim())
          * s.kvCache().bytesPerElement();
    } else if (m.knowsKvShape()) {
      int kvHeadsPerGpu = (m.kvHeads() + l.tp() - 1) / l.tp();
      kvPerToken = 2.0 * m.layers() / l.pp() * kvHeadsPerGpu * m.effectiveHeadDim() * s.kvCache().bytesPerElement();
    } else {
      assumptions.add("KV-cache size of " + m.name() + " unknown: KV traffic and capacity not counted");
    }
    double attention = 0;
    if (m.knowsAttentionShape()) {
      attention = 4.0 * m.layers() * m.heads() * m.effectiveHeadDim() / split;
    } else {
      assumptions.add("attention shape of " + m.name() + " unknown: attention FLOPs not counted");
    }
    double comm = 0;
    if (l.tp() > 1) {
      if (m.hidden() > 0 && m.layers() > 0) {
        comm = 2.0 * m.layers() / l.pp() * m.hidden() * 2.0 * 2.0 * (l.tp() - 1) / l.tp();
      } else {
        assumptions.add("hidden size of " + m.name() + " unknown: tensor-parallel all-reduce traffic not counted");
      }
      if (d.interconnectGBs().isEmpty()) {
        assumptions.add("interconnect bandwidth of " + d.name() + " unknown: all-reduce time not counted");
      }
    }
    if (l.pp() > 1) {
      assumptions.add("pipeline stages run one after another within an iteration (no micro-batch overlap)");
    }
    // the engine's backend picks the kernels (integer dot products on CUDA, none on Metal); unknown takes the
    // higher peak, which keeps the roof a bound
    double peak = roofline.peakTflops(d, s.quant().activation(), Backend.parse(s.engine().backend()), assumptions)
        * 1e12;
    double memory = d.memoryGb().orElse(0) * 1e9;
    if (memory == 0) {
      assumptions.add("memory of " + d.name() + " unknown: KV-cache capacity not checked");
    }
    double link = d.interconnectGBs().orElse(0) * 1e9;
    return new InstanceFigures(weightBytes, routed * bytesPerParam, share, kvPerToken, 2.0 * active / split,
        attention, comm, d.memBandwidthGBs() * 1e9, peak, link, memory, l.pp(), assumptions);
  }
}
