package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * A llama.cpp server on several devices is composed from the shipped step model's predictions of its instance's
 * steps, as on one device (docs/EVALUATION.md, "2026-12-07, twenty-fourth session"): the audit's repro, Llama 3.1 8B
 * in Q4_K_M on RTX 4090s, 500 tokens in and 200 out, where a second pipeline stage made the pooled terms' TTFT 3.8
 * times faster (81.19 to 21.49 ms at one client) and the TPOT a third slower.
 *
 * <p>Tolerances. A pipeline stage adds a hand-off and buys no speed for one chunk: a 500-token prompt is one
 * n_ubatch chunk (512), so its stages run one after another, and each decode step is one token. Four clients' prompts
 * arrive together and run in one iteration of 2 000 tokens, 3.9 chunks, which two stages overlap: 3.9 × 2 / 4.9 = 1.59
 * times faster ({@code Roofline.pipelineSpeedup}, docs/EVALUATION.md, twenty-fifth session). The hand-off of the
 * prompt is its activations, 500 × 4096 × 2 bytes = 4.1 MB over PCIe 4.0 x16 at 32 GB/s, 0.13 ms, plus a send's
 * latency (--explain states 0.136 ms); of a decode step one token's 8 KB, 0.008 ms. So pp 2's TTFT may be below pp 1's
 * by at most 0.5 ms and its TPOT above pp 1's by at most 0.05 ms (both a few times the hand-off, far below the
 * 60 ms and 3 ms the defect moved them), and neither moves the other way by more than 5% (the step model's own
 * answers at pp 2, which widens its interval for a layout no training row ran, are the only freedom).
 */
class LlamaCppSplitServingCliTest {
  private static final String[] SERVER = {"predict", "--model", "Llama 3.1 8B", "--device", "RTX 4090", "--quant",
      "Q4_K_M", "--engine", "llama.cpp", "--isl", "500", "--osl", "200", "--format", "json"};
  private static final String[] STEP = {"predict", "--model", "Llama 3.1 8B", "--device", "RTX 4090", "--quant",
      "Q4_K_M", "--format", "json"};
  /** Most a second stage's TTFT may fall below one device's: a prompt's hand-off, 0.14 ms, with room. */
  private static final double HAND_OFF_MS = 0.5;
  /** Most a second stage's TPOT may rise above one device's: one token's hand-off, 0.008 ms, with room. */
  private static final double TOKEN_HAND_OFF_MS = 0.05;

  private static JsonNode server(String... more) {
    return Cli.json(SERVER, more);
  }

  private static double v(JsonNode n, String key) {
    return n.get(key).asDouble();
  }

  @Test
  void aSecondPipelineStageBuysMemoryAndOverlapsOnlyTheChunksOfABatchOfPrompts() {
    for (String clients : new String[] {"1", "4"}) {
      JsonNode one = server("--concurrency", clients);
      JsonNode two = server("--concurrency", clients, "--pp", "2");
      double chunks = Integer.parseInt(clients) * 500 / 512.0;
      double overlap = Math.max(1, chunks) * 2 / (Math.max(1, chunks) + 1);
      assertThat(v(two, "ttft_ms")).as("TTFT at %s clients", clients)
          .isGreaterThanOrEqualTo(v(one, "ttft_ms") / overlap - HAND_OFF_MS)
          .isLessThanOrEqualTo(v(one, "ttft_ms") / overlap * 1.05);
      assertThat(v(two, "tpot_ms")).as("TPOT at %s clients", clients)
          .isLessThanOrEqualTo(v(one, "tpot_ms") + TOKEN_HAND_OFF_MS)
          .isGreaterThanOrEqualTo(v(one, "tpot_ms") * 0.95);
      assertThat(two.get("assumptions").toString()).contains("llama.cpp steps from the step model")
          .contains("llama.cpp's layer split").contains("chunks of 512 tokens (llama.cpp's n_ubatch) overlap")
          .doesNotContain("terms pooled");
    }
    // one client: about one GPU's tokens/s on two, per GPU about half
    assertThat(v(server("--concurrency", "1", "--pp", "2"), "output_tokens_per_s_per_gpu")).isCloseTo(
        v(server("--concurrency", "1"), "output_tokens_per_s_per_gpu") / 2,
        within(0.05 * v(server("--concurrency", "1"), "output_tokens_per_s_per_gpu")));
    // Ollama runs llama.cpp: the same server, one request at a time
    JsonNode ollama = Cli.json(new String[] {"predict", "--model", "Llama 3.1 8B", "--device", "RTX 4090", "--quant",
        "Q4_K_M", "--engine", "ollama", "--isl", "500", "--osl", "200", "--format", "json"}, "--concurrency", "1",
        "--pp", "2");
    assertThat(ollama.get("assumptions").toString()).contains("llama.cpp steps from the step model");
    assertThat(v(ollama, "ttft_ms")).isGreaterThanOrEqualTo(v(server("--concurrency", "1"), "ttft_ms") - HAND_OFF_MS);
  }

  /** A row split (tp 2) is what the step model predicts for it: one client's TPOT its decode, TTFT its prefill. */
  @Test
  void aRowSplitServesAtTheStepModelsRatesForIt() {
    double decode = v(Cli.json(STEP, "--context", "200", "--depth", "500", "--tp", "2"), "tokens_per_s");
    double prefill = v(Cli.json(STEP, "--context", "500", "--phase", "prefill", "--tp", "2"), "tokens_per_s");
    JsonNode one = server("--concurrency", "1");
    JsonNode rows = server("--concurrency", "1", "--tp", "2");
    assertThat(v(rows, "tpot_ms")).isCloseTo(1000 / decode, within(0.01 * 1000 / decode));
    assertThat(v(rows, "ttft_ms")).isCloseTo(500_000 / prefill, within(0.02 * 500_000 / prefill));
    assertThat(rows.get("assumptions").toString()).contains("llama.cpp's row split").doesNotContain("terms pooled");
    // two GPUs splitting one model's rows are never more than twice one GPU, so never more per GPU
    assertThat(v(rows, "output_tokens_per_s_per_gpu")).isLessThanOrEqualTo(v(one, "output_tokens_per_s_per_gpu"));
    assertThat(v(rows, "tpot_ms")).isGreaterThanOrEqualTo(v(one, "tpot_ms") / 2);
  }

  /**
   * Two replicas are two llama-servers behind a load balancer: at one client each, every latency and per-GPU figure
   * is one server's at one client, and the throughput twice it; a second client-less replica only idles.
   */
  @Test
  void replicasAreIndependentServers() {
    JsonNode one = server("--concurrency", "1");
    JsonNode two = server("--concurrency", "2", "--devices", "2");
    assertThat(v(two, "ttft_ms")).isCloseTo(v(one, "ttft_ms"), within(1e-6 * v(one, "ttft_ms")));
    assertThat(v(two, "tpot_ms")).isCloseTo(v(one, "tpot_ms"), within(1e-6 * v(one, "tpot_ms")));
    assertThat(v(two, "output_tokens_per_s")).isCloseTo(2 * v(one, "output_tokens_per_s"),
        within(1e-6 * v(one, "output_tokens_per_s")));
    assertThat(v(two, "output_tokens_per_s_per_gpu")).isCloseTo(v(one, "output_tokens_per_s_per_gpu"),
        within(1e-6 * v(one, "output_tokens_per_s_per_gpu")));
    JsonNode idle = server("--concurrency", "1", "--devices", "2");
    assertThat(v(idle, "output_tokens_per_s")).isCloseTo(v(one, "output_tokens_per_s"),
        within(1e-6 * v(one, "output_tokens_per_s")));
    assertThat(idle.get("assumptions").toString()).contains("1 of the 2 replicas receive requests");
    // replicas of a pipeline split: each is the split instance
    JsonNode split = server("--concurrency", "1", "--pp", "2");
    JsonNode splits = server("--concurrency", "2", "--pp", "2", "--devices", "4");
    assertThat(v(splits, "ttft_ms")).isCloseTo(v(split, "ttft_ms"), within(1e-6 * v(split, "ttft_ms")));
    assertThat(v(splits, "output_tokens_per_s")).isCloseTo(2 * v(split, "output_tokens_per_s"),
        within(1e-6 * v(split, "output_tokens_per_s")));
  }

  /**
   * llama.cpp has no expert parallelism: an --ep layout is refused with the splits it runs and the engines that do
   * (it was predicted with the datacenter engines' pooled terms, a layout llama.cpp cannot run); the serving
   * recommender does not search it for llama.cpp.
   */
  @Test
  void expertParallelismIsRefusedOnLlamaCpp() {
    Cli.Result ep = Cli.run(new String[] {"predict", "--model", "Qwen3 30B A3B", "--device", "RTX 4090", "--quant",
        "Q4_K_M", "--engine", "llama.cpp", "--isl", "500", "--osl", "200"}, "--concurrency", "1", "--devices", "2",
        "--ep", "2");
    assertThat(ep.exit()).as("%s", ep).isEqualTo(2);
    assertThat(ep.err()).contains("ep = 2 on llama.cpp is invalid: expected 1: llama.cpp runs no expert parallelism"
        + " (its layer split, pp, and row split, tp, place each layer's experts with it; --pp and --tp in the CLI); the"
        + " engines that run it: vllm, sglang, tensorrt-llm, lmdeploy, mlx").doesNotContain("at dev.tuner");
    JsonNode grid = Cli.json(new String[] {"recommend", "--model", "Qwen3 30B A3B", "--device", "RTX 4090", "--quants",
        "Q4_K_M", "--engines", "llama.cpp", "--isl", "500", "--osl", "200", "--gpus", "2", "--format", "json"});
    assertThat(grid.toString()).doesNotContain("expert parallelism").doesNotContain("\"ep\":2");
  }
}
