package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.Interval;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** What a serving prediction composes beyond the metrics: the E2E interval, which no row measures, and start-up. */
class ServingPredictorTest {
  private static final Catalog CATALOG = Catalog.shipped();

  /** Terms written before the median ITL had a width of its own (format version 5 and older) give it the TPOT's. */
  @Test
  void aMedianItlWithoutAWidthOfItsOwnTakesTheTpots() {
    ServingTerms withoutItl = new ServingTerms("no-itl", Map.of(), EngineTerms.PHYSICS, 0.9,
        Map.of(Metric.TPOT_MS, 0.5), Map.of());
    ServingPrediction p = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), withoutItl,
        Optional.empty()).predict(new ServingScenario(CATALOG.model("Llama 3.1 8B"),
        CATALOG.device("H100 SXM5 80GB"), CATALOG.quant("F16"), KvCacheType.F16,
        EngineDefaults.shipped().engine(EngineKind.VLLM, "", ""), new ParallelLayout(1, 1, 1, 1),
        new Workload(Lengths.fixed(1000), Lengths.fixed(200), new Load.Concurrency(16))));
    assertThat(p.intervals().get("itl_ms").high() / p.itlMs().getAsDouble()).isCloseTo(Math.exp(0.5), within(1e-9));
    assertThat(p.itlMs().getAsDouble()).isPositive().isLessThanOrEqualTo(p.tpotMs().getAsDouble());
  }

  /** Every report prints the figures under the names their intervals are keyed by: each interval has its figure. */
  @Test
  void theFiguresAreTheMetricsTheIntervalsBound() {
    ServingPrediction p = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTermsCodec.shipped())
        .predict(new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"),
            CATALOG.quant("FP8"), KvCacheType.FP8, EngineDefaults.shipped().engine(EngineKind.VLLM, "", ""),
            ParallelLayout.SINGLE, new Workload(Lengths.fixed(1000), Lengths.fixed(200), new Load.Concurrency(20))));
    assertThat(p.figures().keySet()).containsExactlyInAnyOrderElementsOf(p.intervals().keySet());
    assertThat(p.figures()).containsEntry("ttft_ms", OptionalDouble.of(p.ttftMs()))
        .containsEntry("itl_ms", p.itlMs())
        .containsEntry("output_tokens_per_s_per_gpu", OptionalDouble.of(p.outputTokensPerSPerGpu()));
    p.figures().forEach((k, v) -> assertThat(p.intervals().get(k).low()).as(k)
        .isLessThanOrEqualTo(v.getAsDouble()));
  }

  /**
   * One output token per request: nothing follows the first, so TPOT, the median ITL and tokens/s per user are
   * undefined (empty, without an interval), never 0, and the prediction says why; the other figures stand.
   */
  @Test
  void aOneTokenOutputHasNoTpotItlOrTokensPerUser() {
    ServingPredictor predictor = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)),
        ServingTermsCodec.shipped());
    ServingScenario s = new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"),
        CATALOG.quant("FP8"), KvCacheType.FP8, EngineDefaults.shipped().engine(EngineKind.VLLM, "", ""),
        ParallelLayout.SINGLE, new Workload(Lengths.fixed(1000), Lengths.fixed(1), new Load.Concurrency(8)));
    ServingPrediction p = predictor.predict(s);
    assertThat(p.tpotMs()).isEmpty();
    assertThat(p.itlMs()).isEmpty();
    assertThat(p.tokensPerSPerUser()).isEmpty();
    assertThat(p.figures()).containsEntry("tpot_ms", OptionalDouble.empty())
        .containsEntry("itl_ms", OptionalDouble.empty());
    assertThat(p.intervals()).doesNotContainKeys("tpot_ms", "itl_ms").containsKeys("ttft_ms", "e2e_ms");
    assertThat(p.ttftMs()).isPositive();
    assertThat(p.e2eMs()).isEqualTo(p.ttftMs());
    assertThat(p.outputTokensPerS()).isPositive();
    assertThat(p.assumptions()).anySatisfy(a -> assertThat(a).contains("TPOT", "undefined"));
    // two tokens have one gap
    ServingPrediction two = predictor.predict(s.withWorkload(new Workload(Lengths.fixed(1000), Lengths.fixed(2),
        new Load.Concurrency(8))));
    assertThat(two.tpotMs()).isPresent();
    assertThat(two.tokensPerSPerUser().getAsDouble()).isEqualTo(1000 / two.tpotMs().getAsDouble());
  }

  @Test
  void theE2eWidthIsTheTtftsAndTpotsWeightedByTheirSharesOfIt() {
    double[] h = new double[Metric.values().length];
    h[Metric.TTFT_MS.ordinal()] = 0.9;
    h[Metric.TPOT_MS.ordinal()] = 0.3;
    // 100 ms to the first token of a 400 ms request: 0.25 × 0.9 + 0.75 × 0.3 = 0.45
    assertThat(ServingPredictor.e2eHalfWidth(100, 400, h)).isCloseTo(0.45, within(1e-12));
    // one output token: E2E is the TTFT, and so is its width
    assertThat(ServingPredictor.e2eHalfWidth(100, 100, h)).isCloseTo(0.9, within(1e-12));
  }

  @Test
  void aOneTokenOutputsE2eIntervalIsItsTtftsAndALongOutputsNearsTheTpots() {
    ServingPredictor p = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTermsCodec.shipped(),
        Optional.empty());
    ServingPrediction one = p.predict(scenario(1));
    Interval e2e = one.intervals().get("e2e_ms");
    Interval ttft = one.intervals().get("ttft_ms");
    assertThat(one.e2eMs()).isCloseTo(one.ttftMs(), within(1e-9));
    assertThat(e2e.low()).isCloseTo(ttft.low(), within(1e-9));
    assertThat(e2e.high()).isCloseTo(ttft.high(), within(1e-9));
    ServingPrediction longer = p.predict(scenario(4000));
    double e2eWidth = Math.log(longer.intervals().get("e2e_ms").high() / longer.e2eMs());
    double tpotWidth = Math.log(longer.intervals().get("tpot_ms").high() / longer.tpotMs().getAsDouble());
    double ttftWidth = Math.log(longer.intervals().get("ttft_ms").high() / longer.ttftMs());
    assertThat(e2eWidth).isBetween(Math.min(tpotWidth, ttftWidth), Math.max(tpotWidth, ttftWidth));
    assertThat(Math.abs(e2eWidth - tpotWidth)).isLessThan(0.05 * Math.abs(ttftWidth - tpotWidth));
  }

  /**
   * An iteration under terms, part by part, by hand: weights 10 ms at peak over a share of 0.5 are 20 ms, the linear
   * layers' 3 ms of arithmetic (4 ms of compute less 1 ms of attention) over 0.25 are 12 ms, the KV cache's 2 ms over
   * 0.5 are 4 ms, attention's 1 ms over 0.25 is 4 ms, the collectives' 1 ms over 0.5 is 2 ms, the overhead 2 ms:
   * 20 + 4 + 2 + 2 = 28 ms.
   */
  @Test
  void anExplanationsPartsAddUpToItsIteration() {
    ServingExplanation e = new ServingExplanation("hand", new EngineTerms(0.002, 0.5, 0.25, 0.5), 4, 1000,
        new StepTimes(0.010, 0.004, 0.001, 0.002, 0.001));
    assertThat(e.weightsS()).isCloseTo(0.020, within(1e-15));
    assertThat(e.linearS()).isCloseTo(0.012, within(1e-15));
    assertThat(e.kvS()).isCloseTo(0.004, within(1e-15));
    assertThat(e.attentionS()).isCloseTo(0.004, within(1e-15));
    assertThat(e.collectivesS()).isCloseTo(0.002, within(1e-15));
    assertThat(e.overheadS()).isCloseTo(0.002, within(1e-15));
    assertThat(e.iterationS()).isCloseTo(0.028, within(1e-15));
  }

  /**
   * A prediction's explanation is one decode iteration of its running requests at the mean context, under the terms
   * its engine learned (vLLM's) or, for an engine without serving rows, the pooled ones; it says which.
   */
  @Test
  void anExplanationIsTheDecodeIterationOfThePredictionsRunningRequests() {
    StepPhysics physics = new StepPhysics(new Roofline(CATALOG));
    ServingTerms terms = ServingTermsCodec.shipped();
    ServingPredictor p = new ServingPredictor(physics, terms, Optional.empty());
    ServingScenario s = scenario(200);
    ServingPrediction prediction = p.predict(s);
    ServingExplanation e = p.explain(s, prediction);
    assertThat(e.sequences()).isEqualTo(Math.max(1, prediction.running()));
    assertThat(e.meanContext()).isEqualTo(2000 + 100);
    assertThat(e.atPeak()).isEqualTo(physics.figures(s).step(e.sequences(), e.sequences() * 2100, 0, 0));
    assertThat(e.terms()).isEqualTo(terms.forEngine(EngineKind.VLLM));
    assertThat(e.termsSource()).startsWith("learned from the serving rows of vllm");
    assertThat(e.iterationS()).isCloseTo(e.terms().seconds(e.atPeak(), e.sequences()), within(1e-15));
    // no serving row runs llama.cpp, and this predictor has no step model to take its terms from
    ServingScenario llamaCpp = new ServingScenario(s.model(), s.device(), CATALOG.quant("Q4_K_M"), KvCacheType.F16,
        EngineDefaults.shipped().engine(EngineKind.LLAMA_CPP, "", ""), s.layout(), s.workload());
    assertThat(p.explain(llamaCpp, p.predict(llamaCpp)).termsSource()).startsWith("pooled");
  }

  private static ServingScenario scenario(int output) {
    return new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"), CATALOG.quant("FP8"),
        KvCacheType.FP8, EngineDefaults.shipped().engine(EngineKind.VLLM, "", ""), ParallelLayout.SINGLE,
        new Workload(Lengths.fixed(2000), Lengths.fixed(output), new Load.Concurrency(8)));
  }

  @Test
  void vllmWhoseCacheCannotHoldTheDeclaredContextSaysWhyItWouldNotStart() {
    ServingPredictor p = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTermsCodec.shipped(),
        Optional.empty());
    EngineDefaults d = EngineDefaults.shipped();
    Workload w = new Workload(Lengths.fixed(1000), Lengths.fixed(200), new Load.Concurrency(4));
    // Llama 3.1 8B declares 131 072 tokens; in BF16 a 24 GB card's cache holds about 50 000
    ServingPrediction vllm = p.predict(new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("RTX 4090"),
        CATALOG.quant("BF16"), KvCacheType.F16, d.engine(EngineKind.VLLM, "", ""), ParallelLayout.SINGLE, w));
    assertThat(vllm.refusedAtStart()).hasValueSatisfying(why -> {
      assertThat(why).startsWith("vLLM starts only if its KV cache holds one request of max_model_len tokens")
          .endsWith("(state the context the model runs at: ModelSpec's maxContext, --max-context in the CLI)");
      assertThat(vllm.assumptions()).contains(why);
    });
    ServingPrediction sglang = p.predict(new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("RTX 4090"),
        CATALOG.quant("BF16"), KvCacheType.F16, d.engine(EngineKind.SGLANG, "", ""), ParallelLayout.SINGLE, w));
    assertThat(sglang.refusedAtStart()).isEmpty();
  }

  /**
   * Replicas a load cannot keep busy serve nothing: 8 clients on 64 replicas of one H100 complete what 8 clients on 8
   * replicas do (Little's law: at most 8 requests per E2E), and 8 prompts on 64 replicas what they do on 8; the idle
   * replicas only lower the throughput per GPU.
   */
  @Test
  void idleReplicasAddNoThroughput() {
    ServingPredictor p = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTermsCodec.shipped());
    for (Load load : List.of(new Load.Concurrency(8), new Load.Offline(OptionalInt.of(8)),
        new Load.RequestRate(50, OptionalInt.of(8)))) {
      ServingPrediction many = p.predict(onReplicas(64, load));
      ServingPrediction enough = p.predict(onReplicas(8, load));
      assertThat(many.requestsPerS()).as("%s", load).isCloseTo(enough.requestsPerS(), within(1e-9));
      assertThat(many.e2eMs()).as("%s", load).isCloseTo(enough.e2eMs(), within(1e-9));
      assertThat(many.outputTokensPerSPerGpu()).as("%s", load).isCloseTo(enough.outputTokensPerSPerGpu() / 8,
          within(1e-9));
      assertThat(many.assumptions()).as("%s", load).anySatisfy(a -> assertThat(a).startsWith("8 of the 64 replicas"));
      assertThat(enough.assumptions()).noneSatisfy(a -> assertThat(a).contains("replicas receive"));
    }
    ServingPrediction loop = p.predict(onReplicas(64, new Load.Concurrency(8)));
    assertThat(loop.requestsPerS()).isLessThanOrEqualTo(8 / (loop.e2eMs() / 1000) * (1 + 1e-9));
  }

  /**
   * Expert parallelism over replicas (ep 4 on 4 H100s at tp 1) and over attention groups of one replica (tp 4, ep 4,
   * 4 groups) hold the same on each GPU but for where the attention weights and the LM head sit (whole on every GPU
   * without tensor parallelism: 0.28 ms more per iteration at peak) and serve 64 clients alike: each GPU's experts
   * see all 64 sequences' tokens either way. Measured 1 625 against 1 606 output tokens/s (before the replicas'
   * experts counted only their own 16 sequences: 2 985); the groups' layout also gathers and scatters the tokens
   * around every FFN, and its 64 sequences cost the engine's per-sequence time in one iteration.
   */
  @Test
  void expertParallelReplicasServeAsTheAttentionGroupsOfOneReplicaDo() {
    ServingPredictor p = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTermsCodec.shipped());
    ServingScenario replicas = gptOss(new ParallelLayout(4, 1, 1, 4), new Load.Concurrency(64));
    ServingPrediction shared = p.predict(replicas);
    ServingPrediction groups = p.predict(replicas.withLayout(new ParallelLayout(4, 4, 1, 4)).withAttentionDp(4));
    assertThat(shared.outputTokensPerS()).isCloseTo(groups.outputTokensPerS(), within(0.02 * groups
        .outputTokensPerS()));
    assertThat(p.explain(replicas, shared).atPeak().weights()).isCloseTo(p.explain(replicas.withLayout(
        new ParallelLayout(4, 4, 1, 4)).withAttentionDp(4), groups).atPeak().weights(), within(0.3e-3));
  }

  /**
   * Replicas sharing their experts send them only their busy replicas' tokens: 2 clients on 4 replicas of gpt-oss-120b
   * (ep 4) keep 2 busy, one sequence each, so an iteration reads 1 − (31/32)^2 of each GPU's 57 330 892 800 bytes of
   * experts: 3 527 193 600 bytes, not the 4 tokens' of a busy group. The sweep over concurrencies predicts it alike.
   */
  @Test
  void idleReplicasSendTheirSharedExpertsNoTokens() {
    ServingPredictor p = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTermsCodec.shipped());
    ServingScenario two = gptOss(new ParallelLayout(4, 1, 1, 4), new Load.Concurrency(2));
    ServingPrediction prediction = p.predict(two);
    InstanceFigures f = p.physics().figures(two);
    StepTimes atPeak = p.explain(two, prediction).atPeak();
    assertThat(atPeak.weights() * f.bandwidth() - f.weightBytes()).isCloseTo(3_527_193_600.0, within(1.0));
    assertThat(p.sweep(two, f).predict(two)).isEqualTo(prediction);
    assertThat(prediction.outputTokensPerS()).isGreaterThan(p.predict(two.withWorkload(new Workload(
        two.workload().input(), two.workload().output(), new Load.Concurrency(4)))).outputTokensPerS() / 2);
  }

  private static ServingScenario gptOss(ParallelLayout layout, Load load) {
    return new ServingScenario(CATALOG.model("gpt-oss-120b"), CATALOG.device("H100 SXM5 80GB"), CATALOG.quant("BF16"),
        KvCacheType.F16, EngineDefaults.shipped().engine(EngineKind.SGLANG, "", ""), layout,
        new Workload(Lengths.fixed(1000), Lengths.fixed(500), load));
  }

  /** An endless stream's requests complete no faster than they arrive: its throughputs' intervals end at the rate. */
  @Test
  void anEndlessStreamsThroughputIntervalEndsAtItsRate() {
    ServingPredictor p = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTermsCodec.shipped());
    ServingPrediction endless = p.predict(onReplicas(1, new Load.RequestRate(5, OptionalInt.empty())));
    assertThat(endless.limitedBy()).isEqualTo(LimitedBy.ARRIVAL_RATE);
    assertThat(endless.requestsPerS()).isCloseTo(5, within(1e-9));
    assertThat(endless.intervals().get("requests_per_s").high()).isEqualTo(5);
    assertThat(endless.intervals().get("output_tokens_per_s").high()).isCloseTo(5 * 200, within(1e-9));
    assertThat(endless.intervals().get("total_tokens_per_s").high()).isCloseTo(5 * 1200, within(1e-9));
    assertThat(endless.intervals().get("requests_per_s").low()).isLessThan(5);
    // a run of stated prompts may run above its mean rate while it lasts: its interval keeps the terms' width
    ServingPrediction run = p.predict(onReplicas(1, new Load.RequestRate(5, OptionalInt.of(100))));
    assertThat(run.intervals().get("requests_per_s").high()).isGreaterThan(run.requestsPerS());
  }

  /**
   * vLLM keeps one micro-batch per pipeline stage in flight: 4 clients on Llama 3.1 70B over 4 L40S stages run one
   * request per micro-batch, each as one client alone (its token still passes all 4 stages), 4 times its throughput.
   * LMDeploy passes the stages with all 4 requests at once, so its iteration carries 4 sequences (same terms, the
   * physics: TPOT above one client's). An offline run fills the pipeline's 4 micro-batches, each with a quarter of the
   * KV cache: as many requests in all as one micro-batch would hold alone, and at least that one's throughput.
   */
  @Test
  void pipelineStagesWorkAtOnceOnTheMicroBatchesOfAnEngineThatOverlapsThem() {
    ServingPredictor p = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTerms.physicsOnly());
    ServingPrediction one = p.predict(onStages(EngineKind.VLLM, new Load.Concurrency(1)));
    ServingPrediction four = p.predict(onStages(EngineKind.VLLM, new Load.Concurrency(4)));
    assertThat(four.tpotMs().getAsDouble()).isCloseTo(one.tpotMs().getAsDouble(), within(1e-9));
    assertThat(four.ttftMs()).isCloseTo(one.ttftMs(), within(1e-9));
    assertThat(four.outputTokensPerS()).isCloseTo(4 * one.outputTokensPerS(), within(1e-6));
    assertThat(four.running()).isCloseTo(4, within(1e-9));
    assertThat(four.assumptions()).anySatisfy(a -> assertThat(a).startsWith("vllm keeps a micro-batch per pipeline"
        + " stage in flight: the 4 stages of an instance work at once on 4 micro-batches"));
    assertThat(one.assumptions()).noneSatisfy(a -> assertThat(a).contains("keeps a micro-batch"))
        .contains("a request's iteration passes the pipeline stages one after another; vllm overlaps them only"
            + " across micro-batches of different requests");
    assertThat(p.explain(onStages(EngineKind.VLLM, new Load.Concurrency(4)), four).sequences()).isEqualTo(1);

    ServingPrediction lmdeploy = p.predict(onStages(EngineKind.LMDEPLOY, new Load.Concurrency(4)));
    assertThat(lmdeploy.tpotMs().getAsDouble()).isGreaterThan(p.predict(onStages(EngineKind.LMDEPLOY,
        new Load.Concurrency(1))).tpotMs().getAsDouble());
    assertThat(lmdeploy.assumptions()).noneSatisfy(a -> assertThat(a).contains("keeps a micro-batch"))
        .contains("pipeline stages run one after another within an iteration (no micro-batch overlap)");

    ServingScenario offline = onStages(EngineKind.VLLM, new Load.Offline(OptionalInt.empty()));
    ServingPrediction all = p.predict(offline);
    InstanceFigures f = p.physics().figures(offline);
    Composer whole = new Composer(f, EngineTerms.PHYSICS, offline.engine(), offline.workload());
    assertThat(all.limitedBy()).isEqualTo(LimitedBy.MEMORY_CAPACITY);
    assertThat(all.running()).isCloseTo(whole.maxByMemory(1000 + 200 / 2.0), within(1e-6));
    assertThat(all.outputTokensPerS()).isGreaterThan(whole.offline(0).perSecond() * 200);
    assertThat(all.limitDetail()).endsWith("in each of the pipeline's 4 micro-batches");
  }

  /** A static batch of 2 on 4 overlapping stages runs as 2 micro-batches of one request, each as a batch of one. */
  @Test
  void aStaticBatchSmallerThanTheStagesFillsOneMicroBatchPerRequest() {
    ServingPredictor p = new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTerms.physicsOnly());
    ServingPrediction one = p.predict(onStages(EngineKind.TENSORRT_LLM, new Load.Batch(1)));
    ServingPrediction two = p.predict(onStages(EngineKind.TENSORRT_LLM, new Load.Batch(2)));
    assertThat(two.e2eMs()).isCloseTo(one.e2eMs(), within(1e-9));
    assertThat(two.requestsPerS()).isCloseTo(2 * one.requestsPerS(), within(1e-9));
  }

  private static ServingScenario onStages(EngineKind engine, Load load) {
    return new ServingScenario(CATALOG.model("Llama 3.1 70B"), CATALOG.device("L40S"), CATALOG.quant("FP8"),
        KvCacheType.F16, EngineDefaults.shipped().engine(engine, "", ""), new ParallelLayout(4, 1, 4, 1),
        new Workload(Lengths.fixed(1000), Lengths.fixed(200), load));
  }

  private static ServingScenario onReplicas(int replicas, Load load) {
    return new ServingScenario(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"), CATALOG.quant("FP8"),
        KvCacheType.FP8, EngineDefaults.shipped().engine(EngineKind.VLLM, "", ""),
        new ParallelLayout(replicas, 1, 1, 1), new Workload(Lengths.fixed(1000), Lengths.fixed(200), load));
  }
}
