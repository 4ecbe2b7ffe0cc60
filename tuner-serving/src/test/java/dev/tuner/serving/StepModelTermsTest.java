package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.Bound;
import dev.tuner.api.Interval;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A llama.cpp deployment takes its terms from the step model ({@link StepModelTerms}): one client's TPOT and TTFT are
 * the step model's decode and prefill, its intervals the step model's, and every other deployment keeps the serving
 * terms.
 */
class StepModelTermsTest {
  private static final Catalog CATALOG = Catalog.shipped();
  private static final EngineDefaults DEFAULTS = EngineDefaults.shipped();
  private static final StepPhysics PHYSICS = new StepPhysics(new Roofline(CATALOG));

  /** 50 decode tokens/s (90%: 40-62.5) and 1 000 prompt tokens/s (90%: 500-2 000), whatever the scenario. */
  private static ThroughputPrediction fixed(Scenario s) {
    boolean decode = s.phase() == Phase.DECODE;
    double tps = decode ? 50 : 1000;
    Interval interval = decode ? new Interval(0.9, 40, 62.5) : new Interval(0.9, 500, 2000);
    return new ThroughputPrediction(tps, 1e6, Bound.MEMORY, false, 0, 0.5, interval, List.of(), "step-model-x",
        List.of());
  }

  private static ServingScenario scenario(EngineKind engine, String backend, ParallelLayout layout, int clients) {
    return new ServingScenario(CATALOG.model("Llama 3 8B"), CATALOG.device("RTX 4090"), CATALOG.quant(
        engine == EngineKind.LLAMA_CPP ? "Q4_K_M" : "BF16"), KvCacheType.F16, DEFAULTS.engine(engine, backend, ""),
        layout, new Workload(Lengths.fixed(512), Lengths.fixed(128), new Load.Concurrency(clients)));
  }

  /** A predictor whose step model answers {@link #fixed} and records every step scenario it is asked in {@code asked}. */
  private static ServingPredictor recording(List<Scenario> asked) {
    return new ServingPredictor(PHYSICS, ServingTermsCodec.shipped(), Optional.of(new StepModelTerms(s -> {
      asked.add(s);
      return fixed(s);
    })));
  }

  @Test
  void oneClientDecodesAndPrefillsAtTheStepModelsRates() {
    List<Scenario> asked = new ArrayList<>();
    ServingPredictor p = recording(asked);
    ServingPrediction r = p.predict(scenario(EngineKind.LLAMA_CPP, "", new ParallelLayout(1, 1, 1, 1), 1));
    // 1 / 50 tokens/s = 20 ms per output token; a 512-token prompt at 1 000 tokens/s = 512 ms
    assertThat(r.tpotMs().getAsDouble()).isCloseTo(20, within(0.2));
    assertThat(r.ttftMs()).isCloseTo(512, within(5.0));
    // the step scenarios: 128 tokens decoded after the 512-token prompt, and that prompt from an empty cache, on the
    // backend llama.cpp usually runs on an NVIDIA card
    assertThat(asked).hasSize(2);
    assertThat(asked.get(0).phase()).isEqualTo(Phase.DECODE);
    assertThat(asked.get(0).context()).isEqualTo(128);
    assertThat(asked.get(0).depth()).isEqualTo(512);
    assertThat(asked.get(1).phase()).isEqualTo(Phase.PREFILL);
    assertThat(asked.get(1).context()).isEqualTo(512);
    assertThat(asked.get(1).depth()).isZero();
    assertThat(asked.get(0).engine().backend()).isEqualTo(Backend.CUDA);
    // intervals: TPOT by the decode's wider side, ln(62.5 / 50) = ln 1.25; TTFT by the prefill's, ln 2; E2E and the
    // throughputs by the wider of the two
    assertThat(r.intervals().get("tpot_ms").low()).isCloseTo(r.tpotMs().getAsDouble() / 1.25, within(1e-9));
    assertThat(r.intervals().get("tpot_ms").high()).isCloseTo(r.tpotMs().getAsDouble() * 1.25, within(1e-9));
    assertThat(r.intervals().get("ttft_ms").high()).isCloseTo(r.ttftMs() * 2, within(1e-9));
    assertThat(r.intervals().get("e2e_ms").low()).isCloseTo(r.e2eMs() / 2, within(1e-9));
    assertThat(r.intervals().get("output_tokens_per_s").high()).isCloseTo(r.outputTokensPerS() * 2, within(1e-9));
    assertThat(r.assumptions()).anyMatch(a -> a.startsWith("llama.cpp steps from the step model step-model-x"))
        .noneMatch(a -> a.contains("terms pooled over all engines"));
  }

  @Test
  void theSharesNeverExceedTheRoofline() {
    // a step model that claims more than the roof: the shares stop at 1, so the roofline still bounds the composition
    StepModelTerms greedy = new StepModelTerms(s -> new ThroughputPrediction(1e9, 1e9, Bound.MEMORY, false, 0, 0.5,
        new Interval(0.9, 1e8, 1e10), List.of(), "greedy", List.of()));
    ServingScenario s = scenario(EngineKind.LLAMA_CPP, "CUDA", new ParallelLayout(1, 1, 1, 1), 1);
    InstanceFigures f = PHYSICS.figures(s);
    EngineTerms t = greedy.derive(s, f).terms();
    assertThat(t.bandwidthEff()).isEqualTo(1);
    assertThat(t.computeEff()).isEqualTo(1);
    assertThat(t.overheadS()).isZero();
    ServingPrediction bound = new ServingPredictor(PHYSICS, ServingTerms.physicsOnly()).predict(s);
    ServingPrediction r = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped(), Optional.of(greedy)).predict(s);
    assertThat(r.tpotMs().getAsDouble()).isGreaterThanOrEqualTo(bound.tpotMs().getAsDouble() * (1 - 1e-12));
  }

  @Test
  void otherEnginesKeepTheServingTerms() {
    ServingPredictor with = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped(), Optional.of(
        new StepModelTerms(StepModelTermsTest::fixed)));
    ServingPredictor without = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped());
    ServingScenario vllm = scenario(EngineKind.VLLM, "", new ParallelLayout(1, 1, 1, 1), 4);
    assertThat(with.predict(vllm)).isEqualTo(without.predict(vllm));
    ServingScenario split = scenario(EngineKind.VLLM, "", new ParallelLayout(2, 1, 2, 1), 4);
    assertThat(with.predict(split)).isEqualTo(without.predict(split));
  }

  /**
   * A layer split (pp) and a row split (tp) are asked of the step model as one instance of their devices, and one
   * client's TPOT and TTFT are then its decode and prefill of that instance, as on one device: a step model that
   * predicts a pipeline stage no faster than one device (a decode step and a prompt of one n_ubatch chunk run their
   * stages one after another) predicts the same TPOT and TTFT at pp 2 as at pp 1, where the pooled terms made a
   * 500-token prompt 3.8 times faster at pp 2 than on one GPU.
   */
  @Test
  void aSplitInstanceDecodesAndPrefillsAtTheStepModelsRatesForItsLayout() {
    List<Scenario> asked = new ArrayList<>();
    // the same steps whatever the pipeline depth; tensor parallelism decodes 1.5 times and prefills 1.25 times faster
    ServingPredictor p = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped(), Optional.of(
        new StepModelTerms(s -> {
          asked.add(s);
          ThroughputPrediction f = fixed(s);
          double gain = s.parallel().tp() == 1 ? 1 : s.phase() == Phase.DECODE ? 1.5 : 1.25;
          return new ThroughputPrediction(f.tokensPerSecond() * gain, 1e6, Bound.MEMORY, false, 0, 0.5,
              new Interval(0.9, f.interval().low() * gain, f.interval().high() * gain), List.of(), "step-model-x",
              List.of());
        })));
    ServingPrediction one = p.predict(scenario(EngineKind.LLAMA_CPP, "", ParallelLayout.SINGLE, 1));
    ServingScenario pp2 = scenario(EngineKind.LLAMA_CPP, "", new ParallelLayout(2, 1, 2, 1), 1);
    assertThat(StepModelTerms.covers(pp2)).isTrue();
    assertThat(p.fromStepModel(pp2)).isTrue();
    asked.clear();
    ServingPrediction stages = p.predict(pp2);
    assertThat(asked).extracting(Scenario::parallel).containsOnly(new ParallelLayout(2, 1, 2, 1));
    // 1 / 50 tokens/s = 20 ms per token and a 512-token prompt at 1 000 tokens/s = 512 ms, as on one device: the
    // stage hand-off is inside the step model's figures (the shares are taken beside the link's time)
    assertThat(stages.tpotMs().getAsDouble()).isCloseTo(20, within(0.2));
    assertThat(stages.ttftMs()).isCloseTo(512, within(5.0));
    double oneTpot = one.tpotMs().getAsDouble();
    assertThat(stages.tpotMs().getAsDouble()).isCloseTo(oneTpot, within(1e-6 * oneTpot));
    assertThat(stages.ttftMs()).isCloseTo(one.ttftMs(), within(0.01 * one.ttftMs()));
    // the same tokens/s on twice the GPUs: half per GPU
    assertThat(stages.outputTokensPerSPerGpu()).isCloseTo(one.outputTokensPerSPerGpu() / 2,
        within(0.01 * one.outputTokensPerSPerGpu()));
    assertThat(stages.assumptions()).anyMatch(a -> a.startsWith("llama.cpp steps from the step model step-model-x")
        && a.contains("on one instance of 2 devices (tp 1, pp 2, ep 1, llama.cpp's layer split)"))
        .noneMatch(a -> a.contains("terms pooled"));
    // the step model's intervals, as on one device
    assertThat(stages.intervals().get("tpot_ms").high()).isCloseTo(stages.tpotMs().getAsDouble() * 1.25, within(1e-9));
    assertThat(stages.intervals().get("ttft_ms").high()).isCloseTo(stages.ttftMs() * 2, within(1e-9));

    asked.clear();
    ServingPrediction rows = p.predict(scenario(EngineKind.LLAMA_CPP, "", new ParallelLayout(2, 2, 1, 1), 1));
    assertThat(asked).extracting(Scenario::parallel).containsOnly(new ParallelLayout(2, 2, 1, 1));
    assertThat(rows.tpotMs().getAsDouble()).isCloseTo(20 / 1.5, within(0.2));
    assertThat(rows.ttftMs()).isCloseTo(512 / 1.25, within(5.0));
    assertThat(rows.assumptions()).anyMatch(a -> a.contains("llama.cpp's row split")
        && a.contains("beside the collectives at the link's full bandwidth"));
  }

  /**
   * Replicas of a split instance (4 GPUs as two pp-2 instances) are two llama-servers behind a load balancer: the step
   * model is asked for one instance, never the replicas, and at one client per instance every latency and per-GPU
   * figure is one instance's, the throughput twice it.
   */
  @Test
  void replicasOfASplitInstanceAreEachThatInstance() {
    List<Scenario> asked = new ArrayList<>();
    ServingPredictor p = recording(asked);
    ServingPrediction one = p.predict(scenario(EngineKind.LLAMA_CPP, "", new ParallelLayout(2, 1, 2, 1), 1));
    asked.clear();
    ServingPrediction two = p.predict(scenario(EngineKind.LLAMA_CPP, "", new ParallelLayout(4, 1, 2, 1), 2));
    assertThat(asked).extracting(Scenario::parallel).containsOnly(new ParallelLayout(2, 1, 2, 1));
    assertThat(two.ttftMs()).isCloseTo(one.ttftMs(), within(1e-9 * one.ttftMs()));
    double oneTpot = one.tpotMs().getAsDouble();
    assertThat(two.tpotMs().getAsDouble()).isCloseTo(oneTpot, within(1e-9 * oneTpot));
    assertThat(two.outputTokensPerS()).isCloseTo(2 * one.outputTokensPerS(), within(1e-9 * one.outputTokensPerS()));
    assertThat(two.outputTokensPerSPerGpu()).isCloseTo(one.outputTokensPerSPerGpu(),
        within(1e-9 * one.outputTokensPerSPerGpu()));
  }

  /**
   * llama.cpp has no expert parallelism: an ep layout is refused whether or not a step model is given (it was
   * predicted with the datacenter engines' pooled terms), with the splits llama.cpp runs and the engines that run it.
   */
  @Test
  void expertParallelismIsRefusedOnLlamaCpp() {
    ServingPredictor with = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped(), Optional.of(
        new StepModelTerms(StepModelTermsTest::fixed)));
    ServingPredictor without = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped());
    ServingScenario ep = new ServingScenario(CATALOG.model("Qwen3 30B A3B"), CATALOG.device("RTX 4090"),
        CATALOG.quant("Q4_K_M"), KvCacheType.F16, DEFAULTS.engine(EngineKind.LLAMA_CPP, "CUDA", ""),
        new ParallelLayout(2, 1, 2, 2), new Workload(Lengths.fixed(512), Lengths.fixed(128), new Load.Concurrency(1)));
    for (ServingPredictor p : List.of(with, without)) {
      assertThatThrownBy(() -> p.predict(ep)).isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("ep = 2 on llama.cpp is invalid: expected 1: llama.cpp runs no expert parallelism")
          .hasMessageEndingWith("the engines that run it: vllm, sglang, tensorrt-llm, lmdeploy, mlx");
    }
    assertThat(with.predict(ep.withEngine(DEFAULTS.engine(EngineKind.VLLM, "", "")).withLayout(
        new ParallelLayout(2, 1, 2, 2))).outputTokensPerS()).isPositive();
  }

  /** A layout whose steps the step model refuses keeps the pooled terms, with the step model's reason. */
  @Test
  void aLayoutTheStepModelRefusesKeepsThePooledTermsAndSaysWhy() {
    ServingPredictor refusing = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped(), Optional.of(
        new StepModelTerms(s -> {
          if (!s.parallel().isSingle()) {
            throw new dev.tuner.api.InvalidInputException("layout", s.parallel().describe(), "one device");
          }
          return fixed(s);
        })));
    ServingPredictor without = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped());
    ServingScenario split = scenario(EngineKind.LLAMA_CPP, "CUDA", new ParallelLayout(2, 1, 2, 1), 1);
    ServingPrediction a = refusing.predict(split);
    assertThat(a.ttftMs()).isEqualTo(without.predict(split).ttftMs());
    assertThat(a.assumptions()).anyMatch(x -> x.startsWith("the step model does not answer the steps of llama.cpp on"
        + " tp 1, pp 2, ep 1") && x.contains("terms pooled over every engine's serving rows are used"))
        .noneMatch(x -> x.contains("llama.cpp steps from the step model"));
    assertThat(refusing.explain(split, a).termsSource()).startsWith("pooled over every engine's serving rows");
  }

  /**
   * A step model faster than the split's collectives allow: the shares stop at 1 and the collectives keep their
   * physical time, so the roofline and the link still bound the composition, and the prediction says so.
   */
  @Test
  void aSplitsLinkStillBounds() {
    StepModelTerms greedy = new StepModelTerms(s -> new ThroughputPrediction(1e9, 1e9, Bound.MEMORY, false, 0, 0.5,
        new Interval(0.9, 1e8, 1e10), List.of(), "greedy", List.of()));
    ServingScenario s = scenario(EngineKind.LLAMA_CPP, "CUDA", new ParallelLayout(2, 2, 1, 1), 1);
    StepModelTerms.Derived d = greedy.derive(s, PHYSICS.figures(s));
    assertThat(d.terms().bandwidthEff()).isEqualTo(1);
    assertThat(d.terms().computeEff()).isEqualTo(1);
    assertThat(d.terms().interconnectEff()).isEqualTo(1);
    assertThat(d.assumption()).contains("the roofline and the link bound it below the step model's decode and"
        + " prefill");
    ServingPrediction bound = new ServingPredictor(PHYSICS, ServingTerms.physicsOnly()).predict(s);
    ServingPrediction r = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped(), Optional.of(greedy)).predict(s);
    assertThat(r.tpotMs().getAsDouble()).isGreaterThanOrEqualTo(bound.tpotMs().getAsDouble() * (1 - 1e-12));
    assertThat(r.ttftMs()).isGreaterThanOrEqualTo(bound.ttftMs() * (1 - 1e-12));
  }

  @Test
  void replicasAreEachTheServerOfOneDevice() {
    ServingPredictor p = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped(), Optional.of(
        new StepModelTerms(StepModelTermsTest::fixed)));
    ServingScenario one = scenario(EngineKind.LLAMA_CPP, "CUDA", ParallelLayout.SINGLE, 4);
    ServingScenario two = scenario(EngineKind.LLAMA_CPP, "CUDA", new ParallelLayout(2, 1, 1, 1), 8);
    assertThat(StepModelTerms.covers(two)).isTrue();
    ServingPrediction a = p.predict(one);
    ServingPrediction b = p.predict(two);
    // two independent servers of four clients each: every latency and every per-GPU figure as one server's
    assertThat(b.ttftMs()).isCloseTo(a.ttftMs(), within(1e-9 * a.ttftMs()));
    assertThat(b.tpotMs().getAsDouble()).isCloseTo(a.tpotMs().getAsDouble(), within(1e-9 * a.tpotMs().getAsDouble()));
    assertThat(b.outputTokensPerSPerGpu()).isCloseTo(a.outputTokensPerSPerGpu(),
        within(1e-9 * a.outputTokensPerSPerGpu()));
    assertThat(b.assumptions()).anyMatch(x -> x.startsWith("llama.cpp steps from the step model"));
  }

  @Test
  void ollamaIsPredictedAsTheLlamaServerItRunsWithItsOwnLimitsAndSaysSo() {
    ServingPredictor p = new ServingPredictor(PHYSICS, ServingTermsCodec.shipped(), Optional.of(
        new StepModelTerms(StepModelTermsTest::fixed)));
    Workload four = new Workload(Lengths.fixed(512), Lengths.fixed(128), new Load.Concurrency(4));
    ServingScenario server = new ServingScenario(CATALOG.model("Llama 3 8B"), CATALOG.device("RTX 4090"),
        CATALOG.quant("Q4_K_M"), KvCacheType.F16, DEFAULTS.engine("llama.cpp", "", ""), ParallelLayout.SINGLE, four);
    Engine ollama = DEFAULTS.engine("Ollama", "", "0.12");
    assertThat(ollama.kind()).isEqualTo(EngineKind.LLAMA_CPP);
    assertThat(ollama.name()).isEqualTo("ollama");
    assertThat(ollama.describe()).isEqualTo("ollama (llama.cpp) 0.12");
    assertThat(ollama.withLimits(ollama.limits().withMaxBatch(2)).product()).isEqualTo("ollama");
    ServingPrediction one = p.predict(new ServingScenario(server.model(), server.device(), server.quant(),
        server.kvCache(), ollama, ParallelLayout.SINGLE, four));
    ServingPrediction slots = p.predict(server);
    assertThat(one.assumptions()).contains("ollama runs llama.cpp with defaults of its own (data/engines.csv row"
        + " ollama); predicted at max batch 1");
    assertThat(slots.assumptions()).noneMatch(a -> a.contains("defaults of its own"));
    // one request at a time: the other three wait, so the first token comes later
    assertThat(one.ttftMs()).isGreaterThan(slots.ttftMs());
    assertThat(server.engine().describe()).isEqualTo("llama.cpp");
  }
}
