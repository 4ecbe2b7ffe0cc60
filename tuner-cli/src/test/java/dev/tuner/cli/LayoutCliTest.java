package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuner.core.roofline.Roofline;
import org.junit.jupiter.api.Test;

/**
 * Several devices, mixtures of experts and modern attention through the CLI: the parallel options and their
 * validation, models by name or by explicit figures, the layout and interconnect in the JSON, and recommend's
 * search over layouts.
 */
class LayoutCliTest {
  private static final double GIB = 1L << 30;
  private static final String[] LLAMA_70B_F16 = {
      "--model", "Llama 3 70B", "--device", "H100", "--quant", "F16", "--context", "1024"};
  /** Qwen3-30B-A3B's published configuration (data/models.csv, model_slime_megatron), stated figure by figure. */
  private static final String[] QWEN3_30B_A3B_FIGURES = {
      "--params-b", "30.53", "--layers", "48", "--hidden", "2048", "--heads", "32", "--kv-heads", "4", "--head-dim",
      "128", "--vocab", "151936", "--tied-embeddings", "false", "--experts", "128", "--experts-per-token", "8",
      "--shared-experts", "0", "--expert-ffn-dim", "768", "--dense-layers", "0", "--active-params-b", "3.35"};

  private static String[] args(String command, String[] base, String... more) {
    return Cli.with(Cli.with(new String[] {command}, base), more);
  }

  @Test
  void layoutsThatBreakARuleAreRefusedNamingIt() {
    Cli.Result tooMany = Cli.run(args("predict", LLAMA_70B_F16, "--devices", "4", "--tp", "4", "--pp", "2"));
    assertThat(tooMany.exit()).isEqualTo(2);
    assertThat(tooMany.err()).contains("tp × pp = 4 × 2 = 8", "at most the devices (4)");
    Cli.Result ep = Cli.run(args("predict", LLAMA_70B_F16, "--devices", "8", "--ep", "16"));
    assertThat(ep.exit()).isEqualTo(2);
    assertThat(ep.err()).contains("ep = 16", "at most the devices (8)");
    Cli.Result both = Cli.run(args("recommend", new String[] {"--model", "Llama 3 70B", "--device", "H100"},
        "--max-devices", "8", "--tp", "2"));
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--max-devices", "not both");
  }

  @Test
  void jsonCarriesTheLayoutAndTheCollectivesOfTheStep() {
    Cli.Result r = Cli.run(args("predict", LLAMA_70B_F16, "--tp", "2", "--format", "json"));
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    JsonNode p = j.get("scenario");
    assertThat(p.get("devices").asInt()).isEqualTo(2);
    assertThat(p.get("tp").asInt()).isEqualTo(2);
    assertThat(p.get("pp").asInt()).isEqualTo(1);
    assertThat(p.get("ep").asInt()).isEqualTo(1);
    JsonNode ic = j.get("interconnect");
    assertThat(ic.get("link").asText()).isEqualTo("NVLink4");
    assertThat(ic.get("gbs_per_direction").asDouble()).isEqualTo(450);
    // 2 all-reduces × 80 layers; each moves 2 × (2 − 1)/2 of one token's 8192 FP16 activations = 16 384 bytes
    assertThat(ic.get("collectives_per_step").asInt()).isEqualTo(160);
    assertThat(ic.get("bytes_per_device_per_step").asDouble()).isEqualTo(160 * 16_384.0);
    // 2 621 440 B / 450e9 B/s = 5.825 µs, plus 160 collectives × the latency term
    assertThat(ic.get("seconds_per_step").asDouble())
        .isCloseTo(2_621_440 / 450e9 + 160 * Roofline.COLLECTIVE_LATENCY_S, within(1e-12));
    assertThat(ic.get("roof_tokens_per_s").asDouble()).isCloseTo(1 / ic.get("seconds_per_step").asDouble(),
        within(1e-6));
    assertThat(j.get("bound").asText()).isEqualTo("memory");

    JsonNode single = Cli.run(args("predict", LLAMA_70B_F16, "--format", "json")).json();
    assertThat(single.get("scenario").get("devices").asInt()).isEqualTo(1);
    assertThat(single.get("interconnect").get("seconds_per_step").asDouble()).isZero();
    assertThat(single.get("interconnect").get("roof_tokens_per_s").isNull()).isTrue();

    // the shipped model saw no split (every measurement runs on one device): the split's interval is the
    // worst-case unseen device's, wider than the same scenario's on one device, and the prediction says why
    String assumptions = j.get("assumptions").toString();
    assertThat(assumptions).contains("the model never saw devices_log, tp_log");
    assertThat(single.get("assumptions").toString()).doesNotContain("never saw");
    double splitWidth = j.get("interval").get("high").asDouble() / j.get("interval").get("low").asDouble();
    double singleWidth = single.get("interval").get("high").asDouble() / single.get("interval").get("low").asDouble();
    assertThat(splitWidth).isGreaterThan(singleWidth);
  }

  @Test
  void aMixtureOfExpertsByNameAndByItsFiguresHasOneRoofline() {
    String[] common = {"--device", "H100", "--quant", "F16", "--context", "1024", "--format", "json", "--explain"};
    JsonNode byName = Cli.run(args("predict", new String[] {"--model", "Qwen3-30B-A3B"}, common)).json();
    Cli.Result r = Cli.run(args("predict", QWEN3_30B_A3B_FIGURES, common));
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode byFigures = r.json();
    JsonNode model = byFigures.get("scenario").get("model");
    assertThat(model.get("experts").asInt()).isEqualTo(128);
    assertThat(model.get("experts_per_token").asInt()).isEqualTo(8);
    assertThat(model.get("expert_ffn_dim").asInt()).isEqualTo(768);
    assertThat(model.get("active_params_b").asDouble()).isEqualTo(3.35);
    JsonNode roof = byFigures.get("roofline");
    // batch 1 touches 128 × (1 − (1 − 8/128)^1) = 8 experts per layer, each 3 × 2048 × 768 = 4 718 592 weights:
    // 8 × 4 718 592 × 48 layers × 2 bytes = 3 623 878 656 bytes
    assertThat(roof.get("experts_touched_per_layer").asDouble()).isCloseTo(8.0, within(1e-9));
    assertThat(roof.get("expert_weight_bytes").asDouble()).isEqualTo(3_623_878_656.0);
    // KV: 2 × 4 KV heads × 128 × 48 layers × 2 bytes = 98 304 bytes per token over the mean 512 cached tokens
    assertThat(roof.get("kv_bytes_per_step").asDouble()).isEqualTo(98_304.0 * 512);
    assertThat(byFigures.get("roofline_tokens_per_s").asDouble())
        .isEqualTo(byName.get("roofline_tokens_per_s").asDouble());
    assertThat(roof.get("weight_bytes").asDouble()).isEqualTo(byName.get("roofline").get("weight_bytes").asDouble());
  }

  @Test
  void mlaAndSlidingWindowFiguresChangeTheKvCache() {
    String[] common = {"--device", "H100", "--quant", "FP8", "--context", "1024", "--format", "json", "--explain"};
    JsonNode v3 = Cli.run(args("predict", new String[] {"--model", "DeepSeek-V3"}, common)).json();
    // MLA: (512 latent + 64 RoPE) × 61 layers × 2 bytes = 70 272 bytes per token, over the mean 512 cached tokens
    assertThat(v3.get("roofline").get("kv_bytes_per_step").asDouble()).isEqualTo(70_272.0 * 512);
    assertThat(v3.get("scenario").get("model").get("attention").asText()).isEqualTo("mla");
    // the same model told its cache is plain attention over its 128 KV heads of 128
    JsonNode asMha = Cli.run(args("predict", new String[] {"--model", "DeepSeek-V3", "--attention", "mha"}, common))
        .json();
    assertThat(asMha.get("scenario").get("model").get("kv_lora_rank").asInt()).isZero();
    // 2 × 128 × 128 × 61 × 2 bytes = 3 997 696 bytes per token
    assertThat(asMha.get("roofline").get("kv_bytes_per_step").asDouble()).isEqualTo(3_997_696.0 * 512);

    Cli.Result noRank = Cli.run(args("predict", new String[] {"--model", "Qwen3-30B-A3B", "--attention", "mla"},
        common));
    assertThat(noRank.exit()).isEqualTo(2);
    assertThat(noRank.err()).contains("kv_lora_rank", "MLA");

    // Gemma 3 27B: 52 of 62 layers over a 1024-token window; a 512-token window is stated instead
    // 4096 cached tokens before a 512-token window: every attended length is beyond both windows
    String[] gemma = {"--device", "H100", "--quant", "F16", "--depth", "4096", "--context", "512", "--format", "json",
        "--explain"};
    JsonNode window = Cli.run(args("predict", new String[] {"--model", "Gemma 3 27B", "--sliding-window", "512"},
        gemma)).json();
    assertThat(window.get("scenario").get("model").get("sliding_window").asInt()).isEqualTo(512);
    assertThat(window.get("scenario").get("model").get("local_layers").asInt()).isEqualTo(52);
    JsonNode catalog = Cli.run(args("predict", new String[] {"--model", "Gemma 3 27B"}, gemma)).json();
    // per token of the window: 2 × 16 KV heads × 128 × 2 bytes = 8 192 bytes per layer; the 52 local layers hold
    // (1024 − 512) fewer tokens each: 52 × 512 × 8 192 = 218 103 808 bytes less
    assertThat(catalog.get("roofline").get("kv_bytes_per_step").asDouble()
        - window.get("roofline").get("kv_bytes_per_step").asDouble()).isEqualTo(218_103_808.0);
  }

  @Test
  void recommendFindsThatA70bModelInFp16NeedsTwoH100() {
    Cli.Result r = Cli.run("recommend", "--model", "Llama 3 70B", "--device", "H100", "--quants", "F16",
        "--kv-cache-types", "f16", "--batches", "1", "--max-devices", "8", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    JsonNode layouts = j.get("layouts");
    // dense: tp × pp = devices over 1, 2, 4, 8 devices: 1 + 2 + 3 + 4 layouts
    assertThat(layouts.size()).isEqualTo(10);
    JsonNode one = layouts.get(0);
    assertThat(one.get("devices").asInt()).isEqualTo(1);
    assertThat(one.get("status").asText()).isEqualTo("does-not-fit");
    // weights 70.55e9 × 2 bytes = 141.1e9 B; KV 2 × 8 × 128 × 80 layers × 2 B × 4096 tokens = 1 342 177 280 B;
    // reserve 0.5 GiB + 5% of the weights
    double weights = 70.55e9 * 2;
    double kv = 2.0 * 8 * 128 * 80 * 2 * 4096;
    JsonNode m1 = one.get("smallest").get("memory_gib_per_device");
    assertThat(m1.get("total").asDouble()).isCloseTo((weights + kv + 0.05 * weights) / GIB + 0.5, within(1e-9));
    assertThat(m1.get("total").asDouble()).isCloseTo(139.73, within(0.01));
    JsonNode two = layouts.get(1);
    assertThat(two.get("tp").asInt()).isEqualTo(2);
    assertThat(two.get("pp").asInt()).isEqualTo(1);
    assertThat(two.get("status").asText()).isEqualTo("fits");
    // each of the two holds half the weights and half the KV cache: 70.11 GiB of 80
    assertThat(two.get("smallest").get("memory_gib_per_device").get("total").asDouble())
        .isCloseTo((weights / 2 + kv / 2 + 0.05 * weights / 2) / GIB + 0.5, within(1e-9));
    JsonNode smallest = j.get("smallest_fitting_layout");
    assertThat(smallest.get("devices").asInt()).isEqualTo(2);
    assertThat(smallest.get("tp").asInt()).isEqualTo(2);
    for (JsonNode c : j.get("top")) {
      assertThat(c.get("parallel").get("devices").asInt()).isGreaterThanOrEqualTo(2);
      assertThat(c.get("tokens_per_s_per_device").asDouble())
          .isCloseTo(c.get("tokens_per_s").asDouble() / c.get("parallel").get("devices").asInt(), within(1e-9));
    }
    assertThat(j.get("dropped")).singleElement()
        .satisfies(d -> assertThat(d.get("parallel").get("devices").asInt()).isEqualTo(1));

    Cli.Result text = Cli.run("recommend", "--model", "Llama 3 70B", "--device", "H100", "--quants", "F16",
        "--kv-cache-types", "f16", "--batches", "1", "--max-devices", "8");
    assertThat(text.out()).contains("smallest that fits: 2 devices: tp 2 × pp 1, ep 1 (tp2·pp1·ep1)",
        "does not fit: even the smallest, F16/f16 ×1 needs 139.73 GiB per device", "Dropped (1; ");
  }

  /**
   * llama.cpp runs no expert parallelism: Qwen3-235B-A22B on up to 8 RTX 4090s ranked tp1·pp1·ep8·dp8 first (519.8
   * tokens/s) over PCIe, a deployment llama.cpp cannot make. The search now keeps to tp × pp and says so;
   * --search-ep adds the ep layouts, each saying what it is.
   */
  @Test
  void recommendSearchesNoExpertParallelismUnlessAskedAndSaysWhatItIsWhenAsked() {
    Cli.Result r = Cli.run("recommend", "--model", "Qwen3-235B-A22B", "--device", "RTX 4090", "--max-devices", "8",
        "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    // 1 + 2 + 3 + 4 ways to write 1, 2, 4, 8 as tp × pp
    assertThat(r.json().get("layouts")).hasSize(10).allSatisfy(l -> assertThat(l.get("ep").asInt()).isEqualTo(1));
    assertThat(r.json().get("top")).allSatisfy(c -> assertThat(c.get("parallel").get("ep").asInt()).isEqualTo(1));
    assertThat(r.json().get("notes").toString()).contains("layouts: no expert parallelism searched, as llama.cpp"
        + " runs none; --search-ep adds the ep layouts").doesNotContain("expert parallelism (ep");
    Cli.Result ep = Cli.run("recommend", "--model", "Qwen3-235B-A22B", "--device", "RTX 4090", "--max-devices", "8",
        "--search-ep", "--format", "json");
    assertThat(ep.exit()).as(ep.toString()).isZero();
    assertThat(ep.json().get("notes").toString()).contains("expert parallelism (ep 8): llama.cpp, whose runs the"
        + " step model learned from, runs none").doesNotContain("no expert parallelism searched");
    Cli.Result alone = Cli.run("recommend", "--model", "Qwen3-235B-A22B", "--device", "RTX 4090", "--search-ep");
    assertThat(alone.exit()).isEqualTo(2);
    assertThat(alone.err()).contains("--search-ep = set without --max-devices is invalid: expected --max-devices N"
        + " beside it").doesNotContain("Exception");
  }

  /** A predicted ep layout says that llama.cpp, whose runs the model learned, runs none; tp and pp need no word. */
  @Test
  void predictWithExpertParallelismSaysLlamaCppRunsNone() {
    String[] qwen = {"--model", "Qwen3-235B-A22B", "--device", "RTX 4090", "--quant", "Q4_K_M", "--context", "512",
        "--format", "json"};
    for (String[] layout : new String[][] {{"--ep", "8", "--devices", "8"}, {"--tp", "8", "--ep", "8"}}) {
      Cli.Result r = Cli.run(args("predict", qwen, layout));
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.json().get("assumptions").toString()).contains("expert parallelism (ep 8): llama.cpp, whose runs"
          + " the step model learned from, runs none", "not a run llama.cpp can make");
    }
    Cli.Result tp = Cli.run(args("predict", qwen, "--tp", "8"));
    assertThat(tp.exit()).as(tp.toString()).isZero();
    assertThat(tp.json().get("assumptions").toString()).doesNotContain("expert parallelism");
  }

  @Test
  void recommendSearchesExpertParallelismForAMixtureOfExpertsWhenAsked() {
    Cli.Result r = Cli.run("recommend", "--model", "Qwen3-30B-A3B", "--device", "L4", "--quants", "F16",
        "--kv-cache-types", "f16", "--batches", "1,8", "--max-devices", "4", "--search-ep", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode layouts = r.json().get("layouts");
    // 1 device: 1; 2 devices: (tp2, tp1·pp2) × ep {1, 2} + replicas with ep 2 = 5; 4 devices: three tp × pp = 4
    // grids × ep {1, 2, 4} + three smaller grids replicated with ep 4 = 12
    assertThat(layouts.size()).isEqualTo(18);
    // 30.53e9 × 2 bytes = 56.9 GiB of weights cannot fit in one 24 GiB L4
    assertThat(layouts.get(0).get("status").asText()).isEqualTo("does-not-fit");
    JsonNode smallest = r.json().get("smallest_fitting_layout");
    assertThat(smallest.get("devices").asInt()).isEqualTo(4);
  }
}
