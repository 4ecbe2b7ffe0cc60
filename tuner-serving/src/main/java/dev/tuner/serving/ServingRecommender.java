package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The serving configuration for a workload: every engine × device count × parallel layout × precision × KV-cache
 * type × concurrency of a {@link ServingRequest} is predicted (the KV-cache types the request names, or the one
 * {@link ServingRequest#kvCacheRule} gives each precision); those that meet the TTFT and TPOT budgets are ranked by
 * output tokens/s per GPU, or by cost per million output tokens when a price per GPU-hour is given. With one price
 * for every GPU the two orders agree (cost per million = price / (3600 × tokens/s per GPU) × 10⁶); the cost is
 * reported so that the choice reads in money. Immutable and thread-safe.
 *
 * <p>Layouts of {@code N} GPUs: every tensor-parallel size {@code tp} and pipeline depth {@code pp} (powers of two)
 * with {@code tp × pp} dividing {@code N}, the rest replicas; a mixture of experts also gets expert parallelism over
 * its tensor-parallel group ({@code ep = tp}), and when the request asks ({@link ServingRequest#attentionGroups}) each
 * of those layouts once more on an engine that runs attention data-parallel with every rank its own attention group
 * ({@code attentionDp = tp}, SGLang's and TensorRT-LLM's usual setting for DeepSeek-like models). A layout whose
 * weights leave no room for a KV cache is dropped with that reason. The instance figures, the capacity and the
 * saturated steady state are computed once per engine, precision and layout and reused over the concurrencies
 * ({@link ServingPredictor#sweep}).
 *
 * <p>A concurrency beyond what a deployment can run adds requests that only wait: its tokens/s per GPU and TPOT stay
 * those of a lower concurrency while its TTFT grows. Such a candidate, no better on any of the three than a lower
 * concurrency of the same deployment (engine, precision, KV-cache type, layout, attention groups) and worse on one,
 * is not ranked ({@code queued}): no budget or price would prefer it, and ranked it would fill the top of the list
 * with copies of one configuration behind longer and longer queues.
 */
public final class ServingRecommender {
  private final ServingPredictor predictor;

  public ServingRecommender(ServingPredictor predictor) {
    this.predictor = predictor;
  }

  /** One predicted configuration; {@code usdPerMillionOutput} when a price was given. */
  public record Candidate(ServingScenario scenario, ServingPrediction prediction, boolean meetsBudget,
      OptionalDouble usdPerMillionOutput) {
    public int concurrency() {
      return ((Load.Concurrency) scenario.workload().load()).clients();
    }
  }

  /** A configuration that cannot run, and why. */
  public record Dropped(Engine engine, Quantization quant, KvCacheType kvCache, ParallelLayout layout, int attentionDp,
      String reason) {}

  /**
   * Every candidate predicted ({@code candidates}, in grid order, each deployment's concurrencies from the lowest),
   * those meeting the budgets ranked best first ({@code ranked}), those meeting them that a lower concurrency of the
   * same deployment outdoes ({@code queued}, in grid order; see the class comment), the best one if any, and the
   * configurations dropped before prediction.
   */
  public record Recommendation(ServingRequest request, List<Candidate> candidates, List<Candidate> ranked,
      List<Candidate> queued, Optional<Candidate> best, List<Dropped> dropped) {
    public Recommendation {
      candidates = List.copyOf(candidates);
      ranked = List.copyOf(ranked);
      queued = List.copyOf(queued);
      dropped = List.copyOf(dropped);
    }

    /**
     * What the user of the recommendation must know: the KV-cache rule when the request named no types and it gave a
     * precision other than f16 (every figure at capacity hangs on it, and a prediction without it assumes f16), the
     * backend an engine took when none was stated ({@link Engine#backendAssumption}), a
     * workload longer than the context the model declares (every candidate), a best candidate that vLLM would not
     * start with its default {@code max_model_len}, and, when no candidate meets the budgets, how close the
     * {@link #closest} one comes.
     */
    public List<String> notes() {
      List<String> out = new ArrayList<>();
      if (request.kvCacheTypes().isEmpty()
          && request.quants().stream().anyMatch(q -> ServingRequest.kvCacheRule(q) != KvCacheType.F16)) {
        out.add(ServingRequest.KV_CACHE_RULE + ": predict a row with its kv (ServingScenario's kvCache,"
            + " --kv-cache-type in the CLI, whose predict assumes f16 without it); to search the types named instead:"
            + " ServingRequest's kvCacheTypes, --kv-cache-types in the CLI");
      }
      // an engine that chose its backend (llama.cpp without one stated) ranks its candidates on it: said once
      request.engines().stream().map(e -> e.backendAssumption(request.device())).flatMap(Optional::stream)
          .distinct().forEach(out::add);
      request.model().beyondContext(Lengths.longestSequence(request.input(), request.output())).ifPresent(out::add);
      best.flatMap(c -> c.prediction().refusedAtStart()).ifPresent(a -> out.add("the best candidate: " + a));
      closest().ifPresent(c -> out.add(String.format(Locale.ROOT, "closest to the budget: %s %s on"
          + " %d GPUs (%s) at concurrency %d: TTFT %s ms", c.scenario().engine().name(),
          c.scenario().quant().name(), c.scenario().layout().devices(), c.scenario().describeLayout(),
          c.concurrency(), Fixed.of(c.prediction().ttftMs(), 1))
          + (c.prediction().tpotMs().isPresent() ? ", TPOT " + Fixed.of(c.prediction().tpotMs().getAsDouble(), 2)
              + " ms" : "")));
      return List.copyOf(out);
    }

    /**
     * When no candidate meets the budgets, the one that misses them by the least: the smallest of its predicted
     * TTFT and TPOT over their budgets, the larger of the two where both are given. Empty when one meets them.
     */
    public Optional<Candidate> closest() {
      if (best.isPresent()) {
        return Optional.empty();
      }
      return candidates.stream().min(Comparator.comparingDouble(this::overBudget));
    }

    private double overBudget(Candidate c) {
      double ttft = request.maxTtftMs().isPresent() ? c.prediction().ttftMs() / request.maxTtftMs().getAsDouble() : 0;
      double tpot = request.maxTpotMs().isPresent()
          ? tpot(c.prediction()) / request.maxTpotMs().getAsDouble() : 0;
      return Math.max(ttft, tpot);
    }
  }

  public Recommendation recommend(ServingRequest q) {
    List<Candidate> all = new ArrayList<>();
    List<Candidate> queued = new ArrayList<>();
    List<Ranked> meeting = new ArrayList<>();
    List<Dropped> dropped = new ArrayList<>();
    int[] concurrencies = ascending(q.concurrencies());
    for (Engine engine : q.engines()) {
      for (Quantization quant : q.quants()) {
        for (KvCacheType kv : q.kvCaches(quant)) {
          for (int n : q.deviceCounts()) {
            for (ParallelLayout layout : layouts(n, q.model().moe().isMoe() && engine.kind().runsExpertParallel())) {
              for (int dp : q.attentionGroups(layout, engine)) {
                ServingScenario base;
                ServingPredictor.ConcurrencySweep sweep;
                try {
                  base = new ServingScenario(q.model(), q.device(), quant, kv, engine, layout,
                      new Workload(q.input(), q.output(), new Load.Concurrency(1)), dp);
                  // an engine that does not run on the device is dropped here, with the engines that do
                  sweep = predictor.sweep(base, predictor.physics().figures(base));
                } catch (InvalidInputException e) {
                  dropped.add(new Dropped(engine, quant, kv, layout, dp, e.getMessage()));
                  continue;
                }
                List<Candidate> lower = new ArrayList<>();
                for (int c : concurrencies) {
                  ServingScenario s = base.withWorkload(new Workload(q.input(), q.output(), new Load.Concurrency(c)));
                  ServingPrediction p;
                  try {
                    p = sweep.predict(s);
                  } catch (InvalidInputException e) {
                    dropped.add(new Dropped(engine, quant, kv, layout, dp, e.getMessage()));
                    break;
                  }
                  Candidate now = candidate(q, s, p);
                  all.add(now);
                  if (now.meetsBudget()) {
                    if (lower.stream().anyMatch(l -> outdoes(l, now))) {
                      queued.add(now);
                    } else {
                      lower.add(now);
                      meeting.add(new Ranked(now, -p.outputTokensPerSPerGpu(), tpot(p), p.ttftMs(),
                          layout.devices()));
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    meeting.sort(ORDER);
    List<Candidate> ranked = new ArrayList<>(meeting.size());
    meeting.forEach(r -> ranked.add(r.candidate()));
    return new Recommendation(q, all, ranked, queued, ranked.stream().findFirst(), dropped);
  }

  /** The concurrencies from the lowest, so that each is judged against the lower ones already ranked. */
  private static int[] ascending(List<Integer> concurrencies) {
    return concurrencies.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  /**
   * Whether {@code lower}, a lower concurrency of the same deployment, is at least as good as {@code higher} on
   * tokens/s per GPU, TPOT and TTFT and better on one. Equal to a part in 10⁹: a deployment at its capacity computes
   * the same steady state for every concurrency beyond it, up to rounding.
   */
  static boolean outdoes(Candidate lower, Candidate higher) {
    ServingPrediction a = lower.prediction();
    ServingPrediction b = higher.prediction();
    boolean asGood = atLeast(a.outputTokensPerSPerGpu(), b.outputTokensPerSPerGpu())
        && atLeast(-tpot(a), -tpot(b)) && atLeast(-a.ttftMs(), -b.ttftMs());
    boolean better = !same(a.outputTokensPerSPerGpu(), b.outputTokensPerSPerGpu()) || !same(tpot(a), tpot(b))
        || !same(a.ttftMs(), b.ttftMs());
    return asGood && better;
  }

  private static final double TIE = 1e-9;

  private static boolean atLeast(double x, double y) {
    return x >= y - TIE * Math.max(Math.abs(x), Math.abs(y));
  }

  private static boolean same(double x, double y) {
    return Math.abs(x - y) <= TIE * Math.max(Math.abs(x), Math.abs(y));
  }

  /** {@code s} predicted as {@code p}, judged against {@code q}'s budgets and priced at its GPU-hour. */
  static Candidate candidate(ServingRequest q, ServingScenario s, ServingPrediction p) {
    boolean meets = (q.maxTtftMs().isEmpty() || p.ttftMs() <= q.maxTtftMs().getAsDouble())
        && (q.maxTpotMs().isEmpty() || tpot(p) <= q.maxTpotMs().getAsDouble());
    OptionalDouble cost = q.gpuHourUsd().isPresent() && p.outputTokensPerSPerGpu() > 0
        ? OptionalDouble.of(q.gpuHourUsd().getAsDouble() / (3600 * p.outputTokensPerSPerGpu()) * 1e6)
        : OptionalDouble.empty();
    return new Candidate(s, p, meets, cost);
  }

  /**
   * The TPOT as a sort key. Undefined (one output token per request) for every candidate of a request alike, as they
   * share its lengths, so 0 orders none before another; a request with such lengths has no TPOT budget
   * ({@link ServingRequest}).
   */
  static double tpot(ServingPrediction p) {
    return p.tpotMs().orElse(0);
  }

  /** A candidate with its sort keys read once (a sort compares each candidate some log2(n) times). */
  private record Ranked(Candidate candidate, double negativePerGpu, double tpotMs, double ttftMs, int devices) {}

  /**
   * Highest tokens/s per GPU first (= lowest cost at one price); then lower TPOT, lower TTFT, fewer GPUs; a stable
   * sort keeps the grid order among ties.
   */
  private static final Comparator<Ranked> ORDER = (a, b) -> {
    int c = Double.compare(a.negativePerGpu(), b.negativePerGpu());
    if (c == 0) {
      c = Double.compare(a.tpotMs(), b.tpotMs());
    }
    if (c == 0) {
      c = Double.compare(a.ttftMs(), b.ttftMs());
    }
    return c != 0 ? c : Integer.compare(a.devices(), b.devices());
  };

  /** The layouts of {@code n} GPUs (see the class comment). */
  static List<ParallelLayout> layouts(int n, boolean moe) {
    List<ParallelLayout> out = new ArrayList<>();
    for (int tp = 1; tp <= n; tp *= 2) {
      for (int pp = 1; tp * pp <= n; pp *= 2) {
        if (n % (tp * pp) != 0) {
          continue;
        }
        out.add(new ParallelLayout(n, tp, pp, 1));
        if (moe && tp > 1) {
          out.add(new ParallelLayout(n, tp, pp, tp));
        }
      }
    }
    return out;
  }
}
