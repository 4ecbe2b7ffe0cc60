package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.catalog.GgufHeader;
import dev.tuner.core.catalog.HfConfig;
import dev.tuner.core.catalog.UserCatalogs;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelFigures;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.ScenarioRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import picocli.CommandLine.Option;

/**
 * The model and the device, by catalog name and/or by explicit figures; figures given with a name override the
 * catalog entry's. Shared by every command that takes a scenario.
 */
final class SpecOptions {
  @Option(names = "--model", paramLabel = "NAME",
      description = "LLM by catalog name or alias (see 'tuner catalog models').")
  String model;

  @Option(names = "--device", paramLabel = "NAME",
      description = "Accelerator by catalog name or alias (see 'tuner catalog devices').")
  String device;

  @Option(names = "--hf-config", paramLabel = "config.json",
      description = "The model from its Hugging Face config.json (shape, experts, attention; parameters computed);"
          + " figures given as options override it.")
  Path hfConfig;

  @Option(names = "--gguf", paramLabel = "FILE.gguf",
      description = "The model and quantization from a GGUF file's header (architecture, shape, parameter count,"
          + " the file's true bits per weight); only the header is read.")
  Path gguf;

  @Option(names = "--params-b", paramLabel = "B", description = "Model parameters in billions.")
  Double paramsB;

  @Option(names = "--layers", paramLabel = "N", description = "Transformer layers.")
  Integer layers;

  @Option(names = "--hidden", paramLabel = "N", description = "Hidden size.")
  Integer hidden;

  @Option(names = "--heads", paramLabel = "N", description = "Attention heads.")
  Integer heads;

  @Option(names = "--kv-heads", paramLabel = "N", description = "Key/value heads (grouped-query attention).")
  Integer kvHeads;

  @Option(names = "--head-dim", paramLabel = "N", description = "Head dimension (default: hidden / heads).")
  Integer headDim;

  @Option(names = "--vocab", paramLabel = "N", description = "Vocabulary size.")
  Integer vocab;

  @Option(names = "--mem-bw-gbs", paramLabel = "GB/s", description = "Device memory bandwidth in GB/s.")
  Double memBandwidthGBs;

  @Option(names = "--fp16-tflops", paramLabel = "TFLOPS", description = "Device dense FP16 peak in TFLOPS.")
  Double fp16Tflops;

  @Option(names = "--fp32-tflops", paramLabel = "TFLOPS",
      description = "Device FP32 peak of the non-tensor (vector) ALUs in TFLOPS.")
  Double fp32Tflops;

  @Option(names = "--compute-units", paramLabel = "N", description = "SMs (NVIDIA), CUs (AMD) or GPU cores (Apple).")
  Integer computeUnits;

  @Option(names = "--l2-mb", paramLabel = "MB", description = "Device L2 cache in MB.")
  Double l2CacheMb;

  @Option(names = "--interconnect-gbs", paramLabel = "GB/s",
      description = "GPU-to-GPU link of --device in GB/s per direction, for a model split over several (default: the"
          + " catalog's; PCIe 4.0 x16 is 32, 5.0 x16 64).")
  Double interconnectGbs;

  @Option(names = "--mem-gb", paramLabel = "GB", description = "Device memory capacity in GB.")
  Double memoryGb;

  @Option(names = "--active-params-b", paramLabel = "B",
      description = "Parameters one token computes with, in billions (mixture of experts).")
  Double activeParamsB;

  @Option(names = "--ffn-dim", paramLabel = "N", description = "Dense FFN inner size.")
  Integer ffnDim;

  @Option(names = "--tied-embeddings", paramLabel = "true|false", arity = "1",
      description = "Whether the LM head reuses the input embedding.")
  Boolean tiedEmbeddings;

  @Option(names = "--experts", paramLabel = "N", description = "Routed experts per MoE layer (0 = dense).")
  Integer experts;

  @Option(names = "--experts-per-token", paramLabel = "K", description = "Routed experts each token uses (top-k).")
  Integer expertsPerToken;

  @Option(names = "--shared-experts", paramLabel = "N", description = "Experts every token uses besides the routed.")
  Integer sharedExperts;

  @Option(names = "--expert-ffn-dim", paramLabel = "N", description = "FFN inner size of one expert.")
  Integer expertFfnDim;

  @Option(names = "--dense-layers", paramLabel = "N",
      description = "Leading layers with a dense FFN instead of experts.")
  Integer denseLayers;

  @Option(names = "--attention", paramLabel = "gqa|mha|mla", description = "Attention kind (what the KV cache holds).")
  String attention;

  @Option(names = "--kv-lora-rank", paramLabel = "N", description = "MLA's compressed KV latent rank.")
  Integer kvLoraRank;

  @Option(names = "--rope-head-dim", paramLabel = "N", description = "MLA's decoupled RoPE key size.")
  Integer ropeHeadDim;

  @Option(names = "--sliding-window", paramLabel = "TOKENS", description = "Window of the local attention layers.")
  Integer slidingWindow;

  @Option(names = "--local-layers", paramLabel = "N", description = "Layers attending over the sliding window only.")
  Integer localLayers;

  @Option(names = "--linear-layers", paramLabel = "N",
      description = "Linear-attention / state-space layers (constant state instead of a KV cache).")
  Integer linearLayers;

  @Option(names = "--linear-state-dim", paramLabel = "N",
      description = "State elements per linear layer per sequence.")
  Long linearStateDim;

  @Option(names = "--max-context", paramLabel = "TOKENS",
      description = "Context the model runs at: the one its config declares (default: the catalog's, the"
          + " config.json's or the GGUF's), or a longer one rope scaling gives, e.g. 131072 for Qwen3 with YaRN.")
  Integer maxContext;

  /** The mixture-of-experts, attention and context figures given on the command line. */
  ModelFigures modelFigures() {
    return new ModelFigures(activeParamsB, ffnDim, tiedEmbeddings, experts, expertsPerToken, sharedExperts,
        expertFfnDim, denseLayers, attention, kvLoraRank, ropeHeadDim, slidingWindow, localLayers, linearLayers,
        linearStateDim, maxContext);
  }

  /**
   * {@code base} with the model of --hf-config or --gguf, and the GGUF file's quantization at its true bits per
   * weight, layered over it; {@code base} itself when neither is given. Read once per command.
   */
  Catalog catalog(Catalog base) {
    if (hfConfig != null && gguf != null) {
      throw new InvalidInputException("--hf-config", hfConfig.toString(), "either --hf-config or --gguf, not both");
    }
    if (fileModel == null && hfConfig != null) {
      fileModel = HfConfig.read(hfConfig);
    } else if (fileModel == null && gguf != null) {
      GgufHeader header = GgufHeader.read(gguf);
      String file = gguf.getFileName().toString();
      fileModel = header.model(file.replaceFirst("(?i)\\.gguf$", ""), gguf.toString());
      fileQuant = header.quantization(base, file).orElse(null);
    }
    List<DeviceSpec> devices = linkedDevice(base).map(List::of).orElse(List.of());
    if (fileModel == null && devices.isEmpty()) {
      return base;
    }
    return UserCatalogs.with(base, devices, fileModel == null ? List.of() : List.of(fileModel),
        fileQuant == null ? List.of() : List.of(fileQuant),
        fileModel == null ? "--interconnect-gbs" : String.valueOf(hfConfig != null ? hfConfig : gguf));
  }

  /**
   * --device with the link --interconnect-gbs states, if given. A card whose link the catalog does not name (or an
   * SoC's "unified" memory, which has none) is taken to reach its peers over PCIe, as every such catalogued card
   * does: that sets the collectives' latency ({@code CollectiveLatency}), which a link's bandwidth alone does not.
   */
  private Optional<DeviceSpec> linkedDevice(Catalog base) {
    if (interconnectGbs == null) {
      return Optional.empty();
    }
    if (device == null || device.isBlank()) {
      throw new InvalidInputException("--interconnect-gbs", Double.toString(interconnectGbs),
          "with --device, the catalogued device whose GPU-to-GPU link it states");
    }
    InvalidInputException.requireInRange("--interconnect-gbs", interconnectGbs, 0.001, 100_000, "GB/s per direction");
    DeviceSpec d = base.device(device);
    boolean named = !d.interconnect().isEmpty() && !d.interconnect().equalsIgnoreCase("unified");
    return Optional.of(d.withInterconnect(named ? d.interconnect() : "PCIe (assumed with --interconnect-gbs)",
        OptionalDouble.of(interconnectGbs)));
  }

  /** The quantization --gguf's header states, once {@link #catalog} has read it; empty without --gguf. */
  Optional<Quantization> ggufQuant() {
    return Optional.ofNullable(fileQuant);
  }

  /** Whether the model comes from --gguf, a file whose weights have one quantization. */
  boolean fromGguf() {
    return gguf != null;
  }

  /** The model read from --hf-config or --gguf, once {@link #catalog} has read it. */
  private ModelSpec fileModel;
  /** The quantization of --gguf, when its header states one. */
  private Quantization fileQuant;

  /** A request with these specs and the given run settings; {@code null} means not given. */
  ScenarioRequest request(String quant, Integer batch, Integer context, String phase, String kvCacheType,
      Boolean cudaGraphs, String kernel, Boolean zeroCopy) {
    if (model != null && fileModel != null) {
      throw new InvalidInputException("--model", model, "no --model with --hf-config or --gguf, which name the model");
    }
    String model = fileModel != null ? fileModel.name() : this.model;
    String quantName = quant == null && fileQuant != null ? fileQuant.name() : quant;
    return new ScenarioRequest(model, device, quantName, batch, context, phase, kvCacheType, cudaGraphs, kernel,
        zeroCopy, paramsB, hidden, layers, heads, kvHeads, headDim, vocab, memBandwidthGBs, fp16Tflops, fp32Tflops,
        computeUnits, l2CacheMb, memoryGb).withModelFigures(modelFigures());
  }
}
