package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Each composition rule against arithmetic done by hand. */
class ComposerTest {
  /**
   * One GPU: 1 GB of weights, 100 kB of KV cache per token, 2 GFLOP per token, no attention FLOPs, 1 TB/s, 1 PFLOP/s,
   * {@code memory} bytes of memory (0 = unchecked).
   */
  private static InstanceFigures gpu(double memory) {
    return new InstanceFigures(1e9, 0, 0, 1e5, 2e9, 0, 0, 1e12, 1e15, 0, memory, 1, List.of());
  }

  private static Engine engine(EngineKind kind, int maxBatch, int maxTokens, boolean chunked, double fraction) {
    return new Engine(kind, "", "", new EngineLimits(maxBatch, maxTokens, chunked, true, fraction, true));
  }

  private static Workload work(int in, int out) {
    return new Workload(Lengths.fixed(in), Lengths.fixed(out), new Load.Concurrency(1));
  }

  @Test
  void staticBatchIsOnePrefillThenDecodeStepsOverAGrowingContext() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 0, false, 0.9), work(100, 3));
    Composer.Served s = c.staticBatch(2);
    // prefill: 1e9 + 1e5 × 200 B = 1.02e9 B at 1e12 B/s = 1.02 ms (compute 4e11 FLOP / 1e15 = 0.4 ms is lower)
    assertThat(s.ttft()).isCloseTo(1.02e-3, within(1e-12));
    // decode j = 1, 2: 1e9 + 1e5 × 2 × (100 + j) B = 1.0202 and 1.0204 ms; their sum 2.0406 ms
    assertThat(s.e2e()).isCloseTo(1.02e-3 + 2.0406e-3, within(1e-12));
    assertThat(s.tpot()).isCloseTo(2.0406e-3 / 2, within(1e-12));
    // 2 requests / 3.0606 ms
    assertThat(s.perSecond()).isCloseTo(2 / 3.0606e-3, within(1e-6));
    assertThat(s.limitedBy()).isEqualTo(LimitedBy.BANDWIDTH);
  }

  @Test
  void theMedianItlIsOneDecodeIterationOfTheRequestsRunningNeverAboveTheTpot() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 0, false, 0.9), work(100, 3));
    // 4 running at the mean context 100 + 3/2: 1e9 + 1e5 × 4 × 101.5 = 1.0406e9 B at 1e12 B/s = 1.0406 ms (the
    // 8e9 FLOP take 8 µs)
    Composer.Served stalled = new Composer.Served(0.1, 0.01, 0.13, 30, 4, LimitedBy.BANDWIDTH, () -> "");
    assertThat(c.medianItl(stalled)).isCloseTo(1.0406e-3, within(1e-12));
    // a TPOT below it (a lockstep run's decode over a context still short) is the larger bound
    Composer.Served tight = new Composer.Served(0.1, 0.9e-3, 0.1018, 39, 4, LimitedBy.BANDWIDTH, () -> "");
    assertThat(c.medianItl(tight)).isEqualTo(0.9e-3);
    // nothing follows a first token that is the last: no gap
    Composer.Served one = new Composer.Served(0.1, 0, 0.1, 40, 4, LimitedBy.BANDWIDTH, () -> "");
    assertThat(c.medianItl(one)).isZero();
  }

  @Test
  void weightsAndGatheredTablesThatLeaveNoRoomForACacheAreRefusedInGib() {
    // 1 GB streamed and 0.2 GB of input table held on a GPU of 1.2 GB: at the fraction of free memory nothing is left;
    // 1.2e9 / 2^30 = 1.1 GiB each way
    InstanceFigures full = new InstanceFigures(1e9, 0, 0, 1e5, 2e9, 0, 0, 1e12, 1e15, 0, 1.2e9, 1, List.of(), 0, 0, 0,
        1e15, 0.2e9);
    assertThat(full.residentWeightBytes()).isEqualTo(1.2e9);
    Composer c = new Composer(full, EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 0, false, 0.9), work(100, 3));
    assertThatThrownBy(c::kvCapacityBytes)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("layout = 1.1 GiB of weights per GPU")
        .hasMessageContaining("room for a KV cache in 1.1 GiB at the engine's memory fraction 0.90");
    // the same GPU without the table keeps 0.2e9 × 0.9 bytes for the cache
    Composer room = new Composer(gpu(1.2e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 0, false, 0.9),
        work(100, 3));
    assertThat(room.kvCapacityBytes()).isCloseTo(0.18e9, within(1.0));
  }

  @Test
  void aStaticBatchLargerThanTheKvCacheRunsInWaves() {
    // 2 GB, 1 GB of weights, half the rest (5e8 B) for the KV cache; a request reserves 99 + 1 tokens × 1e5 B = 1e7 B
    // (TensorRT-LLM reserves a request's whole length): 50 fit, so a batch of 120 runs in 3 waves of 40
    Composer c = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.TENSORRT_LLM, 0, 0, false, 0.5),
        work(99, 1));
    Composer.Served s = c.staticBatch(120);
    // one output token, so a wave is its prefill: 40 prompts are 2e9 × 3 960 / 1e15 = 7.92 ms of GEMMs (more than the
    // 1 ms of weights) and 1e5 × 3 960 / 1e12 = 0.396 ms of KV writes: 8.316 ms
    double wave = 8.316e-3;
    // first tokens at 8.316, 16.632 and 24.948 ms, 40 requests each
    assertThat(s.ttft()).isCloseTo(2 * wave, within(1e-12));
    assertThat(s.e2e()).isCloseTo(s.ttft(), within(1e-15));
    assertThat(s.perSecond()).isCloseTo(120 / (3 * wave), within(1e-6));
    assertThat(s.running()).isEqualTo(40);
    assertThat(s.limitedBy()).isEqualTo(LimitedBy.MEMORY_CAPACITY);
    assertThat(s.detail().get()).startsWith("a batch of 120 runs in 3 waves of 40: KV cache of 0.5 GB per GPU holds 50"
        + " requests of 100 tokens");
    // 50 prompts: 9.9 + 0.495 ms
    assertThat(c.staticBatch(50).ttft()).isCloseTo(10.395e-3, within(1e-12));
  }

  /**
   * The engine's sequence limit sizes the waves as the KV cache does: at most 64 sequences (vLLM's max_num_seqs 64),
   * memory unchecked, 100 + 3 tokens, a batch of 150 runs in 3 waves of 50. A wave of 50: its prefill 5 000 tokens ×
   * 2e9 FLOP / 1e15 = 10 ms of GEMMs (above the 1 ms of weights) and 1e5 × 5 000 / 1e12 = 0.5 ms of KV writes, 10.5 ms;
   * two decode steps of 1 ms of weights each (0.1 ms of GEMMs) and 1e5 × 50 × (101 + 102) / 1e12 = 1.015 ms of KV
   * reads: 13.515 ms. A batch of 64, one wave: 12.8 + 0.64 ms of prefill, 2 + 1.2992 ms of decode, 16.7392 ms.
   */
  @Test
  void aStaticBatchLargerThanTheEnginesSequenceLimitRunsInWavesOfIt() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 64, 0, false, 0.9), work(100, 3));
    Composer.Served s = c.staticBatch(150);
    double wave = 13.515e-3;
    // the waves start at 0, 13.515 and 27.03 ms: one wave's wait on average
    assertThat(s.ttft()).isCloseTo(wave + 10.5e-3, within(1e-12));
    assertThat(s.e2e()).isCloseTo(2 * wave, within(1e-12));
    assertThat(s.tpot()).isCloseTo(3.015e-3 / 2, within(1e-12));
    assertThat(s.perSecond()).isCloseTo(150 / (3 * wave), within(1e-6));
    assertThat(s.running()).isEqualTo(50);
    assertThat(s.limitedBy()).isEqualTo(LimitedBy.ENGINE_BATCH_LIMIT);
    assertThat(s.detail().get()).isEqualTo("a batch of 150 runs in 3 waves of 50: engine runs at most 64 sequences");
    // within the limit, one batch
    assertThat(c.staticBatch(64).perSecond()).isCloseTo(64 / 16.7392e-3, within(1e-6));
    // a token budget takes one decode token of each sequence of an iteration: 300 tokens, 400 in 2 waves of 200
    Composer budget = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.TENSORRT_LLM, 0, 300, true, 0.9),
        work(1, 2));
    Composer.Served tokens = budget.staticBatch(400);
    assertThat(tokens.running()).isEqualTo(200);
    assertThat(tokens.limitedBy()).isEqualTo(LimitedBy.ENGINE_BATCH_LIMIT);
    assertThat(tokens.detail().get()).isEqualTo("a batch of 400 runs in 2 waves of 200: engine takes at most 300"
        + " tokens per iteration: 300 decoding requests");
  }

  /**
   * A static batch's prompts take iterations of the token budget: 8 prompts of 100 tokens with a budget of 300 are
   * 800/300 = 8/3 iterations of 300 tokens (counted fractionally, as the step roofline counts a prompt's passes), each
   * 1 ms of weights (0.6 ms of GEMMs) and 1e5 × 300 / 1e12 = 0.03 ms of KV writes, 1.03 ms; the first prompt's first
   * token after one iteration, the last after 8/3: (1 + 8/3) / 2 = 11/6 iterations on average. Then 9 decode steps
   * of 8: 9 ms of weights and 1e5 × 8 × (900 + 45) / 1e12 = 0.756 ms of KV reads. The batch lasts 8/3 × 1.03 + 9.756 ms.
   */
  @Test
  void aStaticBatchPrefillsInIterationsOfTheTokenBudget() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 8, 300, true, 0.9), work(100, 10));
    Composer.Served s = c.staticBatch(8);
    double iteration = 1.03e-3;
    assertThat(s.ttft()).isCloseTo(11.0 / 6 * iteration, within(1e-12));
    assertThat(s.tpot()).isCloseTo(9.756e-3 / 9, within(1e-12));
    assertThat(s.e2e()).isCloseTo(11.0 / 6 * iteration + 9.756e-3, within(1e-12));
    assertThat(s.perSecond()).isCloseTo(8 / (8.0 / 3 * iteration + 9.756e-3), within(1e-6));
    // without a budget the 800 tokens are one iteration: 1.6 ms of GEMMs and 0.08 ms of KV writes
    Composer whole = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 8, 0, true, 0.9),
        work(100, 10));
    assertThat(whole.staticBatch(8).ttft()).isCloseTo(1.68e-3, within(1e-12));
  }

  @Test
  void sumOfMaxSplitsWhereTheLinesCross() {
    // Σ_{j=1..10} max(10 + j, 3j): 11+12+13+14+15 = 65 up to the crossing at j = 5, then 18+21+24+27+30 = 120
    assertThat(Composer.sumOfMax(10, 1, 0, 3, 10)).isEqualTo(185);
    assertThat(Composer.sumOfMax(0, 3, 10, 1, 10)).isEqualTo(185);
    // parallel lines: the higher one throughout, Σ (5 + 2j) = 50 + 2 × 55
    assertThat(Composer.sumOfMax(5, 2, 1, 2, 10)).isEqualTo(160);
  }

  @Test
  void continuousBatchingMixesDecodeTokensWithTheOtherRequestsPrompts() {
    EngineTerms oneMs = new EngineTerms(1e-3, 1, 1, 1);
    Composer c = new Composer(gpu(0), oneMs, engine(EngineKind.VLLM, 0, 0, false, 0.9), work(100, 10));
    Composer.Served s = c.continuous(3);
    // iteration: 3 decodes over 3 × (100 + 10/2) = 315 cached tokens, 2 × 100/10 = 20 prompt tokens:
    // 1e9 + 1e5 × 335 B = 1.0335 ms, plus the 1 ms overhead
    assertThat(s.tpot()).isCloseTo(2.0335e-3, within(1e-12));
    // TTFT: the whole prompt beside 2 decodes: 1e9 + 1e5 × (210 + 100) B = 1.031 ms + 1 ms
    assertThat(s.ttft()).isCloseTo(2.031e-3, within(1e-12));
    // E2E = 2.031 + 9 × 2.0335 = 20.3325 ms; Little's law: 3 / E2E
    assertThat(s.e2e()).isCloseTo(20.3325e-3, within(1e-12));
    assertThat(s.perSecond()).isCloseTo(3 / 20.3325e-3, within(1e-6));
  }

  @Test
  void chunkedPrefillCutsThePromptByTheTokenBudget() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 52, true, 0.9),
        work(100, 10));
    // 3 running: the budget of 52 tokens leaves 50 beside 2 decodes, so 2 chunks of 50 prompt tokens, each
    // 1e9 + 1e5 × (210 + 50) B = 1.026 ms
    assertThat(c.continuous(3).ttft()).isCloseTo(2 * 1.026e-3, within(1e-12));
  }

  @Test
  void capacityIsTheKvCacheOverTheTokensARequestHolds() {
    // 2 GB of memory, 1 GB of weights, half the rest for the KV cache: 5e8 B / 1e5 B = 5000 tokens
    Composer paged = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 256, 0, false, 0.5),
        work(100, 10));
    // pages as it goes: 100 + 10/2 = 105 tokens per request on average -> 47.6 requests
    assertThat(paged.capacity().n()).isCloseTo(5000 / 105.0, within(1e-9));
    assertThat(paged.capacity().by()).isEqualTo(LimitedBy.MEMORY_CAPACITY);
    Composer reserving = new Composer(gpu(2e9), EngineTerms.PHYSICS,
        engine(EngineKind.TENSORRT_LLM, 256, 0, false, 0.5), work(100, 10));
    // reserves the whole 110 tokens -> 45.45 requests
    assertThat(reserving.capacity().n()).isCloseTo(5000 / 110.0, within(1e-9));
    // LMDeploy's TurboMind allocates blocks for the context a sequence has, so it pages as it goes: 105 tokens
    Composer turbomind = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.LMDEPLOY, 128, 0, false, 0.5),
        work(100, 10));
    assertThat(turbomind.capacity().n()).isCloseTo(5000 / 105.0, within(1e-9));
    Composer batchBound = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 8, 0, false, 0.5),
        work(100, 10));
    assertThat(batchBound.capacity().n()).isEqualTo(8);
    assertThat(batchBound.capacity().by()).isEqualTo(LimitedBy.ENGINE_BATCH_LIMIT);
    // a token budget of 220 with prompts chunked in: n (1 + 100/10) <= 220 -> 20 requests
    Composer tokenBound = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 220, true, 0.5),
        work(100, 10));
    assertThat(tokenBound.capacity().n()).isCloseTo(20, within(1e-12));
  }

  @Test
  void aPromptLongerThanTheTokenBudgetIsChunkedAndRunsOneRequestAtATime() {
    // a budget of 256 tokens with prompts chunked in: n (1 + 1000/1) <= 256 gives n = 0.26, yet the engine runs the
    // one request, its 1 000-token prompt over 4 iterations. Memory holds 5 requests of 1 000 tokens (5e8 B / 1e8 B)
    Composer c = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 256, true, 0.5),
        work(1000, 1));
    Composer.Capacity cap = c.capacity();
    assertThat(cap.n()).isEqualTo(1);
    // the whole prompt: 2e9 × 1 000 / 1e15 = 2 ms of GEMMs against 1 ms of weights and 0.1 ms of KV writes
    assertThat(cap.by()).isEqualTo(LimitedBy.COMPUTE);
    assertThat(cap.detail().get()).isEqualTo("a prompt of 1000 tokens takes 4 iterations of the 256-token budget: one"
        + " request at a time");
    // an endless stream above what that serves saturates at it instead of being refused
    Composer.Served saturated = c.rate(1e6, 0);
    assertThat(saturated.limitedBy()).isEqualTo(LimitedBy.COMPUTE);
    assertThat(saturated.perSecond()).isCloseTo(c.continuous(1).perSecond(), within(1e-9));
    assertThat(c.offline(0).running()).isEqualTo(1);
    // memory that cannot hold the one request is still refused, naming the KV cache
    Composer small = new Composer(gpu(1.1e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 256, true, 0.5),
        work(1000, 1));
    assertThatThrownBy(small::capacity).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("requests that fit the KV cache");
  }

  /** Lengths that vary from request to request (normal, means 100 and 10): a closed loop of them falls out of step. */
  private static Workload sampled() {
    return new Workload(Lengths.normal(100, 10), Lengths.normal(10, 2), new Load.Concurrency(1));
  }

  @Test
  void concurrencyBeyondCapacityQueuesAndLittlesLawGivesTheWait() {
    Composer c = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 8, 0, false, 0.5), sampled());
    Composer.Served full = c.continuous(8);
    Composer.Served s = c.concurrency(16, 0);
    assertThat(s.perSecond()).isEqualTo(full.perSecond());
    // 16 clients at X requests/s: E2E = 16 / X; the extra time is spent waiting before the first token
    assertThat(s.e2e()).isCloseTo(16 / full.perSecond(), within(1e-12));
    assertThat(s.ttft() - full.ttft()).isCloseTo(s.e2e() - full.e2e(), within(1e-12));
    assertThat(s.limitedBy()).isEqualTo(LimitedBy.ENGINE_BATCH_LIMIT);
  }

  @Test
  void sampledLengthsKeepTheSteadyStateOfContinuousBatching() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 300, true, 0.9), sampled());
    assertThat(c.concurrency(3, 30)).usingRecursiveComparison().ignoringFields("detail")
        .isEqualTo(c.continuous(3));
  }

  @Test
  void aClosedLoopOfFixedLengthsThatFitsOneIterationRepeatsAStaticBatch() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 0, false, 0.9),
        work(100, 3));
    Composer.Served s = c.concurrency(2, 0);
    // each wave: both prompts in one iteration, 1e9 + 1e5 × 200 B = 1.02 ms (the TTFT), then 2 decode steps of
    // 2 sequences over 2 × (100 + j) cached tokens, 1.0202 and 1.0204 ms: TPOT 1.0203 ms, E2E 3.0606 ms
    assertThat(s.ttft()).isCloseTo(1.02e-3, within(1e-12));
    assertThat(s.tpot()).isCloseTo(1.0203e-3, within(1e-12));
    assertThat(s.e2e()).isCloseTo(3.0606e-3, within(1e-12));
    assertThat(s.perSecond()).isCloseTo(2 / 3.0606e-3, within(1e-6));
    Composer.Served batch = c.staticBatch(2);
    assertThat(s.perSecond()).isCloseTo(batch.perSecond(), within(1e-6));
  }

  @Test
  void aClosedLoopOfFixedLengthsKeepsTheStepOfItsFirstWave() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 300, true, 0.9),
        work(100, 10));
    Composer.Served s = c.concurrency(8, 24);
    // 8 × 100 = 800 prompt tokens: c = ceil(800 / 300) = 3 groups of 8/3. A later group's iteration: 8/3 prompts
    // (800/3 tokens) beside the 8 × 2/3 = 16/3 requests decoding over 16/3 × (100 + 10/2) = 560 cached tokens:
    // weights 1 ms beat 2e9 × (16/3 + 800/3) / 1e15 = 0.544 ms; KV 1e5 × (560 + 800/3) B = 0.0826667 ms
    double mixed = 1e-3 + 1e5 * (560 + 800.0 / 3) / 1e12;
    // 9 pure decode steps of 8 sequences: 9 × 1 ms + 1e5 × 8 × Σ_{j=1..9} (100 + j) = 8e5 × 945 B = 0.756 ms
    double decode = (9e-3 + 0.756e-3) / 9;
    // a cycle of max(3, 10) = 10 iterations, 3 of them mixed: a request waits 1 and decodes through the other 2
    double tpot = (2 * mixed + 7 * decode) / 9;
    assertThat(s.tpot()).isCloseTo(tpot, within(1e-12));
    assertThat(tpot).isCloseTo(1.0837037e-3, within(1e-10));
    // the first wave of 8 waits (3 + 1)/2 iterations on average (waveTtft, 2.1066667 ms), the 16 later ones 1
    assertThat(c.waveTtft(8)).isCloseTo(2 * (1e-3 + 1e5 * 1600 / 3 / 1e12), within(1e-12));
    double ttft = (8 * c.waveTtft(8) + 16 * mixed) / 24;
    assertThat(s.ttft()).isCloseTo(ttft, within(1e-12));
    assertThat(ttft).isCloseTo(1.424e-3, within(1e-10));
    assertThat(s.e2e()).isCloseTo(ttft + 9 * tpot, within(1e-12));
    assertThat(s.perSecond()).isCloseTo(8 / (ttft + 9 * tpot), within(1e-6));
    // an endless run has no first wave worth counting
    assertThat(c.concurrency(8, 0).ttft()).isCloseTo(mixed, within(1e-12));
    // 8 prompts in all: the first wave is the whole run
    assertThat(c.concurrency(8, 8).ttft()).isCloseTo(c.waveTtft(8), within(1e-15));
  }

  @Test
  void promptsThatOutrunTheDecodesQueueForTheTokenBudget() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 100, true, 0.9),
        work(100, 2));
    Composer.Served s = c.concurrency(8, 0);
    // c = 800 / 100 = 8 groups of 1 prompt; a request decodes 1 step, so a cycle is 8 iterations, each with one
    // prompt beside the 1 request decoding over 101 cached tokens: max(1 ms, 2e9 × 101 / 1e15) + 1e5 × 201 / 1e12
    double mixed = 1.0201e-3;
    // a request waits 8 − 2 + 1 = 7 iterations for its first token; its decode step is one more
    assertThat(s.ttft()).isCloseTo(7 * mixed, within(1e-12));
    assertThat(s.tpot()).isCloseTo(mixed, within(1e-12));
    // one request per iteration: the prefill is the bottleneck
    assertThat(s.perSecond()).isCloseTo(1 / mixed, within(1e-6));
  }

  @Test
  void aPromptLongerThanTheBudgetWaitsForAllItsChunks() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 60, true, 0.9),
        work(100, 3));
    // one client, a prompt of 100 tokens in chunks of at most 60: ceil(100 / 60) = 2 iterations of 50 tokens, each
    // max(1 ms of weights, 2e9 × 50 / 1e15) + 1e5 × 50 B / 1e12 = 1.005 ms; nothing decodes beside them
    assertThat(c.waveTtft(1)).isCloseTo(2 * 1.005e-3, within(1e-12));
    Composer.Served s = c.concurrency(1, 10);
    assertThat(s.ttft()).isCloseTo(2 * 1.005e-3, within(1e-12));
    // then 2 decode steps over 101 and 102 cached tokens: 1 ms + 1e5 × 101 (and 102) B / 1e12
    assertThat(s.tpot()).isCloseTo((2e-3 + 1e5 * 203 / 1e12) / 2, within(1e-12));
    // the steady state of one request, chunked the same way, agrees
    assertThat(s.ttft()).isCloseTo(c.continuous(1).ttft(), within(1e-12));
    assertThat(s.detail().get()).isEqualTo("1 client in lockstep: their prompts prefill in 2 iterations of the token"
        + " budget, then decode together");
    // a prompt within the budget takes one iteration, and says it in the singular
    Composer whole = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 100, true, 0.9),
        work(100, 3));
    assertThat(whole.concurrency(1, 10).detail().get()).contains("prefill in 1 iteration of the token budget");
  }

  @Test
  void aClosedLoopInLockstepHoldsWholeRequestsAndQueuesBeyondThem() {
    // 5e8 B of KV cache at 1e5 B per token: 5000 tokens. In lockstep every request holds 100 + 10 at the end of a
    // wave, paging or not: 45.45 requests (the steady state of paged requests would hold 5000 / 105)
    Composer c = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 256, 0, false, 0.5),
        work(100, 10));
    assertThat(c.closedLoopCapacity().n()).isCloseTo(5000 / 110.0, within(1e-9));
    assertThat(c.capacity().n()).isCloseTo(5000 / 105.0, within(1e-9));
    Composer.Served full = c.lockstep(5000 / 110.0, 0);
    Composer.Served s = c.concurrency(100, 0);
    assertThat(s.perSecond()).isEqualTo(full.perSecond());
    assertThat(s.e2e()).isCloseTo(100 / full.perSecond(), within(1e-12));
    assertThat(s.limitedBy()).isEqualTo(LimitedBy.MEMORY_CAPACITY);
    // the token budget bounds only the decodes of one iteration: 20 of them
    Composer budget = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 20, true, 0.5),
        work(100, 10));
    assertThat(budget.closedLoopCapacity().n()).isEqualTo(20);
  }

  @Test
  void offlineRunsAtCapacityAndThePromptsBeyondItWait() {
    Composer c = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 8, 0, false, 0.5),
        work(100, 10));
    Composer.Served full = c.continuous(8);
    Composer.Served s = c.offline(108);
    // the first 8 arrive together and, without a token budget, prefill in one iteration of 800 tokens:
    // the GEMMs' 2e9 × 800 / 1e15 = 1.6 ms of arithmetic beat the 1 ms of weights; KV 1e5 × 800 B = 0.08 ms
    double wave = 1.6e-3 + 0.08e-3;
    // the other 100 prefill beside 7 decodes and wait (108 − 8)² / (2 × 108 × X) on average for a slot
    assertThat(s.ttft()).isCloseTo((8 * wave + 100 * full.ttft()) / 108 + 100.0 * 100 / (2 * 108 * full.perSecond()),
        within(1e-12));
    assertThat(s.perSecond()).isEqualTo(full.perSecond());
    // 4 prompts fit at once: one iteration of 400 prompt tokens, max(1 ms, 0.8 ms) + 0.04 ms, is every TTFT
    Composer.Served four = c.offline(4);
    assertThat(four.running()).isEqualTo(4);
    assertThat(four.ttft()).isCloseTo(1.04e-3, within(1e-12));
  }

  @Test
  void anOfflineRunThatFitsAtOnceDecodesWithNoPromptBesideIt() {
    Composer c = new Composer(gpu(2e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 8, 0, false, 0.5),
        work(100, 3));
    Composer.Served s = c.offline(4);
    // prefill: one iteration of 400 tokens, max(1 ms of weights, 0.8 ms of GEMMs) + 1e5 × 400 B / 1e12 = 1.04 ms;
    // then 2 decode steps of 4 sequences over 4 × (100 + j) cached tokens: weights 1 ms (8 GFLOP is 8 µs) plus
    // 1e5 × 404 and 1e5 × 408 B at 1e12 B/s = 0.0404 and 0.0408 ms: 2.0812 ms, TPOT 1.0406 ms
    assertThat(s.ttft()).isCloseTo(1.04e-3, within(1e-12));
    assertThat(s.tpot()).isCloseTo(1.0406e-3, within(1e-12));
    assertThat(s.e2e()).isCloseTo(1.04e-3 + 2.0812e-3, within(1e-12));
    assertThat(s.perSecond()).isCloseTo(4 / 3.1212e-3, within(1e-6));
    // the steady state charges each decode step (4 − 1) × 100/3 = 100 prompt tokens more, the prompts a second time:
    // weights 1 ms, KV 1e5 × (4 × 101.5 + 100) B = 0.0506 ms
    assertThat(c.continuous(4).tpot()).isCloseTo(1.0506e-3, within(1e-12));
  }

  @Test
  void promptsArrivingTogetherPrefillInTurnByTheTokenBudget() {
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 8, 300, true, 0.9),
        work(100, 10));
    // 8 × 100 = 800 prompt tokens in ceil(800 / 300) = 3 iterations of 800/3 tokens, beside 8 × 2 / (2 × 3) = 8/3
    // decodes over 8/3 × 100 cached tokens on average: weights 1 ms beat 2e9 × (8/3 + 800/3) / 1e15 = 0.539 ms;
    // KV 1e5 × (800/3 + 800/3) B = 0.05333 ms; the prompts finishing in iteration k wait k: (3 + 1) / 2 on average
    assertThat(c.waveTtft(8)).isCloseTo(2 * (1e-3 + 1e5 * 1600 / 3 / 1e12), within(1e-12));
    assertThat(c.offline(8).ttft()).isCloseTo(c.waveTtft(8), within(1e-15));
  }

  @Test
  void requestRateBelowCapacitySettlesWhereLittlesLawHolds() {
    Composer c = new Composer(gpu(2e9), new EngineTerms(1e-3, 1, 1, 1), engine(EngineKind.VLLM, 8, 0, false, 0.5),
        work(100, 10));
    double capacity = c.continuous(8).perSecond();
    Composer.Served s = c.rate(capacity / 2, 0);
    assertThat(s.perSecond()).isEqualTo(capacity / 2);
    Composer.Served settled = c.continuous(s.running());
    assertThat(s.running()).isCloseTo(capacity / 2 * settled.e2e(), within(1e-9));
    assertThat(s.limitedBy()).isEqualTo(LimitedBy.ARRIVAL_RATE);
    // a Poisson arrival waits for the iteration in flight: (1 − e^(−n)) × TPOT / 2 with n in flight on average
    double wait = (1 - Math.exp(-s.running())) * settled.tpot() / 2;
    assertThat(s.ttft() - settled.ttft()).isCloseTo(wait, within(1e-15));
    assertThat(s.e2e() - settled.e2e()).isCloseTo(wait, within(1e-15));
    assertThat(c.rate(capacity * 2, 0).perSecond()).isEqualTo(capacity);
    Composer.Served saturated = c.rate(capacity * 2, 100);
    // 100 prompts: the run lasts what RunDuration simulates, and serves less than the capacity's X: the first 8 fill
    // at 2X, and the last requests drain with fewer beside them
    double run = new RunDuration(n -> c.continuous(n).e2e(), 8).seconds(100, 2 * capacity);
    assertThat(saturated.perSecond()).isCloseTo(100 / run, within(1e-12));
    assertThat(saturated.perSecond()).isLessThan(capacity);
    // the last waits 100/X − 100/λ, the mean half that, and each waits the iteration in flight, which is always one
    Composer.Served full = c.continuous(8);
    assertThat(saturated.ttft() - full.ttft()).isCloseTo((100 / capacity - 100 / (2 * capacity)) / 2
        + (1 - Math.exp(-8)) * full.tpot() / 2, within(1e-12));
    assertThat(saturated.e2e() - full.e2e()).isCloseTo(saturated.ttft() - full.ttft(), within(1e-12));
  }

  @Test
  void aRequestSharesItsIterationsWithTheOthersItsArrivalOverlaps() {
    // an endless stream: Little's law
    assertThat(Composer.inFlight(10, 0, 2)).isEqualTo(20);
    // 50 prompts at 10/s arrive over 5 s, each in flight 90 s: x = 5/90, 50 × (1 − x/3) = 49.074
    assertThat(Composer.inFlight(10, 50, 90)).isCloseTo(50 * (1 - 5.0 / 90 / 3), within(1e-12));
    // 1 000 prompts at 10/s over 100 s, each in flight 2 s: x = 50, 10 × 2 × (1 − 1/150) = 19.867
    assertThat(Composer.inFlight(10, 1000, 2)).isCloseTo(20 * (1 - 1.0 / 150), within(1e-12));
    // both forms give 2P/3 where the arrivals span exactly one request's E2E
    assertThat(Composer.inFlight(10, 30, 3)).isCloseTo(20, within(1e-12));
    assertThat(Composer.inFlight(10, 30, 3 - 1e-9)).isCloseTo(20, within(1e-6));
  }

  @Test
  void aShortRunAtARateAboveTheSteadyCapacityRunsAsOneWaveWhenItFits() {
    // 8 sequences at most; 6 prompts at a rate far above what 8 running requests serve in the steady state: they
    // never queue for the capacity, so nothing saturates, and the run lasts as its 6 requests share their iterations
    Composer c = new Composer(gpu(2e9), new EngineTerms(1e-3, 1, 1, 1), engine(EngineKind.VLLM, 8, 0, false, 0.5),
        work(100, 10));
    double capacity = c.continuous(8).perSecond();
    double rate = capacity * 50;
    Composer.Served s = c.rate(rate, 6);
    assertThat(s.limitedBy()).isEqualTo(LimitedBy.ARRIVAL_RATE);
    assertThat(s.running()).isLessThanOrEqualTo(6);
    assertThat(s.running()).isCloseTo(Composer.inFlight(rate, 6, c.continuous(s.running()).e2e()), within(1e-6));
    assertThat(s.perSecond()).isCloseTo(6 / new RunDuration(n -> c.continuous(n).e2e(), c.capacity().n())
        .seconds(6, rate), within(1e-9));
    // the 6 prompts arrive within 6/λ, far less than one prefill: each waits at least as a wave arriving at once
    // would, less the mean delay of its arrival; here the steady state's prompt beside 5 decodes takes longer
    Composer.Served settled = c.continuous(s.running());
    double steady = settled.ttft() + Composer.iterationWait(s.running(), settled.tpot());
    double wave = c.waveTtft(6) - 5 / (2 * rate);
    assertThat(steady).isGreaterThan(wave);
    assertThat(s.ttft()).isCloseTo(steady, within(1e-12));
    assertThat(s.e2e() - s.ttft()).isCloseTo(9 * s.tpot(), within(1e-12));
    // the endless stream at that rate saturates
    assertThat(c.rate(rate, 0).limitedBy()).isNotEqualTo(LimitedBy.ARRIVAL_RATE);
    // a token budget of one prompt per iteration: the 6 prompts prefill in 6 iterations, (1 + 6)/2 on average, and
    // that wave, not one prompt beside the decodes, sets the TTFT
    Composer one = new Composer(gpu(2e9), new EngineTerms(1e-3, 1, 1, 1),
        engine(EngineKind.VLLM, 8, 100, false, 0.5), work(100, 10));
    Composer.Served w = one.rate(rate, 6);
    Composer.Served beside = one.continuous(w.running());
    assertThat(one.waveTtft(6) - 5 / (2 * rate))
        .isGreaterThan(beside.ttft() + Composer.iterationWait(w.running(), beside.tpot()));
    assertThat(w.ttft()).isCloseTo(one.waveTtft(6) - 5 / (2 * rate), within(1e-12));
    // the run's length counts each prompt's prefill beside the others' decodes, not this queue for the budget
    assertThat(w.perSecond()).isCloseTo(6 / new RunDuration(n -> one.continuous(n).e2e(), one.capacity().n())
        .seconds(6, rate), within(1e-9));
  }

  @Test
  void aReplicasShareOfARunShorterThanOnePromptIsNotDelayedByArrivalsItDoesNotHave() {
    // one prompt over four replicas is a quarter prompt each: no wave of several prompts arrives over time, so the
    // wave's TTFT takes no arrival delay off (it had added (1 − m)/(2λ), a first token later at a lower rate)
    Composer c = new Composer(gpu(2e9), new EngineTerms(1e-3, 1, 1, 1), engine(EngineKind.VLLM, 8, 100, false, 0.5),
        work(1000, 10));
    Composer.Served slow = c.rate(0.4, 0.25);
    Composer.Served fast = c.rate(0.6, 0.25);
    Composer.Served settled = c.continuous(slow.running());
    double steady = settled.ttft() + Composer.iterationWait(slow.running(), settled.tpot());
    assertThat(slow.ttft()).isCloseTo(Math.max(steady, c.waveTtft(0.25)), within(1e-12));
    assertThat(slow.ttft()).isLessThan(c.waveTtft(0.25) + 0.75 / (2 * 0.4));
    assertThat(fast.ttft()).isGreaterThanOrEqualTo(slow.ttft());
  }

  @Test
  void aPoissonArrivalWaitsHalfAnIterationWhenOneIsInFlight() {
    // ln 2 requests in flight on average: by M/G/∞ none are with probability e^(−ln 2) = 1/2, so an arrival finds an
    // iteration of 4 ms in flight half the time and then waits 2 ms of it on average: 1/2 × 2 ms = 1 ms
    assertThat(Composer.iterationWait(Math.log(2), 4e-3)).isCloseTo(1e-3, within(1e-15));
    // nothing in flight, nothing to wait for; many in flight, half an iteration
    assertThat(Composer.iterationWait(0, 4e-3)).isZero();
    assertThat(Composer.iterationWait(50, 4e-3)).isCloseTo(2e-3, within(1e-15));
  }

  @Test
  void promptsArrivingFasterThanOnePrefillShareIterationsInsteadOfQueueing() {
    // no memory limit and no sequence limit: one prompt's prefill takes about 1 ms, so 2 000 requests/s bring two
    // prompts per prefill time; the engine runs iterations, not prefills, and every prompt that arrived during one
    // iteration joins the next: the wait is the iteration in flight, (1 − e^(−n)) × TPOT / 2, not a growing queue
    Composer c = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 0, false, 0.9),
        work(100, 10));
    Composer.Served s = c.rate(2000, 0);
    assertThat(s.perSecond()).isEqualTo(2000);
    Composer.Served settled = c.continuous(s.running());
    assertThat(2000 * settled.ttft()).isGreaterThan(1);
    assertThat(s.ttft() - settled.ttft())
        .isCloseTo((1 - Math.exp(-s.running())) * settled.tpot() / 2, within(1e-15));
  }

  @Test
  void weightsThatLeaveNoRoomForTheKvCacheAreAClearError() {
    Composer c = new Composer(gpu(0.9e9), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 8, 0, false, 0.5),
        work(100, 10));
    assertThatThrownBy(c::capacity).isInstanceOf(InvalidInputException.class).hasMessageContaining("layout")
        .hasMessageContaining("more GPUs");
  }

  @Test
  void engineTermsAddOverheadAndDivideByEfficiency() {
    EngineTerms t = new EngineTerms(0.002, 0.5, 0.25, 0.5);
    // memory 1 ms / 0.5 = 2 ms, compute 0.4 ms / 0.25 = 1.6 ms: 2 ms; interconnect 0.1 / 0.5 = 0.2 ms; + 2 ms
    assertThat(t.seconds(new StepTimes(1e-3, 0.4e-3, 0.1e-3), 8)).isCloseTo(4.2e-3, within(1e-15));
    // the 2 ms overhead ties the 2 ms of memory time and is named; a quarter of it is not
    assertThat(t.dominant(new StepTimes(1e-3, 0.4e-3, 0.1e-3), 8)).isEqualTo(LimitedBy.ENGINE_OVERHEAD);
    assertThat(new EngineTerms(0.5e-3, 0.5, 0.25, 0.5).dominant(new StepTimes(1e-3, 0.4e-3, 0.1e-3), 8))
        .isEqualTo(LimitedBy.BANDWIDTH);
    assertThat(t.dominant(new StepTimes(1e-4, 1e-3, 0), 8)).isEqualTo(LimitedBy.COMPUTE);
  }

  @Test
  void perSequenceOverheadAndKvShareScaleTheirOwnParts() {
    // 1 ms overhead + 10 µs × 64 sequences = 1.64 ms; GEMMs: weights 1 ms / 0.8 = 1.25 ms, arithmetic 1 ms / 0.5 =
    // 2 ms: 2 ms; attention: KV 0.5 ms / 0.25 = 2 ms, no attention arithmetic: 2 ms; interconnect 0.2 ms / 0.4 =
    // 0.5 ms; 1.64 + 2 + 2 + 0.5 = 6.14 ms
    EngineTerms t = new EngineTerms(1e-3, 1e-5, 0.8, 0.25, 0.5, 0.4, 0.03);
    assertThat(t.seconds(new StepTimes(1e-3, 1e-3, 0.2e-3, 0.5e-3), 64)).isCloseTo(6.14e-3, within(1e-15));
    // 2 ms bound by memory (the KV reads) and 2 ms by arithmetic (the GEMMs): a tie goes to bandwidth; the overhead
    // of 64 sequences (1.64 ms) is below either
    assertThat(t.dominant(new StepTimes(1e-3, 1e-3, 0.2e-3, 0.5e-3), 64)).isEqualTo(LimitedBy.BANDWIDTH);
  }

  @Test
  void eachCollectiveAddsItsLatencyWhateverItsBytes() {
    // 1 ms overhead; GEMMs 2 ms; interconnect 0.1 ms / 0.5 = 0.2 ms; 188 collectives (2 all-reduces in each of 94
    // layers) × 9 µs = 1.692 ms of latency, which no share of the link shortens: 1 + 2 + 0.2 + 1.692 = 4.892 ms
    EngineTerms t = new EngineTerms(1e-3, 0, 1, 1, 1, 0.5, 0);
    StepTimes s = new StepTimes(2e-3, 0, 0.1e-3, 0, 0, 188, 188 * 9e-6);
    assertThat(t.seconds(s, 1)).isCloseTo(4.892e-3, within(1e-15));
    // 1.892 ms on the network against 2 ms of weights: the weights bound it
    assertThat(t.dominant(s, 1)).isEqualTo(LimitedBy.BANDWIDTH);
    // terms of format version 3 learned 25 µs per collective on top: 188 × 25 µs = 4.7 ms more, 9.592 ms, and the
    // 6.592 ms on the network outweigh the weights
    EngineTerms v3 = new EngineTerms(1e-3, 0, 1, 1, 1, 0.5, 0, 25e-6);
    assertThat(v3.seconds(s, 1)).isCloseTo(9.592e-3, within(1e-15));
    assertThat(v3.dominant(s, 1)).isEqualTo(LimitedBy.INTERCONNECT);
    // one GPU runs no collective: the latency adds nothing
    assertThat(v3.seconds(new StepTimes(2e-3, 0, 0, 0, 0, 0), 1)).isCloseTo(3e-3, within(1e-15));
    assertThatThrownBy(() -> new EngineTerms(1e-3, 0, 1, 1, 1, 0.5, 0, 2e-3))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("latency per collective");
  }

  @Test
  void aTensorParallelStepCountsTwoCollectivesPerLayerOnEachStage() {
    // InstanceFigures of 2 stages with 16 collectives each at 9 µs (144 µs a stage): an iteration runs 32, one stage
    // after the other, 288 µs of latency
    InstanceFigures f = new InstanceFigures(1e9, 0, 0, 0, 1e9, 0, 1e3, 1e12, 1e14, 1e11, 8e10, 2, List.of(), 0, 16,
        144e-6);
    assertThat(f.step(1, 0, 0, 0).collectives()).isEqualTo(32);
    assertThat(f.step(1, 0, 0, 0).latency()).isCloseTo(288e-6, within(1e-18));
    // figures without a latency of their own charge the roofline's one hop, 1 µs, per collective: 32 µs
    InstanceFigures hop = new InstanceFigures(1e9, 0, 0, 0, 1e9, 0, 1e3, 1e12, 1e14, 1e11, 8e10, 2, List.of(), 0, 16);
    assertThat(hop.step(1, 0, 0, 0).latency()).isCloseTo(32e-6, within(1e-18));
    // an unknown link counts neither bytes nor collectives
    InstanceFigures noLink = new InstanceFigures(1e9, 0, 0, 0, 1e9, 0, 1e3, 1e12, 1e14, 0, 8e10, 2, List.of(), 0, 0,
        144e-6);
    assertThat(noLink.step(1, 0, 0, 0).collectives()).isZero();
    assertThat(noLink.step(1, 0, 0, 0).latency()).isZero();
  }

  @Test
  void everyDecodeStepOfAStaticBatchPaysTheCollectivesLatency() {
    // gpu(0) split over a link of 1e11 B/s with no bytes to send but 10 collectives of 9 µs: the prefill of 100
    // tokens (1 ms of weights + 1e5 × 100 / 1e12 = 0.01 ms of KV) takes 0.09 ms more, 1.1 ms, and so does each of
    // the 2 decode steps (1.0101 + 0.09 and 1.0102 + 0.09 ms)
    InstanceFigures f = new InstanceFigures(1e9, 0, 0, 1e5, 2e9, 0, 0, 1e12, 1e15, 1e11, 0, 1, List.of(), 0, 10,
        90e-6);
    Composer c = new Composer(f, EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 0, false, 0.9), work(100, 3));
    Composer.Served s = c.staticBatch(1);
    assertThat(s.ttft()).isCloseTo(1.1e-3, within(1e-15));
    assertThat(s.e2e() - s.ttft()).isCloseTo(1.0101e-3 + 1.0102e-3 + 2 * 0.09e-3, within(1e-15));
  }

  @Test
  void linearLayersAndAttentionAreEachBoundByTheirOwnRoofline() {
    // weights 2 ms, linear arithmetic 1 ms; KV 1 ms, attention arithmetic 2 ms (3 ms of compute in all): the GEMMs
    // take max(2, 1) = 2 ms and attention max(1, 2) = 2 ms, 4 ms in all (one max over the iteration would say 3)
    StepTimes s = new StepTimes(2e-3, 3e-3, 0, 1e-3, 2e-3);
    assertThat(EngineTerms.PHYSICS.seconds(s, 1)).isCloseTo(4e-3, within(1e-15));
    // 2 ms bound by bandwidth (weights), 2 ms by arithmetic (attention): a tie goes to bandwidth
    assertThat(EngineTerms.PHYSICS.dominant(s, 1)).isEqualTo(LimitedBy.BANDWIDTH);
    assertThat(EngineTerms.PHYSICS.dominant(new StepTimes(2e-3, 3.5e-3, 0, 1e-3, 2.5e-3), 1))
        .isEqualTo(LimitedBy.COMPUTE);
  }

  @Test
  void attentionRunsAtItsOwnPeakBesideTheLinearLayers() {
    // as the test below (2e8 attention FLOPs per pair, linear layers at 1 PFLOP/s) with attention at 0.5 PFLOP/s, the
    // 16-bit peak beside FP8 GEMMs: 100 pairs take 2e8 × 100 / 5e14 = 40 µs; the GEMMs 2e9 / 1e15 = 2 µs
    InstanceFigures f = new InstanceFigures(1e9, 0, 0, 1e5, 2e9, 2e8, 0, 1e12, 1e15, 0, 0, 1, List.of(), 0, 0, 0,
        5e14);
    StepTimes one = f.step(1, 100, 0, 0);
    assertThat(one.attention()).isCloseTo(4e-5, within(1e-18));
    assertThat(one.compute()).isCloseTo(4.2e-5, within(1e-18));
    assertThat(one.linear()).isCloseTo(2e-6, within(1e-18));
  }

  @Test
  void attentionArithmeticOvertakesKvReadsInLongPromptsAndDecodes() {
    // as gpu(0), with 2e8 attention FLOPs per (query, cached) pair
    InstanceFigures f = new InstanceFigures(1e9, 0, 0, 1e5, 2e9, 2e8, 0, 1e12, 1e15, 0, 0, 1, List.of());
    StepTimes one = f.step(1, 100, 0, 0);
    // 2e8 × 100 pairs / 1e15 = 20 µs of attention within (2e9 + 2e10) / 1e15 = 22 µs of arithmetic
    assertThat(one.attention()).isCloseTo(2e-5, within(1e-18));
    assertThat(one.compute()).isCloseTo(2.2e-5, within(1e-18));
    Composer c = new Composer(f, EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 0, false, 0.9), work(100, 3));
    Composer.Served s = c.staticBatch(1);
    // prefill of 100 tokens: GEMMs max(1 ms, 2e9 × 100 / 1e15 = 0.2 ms) = 1 ms; attention over 100² / 2 = 5 000
    // pairs: max(KV 1e5 × 100 / 1e12 = 0.01 ms, 2e8 × 5 000 / 1e15 = 1 ms) = 1 ms: 2 ms
    assertThat(s.ttft()).isCloseTo(2e-3, within(1e-15));
    // decode j = 1, 2 over 101 and 102 cached tokens: 1 ms + max(1e-7, 2e-7) × (100 + j): 1.0202 + 1.0204 ms
    assertThat(s.e2e() - s.ttft()).isCloseTo(2.0406e-3, within(1e-15));
  }

  @Test
  void theRequestLatencyAddsToTheFirstTokenOnly() {
    EngineTerms base = new EngineTerms(1e-3, 0, 1, 1, 1, 1, 0);
    EngineTerms slow = new EngineTerms(1e-3, 0, 1, 1, 1, 1, 0.05);
    Composer a = new Composer(gpu(0), base, engine(EngineKind.VLLM, 0, 0, false, 0.9), work(100, 10));
    Composer b = new Composer(gpu(0), slow, engine(EngineKind.VLLM, 0, 0, false, 0.9), work(100, 10));
    // 50 ms more before the first token, the same iterations after it; E2E grows by the same 50 ms
    assertThat(b.continuous(3).ttft() - a.continuous(3).ttft()).isCloseTo(0.05, within(1e-12));
    assertThat(b.continuous(3).tpot()).isEqualTo(a.continuous(3).tpot());
    assertThat(b.continuous(3).e2e() - a.continuous(3).e2e()).isCloseTo(0.05, within(1e-12));
  }

  @Test
  void theLmHeadComputesForDecodeTokensAndCollectivesCostTheirLatency() {
    // 1e9 FLOPs per token and 5e8 per decoded token's logits at 1e12 FLOP/s; 20 collectives (20 µs at 1 µs each) and
    // 1e4 bytes per token over a 1e9 B/s link. 2 decodes and 10 prompt tokens: (12 × 1e9 + 2 × 5e8) / 1e12 = 13 ms of
    // compute; 12 × 1e4 / 1e9 = 120 µs of bytes on the link and 20 µs of latency
    InstanceFigures f = new InstanceFigures(0, 0, 0, 0, 1e9, 0, 1e4, 1e12, 1e12, 1e9, 0, 1, List.of(), 5e8, 20);
    StepTimes s = f.step(2, 0, 10, 0);
    assertThat(s.compute()).isCloseTo(13e-3, within(1e-15));
    assertThat(s.interconnect()).isCloseTo(120e-6, within(1e-15));
    assertThat(s.latency()).isCloseTo(20e-6, within(1e-15));
  }

  @Test
  void moeReadsTheExpectedShareOfItsExperts() {
    // 1 GB dense, 8 GB of routed experts of which a token uses 1/8: 2 tokens touch 1 − (7/8)² = 15/64 of them
    InstanceFigures f = new InstanceFigures(1e9, 8e9, 0.125, 0, 0, 0, 0, 1e12, 0, 0, 0, 1, List.of());
    assertThat(f.step(2, 0, 0, 0).memory()).isCloseTo((1e9 + 8e9 * 15 / 64) / 1e12, within(1e-15));
    // experts shared with another replica of as many tokens: 4 tokens touch 1 − (7/8)^4 = 1695/4096 of them
    assertThat(f.withExpertGroup(2).step(2, 0, 0, 0).memory()).isCloseTo((1e9 + 8e9 * 1695 / 4096) / 1e12,
        within(1e-15));
    assertThat(f.withExpertGroup(1)).isSameAs(f);
  }

  @Test
  void aFewIterationsCarryTheOthersPromptsAndTheRestDecodeAlone() {
    // 1 GB dense, 8 GB of routed experts of which a token uses 1/8; 100 kB of KV cache per token; 2 requests of
    // 100 + 10 tokens running, whole prompts (no budget): the other's 100-token prompt comes once in its 10
    // iterations, so 1 in 10 iterations carries it
    InstanceFigures moe = new InstanceFigures(1e9, 8e9, 0.125, 1e5, 2e9, 0, 0, 1e12, 1e15, 0, 0, 1, List.of());
    Composer c = new Composer(moe, EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 0, false, 0.9), work(100, 10));
    // decoding alone: 2 tokens touch 1 − (7/8)² of the experts; KV reads of 2 × (100 + 5) cached tokens
    double alone = (1e9 + 8e9 * (1 - Math.pow(7.0 / 8, 2)) + 1e5 * 210) / 1e12;
    // with the prompt: 102 tokens touch 1 − (7/8)^102 of them, and the prompt's 100 KV entries are written
    double laden = (1e9 + 8e9 * (1 - Math.pow(7.0 / 8, 102)) + 1e5 * 310) / 1e12;
    assertThat(c.continuous(2).tpot()).isCloseTo(0.9 * alone + 0.1 * laden, within(1e-15));
    // spread evenly, each iteration's 12 tokens would touch 1 − (7/8)^12 = 80% of the experts: about twice as slow
    double spread = (1e9 + 8e9 * (1 - Math.pow(7.0 / 8, 12)) + 1e5 * 220) / 1e12;
    assertThat(spread / c.continuous(2).tpot()).isGreaterThan(2);
    // a dense model's bytes do not depend on the tokens: the two ways agree while the weights bound every iteration
    Composer dense = new Composer(gpu(0), EngineTerms.PHYSICS, engine(EngineKind.VLLM, 0, 0, false, 0.9),
        work(100, 10));
    assertThat(dense.continuous(2).tpot()).isCloseTo((1e9 + 1e5 * 220) / 1e12, within(1e-15));
  }

  @Test
  void lengthsCarryTheirMoments() {
    Lengths u = Lengths.uniform(1, 4);
    // mean 2.5, variance (4² − 1) / 12 = 1.25, mean square 1.25 + 6.25 = 7.5 = (1 + 4 + 9 + 16) / 4
    assertThat(u.mean()).isEqualTo(2.5);
    assertThat(u.meanSquare()).isCloseTo(7.5, within(1e-12));
    assertThat(Lengths.of(new int[] {1, 2, 3, 4}).meanSquare()).isEqualTo(7.5);
    assertThat(Lengths.normal(100, 10).meanSquare()).isEqualTo(10100);
    assertThatThrownBy(() -> Lengths.normal(100, 200)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("length spread");
    assertThat(new Load.Offline(OptionalInt.empty()).prompts()).isEmpty();
  }
}
