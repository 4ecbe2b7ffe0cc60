package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A model split over devices whose GPU-to-GPU link has no stated bandwidth (Apple silicon: interconnect "unified") is
 * refused by predict, step and serving alike, and recommend does not rank it: nothing would bound its collectives.
 */
class SplitWithoutLinkCliTest {
  private static final String MAC = "Apple M2 Max (38-core GPU)";

  @Test
  void stepAndServingPredictionsRefuseTheSplitAndKeepReplicas() {
    Cli.Result step = Cli.run("predict", "--model", "Llama 3 8B", "--device", MAC, "--quant", "Q4_0", "--context",
        "128", "--devices", "2", "--tp", "2");
    assertThat(step.exit()).isEqualTo(2);
    assertThat(step.err()).contains("layout = a model split over several " + MAC,
        "a GPU-to-GPU link of stated bandwidth", "has none (interconnect unified)");
    Cli.Result serving = Cli.run("predict", "--model", "Llama 3 8B", "--device", MAC, "--quant", "BF16", "--engine",
        "vllm", "--tp", "2", "--isl", "100", "--osl", "100", "--concurrency", "4");
    assertThat(serving.exit()).isEqualTo(2);
    assertThat(serving.err()).contains("a model split over several " + MAC);
    Cli.Result replicas = Cli.run("predict", "--model", "Llama 3 8B", "--device", MAC, "--quant", "Q4_0",
        "--context", "128", "--batch", "2", "--devices", "2");
    assertThat(replicas.exit()).as(replicas.toString()).isZero();
  }

  @Test
  void recommendMarksSplitLayoutsNotApplicable() {
    Cli.Result r = Cli.run("recommend", "--model", "Llama 3 70B", "--device", MAC, "--context", "2048",
        "--max-devices", "2", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("a split needs a GPU-to-GPU link of stated bandwidth");
    Cli.Result serving = Cli.run("recommend", "--model", "Llama 3.1 8B", "--device", MAC, "--isl", "1000", "--osl",
        "200", "--format", "json");
    assertThat(serving.exit()).as(serving.toString()).isZero();
    assertThat(serving.json().get("top").toString()).contains("\"tp\":1").doesNotContain("\"tp\":2", "\"tp\":4",
        "\"tp\":8");
  }

  @Test
  void aCardWhoseHostLinkWasReadSplitsOverIt() {
    // RTX 3050 8GB: PCIe 4.0 x8, 16 GB/s each way (data/SOURCES.md, "Host links of four rows that had none")
    Cli.Result split = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 3050 8GB", "--quant", "AWQ-INT4",
        "--engine", "vllm", "--devices", "2", "--tp", "2", "--isl", "500", "--osl", "100", "--concurrency", "4",
        "--format", "json");
    assertThat(split.exit()).as(split.toString()).isZero();
    assertThat(split.json().get("output_tokens_per_s").asDouble()).isPositive();
  }

  @Test
  void interconnectGbsStatesTheLinkACardLacksAndReplacesOneItHas() {
    String[] serving = {"predict", "--model", "Llama 3 8B", "--device", "RTX 4070 Ti Super", "--quant", "AWQ-INT4",
        "--engine", "vllm", "--devices", "2", "--tp", "2", "--isl", "500", "--osl", "100", "--concurrency", "4"};
    Cli.Result refused = Cli.run(serving);
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("--interconnect-gbs or --catalog in the CLI");
    Cli.Result given = Cli.run(serving, "--interconnect-gbs", "32");
    assertThat(given.exit()).as(given.toString()).isZero();
    // a card with no named link is taken to reach its peers over PCIe
    assertThat(given.out()).contains("2 x RTX 4070 Ti Super (tp 2, pp 1, ep 1), over PCIe (assumed with"
        + " --interconnect-gbs) at 32 GB/s each way");
    Cli.Result step = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 4070 Ti Super", "--quant", "Q4_K_M",
        "--context", "512", "--devices", "2", "--tp", "2", "--interconnect-gbs", "32");
    assertThat(step.exit()).as(step.toString()).isZero();
    // a slower link than the catalog's never makes a split faster
    String[] h100 = {"predict", "--model", "Llama 3.1 70B", "--device", "H100 SXM5 80GB", "--quant", "FP8", "--engine",
        "vllm", "--devices", "4", "--tp", "4", "--isl", "500", "--osl", "100", "--concurrency", "16", "--format",
        "json"};
    Cli.Result nvlink = Cli.run(h100);
    Cli.Result slow = Cli.run(h100, "--interconnect-gbs", "8");
    assertThat(slow.exit()).as(slow.toString()).isZero();
    assertThat(slow.json().get("output_tokens_per_s").asDouble())
        .isLessThan(nvlink.json().get("output_tokens_per_s").asDouble());
    Cli.Result noDevice = Cli.run("predict", "--mem-bw-gbs", "500", "--model", "Llama 3 8B", "--quant", "Q4_K_M",
        "--context", "512", "--interconnect-gbs", "32");
    assertThat(noDevice.exit()).isEqualTo(2);
    assertThat(noDevice.err()).contains("--interconnect-gbs = 32.0 is invalid", "with --device");
  }
}
