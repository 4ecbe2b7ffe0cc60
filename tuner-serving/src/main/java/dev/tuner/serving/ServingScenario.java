package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import java.util.Objects;
import java.util.Optional;

/** One serving deployment under one workload. */
public record ServingScenario(
    ModelSpec model, DeviceSpec device, Quantization quant, KvCacheType kvCache, Engine engine, ParallelLayout layout,
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
   * {@link Backend#runsOn}), weights in a format the engine does not load ({@link EngineKind#loads}), and on an engine
   * that shards whole attention heads ({@link EngineKind#shardsAttentionHeads}) a head or KV head cut in two
   * ({@link ParallelLayout#whyNotSharded}), and on any engine more pipeline stages than layers or experts that do not
   * divide among the expert-parallel ranks ({@link ParallelLayout#whyNotPlaced}).
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
    (engine.kind().shardsAttentionHeads() ? layout.whyNotSharded(model) : Optional.<String>empty())
        .or(() -> layout.whyNotPlaced(model)).ifPresent(why -> {
          throw new InvalidInputException("layout", layout.describe() + " of " + model.name(), "a split "
              + engine.kind().id() + " can run: " + why);
        });
  }

  public ServingScenario withWorkload(Workload w) {
    return new ServingScenario(model, device, quant, kvCache, engine, layout, w);
  }

  public ServingScenario withEngine(Engine e) {
    return new ServingScenario(model, device, quant, kvCache, e, layout, workload);
  }

  public ServingScenario withLayout(ParallelLayout l) {
    return new ServingScenario(model, device, quant, kvCache, engine, l, workload);
  }
}
