package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/** One serving deployment under one workload. */
public record ServingScenario(
    ModelSpec model, DeviceSpec device, Quantization quant, KvCacheType kvCache, Engine engine, Layout layout,
    Workload workload) {
  public ServingScenario {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(quant, "quantization");
    Objects.requireNonNull(kvCache, "kv-cache type");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(workload, "workload");
  }

  /**
   * Refuses an engine, or an engine backend, that cannot run on the device ({@link EngineKind#runsOn},
   * {@link Backend#runsOn}), weights in a format the engine does not load ({@link EngineKind#loads}), and a tensor
   * parallelism that would split an attention head on an engine that shards whole heads
   * ({@link EngineKind#shardsAttentionHeads}).
   * {@link StepPhysics#figures} asks once per instance, not every workload of a sweep.
   */
  public void requireRunnable() {
    if (!engine.kind().runsOn(device)) {
      throw new InvalidInputException("engine", engine.kind().id() + " on " + device.name() + " (" + device.vendor()
          + ")", "an engine that runs on " + device.vendor() + " devices: " + EngineKind.runningOn(device));
    }
    if (!engine.kind().loads(quant)) {
      throw new InvalidInputException("quantization", quant.name() + " on " + engine.kind().id(), "weights in a format "
          + engine.kind().id() + " loads: " + (engine.kind() == EngineKind.LLAMA_CPP
              ? "a GGUF type (Q4_K_M, Q8_0, F16 …), not a checkpoint's AWQ, GPTQ or INT8"
              : "a checkpoint's (BF16, FP8, FP4, AWQ, GPTQ, INT8), not a GGUF block type such as " + quant.name()));
    }
    Backend.parse(engine.backend()).requireRunsOn(device);
    if (layout.tp() > 1 && engine.kind().shardsAttentionHeads() && model.heads() > 0
        && !splitsHeads(model, layout.tp())) {
      List<String> sizes = IntStream.rangeClosed(1, model.heads()).filter(t -> splitsHeads(model, t))
          .mapToObj(Integer::toString).toList();
      throw new InvalidInputException("tp", layout.tp() + " for " + model.name() + " (" + model.heads()
          + " attention heads" + (kvHeadsSplit(model) ? ", " + model.kvHeads() + " KV heads" : "") + ")",
          "a tensor-parallel size " + engine.kind().id() + " can shard whole heads over: " + String.join(", ", sizes)
          + " (pipeline parallelism, pp, splits layers and has no such limit)");
    }
  }

  /**
   * Whether tensor parallelism of size {@code tp} gives every GPU whole heads: {@code tp} divides the attention
   * heads, and divides the KV heads or is a multiple of them (each GPU then keeps a copy of one KV head). MLA's
   * latent KV cache is not split by heads.
   */
  static boolean splitsHeads(ModelSpec m, int tp) {
    if (m.heads() % tp != 0) {
      return false;
    }
    return !kvHeadsSplit(m) || m.kvHeads() % tp == 0 || tp % m.kvHeads() == 0;
  }

  private static boolean kvHeadsSplit(ModelSpec m) {
    return m.kvHeads() > 0 && m.attention().kind() != AttentionKind.MLA;
  }

  public ServingScenario withWorkload(Workload w) {
    return new ServingScenario(model, device, quant, kvCache, engine, layout, w);
  }

  public ServingScenario withEngine(Engine e) {
    return new ServingScenario(model, device, quant, kvCache, e, layout, workload);
  }

  public ServingScenario withLayout(Layout l) {
    return new ServingScenario(model, device, quant, kvCache, engine, l, workload);
  }
}
