package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The composition rules: serving metrics of one model instance from the time of its iterations. Lengths are the
 * workload's means {@code I} (input) and {@code O} (output); prefill attention uses the prompt's mean square
 * {@code I2}, as a prompt of length {@code i} has {@code i²/2} attention pairs (each token attends to half the prompt
 * on average).
 *
 * <ul>
 *   <li>Static batch of {@code B}: a prefill of {@code B·I} tokens in iterations of the token budget (one without a
 *       budget), no decode beside them, then {@code O − 1} decode iterations of {@code B} tokens, the {@code j}-th
 *       over {@code B·(I + j)} cached tokens. TPOT is the decode time over {@code O − 1}; requests/s is {@code B} over
 *       the batch's length. A batch larger than the engine runs at once (the KV cache, its sequence limit, the decodes
 *       its token budget takes) runs in equal waves of at most that.
 *   <li>Continuous batching with {@code n} requests running: each iteration decodes {@code n} tokens at the mean
 *       context {@code I + O/2}, and the prompts of the {@code n − 1} other requests, {@code (n − 1)·I/O} tokens per
 *       iteration on average, come in whole chunks that some iterations carry and the others do not; the mean
 *       iteration is the TPOT ({@link #continuous}). A new request's prompt runs
 *       beside {@code n − 1} decodes, in chunks of what the token budget leaves when prefill is chunked; that is
 *       the TTFT, with the latency per request of older terms ({@link EngineTerms#requestS}) on top.
 *       {@code E2E = TTFT + (O − 1)·TPOT}, requests/s = {@code n / E2E} (Little's law).
 *   <li>The largest {@code n}: the KV cache (memory left by the weights × the engine's fraction) over the tokens a
 *       request holds ({@code I + O/2} on average for engines that allocate pages as they go, {@code I + O} at most
 *       for those that reserve a request's whole length), the engine's sequence limit, and the token budget
 *       ({@code n + (n − 1)·I/O ≤ max tokens}, taken as {@code n·(1 + I/O)}), never below one request: a prompt longer
 *       than the budget is chunked over several iterations and runs alone.
 *   <li>Concurrency {@code C}: {@code n = min(C, nmax)}, in lockstep when every request has the same lengths
 *       ({@link #lockstep}: the clients start together and stay in step), in the steady state above otherwise;
 *       requests beyond {@code nmax} queue, which adds {@code C / X − E2E} to their TTFT. Offline:
 *       {@code n = min(prompts, nmax)} arrive together and their prompts are prefilled in turn ({@link #waveTtft});
 *       when they all fit ({@code P ≤ nmax}) the decode iterations after the prefill carry no prompt
 *       ({@link #oneWave}), otherwise the steady state follows and the prompts beyond {@code n} wait
 *       {@code (P − n)² / (2·P·X)} on average. Request rate {@code λ}: below the
 *       capacity {@code X(nmax)} the running count settles where {@code n = λ·E2E(n)} (a run of {@code P} prompts has
 *       fewer in flight, never more than {@code P}: {@link #inFlight}), and a prompt waits for the iteration in
 *       flight to end ({@link #rate}); at or above the capacity the deployment saturates.
 * </ul>
 */
final class Composer {
  private final InstanceFigures f;
  private final EngineTerms t;
  private final EngineLimits limits;
  private final boolean reservesWhole;
  private final double in;
  private final double inSq;
  private final double out;
  /** A running request's mean context {@code I + O/2}: its prompt and, on average, half its output. */
  private final double meanContext;
  private final int inMax;
  private final int outMax;
  private final boolean lockstep;
  /** The micro-batches the instance's pipeline keeps in flight: this composition is one of them. */
  private final int lanes;

  Composer(InstanceFigures f, EngineTerms t, Engine engine, Workload w) {
    this(f, t, engine, w, 1);
  }

  /**
   * The composition of one of {@code lanes} micro-batches that an instance's pipeline stages run at once: its requests
   * pass every stage in each iteration (the iteration takes all the stages' time, {@link InstanceFigures#step}), and
   * while one micro-batch is on a stage the others are on the other stages. The micro-batches share the instance's KV
   * cache, each holding {@code 1/lanes} of it; the engine's sequence limit and token budget hold for each, as the
   * engines schedule each micro-batch on its own (see {@link EngineKind#overlapsPipelineStages}).
   */
  Composer(InstanceFigures f, EngineTerms t, Engine engine, Workload w, int lanes) {
    this.lanes = lanes;
    this.f = f;
    this.t = t;
    this.limits = engine.limits();
    // TensorRT-LLM schedules GUARANTEED_NO_EVICT (the policy trtllm-bench reports): a request runs only with blocks
    // for its whole length. LMDeploy's TurboMind pages as it goes: it counts the blocks of each sequence's current
    // context and preempts later sequences when they run short (data/SOURCES.md, code_lmdeploy_sequence_manager).
    this.reservesWhole = engine.kind() == EngineKind.TENSORRT_LLM;
    this.in = w.input().mean();
    this.inSq = w.input().meanSquare();
    this.out = w.output().mean();
    this.meanContext = in + out / 2;
    this.inMax = w.input().max();
    this.outMax = w.output().max();
    this.lockstep = w.input().isFixed() && w.output().isFixed();
  }

  /** Times of one request, in seconds, and the requests/s of the instance. */
  record Served(double ttft, double tpot, double e2e, double perSecond, double running, LimitedBy limitedBy,
      Supplier<String> detail) {}

  /**
   * The median gap between two tokens of a request served as {@code s}: one decode iteration of the requests running,
   * at the workload's mean context {@code I + O/2}, with no prompt in it. An engine's iterations that carry prompts
   * stall the decodes in them, and TPOT, the mean gap, counts those; they are the few, so the median leaves them out.
   * Never above the TPOT; 0 when no token follows the first.
   */
  double medianItl(Served s) {
    if (!(s.tpot() > 0)) {
      return 0;
    }
    double n = Math.max(1, s.running());
    return Math.min(s.tpot(), seconds(n, n, n * meanContext, 0, 0));
  }

  /** Seconds of one iteration of {@code sequences} sequences (see {@link InstanceFigures#step}). */
  double seconds(double sequences, double decodeSeqs, double cached, double prompt, double pairs) {
    return t.seconds(f.step(decodeSeqs, cached, prompt, pairs), sequences);
  }

  /**
   * Static batching (see the class comment). A batch larger than the engine runs at once ({@link #staticCapacity}:
   * what the KV cache holds, each request holding what {@link #capacity} says it holds, the engine's sequence limit,
   * the decodes one iteration's token budget takes) runs in {@code W} waves of {@code B / W} requests, one after
   * another: a request of the {@code w}-th wave waits for the {@code w − 1} before it, so TTFT and E2E are means over
   * the requests, and the batch's requests/s is {@code B} over the waves' total time. Waves of equal size, not full
   * ones and a remainder: an iteration's time is a sum of terms that are constant, linear in its sequences, concave in
   * them (the experts they touch) or the larger of two such, so {@code W} equal waves never take longer than
   * {@code W + 1}, and more memory or a higher sequence limit never lowers the batch's throughput; full waves and a
   * small remainder can (an engine that runs them so is slower than predicted by the iteration's curvature: up to 14%
   * in the property test's draws).
   */
  Served staticBatch(double b) {
    Capacity cap = staticCapacity();
    int waves = b <= cap.n() ? 1 : (int) Math.ceil(b / Math.floor(cap.n()));
    double size = (double) b / waves;
    Wave w = wave(size);
    // the waves start at 0, L, 2L, …: a request waits (W − 1)/2 of them on average
    double before = (waves - 1) / 2.0 * w.length();
    double perSecond = b / (waves * w.length());
    if (waves > 1) {
      return new Served(before + w.ttft(), w.tpot(), before + w.e2e(), perSecond, size, cap.by(),
          () -> "a batch of " + Fixed.count(b) + " runs in " + waves + " waves of " + Fixed.count(size) + ": "
              + cap.detail().get());
    }
    LimitedBy by = w.e2e() - w.ttft() >= w.ttft()
        ? t.dominant(f.step(b, b * meanContext, 0, 0), b)
        : t.dominant(f.step(0, 0, b * in / w.chunks(), b * inSq / 2 / w.chunks()), b / w.chunks());
    return new Served(w.ttft(), w.tpot(), w.e2e(), perSecond, b, by, () -> "static batch of " + Fixed.count(b));
  }

  /**
   * The most requests of a static batch that run at once: the KV cache over what each holds, the engine's sequence
   * limit, and the token budget, which must take one decode token of each.
   */
  Capacity staticCapacity() {
    double byTokens = limits.maxTokensPerStep() > 0 ? limits.maxTokensPerStep() : Double.POSITIVE_INFINITY;
    return capacity(perRequestTokens(), byTokens, " decoding requests");
  }

  /**
   * One static batch: its requests' mean TTFT and E2E, its mean decode step (TPOT), its length (the end of its last
   * request) and the iterations of the token budget its prompts take.
   */
  private record Wave(double ttft, double e2e, double tpot, double length, double chunks) {}

  /**
   * One static batch of {@code b} requests: its {@code b·I} prompt tokens in {@code c = max(1, b·I / budget)}
   * iterations of the token budget (at least a whole prompt each when prefill is not chunked; one iteration without a
   * budget), the prompts finishing in iteration {@code k} waiting {@code k} of them, {@code (p + c)/2} on average
   * ({@code p}: the iterations one prompt takes); then its {@code O − 1} decode steps of {@code b} sequences. The
   * count of iterations is fractional, as the step roofline counts a prompt's passes over its weights
   * ({@code Roofline.weightPasses}): never more than the whole iterations an engine runs, and a batch one request
   * larger does not add a whole iteration of weights. No decode runs beside the prefill, as in the engines' static batches
   * (TensorRT-LLM's session, SGLang's one-batch benchmark); an engine that decodes its first prompts beside the later
   * chunks does those steps there instead of after, and counting them in both places would charge a batch the square
   * of its size.
   */
  private Wave wave(double b) {
    double tokens = b * in;
    double chunks = Math.max(1, tokens / budget(tokens));
    double first = Math.min(chunks, Math.max(1, in / budget(in)));
    double iteration = seconds(b / chunks, 0, 0, tokens / chunks, b * inSq / 2 / chunks);
    double ttft = (first + chunks) / 2 * iteration;
    double steps = Math.max(0, out - 1);
    double decode = decodeSum(b, steps);
    return new Wave(ttft, ttft + decode, steps > 0 ? decode / steps : 0, chunks * iteration + decode, chunks);
  }

  /**
   * {@code Σ_{j=1..steps}} of decode iterations of {@code b} sequences over {@code b·(I + j)} cached tokens. The
   * linear layers' time does not depend on {@code j}; attention's KV traffic and arithmetic and the link time are
   * linear in it, so the sum is exact: arithmetic series on either side of the step where attention's arithmetic
   * overtakes its KV traffic.
   */
  double decodeSum(double b, double steps) {
    if (steps <= 0) {
      return 0;
    }
    StepTimes s0 = f.step(b, b * in, 0, 0);
    StepTimes s1 = f.step(b, b * (in + 1), 0, 0);
    double k0 = s0.kv() / t.kvEff();
    double k1 = s1.kv() / t.kvEff() - k0;
    double a0 = s0.attention() / t.computeEff();
    double a1 = s1.attention() / t.computeEff() - a0;
    double n0 = s0.interconnect() / t.interconnectEff();
    double n1 = s1.interconnect() / t.interconnectEff() - n0;
    return steps * (t.overheadS() + t.perSequenceS() * b + t.gemm(s0) + t.latency(s0)) + series(n0, n1, steps)
        + sumOfMax(k0, k1, a0, a1, steps);
  }

  /** {@code Σ_{j=1..k} (a + b·j)}. */
  static double series(double a, double b, double k) {
    return k * a + b * k * (k + 1) / 2;
  }

  /** {@code Σ_{j=1..k} max(a0 + a1·j, b0 + b1·j)}, split where the two lines cross. */
  static double sumOfMax(double a0, double a1, double b0, double b1, double k) {
    if (a1 == b1) {
      return series(Math.max(a0, b0), a1, k);
    }
    // the line with the larger slope dominates after the crossing x
    double steep0 = a1 > b1 ? a0 : b0;
    double steep1 = Math.max(a1, b1);
    double flat0 = a1 > b1 ? b0 : a0;
    double flat1 = Math.min(a1, b1);
    double x = (flat0 - steep0) / (steep1 - flat1);
    double split = Math.max(0, Math.min(k, Math.floor(x)));
    return series(flat0, flat1, split) + series(steep0, steep1, k) - series(steep0, steep1, split);
  }

  /**
   * Continuous batching with {@code n ≥ 1} requests running. The others' prompts, {@code (n − 1)·I/O} tokens per
   * iteration on average, come in chunks of what the token budget leaves (whole prompts without one), so an
   * iteration carries {@code m} or {@code m + 1} chunks beside the decodes ({@code m} the whole part of that average
   * over the chunk), in the shares that give the average: most iterations of a light load decode alone and a few carry
   * a prompt. TPOT is the mean of the two. Spreading the prompt tokens evenly over every iteration instead would read
   * a mixture of experts' weights as if each iteration's extra tokens touched more of them, which a few prompt-laden
   * iterations do not, and would hide that an iteration carrying a prompt is bound by its arithmetic.
   */
  Served continuous(double n) {
    double running = Math.max(1, n);
    double others = running - 1;
    double perIteration = others * in / out;
    double chunk = Math.max(1, limits.chunkedPrefill() && limits.maxTokensPerStep() > 0
        ? Math.min(in, limits.maxTokensPerStep() - running) : in);
    double chunksPer = perIteration / chunk;
    double whole = Math.floor(chunksPer);
    double share = chunksPer - whole;
    double pairsPerToken = inSq / 2 / in;
    double tpot = (1 - share) * seconds(running, running, running * meanContext, whole * chunk,
        whole * chunk * pairsPerToken) + (share > 0 ? share * seconds(running, running, running * meanContext,
        (whole + 1) * chunk, (whole + 1) * chunk * pairsPerToken) : 0);
    double chunks = 1;
    if (limits.chunkedPrefill() && limits.maxTokensPerStep() > 0) {
      chunks = Math.ceil(in / Math.max(1, limits.maxTokensPerStep() - others));
    }
    double ttft = t.requestS() + chunks * seconds(running, others, others * meanContext, in / chunks, inSq / 2 / chunks);
    double e2e = ttft + Math.max(0, out - 1) * tpot;
    StepTimes step = f.step(running, running * meanContext, others * in / out, others / out * inSq / 2);
    return new Served(ttft, tpot, e2e, running / e2e, running, t.dominant(step, running),
        () -> Fixed.count(running) + " requests running");
  }

  /**
   * The most requests the instance's KV cache holds when each holds {@code tokens} tokens, all its micro-batches
   * together; infinite when unknown.
   */
  double maxByMemory(double tokens) {
    if (f.memoryBytes() == 0 || f.kvBytesPerToken() == 0) {
      return Double.POSITIVE_INFINITY;
    }
    return kvCapacityBytes() / (f.kvBytesPerToken() * tokens);
  }

  double kvCapacityBytes() {
    double free = f.memoryBytes() - f.residentWeightBytes();
    double cap = limits.fractionOfFree()
        ? free * limits.kvCacheFraction()
        : f.memoryBytes() * limits.kvCacheFraction() - f.residentWeightBytes();
    if (free <= 0 || cap <= 0) {
      // in GiB, the unit the catalog's memory figures are in (StepPhysics.memoryBytes)
      throw new InvalidInputException("layout", String.format(Locale.ROOT, "%.1f GiB of weights per GPU",
          f.residentWeightBytes() / StepPhysics.BYTES_PER_GIB), String.format(Locale.ROOT, "weights that leave room"
          + " for a KV cache in %.1f GiB at the engine's memory fraction %.2f: more GPUs (tensor or pipeline parallel)"
          + " or fewer bits", f.memoryBytes() / StepPhysics.BYTES_PER_GIB, limits.kvCacheFraction()));
    }
    return cap;
  }

  /** The largest number of requests one instance can run, and what sets it. */
  record Capacity(double n, LimitedBy by, Supplier<String> detail) {}

  /**
   * Tokens of KV cache a request holds: {@code I + O/2} on average for engines that allocate pages as they go,
   * {@code I + O} at most for those that reserve a request's whole length.
   */
  private double perRequestTokens() {
    return reservesWhole ? inMax + outMax : meanContext;
  }

  /** The largest number of requests one instance runs in the steady state of continuous batching. */
  Capacity capacity() {
    double byTokens = Double.POSITIVE_INFINITY;
    if (limits.maxTokensPerStep() > 0) {
      byTokens = limits.chunkedPrefill() ? limits.maxTokensPerStep() / (1 + in / out) : limits.maxTokensPerStep();
    }
    return capacity(perRequestTokens(), byTokens, " requests with their prompts");
  }

  /**
   * The largest number of requests a closed loop in lockstep ({@link #lockstep}) runs: they all grow together, so at
   * the end of a wave each holds its whole length {@code I + O} whatever the engine's paging (an engine that pages as
   * it goes and runs more would have to preempt), and the token budget bounds only the decodes of one iteration, as
   * the prompts are spread over iterations of their own.
   */
  Capacity lockstepCapacity() {
    double byTokens = limits.maxTokensPerStep() > 0 ? limits.maxTokensPerStep() : Double.POSITIVE_INFINITY;
    return capacity(inMax + outMax, byTokens, " decoding requests");
  }

  private Capacity capacity(double perRequest, double byTokens, String tokenBound) {
    double byMemory = maxByMemory(perRequest) / lanes;
    double byBatch = limits.maxBatch() > 0 ? limits.maxBatch() : Double.POSITIVE_INFINITY;
    if (byTokens < 1 && byMemory >= 1) {
      // a prompt longer than the token budget is chunked over several iterations and the engine still runs that one
      // request, each iteration full: the iterations' own work bounds it, not the budget
      int chunks = (int) Math.ceil(in / limits.maxTokensPerStep());
      return new Capacity(1, t.dominant(f.step(0, 0, in, inSq / 2), 1), () -> "a prompt of " + Fixed.of(in, 0)
          + " tokens takes " + chunks + " iterations of the " + limits.maxTokensPerStep() + "-token budget: one"
          + " request at a time");
    }
    double n = Math.min(byMemory, Math.min(byBatch, byTokens));
    if (n < 1) {
      throw new InvalidInputException("workload", String.format(Locale.ROOT, "%.0f tokens per request",
          perRequest), String.format(Locale.ROOT, "requests that fit the KV cache (%.0f tokens)",
          byMemory * perRequest));
    }
    if (Double.isInfinite(n)) {
      return new Capacity(EngineLimits.MAX, LimitedBy.ENGINE_BATCH_LIMIT,
          () -> "no limit known (memory unknown, engine unlimited): capped at " + EngineLimits.MAX);
    }
    if (n == byMemory) {
      return new Capacity(n, LimitedBy.MEMORY_CAPACITY, () -> "KV cache of " + Fixed.of(kvCapacityBytes() / 1e9, 1)
          + " GB per GPU holds " + Fixed.of(n * lanes, 0) + " requests of " + Fixed.of(perRequest, 0) + " tokens"
          + (lanes > 1 ? ", " + Fixed.of(n, 0) + " in each of the pipeline's " + lanes + " micro-batches" : ""));
    }
    if (n == byBatch) {
      return new Capacity(n, LimitedBy.ENGINE_BATCH_LIMIT, () -> "engine runs at most " + limits.maxBatch()
          + " sequences" + (lanes > 1 ? " in each of the pipeline's " + lanes + " micro-batches" : ""));
    }
    return new Capacity(n, LimitedBy.ENGINE_BATCH_LIMIT, () -> "engine takes at most " + limits.maxTokensPerStep()
        + " tokens per iteration: " + Fixed.of(n, 0) + tokenBound);
  }

  /**
   * A closed loop of {@code clients}, {@code prompts} requests in all (endless when not positive): in lockstep when
   * every request has the same lengths ({@link #lockstep}), otherwise in the steady state of continuous batching.
   * Clients beyond the capacity wait and take the slots as they free (in lockstep a group's slots free together, so
   * the run goes in waves of what fits): {@link #queued}.
   */
  Served concurrency(double clients, double prompts) {
    double c = prompts > 0 ? Math.min(clients, prompts) : clients;
    Capacity cap = closedLoopCapacity();
    return c <= cap.n() ? closedLoop(c, prompts) : queued(c, cap, closedLoop(cap.n(), prompts));
  }

  /** The capacity of a closed loop: {@link #lockstepCapacity} for fixed lengths, else {@link #capacity}. */
  Capacity closedLoopCapacity() {
    return lockstep ? lockstepCapacity() : capacity();
  }

  /** A closed loop of {@code n} requests running, at most the capacity: {@link #lockstep} or {@link #continuous}. */
  Served closedLoop(double n, double prompts) {
    return lockstep ? lockstep(n, prompts) : continuous(n);
  }

  /**
   * A closed loop of {@code n ≥ 1} clients whose requests all have the same lengths, {@code prompts} requests in all
   * (endless when not positive). The benchmark clients (vLLM's {@code bench serve}, SGLang's {@code bench_serving},
   * genai-perf, trtllm-bench) start all {@code n} at once, so their prompts arrive together and are prefilled in
   * {@code c} iterations of the token budget, the first wave's mean TTFT being {@link #waveTtft}. The requests
   * prefilled in iteration {@code g} then decode together and all end {@code O − 1} iterations later, and their
   * clients' next requests arrive together: the {@code c} groups of {@code n/c} keep the step they took in the
   * first wave. When the whole wave fits one iteration ({@code c = 1}) every wave is such a burst: a prefill of
   * {@code n} prompts, then {@code O − 1} decode steps of {@code n} sequences with no prompt beside them, the
   * context growing as in {@link #decodeSum}. With {@code c > 1} a later group's prompts arrive while the other
   * groups decode, and fill one iteration of the budget beside their decodes (its time {@code m}). A prompt needs
   * {@code p} iterations of the budget on its own (one unless it is longer than the budget), so a slot's cycle is
   * {@code N = max(c, O − 1 + p)} iterations, {@code c} of them mixed and {@code N − c} pure decode steps (mean
   * time {@code d}); a request of a later group waits {@code w = N − (O − 1)} mixed iterations for its first token
   * ({@code p}, unless the prompts outrun the decodes) and its {@code O − 1} decode steps include the other
   * {@code c − w} mixed ones, beside which {@code n (c − w)/c} requests decode:
   *
   * <pre>  TPOT = ((c − w)·m + (N − c)·d) / (O − 1),  E2E = TTFT + (O − 1)·TPOT,  requests/s = n / E2E</pre>
   *
   * with TTFT the mean over the run: {@code n} requests of the first wave, the {@code P − n} others later.
   */
  Served lockstep(double n, double prompts) {
    double tokens = n * in;
    double c = Math.max(1, Math.ceil(tokens / budget(tokens)));
    double steps = Math.max(0, out - 1);
    double cycle = Math.max(c, steps + Math.min(c, promptIterations()));
    double waits = cycle - steps;
    double group = n / c;
    double decoding = n * (c - waits) / c;
    double mixed = seconds(group + decoding, decoding, decoding * meanContext, group * in, group * inSq / 2);
    double decode = steps > 0 ? decodeSum(n, steps) / steps : 0;
    double tpot = steps > 0 ? ((c - waits) * mixed + (cycle - c) * decode) / steps : 0;
    double later = t.requestS() + waits * mixed;
    double ttft = prompts > n ? (n * waveTtft(n) + (prompts - n) * later) / prompts
        : prompts > 0 ? waveTtft(n) : later;
    double e2e = ttft + steps * tpot;
    LimitedBy by = (cycle - c) * decode >= c * mixed
        ? t.dominant(f.step(n, n * meanContext, 0, 0), n)
        : t.dominant(f.step(decoding, decoding * meanContext, group * in, group * inSq / 2), group + decoding);
    return new Served(ttft, tpot, e2e, n / e2e, n, by, () -> String.format(Locale.ROOT,
        "%s client%s in lockstep: their prompts prefill in %.0f iteration%s of the token budget, then decode together",
        Fixed.count(n), n == 1 ? "" : "s", c, c == 1 ? "" : "s"));
  }

  /**
   * A closed loop of more {@code clients} than the capacity {@code cap} runs: {@code full} (the steady state at the
   * capacity) serves them, and the rest wait in the queue before their first token.
   */
  Served queued(double clients, Capacity cap, Served full) {
    double e2e = clients / full.perSecond();
    return new Served(full.ttft() + e2e - full.e2e(), full.tpot(), e2e, full.perSecond(), full.running(), cap.by(),
        () -> cap.detail().get() + "; " + Fixed.of(clients - cap.n(), 0) + " more wait in the queue");
  }

  /**
   * Every request at once; {@code prompts} of them, or endless when not positive. When they all fit the capacity
   * the run is {@link #oneWave}. Otherwise the first {@code n} (the capacity) arrive together and their prompts are
   * prefilled in arrival order ({@link #waveTtft}); the prompts
   * beyond {@code n} wait {@code (P − n)² / (2·P·X)} on average for a slot and then prefill beside {@code n − 1}
   * decodes. An endless run has no first wave worth counting: its TTFT is the steady state's.
   */
  Served offline(double prompts) {
    Capacity cap = capacity();
    if (prompts <= 0) {
      Served s = continuous(cap.n());
      return new Served(s.ttft(), s.tpot(), s.e2e(), s.perSecond(), s.running(), cap.by(), cap.detail());
    }
    double n = Math.min(prompts, cap.n());
    if (prompts <= n) {
      return oneWave(n);
    }
    Served s = continuous(n);
    double later = prompts - n;
    double ttft = (n * waveTtft(n) + later * s.ttft()) / prompts + later * later / (2 * prompts * s.perSecond());
    double e2e = s.e2e() + ttft - s.ttft();
    return new Served(ttft, s.tpot(), e2e, s.perSecond(), n, cap.by(), cap.detail());
  }

  /**
   * An offline run whose {@code n} prompts all fit at once: they are prefilled in the first iterations
   * ({@link #waveTtft}) and no prompt arrives after them, so every later iteration decodes the {@code n} requests
   * alone, their context growing as in a static batch ({@link #decodeSum}); the steady state's prompts spread over
   * the decode iterations would count the prompts a second time. Requests/s is {@code n / E2E}.
   */
  Served oneWave(double n) {
    double steps = Math.max(0, out - 1);
    double decode = decodeSum(n, steps);
    double ttft = waveTtft(n);
    double e2e = ttft + decode;
    LimitedBy by = t.dominant(f.step(n, n * meanContext, 0, 0), n);
    return new Served(ttft, steps > 0 ? decode / steps : 0, e2e, n / e2e, n, by, () -> String.format(Locale.ROOT,
        "all %s prompts prefill first, then decode together", Fixed.of(n, 0)));
  }

  /**
   * Mean TTFT of {@code n} requests that arrive together: their {@code n·I} prompt tokens run in {@code c}
   * iterations of at most the token budget (whole prompts when prefill is not chunked; all at once without a
   * budget), and the prompts finishing in iteration {@code k} wait {@code k} of them: from the first prompt's
   * {@code p} iterations (one unless a prompt is longer than the budget) to the last one's {@code c},
   * {@code (p + c)/2} on average. Beside the iterations decode the requests already prefilled,
   * {@code n (c − p)/(2c)} on average, over their prompts.
   */
  double waveTtft(double n) {
    double tokens = n * in;
    double c = Math.max(1, Math.ceil(tokens / budget(tokens)));
    double first = Math.min(c, promptIterations());
    double decoding = n * (c - first) / (2 * c);
    return t.requestS() + (first + c) / 2 * seconds(decoding + n / c, decoding, decoding * in, tokens / c,
        n * inSq / 2 / c);
  }

  /** Iterations one prompt needs when it has the token budget to itself: more than one only for a long prompt. */
  private double promptIterations() {
    return Math.max(1, Math.ceil(in / budget(in)));
  }

  /**
   * Prompt tokens one iteration takes when {@code tokens} wait: the token budget (at least a whole prompt when
   * prefill is not chunked), or all of them without a budget.
   */
  private double budget(double tokens) {
    return limits.maxTokensPerStep() > 0
        ? Math.max(limits.maxTokensPerStep(), limits.chunkedPrefill() ? 1 : in) : tokens;
  }

  /**
   * An open stream of {@code rate} requests/s; {@code prompts} of them when positive (a benchmark's run), endless
   * otherwise. Below the capacity the running count settles where {@code n = λ·E2E(n)}, and a new request's wait is
   * an iteration's: the engine runs iterations, not prefills, so an arriving prompt waits for the iteration in flight
   * to end and then joins the next one beside the running decodes (and the other prompts that arrived meanwhile: no
   * prompt waits for another's prefill while the token budget holds them, and the capacity keeps it so). Arrivals are
   * Poisson (the default of vLLM's, SGLang's and TensorRT-LLM's benchmark clients), so they see the time average
   * (PASTA); the requests in flight, each for its own E2E, are then an M/G/∞ system, Poisson with mean {@code n}: an
   * iteration of the others is in flight with probability {@code 1 − e^(−n)}, and its remaining time is half an
   * iteration (the steady-state iteration, {@code TPOT}) on average:
   *
   * <pre>  TTFT = requestS + (1 − e^(−n))·TPOT/2 + the prompt's own iteration(s)</pre>
   *
   * A run of {@code P} prompts starts empty and never has more than {@code P} in flight: its requests arrive over
   * {@code T = P/λ} and a request shares its iterations with {@link #inFlight} others on average, {@code λ·E2E} only
   * when {@code T} is long beside one request's {@code E2E} (50 prompts at 10/s, each decoding for 90 s, run as one
   * wave of 50, not as the 900 of the steady state). Its prompts arrive within {@code T}; when they outrun the
   * prefill, a prompt waits as in a wave that arrived at once ({@link #waveTtft}) less the mean delay of its arrival,
   * {@code (m − 1)/(2λ)}, which is the larger TTFT then; the wave is of the {@code m = min(P, nmax)} prompts the
   * deployment can hold at once, as the others wait for a slot, which is the queue's part. The benchmark divides the
   * run's requests by its duration, which {@link RunDuration} simulates in cohorts on both sides of the capacity.
   *
   * At or above the capacity the deployment saturates and the queue grows over the run, and a prompt waits the
   * iteration in flight and that queue, or as the burst of prompts below the capacity would when that is longer, so
   * that a rate that crosses the capacity never gets a first token sooner.
   */
  Served rate(double rate, double prompts) {
    Capacity cap = capacity();
    Served full = continuous(cap.n());
    double burst = prompts > 0 ? burstTtft(rate, Math.min(prompts, cap.n())) : 0;
    // a run's length, below the capacity or above it: one simulation on both sides
    double length = prompts > 0 ? run(cap).seconds(prompts, rate) : 0;
    if (inFlight(rate, prompts, full.e2e()) >= cap.n()) {
      // the queue grows for as long as requests arrive: over P prompts the last waits P/X − P/λ, the mean half that
      // (inFlight is at most λ·E2E, so a saturated run has λ ≥ X)
      double wait = prompts > 0 ? (prompts / full.perSecond() - prompts / rate) / 2 : 0;
      double served = prompts > 0 ? prompts / length : full.perSecond();
      LimitedBy by = cap.n() < EngineLimits.MAX ? cap.by() : full.limitedBy();
      // an iteration is always in flight; a burst of prompts that outruns the prefill waits as below the capacity
      double ttft = Math.max(full.ttft() + iterationWait(cap.n(), full.tpot()) + wait, burst);
      return new Served(ttft, full.tpot(), ttft + full.e2e() - full.ttft(), served, full.running(), by,
          () -> String.format(Locale.ROOT, "saturated: %.3f requests/s offered, at most %.3f served%s; %s", rate,
              full.perSecond(), runLength(prompts, length), cap.detail().get()));
    }
    double lo = 0;
    double hi = cap.n();
    for (int i = 0; i < 60; i++) {
      double mid = (lo + hi) / 2;
      if (inFlight(rate, prompts, continuous(mid).e2e()) > mid) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double running = hi;
    Served s = continuous(running);
    double busy = 1 - Math.exp(-running);
    double ttft = s.ttft() + iterationWait(running, s.tpot());
    ttft = Math.max(ttft, burst);
    double e2e = ttft + s.e2e() - s.ttft();
    double served = prompts > 0 ? prompts / length : rate;
    return new Served(ttft, s.tpot(), e2e, served, running, LimitedBy.ARRIVAL_RATE,
        () -> String.format(Locale.ROOT, "%.3f requests/s arrive, %s; %.2f in flight on average%s, an iteration"
            + " in flight at arrival %.0f%% of the time%s", rate, rate < full.perSecond()
                ? String.format(Locale.ROOT, "below the capacity of %.3f", full.perSecond())
                // only a run of stated prompts gets here: fewer than the sequences the deployment holds at once
                : String.format(Locale.ROOT, "above the capacity of %.3f, but its %s prompts never fill the %.0f"
                    + " sequences it holds at once", full.perSecond(), Fixed.of(prompts, 0), cap.n()),
            running, prompts > 0 ? " over a run of " + Fixed.of(prompts, 0) + " prompts" : "", 100 * busy,
            runLength(prompts, length)));
  }

  /** How long a run of stated prompts lasts, for the explanation; nothing for an endless stream. */
  private static String runLength(double prompts, double seconds) {
    return prompts > 0 ? String.format(Locale.ROOT, "; the run of %s prompts lasts %.3g s", Fixed.of(prompts, 0),
        seconds) : "";
  }

  /** A run of stated prompts here: requests take {@link #continuous}'s E2E, at most the capacity at once. */
  private RunDuration run(Capacity cap) {
    return new RunDuration(n -> continuous(n).e2e(), cap.n());
  }

  /**
   * The TTFT of {@code m} prompts of a run at {@code rate} when they outrun the prefill: as a wave that arrived at
   * once, less the mean delay of their arrival, {@code (m − 1)/(2λ)} (see {@link #rate}).
   */
  private double burstTtft(double rate, double m) {
    return waveTtft(m) - Math.max(0, m - 1) / (2 * rate);
  }

  /**
   * The mean number of requests in flight beside a request of an open stream of {@code rate} requests/s, each for
   * {@code e2e} seconds: {@code λ·E2E} in an endless stream (Little's law). Of a run of {@code prompts} arriving
   * evenly over {@code T = P/λ}, two requests overlap for {@code max(0, E2E − |a − b|)} of the one's {@code E2E}, so
   * over the pairs of arrival times: {@code P·(1 − x/3)} with {@code x = T/E2E ≤ 1} (the whole run in flight at
   * once, less its ragged ends), {@code λ·E2E·(1 − 1/(3x))} for {@code x ≥ 1}; both {@code 2P/3} at {@code x = 1}
   * and the endless stream's {@code λ·E2E} as {@code x} grows.
   */
  static double inFlight(double rate, double prompts, double e2e) {
    if (prompts <= 0) {
      return rate * e2e;
    }
    double x = prompts / rate / e2e;
    return x <= 1 ? prompts * (1 - x / 3) : rate * e2e * (1 - 1 / (3 * x));
  }

  /**
   * Mean wait of a Poisson arrival for the iteration in flight, when {@code running} requests are in flight on
   * average (Poisson by M/G/∞, so some are with probability {@code 1 − e^(−running)}) and an iteration takes
   * {@code iteration} seconds (half of it remains on average).
   */
  static double iterationWait(double running, double iteration) {
    return (1 - Math.exp(-running)) * iteration / 2;
  }

  List<String> assumptions() {
    return f.assumptions();
  }
}
