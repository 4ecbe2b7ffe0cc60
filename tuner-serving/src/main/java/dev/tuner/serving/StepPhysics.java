package dev.tuner.serving;

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
 * {@code 2 (tp − 1) / tp} from every GPU. Expert parallelism is not modelled: every GPU is charged the dense
 * parameters (an upper bound on traffic), and the assumptions say so.
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
    double weightBytes = params * s.quant().bytesPerWeight() / split;
    double kvPerToken = 0;
    if (m.knowsKvShape()) {
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
      assumptions.add("interconnect of " + d.name() + " unknown in the catalog: all-reduce time not counted");
    }
    if (l.pp() > 1) {
      assumptions.add("pipeline stages run one after another within an iteration (no micro-batch overlap)");
    }
    if (l.ep() > 1) {
      assumptions.add("expert parallelism not modelled: weights counted as split over tp × pp only");
    }
    double peak = roofline.peakTflops(d, s.quant().activation(), assumptions) * 1e12;
    double memory = d.memoryGb().orElse(0) * 1e9;
    if (memory == 0) {
      assumptions.add("memory of " + d.name() + " unknown: KV-cache capacity not checked");
    }
    return new InstanceFigures(weightBytes, kvPerToken, 2.0 * params / split, attention, comm,
        d.memBandwidthGBs() * 1e9, peak, 0, memory, l.pp(), assumptions);
  }
}
