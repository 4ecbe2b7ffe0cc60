package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServingRecommenderTest {
  private static final Catalog CATALOG = Catalog.shipped();
  private static final ServingPredictor PREDICTOR =
      new ServingPredictor(new StepPhysics(new Roofline(CATALOG)), ServingTermsCodec.shipped());

  private static ServingRequest request(String model, List<Integer> devices, OptionalDouble ttft,
      OptionalDouble tpot, OptionalDouble price) {
    EngineDefaults d = EngineDefaults.shipped();
    return new ServingRequest(CATALOG.model(model), CATALOG.device("H100 SXM5 80GB"), Lengths.fixed(1000),
        Lengths.fixed(200), List.of(d.engine(EngineKind.VLLM, "", ""), d.engine(EngineKind.SGLANG, "", "")),
        List.of(CATALOG.quant("BF16"), CATALOG.quant("FP8")), devices, List.of(1, 8, 64, 256), ttft, tpot, price);
  }

  @Test
  void layoutsAreEveryPowerOfTwoSplitThatDividesTheGpus() {
    // 4 GPUs: tp 1 (pp 1, 2, 4), tp 2 (pp 1, 2), tp 4 (pp 1); 6 GPUs: tp 1 / pp 1, tp 1 / pp 2, tp 2 / pp 1
    assertThat(ServingRecommender.layouts(4, false)).containsExactly(layout(4, 1, 1, 1), layout(4, 1, 2, 1),
        layout(4, 1, 4, 1), layout(4, 2, 1, 1), layout(4, 2, 2, 1), layout(4, 4, 1, 1));
    assertThat(ServingRecommender.layouts(6, false)).containsExactly(layout(6, 1, 1, 1), layout(6, 1, 2, 1),
        layout(6, 2, 1, 1));
    // a mixture of experts also spreads its experts over the tensor-parallel group
    assertThat(ServingRecommender.layouts(2, true)).containsExactly(layout(2, 1, 1, 1), layout(2, 1, 2, 1),
        layout(2, 2, 1, 1), layout(2, 2, 1, 2));
  }

  @Test
  void attentionGroupsAreTriedWhenAskedForAMixtureOfExpertsOnAnEngineThatHasThem() {
    EngineDefaults d = EngineDefaults.shipped();
    ServingRequest asked = new ServingRequest(CATALOG.model("Qwen3-30B-A3B"), CATALOG.device("H100 SXM5 80GB"),
        Lengths.fixed(1000), Lengths.fixed(200), List.of(d.engine(EngineKind.VLLM, "", ""), d.engine(EngineKind.SGLANG,
        "", "")), List.of(CATALOG.quant("FP8")), List.of(2), List.of(8), OptionalDouble.empty(), OptionalDouble.empty(),
        OptionalDouble.empty(), true);
    // 2 GPUs of a mixture of experts: tp 1 / pp 1, tp 1 / pp 2, tp 2 (ep 1 and 2); SGLang's two tp-2 layouts twice
    assertThat(asked.size()).isEqualTo(4 + 6);
    ServingRecommender.Recommendation r = new ServingRecommender(PREDICTOR).recommend(asked);
    assertThat(r.candidates()).hasSize(10);
    assertThat(r.candidates()).filteredOn(c -> c.scenario().attentionDp() == 2)
        .hasSize(2)
        .allSatisfy(c -> assertThat(c.scenario().engine().kind()).isEqualTo(EngineKind.SGLANG));
    ServingRequest notAsked = new ServingRequest(asked.model(), asked.device(), asked.input(), asked.output(),
        asked.engines(), asked.quants(), asked.deviceCounts(), asked.concurrencies(), asked.maxTtftMs(),
        asked.maxTpotMs(), asked.gpuHourUsd());
    assertThat(new ServingRecommender(PREDICTOR).recommend(notAsked).candidates())
        .hasSize(8)
        .allSatisfy(c -> assertThat(c.scenario().attentionDp()).isEqualTo(1));
  }

  @Test
  void aTpotBudgetForOneTokenOutputsIsRefusedAndTheClosestCandidateNamesNoTpot() {
    EngineDefaults d = EngineDefaults.shipped();
    assertThatThrownBy(() -> new ServingRequest(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"),
        Lengths.fixed(1000), Lengths.fixed(1), List.of(d.engine(EngineKind.VLLM, "", "")),
        List.of(CATALOG.quant("FP8")), List.of(1), List.of(8), OptionalDouble.empty(), OptionalDouble.of(5),
        OptionalDouble.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("max TPOT = 5").hasMessageContaining("outputs one token");
    ServingRecommender.Recommendation r = new ServingRecommender(PREDICTOR).recommend(new ServingRequest(
        CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"), Lengths.fixed(1000), Lengths.fixed(1),
        List.of(d.engine(EngineKind.VLLM, "", "")), List.of(CATALOG.quant("FP8")), List.of(1, 2), List.of(1, 8, 64),
        OptionalDouble.of(1e-3), OptionalDouble.empty(), OptionalDouble.empty()));
    // nothing meets a TTFT of 1 µs: the closest names its TTFT and no TPOT
    assertThat(r.best()).isEmpty();
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("closest to the budget").contains("TTFT")
        .doesNotContain("TPOT"));
    assertThat(r.candidates()).allSatisfy(c -> assertThat(c.prediction().tpotMs()).isEmpty());
  }

  /** An embedder has no CLI flags: the note names the library's settings first, the flags second. */
  @Test
  void theKvCacheRuleNoteNamesTheLibrarysSettingsBeforeTheFlags() {
    ServingRequest q = request("Llama 3.1 8B", List.of(1), OptionalDouble.empty(), OptionalDouble.empty(),
        OptionalDouble.empty());
    ServingRecommender.Recommendation r = new ServingRecommender.Recommendation(q, List.of(), List.of(), List.of(),
        Optional.empty(), List.of());
    assertThat(r.notes()).first().isEqualTo("KV cache fp8 with FP8 weights (as the engines' FP8 recipes run them), f16"
        + " with the others: predict a row with its kv (ServingScenario's kvCache, --kv-cache-type in the CLI, whose"
        + " predict assumes f16 without it); to search the types named instead: ServingRequest's kvCacheTypes,"
        + " --kv-cache-types in the CLI");
  }

  /**
   * llama.cpp and Ollama without a stated backend rank their candidates on the one llama.cpp usually runs on the
   * device: the recommendation says so once, in the predictions' words; an engine with one backend, or a stated one,
   * adds nothing. vLLM on an Intel GPU runs SYCL (its XPU build), not llama.cpp's Vulkan.
   */
  @Test
  void anAssumedBackendIsNotedOnce() {
    EngineDefaults d = EngineDefaults.shipped();
    DeviceSpec rtx = CATALOG.device("RTX 4090");
    ServingRequest q = new ServingRequest(CATALOG.model("Llama 3.1 8B"), rtx, Lengths.fixed(500), Lengths.fixed(100),
        List.of(d.engine(EngineKind.LLAMA_CPP, "", ""), d.engine("ollama", "", ""),
            d.engine(EngineKind.VLLM, "", "")), List.of(CATALOG.quant("Q4_K_M")), List.of(1), List.of(1, 4),
        OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty());
    ServingRecommender.Recommendation r = new ServingRecommender.Recommendation(q, List.of(), List.of(), List.of(),
        Optional.empty(), List.of());
    assertThat(r.notes()).containsOnlyOnce("no backend given: cuda assumed, what llama.cpp runs on NVIDIA devices as"
        + " Ollama ships it (state another: Engine's backend, --backend in the CLI)");
    ServingRequest stated = new ServingRequest(q.model(), rtx, q.input(), q.output(), List.of(d.engine(
        EngineKind.LLAMA_CPP, "Vulkan", ""), d.engine(EngineKind.VLLM, "", "")), q.quants(), List.of(1), List.of(1),
        OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty());
    assertThat(new ServingRecommender.Recommendation(stated, List.of(), List.of(), List.of(), Optional.empty(),
        List.of()).notes()).noneMatch(n -> n.startsWith("no backend given"));
    DeviceSpec arc = CATALOG.devices().entries().stream().filter(x -> x.vendor().equals("Intel")).findFirst()
        .orElseThrow();
    assertThat(d.engine(EngineKind.VLLM, "", "").backendOn(arc)).isEqualTo(Backend.SYCL);
    assertThat(d.engine(EngineKind.LLAMA_CPP, "", "").backendOn(arc)).isEqualTo(Backend.VULKAN);
  }

  private static ParallelLayout layout(int devices, int tp, int pp, int ep) {
    return new ParallelLayout(devices, tp, pp, ep);
  }

  @Test
  void aBudgetNothingMeetsNamesTheCandidateThatMissesItByTheLeast() {
    ServingRequest q = request("Llama 3.1 8B", List.of(1, 2), OptionalDouble.of(1000), OptionalDouble.of(0.5),
        OptionalDouble.empty());
    ServingRecommender.Recommendation r = new ServingRecommender(PREDICTOR).recommend(q);
    assertThat(r.best()).isEmpty();
    ServingRecommender.Candidate closest = r.closest().orElseThrow();
    // the worse of the two misses, over the budgets, is no larger for it than for any other candidate
    double miss = Math.max(closest.prediction().ttftMs() / 1000, closest.prediction().tpotMs().getAsDouble() / 0.5);
    assertThat(r.candidates()).allSatisfy(c -> assertThat(Math.max(c.prediction().ttftMs() / 1000,
        c.prediction().tpotMs().getAsDouble() / 0.5)).isGreaterThanOrEqualTo(miss));
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("closest to the budget: "
        + closest.scenario().engine().name() + " " + closest.scenario().quant().name() + " on "
        + closest.scenario().layout().devices() + " GPUs"));
    // a budget that something meets has a best and no closest
    ServingRecommender.Recommendation met = new ServingRecommender(PREDICTOR).recommend(request("Llama 3.1 8B",
        List.of(1), OptionalDouble.empty(), OptionalDouble.of(100), OptionalDouble.empty()));
    assertThat(met.best()).isPresent();
    assertThat(met.closest()).isEmpty();
    assertThat(met.notes()).noneMatch(n -> n.startsWith("closest"));
  }

  @Test
  void theBestMeetsTheBudgetsAtTheHighestThroughputPerGpuAndCostsWhatThePriceSays() {
    ServingRequest q = request("Llama 3.1 8B", List.of(1, 2), OptionalDouble.of(500), OptionalDouble.of(30),
        OptionalDouble.of(2.0));
    ServingRecommender.Recommendation r = new ServingRecommender(PREDICTOR).recommend(q);
    // 2 engines × 2 precisions × (1 + 3 layouts) × 4 concurrencies
    assertThat(q.size()).isEqualTo(64);
    assertThat(r.candidates()).hasSize(64);
    ServingRecommender.Candidate best = r.best().orElseThrow();
    assertThat(best.prediction().ttftMs()).isLessThanOrEqualTo(500);
    assertThat(best.prediction().tpotMs().getAsDouble()).isLessThanOrEqualTo(30);
    for (ServingRecommender.Candidate c : r.candidates()) {
      if (c.meetsBudget()) {
        assertThat(c.prediction().outputTokensPerSPerGpu())
            .isLessThanOrEqualTo(best.prediction().outputTokensPerSPerGpu());
      }
    }
    // $2 per GPU-hour over 3600 s at x tokens/s per GPU: 2 / (3600 x) per token, × 1e6 per million
    assertThat(best.usdPerMillionOutput().getAsDouble())
        .isCloseTo(2.0 / (3600 * best.prediction().outputTokensPerSPerGpu()) * 1e6, within(1e-9));
    // a budget nothing meets leaves the ranking empty but keeps every prediction
    ServingRecommender.Recommendation none = new ServingRecommender(PREDICTOR).recommend(
        request("Llama 3.1 8B", List.of(1), OptionalDouble.of(0.001), OptionalDouble.empty(), OptionalDouble.empty()));
    assertThat(none.best()).isEmpty();
    assertThat(none.candidates()).isNotEmpty();
    assertThat(none.candidates().get(0).usdPerMillionOutput()).isEmpty();
  }

  @Test
  void aConcurrencyThatOnlyQueuesBehindTheEnginesBatchLimitIsNotRanked() {
    // vLLM runs at most 256 sequences (max_num_seqs): 4 096 clients run as 256 do, the rest wait for a slot
    EngineDefaults d = EngineDefaults.shipped();
    ServingRequest q = new ServingRequest(CATALOG.model("Llama 3.1 8B"), CATALOG.device("H100 SXM5 80GB"),
        Lengths.fixed(1000), Lengths.fixed(200), List.of(d.engine(EngineKind.VLLM, "", "")),
        List.of(CATALOG.quant("FP8")), List.of(1), List.of(4096, 1, 256, 64), OptionalDouble.empty(),
        OptionalDouble.empty(), OptionalDouble.empty());
    ServingRecommender.Recommendation r = new ServingRecommender(PREDICTOR).recommend(q);
    assertThat(r.candidates()).extracting(ServingRecommender.Candidate::concurrency).containsExactly(1, 64, 256, 4096);
    ServingRecommender.Candidate at256 = r.candidates().get(2);
    ServingRecommender.Candidate at4096 = r.candidates().get(3);
    assertThat(at4096.prediction().outputTokensPerSPerGpu())
        .isCloseTo(at256.prediction().outputTokensPerSPerGpu(), within(1e-6));
    assertThat(at4096.prediction().ttftMs()).isGreaterThan(10 * at256.prediction().ttftMs());
    assertThat(r.queued()).containsExactly(at4096);
    assertThat(r.ranked()).containsExactly(at256, r.candidates().get(1), r.candidates().get(0));
    // asked alone, no lower concurrency outdoes it: it is ranked
    ServingRecommender.Recommendation tight = new ServingRecommender(PREDICTOR).recommend(new ServingRequest(
        q.model(), q.device(), q.input(), q.output(), q.engines(), q.quants(), q.deviceCounts(), List.of(4096),
        OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty()));
    assertThat(tight.queued()).isEmpty();
    assertThat(tight.ranked()).hasSize(1);
  }

  @Test
  void aLayoutWhoseWeightsDoNotFitIsDroppedWithTheReason() {
    // 70.6e9 parameters × 2 bytes = 141 GB of BF16 weights: no room on one 80 GB GPU, and tp 2 is 70.6 GB each
    ServingRecommender.Recommendation r = new ServingRecommender(PREDICTOR).recommend(
        request("Llama 3.1 70B", List.of(1), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty()));
    assertThat(r.dropped()).anySatisfy(d -> {
      assertThat(d.quant().name()).isEqualTo("BF16");
      assertThat(d.reason()).contains("weights per GPU");
    });
    assertThatThrownBy(() -> request("Llama 3.1 8B", List.of(), OptionalDouble.empty(), OptionalDouble.empty(),
        OptionalDouble.empty())).isInstanceOf(InvalidInputException.class).hasMessageContaining("device counts");
  }

  /**
   * The straightforward recommendation: every candidate predicted on its own ({@link ServingPredictor#predict}, its
   * own instance figures, capacity and steady state), those a lower concurrency of the same deployment outdoes set
   * apart by comparing with every lower one, the rest ranked by the documented order.
   */
  private static ServingRecommender.Recommendation oneByOne(ServingRequest q) {
    List<ServingRecommender.Candidate> all = new ArrayList<>();
    List<ServingRecommender.Candidate> queued = new ArrayList<>();
    List<ServingRecommender.Dropped> dropped = new ArrayList<>();
    for (Engine engine : q.engines()) {
      for (Quantization quant : q.quants()) {
        for (KvCacheType kv : q.kvCaches(quant)) {
          for (int n : q.deviceCounts()) {
            for (ParallelLayout layout : ServingRecommender.layouts(n, q.model().moe().isMoe())) {
              for (int dp : q.attentionGroups(layout, engine)) {
                List<ServingRecommender.Candidate> deployment = new ArrayList<>();
                for (int c : q.concurrencies().stream().sorted().toList()) {
                  ServingScenario s;
                  ServingPrediction p;
                  try {
                    // an engine that does not run on the device fails here
                    s = new ServingScenario(q.model(), q.device(), quant, kv, engine,
                        layout, new Workload(q.input(), q.output(), new Load.Concurrency(c)), dp);
                    p = PREDICTOR.predict(s);
                  } catch (InvalidInputException e) {
                    dropped.add(new ServingRecommender.Dropped(engine, quant, kv, layout, dp,
                        e.getMessage()));
                    break;
                  }
                  ServingRecommender.Candidate now = ServingRecommender.candidate(q, s, p);
                  if (now.meetsBudget() && deployment.stream().anyMatch(l -> l.meetsBudget()
                      && l.concurrency() < now.concurrency() && ServingRecommender.outdoes(l, now))) {
                    queued.add(now);
                  }
                  deployment.add(now);
                  all.add(now);
                }
              }
            }
          }
        }
      }
    }
    List<ServingRecommender.Candidate> ranked = all.stream().filter(ServingRecommender.Candidate::meetsBudget)
        .filter(c -> queued.stream().noneMatch(x -> x == c))
        .sorted(Comparator.comparingDouble((ServingRecommender.Candidate c) ->
                -c.prediction().outputTokensPerSPerGpu())
            .thenComparingDouble(c -> ServingRecommender.tpot(c.prediction()))
            .thenComparingDouble(c -> c.prediction().ttftMs())
            .thenComparingInt(c -> c.scenario().layout().devices()))
        .toList();
    return new ServingRecommender.Recommendation(q, all, ranked, queued, ranked.stream().findFirst(), dropped);
  }

  private static <T> List<T> some(SplittableRandom random, List<T> from) {
    List<T> copy = new ArrayList<>(from);
    Collections.shuffle(copy, new java.util.Random(random.nextLong()));
    return copy.subList(0, 1 + random.nextInt(copy.size()));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void theSweepPredictsAndRanksExactlyAsPredictingEachCandidateAlone(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    EngineDefaults d = EngineDefaults.shipped();
    List<Engine> engines = some(random, List.of(d.engine(EngineKind.VLLM, "", ""), d.engine(EngineKind.SGLANG, "", ""),
        d.engine(EngineKind.TENSORRT_LLM, "", ""), d.engine(EngineKind.LMDEPLOY, "", "")));
    String model = List.of("Llama 3.1 8B", "Llama 3.1 70B", "Mixtral 8x7B", "Qwen3-30B-A3B", "Llama 4 Scout 17B-16E")
        .get(random.nextInt(5));
    String device = List.of("H100 SXM5 80GB", "A100 SXM4 80GB", "AMD Instinct MI300X", "B200", "L40S")
        .get(random.nextInt(5));
    List<Integer> clients = new ArrayList<>();
    for (int i = 0; i < 4 + random.nextInt(12); i++) {
      clients.add(1 + random.nextInt(random.nextBoolean() ? 64 : 4096));
    }
    Lengths in = random.nextBoolean() ? Lengths.fixed(1 + random.nextInt(8000))
        : Lengths.normal(200 + random.nextInt(4000), 50);
    Lengths out = random.nextBoolean() ? Lengths.fixed(1 + random.nextInt(2000)) : Lengths.uniform(10, 900);
    ServingRequest q = new ServingRequest(CATALOG.model(model), CATALOG.device(device), in, out, engines,
        some(random, List.of(CATALOG.quant("BF16"), CATALOG.quant("FP8"))), some(random, List.of(1, 2, 4, 8, 3)),
        clients, random.nextBoolean() ? OptionalDouble.of(50 + random.nextInt(5000)) : OptionalDouble.empty(),
        random.nextBoolean() ? OptionalDouble.of(5 + random.nextInt(100)) : OptionalDouble.empty(),
        random.nextBoolean() ? OptionalDouble.of(2.5) : OptionalDouble.empty(), random.nextBoolean(),
        random.nextBoolean() ? List.of() : some(random, List.of(KvCacheType.F16, KvCacheType.FP8, KvCacheType.Q8_0)));
    ServingRecommender.Recommendation fast = new ServingRecommender(PREDICTOR).recommend(q);
    ServingRecommender.Recommendation reference = oneByOne(q);
    // record equality: every scenario, every predicted figure bit for bit, every interval, explanation and assumption
    assertThat(fast.candidates()).isEqualTo(reference.candidates());
    assertThat(fast.ranked()).isEqualTo(reference.ranked());
    assertThat(fast.queued()).isEqualTo(reference.queued());
    assertThat(fast.best()).isEqualTo(reference.best());
    assertThat(fast.dropped()).isEqualTo(reference.dropped());
    assertThat(fast.candidates().size() + fast.dropped().size()).isPositive();
  }
}
