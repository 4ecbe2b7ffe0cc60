package dev.tuner.core.ingest;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A small catalog for the ingestion tests, with the aliases the shipped one is to have. Figures of devices not in
 * ../shared/data/devices.csv (RTX 2070, RX 6800 XT) are vendor specs, good enough for the roofline sanity check.
 */
final class TestCatalog {
  private TestCatalog() {}

  static Catalog create() {
    return new Catalog(
        List.of(
            device("RTX 3090 Ti", "NVIDIA", 1008, 160.0, 84, 6, 24, "NVIDIA GeForce RTX 3090 Ti"),
            device("RTX 4080", "NVIDIA", 716.8, 194.9, 76, 64, 16, "NVIDIA GeForce RTX 4080"),
            device("RTX 4090", "NVIDIA", 1008, 330.3, 128, 72, 24, "NVIDIA GeForce RTX 4090"),
            device("RTX 2070", "NVIDIA", 448, 59.7, 36, 4, 8, "NVIDIA GeForce RTX 2070"),
            device("AMD Radeon RX 6800 XT", "AMD", 512, 41.5, 72, 4, 16, "RX 6800 XT"),
            device("L40S", "NVIDIA", 864, 362.05, 142, 96, 48, "NVIDIA L40S")),
        List.of(
            model("Llama 2 7B", 6.74, 4096, 32, 32, 32, 32000),
            model("Llama 2 13B", 13.02, 5120, 40, 40, 40, 32000),
            model("Qwen2.5 7B", 7.62, 3584, 28, 28, 4, 152064),
            model("Qwen3 4B", 4.02, 2560, 36, 32, 8, 151936),
            model("Llama 3.2 3B", 3.21, 3072, 28, 24, 8, 128256, "meta-llama/Llama-3.2-3B-Instruct"),
            model("Mistral 7B", 7.24, 4096, 32, 32, 8, 32000),
            // a mixture of experts: 128 routed experts, 8 per token
            new ModelSpec("Qwen3-30B-A3B", 30.53, 2048, 48, 32, 4, 128, 151936, List.of("Qwen/Qwen3-30B-A3B"), "test",
                null, OptionalDouble.of(3.35), Optional.of(false), 0, new MoeSpec(128, 8, 0, 768, 0),
                AttentionSpec.STANDARD)),
        List.of(
            quant("Q4_0", 4.5, QuantClass.Q4_0, Activation.FP16),
            quant("Q4_K_M", 4.85, QuantClass.Q4_K, Activation.FP16, "Q4_K - Medium"),
            quant("Q6_K", 6.5625, QuantClass.Q6_K, Activation.FP16),
            quant("Q8_0", 8.5, QuantClass.Q8_0, Activation.FP16),
            quant("F16", 16, QuantClass.F16, Activation.FP16, "FP16"),
            quant("BF16", 16, QuantClass.F16, Activation.FP16),
            quant("FP8", 8, QuantClass.Q8_0, Activation.FP8),
            new Quantization("MXFP4_EXPERTS_F16", 4.475, QuantClass.Q4_0, Activation.INT8,
                List.of("F16 (MXFP4 experts)"), "test", OptionalDouble.of(4.25), OptionalDouble.of(16))));
  }

  static Path sample(String name) {
    try {
      return Path.of(TestCatalog.class.getResource("/formats/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static DeviceSpec device(
      String name, String vendor, double bw, double fp16, int units, double l2, double mem, String... aliases) {
    // a PCIe 4.0 x16 host link (32 GB/s per direction), as the shipped rows of these cards state: several of them
    // can then hold one model split over them (ParallelLayout.requireLinkForSplit)
    return new DeviceSpec(name, vendor, bw, OptionalDouble.of(fp16), OptionalDouble.empty(), OptionalDouble.empty(),
        units, OptionalDouble.of(l2), OptionalDouble.of(mem), List.of(aliases), "test", null, OptionalDouble.empty(),
        OptionalDouble.empty(), "PCIe4 x16", OptionalDouble.of(32));
  }

  private static ModelSpec model(
      String name, double params, int hidden, int layers, int heads, int kvHeads, int vocab, String... aliases) {
    return new ModelSpec(name, params, hidden, layers, heads, kvHeads, hidden / heads, vocab, List.of(aliases), "test");
  }

  private static Quantization quant(
      String name, double bits, QuantClass c, Activation a, String... aliases) {
    return new Quantization(name, bits, c, a, List.of(aliases), "test");
  }
}
