package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One serving deployment under one workload. {@code attentionDp}: attention data parallelism inside one model
 * instance (SGLang {@code --enable-dp-attention --dp-size}, TensorRT-LLM {@code enable_attention_dp}): the instance's
 * {@code tp} ranks form {@code attentionDp} attention groups of {@code tp / attentionDp} ranks; each group keeps the
 * attention weights (split over its own ranks only), runs attention for its own requests and holds only their KV
 * cache, while the FFNs and experts stay split over all {@code tp} ranks. 1 is plain tensor parallelism.
 */
public record ServingScenario(
    ModelSpec model, DeviceSpec device, Quantization quant, KvCacheType kvCache, Engine engine, ParallelLayout layout,
    Workload workload, int attentionDp) {
  /** A deployment without attention data parallelism. */
  public ServingScenario(
      ModelSpec model, DeviceSpec device, Quantization quant, KvCacheType kvCache, Engine engine,
      ParallelLayout layout, Workload workload) {
    this(model, device, quant, kvCache, engine, layout, workload, 1);
  }

  public ServingScenario {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(quant, "quantization");
    Objects.requireNonNull(kvCache, "kv-cache type");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(workload, "workload");
    if (!groupsDivide(layout.tp(), attentionDp)) {
      throw new InvalidInputException("attention dp", Integer.toString(attentionDp), "a divisor of tp ("
          + layout.tp() + "): the tensor-parallel ranks of one instance form that many attention groups");
    }
  }

  /** As messages write it: {@code tp 8, pp 1, ep 1, attention dp 8} (the last only with attention groups). */
  public String describeLayout() {
    return describe(layout, attentionDp);
  }

  /** {@link #describeLayout} of {@code layout} with {@code attentionDp} groups. */
  public static String describe(ParallelLayout layout, int attentionDp) {
    return layout.describe() + (attentionDp > 1 ? ", attention dp " + attentionDp : "");
  }

  /** Whether {@code groups} attention groups split {@code tp} tensor-parallel ranks evenly (at least one group). */
  public static boolean groupsDivide(long tp, long groups) {
    return groups >= 1 && groups <= tp && tp % groups == 0;
  }

  /** Ranks of one attention group: {@code tp / attentionDp}. */
  public int attentionTp() {
    return layout.tp() / attentionDp;
  }

  /**
   * Refuses an engine, or an engine backend, that cannot run on the device ({@link EngineKind#runsOn},
   * {@link Backend#runsOn}), weights in a format the engine does not load ({@link EngineKind#loads}), a KV-cache type
   * it does not run ({@link EngineKind#runsKvCache}), and on an engine
   * that shards whole attention heads ({@link EngineKind#shardsAttentionHeads}) a head or KV head cut in two
   * ({@link ParallelLayout#whyNotSharded}), expert parallelism on an engine that runs none ({@link
   * EngineKind#runsExpertParallel}), and on any engine more pipeline stages than layers or experts that do not
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
    if (!engine.kind().runsKvCache(kvCache)) {
      throw new InvalidInputException("kv cache", kvCache.id() + " on " + engine.kind().id(), "a KV-cache type "
          + engine.kind().id() + " runs: " + engine.kind().kvCacheTypes() + " (ServingScenario's kvCache,"
          + " --kv-cache-type in the CLI)");
    }
    if (attentionDp > 1 && !engine.kind().runsAttentionDataParallel()) {
      throw new InvalidInputException("attention dp", attentionDp + " on " + engine.kind().id(), "1, or an engine that"
          + " runs attention data-parallel inside an instance: sglang (--enable-dp-attention --dp-size) or"
          + " tensorrt-llm (enable_attention_dp); vLLM's data parallelism is whole replicas (the layout's devices"
          + " N × tp, --devices in the CLI), its ep (--ep in the CLI) placing the experts over them");
    }
    if (layout.ep() > 1 && !engine.kind().runsExpertParallel()) {
      throw new InvalidInputException("ep", layout.ep() + " on " + engine.kind().id(), "1: " + engine.kind().id()
          + " runs no expert parallelism (its layer split, pp, and row split, tp, place each layer's experts with it;"
          + " --pp and --tp in the CLI); the engines that run it: " + String.join(", ", Arrays.stream(
              EngineKind.values()).filter(EngineKind::runsExpertParallel).map(EngineKind::id).toList()));
    }
    ParallelLayout sharded = attentionDp == 1 ? layout
        : new ParallelLayout(attentionTp() * layout.pp(), attentionTp(), layout.pp(), 1);
    (engine.kind().shardsAttentionHeads() ? sharded.whyNotSharded(model) : Optional.<String>empty())
        .or(() -> layout.whyNotPlaced(model)).ifPresent(why -> {
          throw new InvalidInputException("layout", describeLayout() + " of " + model.name(), "a split "
              + engine.kind().id() + " can run: " + why);
        });
  }

  public ServingScenario withWorkload(Workload w) {
    return new ServingScenario(model, device, quant, kvCache, engine, layout, w, attentionDp);
  }

  public ServingScenario withKvCache(KvCacheType kv) {
    return new ServingScenario(model, device, quant, kv, engine, layout, workload, attentionDp);
  }

  public ServingScenario withEngine(Engine e) {
    return new ServingScenario(model, device, quant, kvCache, e, layout, workload, attentionDp);
  }

  public ServingScenario withLayout(ParallelLayout l) {
    return new ServingScenario(model, device, quant, kvCache, engine, l, workload, attentionDp);
  }

  public ServingScenario withAttentionDp(int dp) {
    return new ServingScenario(model, device, quant, kvCache, engine, layout, workload, dp);
  }
}
