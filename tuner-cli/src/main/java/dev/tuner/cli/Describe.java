package dev.tuner.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.BlasLibrary;
import dev.tuner.core.scenario.BuildDate;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.KernelType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;

/** The resolved catalog entries and scenarios, in words and as JSON, so that no default is silent. */
final class Describe {
  private Describe() {}

  static String model(ModelSpec m) {
    List<String> parts = new ArrayList<>();
    parts.add(Text.plain(m.paramsB()) + " B params");
    figure(parts, m.layers(), "layers", true);
    figure(parts, m.hidden(), "hidden", false);
    figure(parts, m.heads(), "heads", true);
    figure(parts, m.kvHeads(), "KV heads", true);
    figure(parts, m.effectiveHeadDim(), "head dim", false);
    figure(parts, m.vocab(), "vocab", false);
    MoeSpec moe = m.moe();
    if (moe.isMoe()) {
      parts.add(moe.experts() + " experts, top-" + moe.expertsPerToken()
          + (moe.sharedExperts() > 0 ? " + " + moe.sharedExperts() + " shared" : "")
          + (m.activeParams().isPresent() ? ", " + Text.plain(m.activeParams().getAsDouble()) + " B active" : ""));
    }
    if (m.mtpParamsB() > 0) {
      parts.add(Text.plain(m.mtpParamsB()) + " B of multi-token prediction not run");
    }
    AttentionSpec a = m.attention();
    if (a.kind() == AttentionKind.MLA) {
      parts.add("MLA (latent " + a.kvLoraRank() + " + RoPE " + a.ropeHeadDim() + ")");
    }
    if (a.localLayers() > 0) {
      parts.add(a.localLayers() + " layers over a " + a.slidingWindow() + "-token window");
    }
    if (a.linearLayers() > 0) {
      parts.add(a.linearLayers() + " linear layers");
    }
    return m.name() + ": " + String.join(", ", parts);
  }

  static String device(DeviceSpec d) {
    List<String> parts = new ArrayList<>();
    parts.add(Text.plain(d.memBandwidthGBs()) + " GB/s");
    parts.add("FP16 " + (d.fp16Tflops().isPresent() ? Text.plain(d.fp16Tflops()) + " TFLOPS" : "unknown"));
    if (d.fp8Tflops().isPresent()) {
      parts.add("FP8 " + Text.plain(d.fp8Tflops()) + " TFLOPS");
    }
    parts.add("FP32 vector " + (d.fp32Tflops().isPresent() ? Text.plain(d.fp32Tflops()) + " TFLOPS" : "unknown"));
    parts.add(d.computeUnits() > 0 ? d.computeUnits() + " compute units" : "compute units unknown");
    parts.add("L2 " + (d.l2CacheMb().isPresent() ? Text.plain(d.l2CacheMb()) + " MB" : "unknown"));
    parts.add("memory " + (d.memoryGb().isPresent() ? Text.plain(d.memoryGb()) + " GB" : "unknown"));
    return d.name() + (d.vendor().isEmpty() ? "" : " (" + d.vendor() + ")") + ": " + String.join(", ", parts);
  }

  static String quant(Quantization q) {
    return q.name() + ": " + Text.plain(q.bitsPerWeight()) + " bits/weight"
        + (q.expertBitsPerWeight().isPresent() ? " (experts " + Text.plain(q.expertBitsPerWeight().getAsDouble())
            + (q.otherBitsPerWeight().isPresent() ? ", the rest " + Text.plain(q.otherBitsPerWeight().getAsDouble())
                : "") + ")" : "")
        + ", class " + q.quantClass() + ", " + q.activation().name().toLowerCase(java.util.Locale.ROOT) + " arithmetic";
  }

  private static void figure(List<String> parts, int v, String what, boolean countFirst) {
    if (v <= 0) {
      parts.add(what + " unknown");
    } else {
      parts.add(countFirst ? v + " " + what : what + " " + v);
    }
  }

  /** The scenario as name/value lines for a table. */
  static Table scenarioTable(Scenario s) {
    return new Table("", "")
        .row("model", model(s.model()))
        .row("device", device(s.device()))
        .row("quantization", quant(s.quant()))
        .row("kv cache", s.kvCache().id() + " (" + Text.plain(s.kvCache().bytesPerElement()) + " bytes/element)")
        .row("batch", s.batch() + (s.batch() == 1 ? " sequence" : " concurrent sequences"))
        .row("context", s.context() + " tokens" + (s.depth() > 0 ? " after " + s.depth() + " cached" : ""))
        .row("phase", s.phase().id())
        .row("devices", s.parallel().isSingle() ? "1" : s.parallel().devices() + " (" + s.parallel().describe() + ", "
            + s.parallel().replicas() + " replica(s))" + link(s.device(), s.parallel().splits()))
        .row("engine", "n_ubatch " + s.engine().nUbatch() + ", flash attention "
            + Text.onOff(s.engine().flashAttention()) + ", backend " + s.engine().backend().id()
            + (s.engine().build().isEmpty() ? "" : ", build " + s.engine().build())
            + ", build date " + s.engine().buildDate().map(Object::toString)
                .orElse("unknown (the build-month feature takes " + BuildDate.ASSUMED_WHEN_UNKNOWN + ")")
            + (s.engine().blas() == BlasLibrary.DEFAULT ? "" : ", BLAS " + s.engine().blas().id()))
        .row("cuda graphs", Text.onOff(s.cudaGraphs()))
        .row("kernel", s.kernel().map(KernelType::id).orElse("not specified"))
        .row("zero-copy", Text.onOff(s.zeroCopy()));
  }

  /** A parallel layout in words, e.g. {@code 2 devices: tp 2 × pp 1, ep 1}. */
  static String layout(ParallelLayout p) {
    if (p.isSingle()) {
      return "1 device";
    }
    return p.devices() + " devices: tp " + p.tp() + " × pp " + p.pp() + ", ep " + p.ep()
        + (p.replicas() > 1 ? ", " + p.replicas() + " data-parallel replicas" : "");
  }

  static ObjectNode layoutJson(ParallelLayout p) {
    ObjectNode n = Json.object();
    n.put("devices", p.devices());
    n.put("tp", p.tp());
    n.put("pp", p.pp());
    n.put("ep", p.ep());
    n.put("replicas", p.replicas());
    return n;
  }

  static ObjectNode modelJson(ModelSpec m) {
    ObjectNode n = Json.object();
    n.put("name", m.name());
    n.put("params_b", m.paramsB());
    n.put("hidden", m.hidden());
    n.put("layers", m.layers());
    n.put("heads", m.heads());
    n.put("kv_heads", m.kvHeads());
    n.put("head_dim", m.effectiveHeadDim());
    n.put("vocab", m.vocab());
    n.put("max_context", m.maxContext().orElse(0));
    n.set("aliases", Json.strings(m.aliases()));
    n.put("source", m.source());
    Json.put(n, "active_params_b", m.activeParams());
    n.put("mtp_params_b", m.mtpParamsB());
    MoeSpec moe = m.moe();
    n.put("experts", moe.experts());
    n.put("experts_per_token", moe.expertsPerToken());
    n.put("shared_experts", moe.sharedExperts());
    n.put("expert_ffn_dim", moe.expertFfnDim());
    n.put("dense_layers", moe.denseLayers());
    AttentionSpec a = m.attention();
    n.put("attention", a.kind().id());
    n.put("kv_lora_rank", a.kvLoraRank());
    n.put("rope_head_dim", a.ropeHeadDim());
    n.put("sliding_window", a.slidingWindow());
    n.put("local_layers", a.localLayers());
    n.put("linear_layers", a.linearLayers());
    n.put("linear_state_dim", a.linearStateDim());
    return n;
  }

  static ObjectNode deviceJson(DeviceSpec d) {
    ObjectNode n = Json.object();
    n.put("name", d.name());
    n.put("vendor", d.vendor());
    n.put("chip_family", d.chipFamily());
    n.put("architecture", d.architecture());
    n.put("mem_bw_gbs", d.memBandwidthGBs());
    Json.put(n, "fp16_tflops", d.fp16Tflops());
    Json.put(n, "fp8_tflops", d.fp8Tflops());
    Json.put(n, "fp32_tflops", d.fp32Tflops());
    n.put("compute_units", d.computeUnits());
    Json.put(n, "l2_mb", d.l2CacheMb());
    Json.put(n, "mem_gb", d.memoryGb());
    n.put("interconnect", d.interconnect());
    Json.put(n, "interconnect_gbs", d.interconnectGBs());
    n.set("aliases", Json.strings(d.aliases()));
    n.put("source", d.source());
    return n;
  }

  static ObjectNode quantJson(Quantization q) {
    ObjectNode n = Json.object();
    n.put("name", q.name());
    n.put("bits_per_weight", q.bitsPerWeight());
    if (q.expertBitsPerWeight().isPresent()) {
      n.put("expert_bits_per_weight", q.expertBitsPerWeight().getAsDouble());
    }
    if (q.otherBitsPerWeight().isPresent()) {
      n.put("other_bits_per_weight", q.otherBitsPerWeight().getAsDouble());
    }
    n.put("class", q.quantClass().name());
    n.put("activation", q.activation().name().toLowerCase(java.util.Locale.ROOT));
    n.set("aliases", Json.strings(q.aliases()));
    n.put("source", q.source());
    return n;
  }

  /** The llama.cpp settings of {@code e} into {@code n} (the build's month only when known), as one key each. */
  static ObjectNode engineJson(ObjectNode n, EngineSettings e) {
    n.put("n_ubatch", e.nUbatch()).put("flash_attn", e.flashAttention()).put("backend", e.backend().id())
        .put("blas", e.blas().id());
    e.buildDate().ifPresent(d -> n.put("build_date", d.toString()));
    return n;
  }

  static ObjectNode scenarioJson(Scenario s) {
    ObjectNode n = Json.object();
    n.set("model", modelJson(s.model()));
    n.set("device", deviceJson(s.device()));
    n.set("quant", quantJson(s.quant()));
    n.put("kv_cache_type", s.kvCache().id());
    n.put("batch", s.batch());
    n.put("context", s.context());
    n.put("depth", s.depth());
    n.put("phase", s.phase().id());
    n.put("devices", s.parallel().devices());
    n.put("tp", s.parallel().tp());
    n.put("pp", s.parallel().pp());
    n.put("ep", s.parallel().ep());
    engineJson(n, s.engine());
    n.put("build", s.engine().build());
    n.put("cuda_graphs", s.cudaGraphs());
    if (s.kernel().isPresent()) {
      n.put("kernel", s.kernel().get().id());
    } else {
      n.putNull("kernel");
    }
    n.put("zero_copy", s.zeroCopy());
    return n;
  }

  /** ", over <link> at N GB/s" for a split, whose collectives run on it; empty otherwise. */
  static String link(DeviceSpec d, boolean splits) {
    if (!splits || d.interconnectGBs().isEmpty()) {
      return "";
    }
    return ", over " + d.interconnect() + " at " + Text.plain(d.interconnectGBs().getAsDouble()) + " GB/s each way";
  }
}
