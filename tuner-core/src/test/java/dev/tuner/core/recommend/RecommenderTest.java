package dev.tuner.core.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.recommend.Dropped.Reason;
import dev.tuner.core.recommend.Recommendation.MemorySource;
import dev.tuner.core.roofline.MemoryEstimate;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecommenderTest {

  /** A fraction of the roofline that falls with the batch, so that latency and throughput trade off. */
  static final class BatchSensitiveModel implements ThroughputModel {
    final AtomicInteger single = new AtomicInteger();
    final AtomicInteger batches = new AtomicInteger();
    final double scale;
    private final ModelInfo info;
    private final int batchSlot;

    BatchSensitiveModel(double scale) {
      FeatureSchema schema = FeatureSchemas.tunerV1();
      this.scale = scale;
      this.info = new ModelInfo("batch-sensitive", "test", schema.ref(), OutputKind.ROOFLINE_FRACTION, schema.width());
      this.batchSlot = schema.indexOf("batch_size_log");
    }

    @Override
    public ModelInfo info() {
      return info;
    }

    @Override
    public double predict(float[] x) {
      single.incrementAndGet();
      return scale * (0.8 - 0.6 * x[batchSlot]);
    }

    @Override
    public void predictBatch(float[] features, int rows, double[] out) {
      batches.incrementAndGet();
      int w = info.featureCount();
      for (int r = 0; r < rows; r++) {
        out[r] = scale * (0.8 - 0.6 * features[r * w + batchSlot]);
      }
    }
  }

  private static RecommendRequest request(DeviceSpec device) {
    return new RecommendRequest(Fixtures.LLAMA_8B, device, OptionalDouble.empty(), OptionalDouble.empty(),
        List.of(Fixtures.Q4, Fixtures.Q8, Fixtures.F16), RecommendRequest.DEFAULT_BATCHES,
        RecommendRequest.DEFAULT_KV_CACHE_TYPES, 4096, false, Optional.empty(), 5);
  }

  @ParameterizedTest
  @CsvSource({"24, 1000", "24, 20", "24, 8", "16, 50", "80, 2.5", "10, 1000000"})
  void nothingReturnedExceedsMemoryOrTheLatencyBudget(double memoryGb, double maxMs) {
    Recommendation r = new Recommender(Fixtures.predictor(new BatchSensitiveModel(1)))
        .recommend(request(Fixtures.GPU_24GB).withMemoryGb(memoryGb).withMaxMsPerToken(maxMs));

    assertThat(r.memorySource()).isEqualTo(MemorySource.OVERRIDE);
    assertThat(r.ranked().size() + r.dropped().size()).isEqualTo(r.evaluated()).isEqualTo(3 * 2 * 9);
    for (Candidate c : r.ranked()) {
      assertThat(c.memory().totalBytes()).isLessThanOrEqualTo(memoryGb * MemoryEstimate.GIB);
      assertThat(c.msPerToken()).isLessThanOrEqualTo(maxMs);
      assertThat(c.msPerToken()).isCloseTo(1000.0 * c.batch() / c.tokensPerSecond(), org.assertj.core.api.Assertions
          .within(1e-9));
      assertThat(c.tokensPerSecond()).isLessThanOrEqualTo(c.rooflineTokensPerSecond());
    }
    for (Dropped d : r.dropped()) {
      MemoryEstimate m = MemoryEstimate.of(Fixtures.LLAMA_8B, d.quant(), d.kvCache(), d.batch(), 4096);
      if (d.reason() == Reason.MEMORY) {
        assertThat(m.fitsIn(memoryGb)).as(d.toString()).isFalse();
      } else if (d.reason() == Reason.NO_GAIN) {
        assertThat(r.ranked()).as(d.toString()).anyMatch(c -> c.quant() == d.quant() && c.kvCache() == d.kvCache()
            && c.batch() == (int) d.limit() && c.batch() < d.batch() && c.tokensPerSecond() >= d.tokensPerSecond());
      } else {
        assertThat(d.reason()).isEqualTo(Reason.LATENCY);
        assertThat(m.fitsIn(memoryGb)).isTrue();
      }
    }
    assertThat(r.ranked()).isSortedAccordingTo((a, b) -> Double.compare(b.tokensPerSecond(), a.tokensPerSecond()));
    assertThat(r.top()).hasSizeLessThanOrEqualTo(5).isEqualTo(r.ranked().subList(0, r.top().size()));
    assertThat(r.whyEmpty().isPresent()).isEqualTo(r.ranked().isEmpty());
    assertNonDominatedAndSorted(r.pareto(), r.ranked());
  }

  @Test
  void usesTheDeviceCapacityWhenNoneIsGivenAndDropsWhatDoesNotFit() {
    Recommendation r = new Recommender(Fixtures.predictor(new BatchSensitiveModel(1))).recommend(
        request(Fixtures.GPU_24GB));
    assertThat(r.memorySource()).isEqualTo(MemorySource.CATALOG);
    assertThat(r.memoryCapacityGb()).hasValue(24);
    // F16 weights alone are 16.06e9 bytes; with a 4096-token f16 cache of 512 MiB per sequence, batch 16 needs
    // 15.0 + 8.0 + 1.25 GiB > 24 GiB.
    assertThat(r.dropped()).anyMatch(d -> d.quant() == Fixtures.F16 && d.batch() == 16 && d.reason() == Reason.MEMORY
        && d.detail().contains("GiB"));
    assertThat(r.ranked()).isNotEmpty();
    // the fixture's vendor is none tuner knows, which the notes say
    assertThat(r.notes()).hasSize(2).anyMatch(n -> n.startsWith("vendor TestVendor of Test GPU is none tuner knows"))
        .anyMatch(n -> n.startsWith("q8_0 KV caches are searched with flash attention on"));
  }

  private static RecommendRequest withEngine(RecommendRequest r, List<KvCacheType> kv, EngineSettings engine) {
    return new RecommendRequest(r.model(), r.device(), r.memoryGb(), r.maxMsPerToken(), r.quants(), r.batches(), kv,
        r.context(), false, Optional.empty(), r.top(), r.layouts(), engine);
  }

  /**
   * llama.cpp runs a q8_0 cache only with flash attention: not stated, q8_0 is searched with it on (and said), f16
   * with it off; stated off, q8_0 is left out (and said), and a grid of quantized caches alone is refused.
   */
  @Test
  void aQuantizedCacheIsSearchedOnlyWithFlashAttention() {
    Recommender recommender = new Recommender(Fixtures.predictor(new BatchSensitiveModel(1)));
    RecommendRequest unstated = request(Fixtures.GPU_24GB).withMemoryGb(1000);
    Recommendation r = recommender.recommend(unstated);
    assertThat(r.ranked()).anyMatch(c -> c.kvCache() == KvCacheType.Q8_0);
    assertThat(r.notes()).contains("q8_0 KV caches are searched with flash attention on (not stated: llama.cpp"
        + " quantizes the V cache only with flash attention), the others with it off, llama-bench's default; state it"
        + " on to search every cache with it (RecommendRequest's engine flashAttention, --flash-attn in the CLI)");

    EngineSettings off = EngineSettings.of(null, false, null, null);
    Recommendation stated = recommender.recommend(withEngine(unstated, unstated.kvCacheTypes(), off));
    assertThat(stated.ranked()).isNotEmpty().allMatch(c -> c.kvCache() == KvCacheType.F16);
    assertThat(stated.evaluated()).isEqualTo(r.evaluated() / 2);
    assertThat(stated.notes()).contains("q8_0 KV caches not searched: flash attention is off, and llama.cpp quantizes"
        + " the V cache only with flash attention (state it on: RecommendRequest's engine flashAttention,"
        + " --flash-attn in the CLI)");
    assertThatThrownBy(() -> recommender.recommend(withEngine(unstated, List.of(KvCacheType.Q8_0), off)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("KV-cache types = q8_0 with flash attention off is invalid: expected a cache");

    EngineSettings on = EngineSettings.of(null, true, null, null);
    assertThat(recommender.recommend(withEngine(unstated, unstated.kvCacheTypes(), on)).notes())
        .noneMatch(n -> n.contains("flash attention"));
  }

  @Test
  void unknownMemoryIsSaidNotAssumed() {
    Recommendation r = new Recommender(Fixtures.predictor(new BatchSensitiveModel(1)))
        .recommend(request(Fixtures.GPU_NO_MEMORY));
    assertThat(r.memorySource()).isEqualTo(MemorySource.UNKNOWN);
    assertThat(r.memoryChecked()).isFalse();
    assertThat(r.dropped()).noneMatch(d -> d.reason() == Reason.MEMORY);
    assertThat(r.notes()).anyMatch(n -> n.startsWith("memory capacity of Mystery GPU is unknown")
        && n.endsWith("(state the capacity: RecommendRequest's memoryGb, --memory-gb in the CLI)"));
  }

  /** Without a backend the grid runs on the device's usual one, noted once; a stated backend is no note. */
  @Test
  void anUnstatedBackendIsNotedOnceAndAStatedOneNotAtAll() {
    DeviceSpec rtx = dev.tuner.core.Fixtures.CATALOG.device("RTX 4090");
    RecommendRequest unstated = request(rtx).withMemoryGb(1000);
    RecommendRequest stated = new RecommendRequest(unstated.model(), rtx, unstated.memoryGb(),
        unstated.maxMsPerToken(), unstated.quants(), unstated.batches(), unstated.kvCacheTypes(), unstated.context(),
        false, Optional.empty(), unstated.top(), unstated.layouts(),
        EngineSettings.DEFAULTS.withBackend(Backend.CUDA));
    Recommender recommender = new Recommender(Fixtures.predictor(new BatchSensitiveModel(1)));
    assertThat(recommender.recommend(unstated).notes()).filteredOn(n -> n.contains("no backend given"))
        .singleElement().asString().startsWith("no backend given: cuda assumed");
    assertThat(recommender.recommend(stated).notes()).noneMatch(n -> n.contains("no backend given"));
  }

  /** A request's withers change their one field: the engine settings a caller chose are kept (were DEFAULTS). */
  @Test
  void aRequestsWithersKeepItsEngineSettings() {
    EngineSettings vulkan = EngineSettings.DEFAULTS.withBackend(Backend.VULKAN).withNUbatch(256);
    RecommendRequest r = request(Fixtures.GPU_24GB);
    RecommendRequest onVulkan = new RecommendRequest(r.model(), r.device(), r.memoryGb(), r.maxMsPerToken(),
        r.quants(), r.batches(), r.kvCacheTypes(), r.context(), false, Optional.empty(), r.top(), r.layouts(), vulkan);
    assertThat(onVulkan.withMemoryGb(80).engine()).isEqualTo(vulkan);
    assertThat(onVulkan.withMaxMsPerToken(50).engine()).isEqualTo(vulkan);
    assertThat(onVulkan.withLayouts(List.of(dev.tuner.core.scenario.ParallelLayout.SINGLE)).engine())
        .isEqualTo(vulkan);
  }

  /** The grid takes one batch call; only the candidates shown (top and Pareto front) are predicted one by one. */
  @Test
  void scoresTheWholeGridWithOneBatchCall() {
    BatchSensitiveModel model = new BatchSensitiveModel(1);
    Recommendation r = new Recommender(Fixtures.predictor(model))
        .recommend(request(Fixtures.GPU_24GB).withMemoryGb(1000));
    assertThat(model.batches.get()).isEqualTo(1);
    java.util.Set<Candidate> shown = new java.util.HashSet<>(r.top());
    shown.addAll(r.pareto());
    assertThat(model.single.get()).isEqualTo(shown.size()).isLessThan(r.ranked().size());
  }

  /**
   * The candidates a recommendation shows carry the interval of their prediction, the same one predict gives, around
   * the same tokens/s; the rest of the grid carries none.
   */
  @Test
  void shownCandidatesCarryTheirPredictionsInterval() {
    Predictor predictor = Fixtures.predictor(new BatchSensitiveModel(1));
    RecommendRequest req = request(Fixtures.GPU_24GB).withMemoryGb(1000);
    Recommendation r = new Recommender(predictor).recommend(req);
    java.util.Set<Candidate> shown = new java.util.HashSet<>(r.top());
    shown.addAll(r.pareto());
    assertThat(shown).isNotEmpty().allSatisfy(c -> {
      dev.tuner.api.Interval i = c.interval().orElseThrow();
      assertThat(i.low()).isLessThanOrEqualTo(c.tokensPerSecond());
      assertThat(i.high()).isGreaterThanOrEqualTo(c.tokensPerSecond()).isLessThanOrEqualTo(
          c.rooflineTokensPerSecond());
      dev.tuner.core.scenario.Scenario s = new dev.tuner.core.scenario.Scenario(req.model(), req.device(), c.quant(),
          c.kvCache(), c.batch(), req.context(), dev.tuner.core.scenario.Phase.DECODE, false, Optional.empty(),
          false).withEngine(req.engine().withUsualBackend(req.device()));
      assertThat(predictor.predict(s).interval()).isEqualTo(i);
    });
    assertThat(r.ranked()).filteredOn(c -> !shown.contains(c)).isNotEmpty()
        .allSatisfy(c -> assertThat(c.interval()).isEmpty());
  }

  @Test
  void anEmptyResultForMemoryNamesTheSmallestConfiguration() {
    Recommendation r = new Recommender(Fixtures.predictor(new BatchSensitiveModel(1)))
        .recommend(request(Fixtures.GPU_24GB).withMemoryGb(4));
    assertThat(r.ranked()).isEmpty();
    assertThat(r.pareto()).isEmpty();
    assertThat(r.whyEmpty()).hasValueSatisfying(w -> assertThat(w)
        .contains("no configuration of Test 8B fits in 4 GiB")
        .contains("Q4_K_M with a q8_0 KV cache at batch 1"));
  }

  @Test
  void anEmptyResultForLatencyNamesTheQuickestConfiguration() {
    Recommendation r = new Recommender(Fixtures.predictor(new BatchSensitiveModel(1)))
        .recommend(request(Fixtures.GPU_24GB).withMaxMsPerToken(0.01));
    assertThat(r.ranked()).isEmpty();
    assertThat(r.whyEmpty()).hasValueSatisfying(w -> assertThat(w)
        .contains("exceed the latency budget of 0.01 ms").contains("the quickest per sequence takes")
        .contains("Q4_K_M"));
  }

  @Test
  void zeroThroughputIsDroppedWithItsOwnReason() {
    Recommendation r = new Recommender(Fixtures.predictor(new BatchSensitiveModel(0)))
        .recommend(request(Fixtures.GPU_24GB));
    assertThat(r.ranked()).isEmpty();
    assertThat(r.dropped()).anyMatch(d -> d.reason() == Reason.NO_THROUGHPUT);
    assertThat(r.whyEmpty()).hasValueSatisfying(w -> assertThat(w).contains("have no predicted throughput"));
  }

  @Test
  void badRequestsNameTheField() {
    assertThatThrownBy(() -> new RecommendRequest(Fixtures.LLAMA_8B, Fixtures.GPU_24GB, OptionalDouble.empty(),
        OptionalDouble.empty(), List.of(Fixtures.Q4), List.of(4, 0), List.of(KvCacheType.F16), 4096, false,
        Optional.empty(), 5)).isInstanceOf(InvalidInputException.class).hasMessageContaining("batch = 0")
        .hasMessageContaining("[1, 4096]");
    assertThatThrownBy(() -> request(Fixtures.GPU_24GB).withMaxMsPerToken(Double.NaN))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("max ms per token = NaN");
    assertThatThrownBy(() -> request(Fixtures.GPU_24GB).withMemoryGb(0))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("memory capacity = 0");
    assertThatThrownBy(() -> new RecommendRequest(Fixtures.LLAMA_8B, Fixtures.GPU_24GB, OptionalDouble.empty(),
        OptionalDouble.empty(), List.of(), List.of(1), List.of(KvCacheType.F16), 4096, false, Optional.empty(), 5))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("quantizations");
  }

  /** An embedder's missing argument is named, not an NPE from deep inside the grid. */
  @Test
  void aMissingArgumentIsNamed() {
    dev.tuner.core.catalog.Catalog catalog = dev.tuner.core.catalog.Catalog.shipped();
    assertThatThrownBy(() -> RecommendRequest.defaults(null, Fixtures.GPU_24GB, catalog))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("model = missing is invalid");
    assertThatThrownBy(() -> RecommendRequest.defaults(Fixtures.LLAMA_8B, null, catalog))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("device = missing is invalid");
    assertThatThrownBy(() -> RecommendRequest.defaults(Fixtures.LLAMA_8B, Fixtures.GPU_24GB, null))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("catalog = missing is invalid");
    assertThatThrownBy(() -> new Recommender(Fixtures.predictor(new BatchSensitiveModel(1))).recommend(null))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("request = missing is invalid");
  }

  @Test
  void requestSortsAndDeduplicatesTheGrid() {
    RecommendRequest r = new RecommendRequest(Fixtures.LLAMA_8B, Fixtures.GPU_24GB, OptionalDouble.empty(),
        OptionalDouble.empty(), List.of(Fixtures.Q4, Fixtures.Q4), List.of(8, 1, 8), List.of(KvCacheType.F16),
        4096, false, Optional.empty(), 5);
    assertThat(r.batches()).containsExactly(1, 8);
    assertThat(r.quants()).containsExactly(Fixtures.Q4);
    assertThat(r.gridSize()).isEqualTo(2);
  }

  @Test
  void paretoFrontOfRandomCandidatesIsNonDominatedSortedAndComplete() {
    SplittableRandom rnd = new SplittableRandom(42);
    for (int trial = 0; trial < 200; trial++) {
      List<Candidate> cs = new ArrayList<>();
      int n = rnd.nextInt(1, 60);
      for (int i = 0; i < n; i++) {
        // coarse values so that ties on one or both axes occur
        double tps = 10 * rnd.nextInt(1, 30);
        int batch = 1 << rnd.nextInt(0, 6);
        cs.add(candidate(tps, batch));
      }
      assertNonDominatedAndSorted(Recommender.paretoFront(cs), cs);
    }
  }

  /**
   * A batch that a smaller one of the same configuration reaches as fast is dropped as {@link Reason#NO_GAIN}, naming
   * that batch; what stays rises strictly with the batch within each configuration, in the order it came.
   */
  @Test
  void aLargerBatchThatGainsNothingIsDroppedNamingTheSmallerOne() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int trial = 0; trial < 200; trial++) {
      List<Candidate> cs = new ArrayList<>();
      for (int i = rnd.nextInt(1, 40); i > 0; i--) {
        KvCacheType kv = rnd.nextBoolean() ? KvCacheType.F16 : KvCacheType.Q8_0;
        int batch = 1 << rnd.nextInt(0, 7);
        if (cs.stream().noneMatch(c -> c.kvCache() == kv && c.batch() == batch)) {
          cs.add(candidate(10 * rnd.nextInt(1, 8), batch, kv));
        }
      }
      List<Dropped> dropped = new ArrayList<>();
      List<Candidate> kept = Recommender.gaining(cs, dropped);
      assertThat(kept.size() + dropped.size()).isEqualTo(cs.size());
      assertThat(cs).containsSubsequence(kept);
      for (Dropped d : dropped) {
        assertThat(d.reason()).isEqualTo(Reason.NO_GAIN);
        assertThat(kept).as(d.detail()).anyMatch(c -> c.kvCache() == d.kvCache() && c.batch() == (int) d.limit()
            && c.batch() < d.batch() && c.tokensPerSecond() >= d.tokensPerSecond());
        assertThat(d.detail()).contains("no more than batch " + (int) d.limit());
      }
      for (Candidate a : kept) {
        for (Candidate b : kept) {
          if (a.kvCache() == b.kvCache() && a.batch() < b.batch()) {
            assertThat(b.tokensPerSecond()).isGreaterThan(a.tokensPerSecond());
          }
        }
      }
    }
  }

  private static Candidate candidate(double tps, int batch) {
    return candidate(tps, batch, KvCacheType.F16);
  }

  private static Candidate candidate(double tps, int batch, KvCacheType kv) {
    return new Candidate(Fixtures.Q4, kv, batch, 4096, tps, 1000.0 * batch / tps, tps * 2,
        dev.tuner.api.Bound.MEMORY, 1, 1, 1, MemoryEstimate.of(Fixtures.LLAMA_8B, Fixtures.Q4, kv, batch, 4096));
  }

  private static boolean dominates(Candidate a, Candidate b) {
    return a.tokensPerSecond() >= b.tokensPerSecond() && a.msPerToken() <= b.msPerToken()
        && (a.tokensPerSecond() > b.tokensPerSecond() || a.msPerToken() < b.msPerToken());
  }

  private static void assertNonDominatedAndSorted(List<Candidate> front, List<Candidate> all) {
    assertThat(all).containsAll(front);
    for (Candidate f : front) {
      assertThat(all).noneMatch(c -> dominates(c, f));
    }
    for (Candidate c : all) {
      assertThat(front).as("%s is on the front or dominated by/equal to a front member", c.label())
          .anyMatch(f -> f == c || dominates(f, c)
              || (f.tokensPerSecond() == c.tokensPerSecond() && f.msPerToken() == c.msPerToken()));
    }
    for (int i = 1; i < front.size(); i++) {
      assertThat(front.get(i).msPerToken()).isGreaterThan(front.get(i - 1).msPerToken());
      assertThat(front.get(i).tokensPerSecond()).isGreaterThan(front.get(i - 1).tokensPerSecond());
    }
  }
}
