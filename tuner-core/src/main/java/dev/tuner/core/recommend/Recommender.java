package dev.tuner.core.recommend;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.recommend.Dropped.Reason;
import dev.tuner.core.recommend.Recommendation.MemorySource;
import dev.tuner.core.roofline.MemoryEstimate;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.Vendors;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Recommends the fastest decode configuration of one model on one device or on several.
 *
 * <p>It enumerates parallel layouts × quantizations × KV-cache types × batch sizes at the request's context (layouts
 * an engine cannot run, see {@link LayoutSearch#whyNot}, are reported and skipped, and so are batches smaller than a
 * layout's replicas), drops what does not fit
 * in memory ({@link MemoryEstimate}: weights + full KV cache + 0.5 GiB + 5 % of the weights) before predicting, scores
 * all the rest with one call of the batch path {@link Predictor#predictTokensPerSecond} (roofline-clamped), drops what
 * exceeds the per-sequence latency budget and what a smaller batch of the same configuration reaches as fast
 * ({@link Reason#NO_GAIN}), ranks by predicted aggregate tokens/s and extracts the Pareto front of tokens/s against
 * per-sequence latency. Immutable and thread-safe.
 */
public final class Recommender {
  private static final Comparator<Candidate> FASTEST_FIRST = Comparator
      .comparingDouble(Candidate::tokensPerSecond).reversed()
      .thenComparingDouble(Candidate::msPerToken)
      .thenComparingDouble(c -> c.memory().totalBytes());

  /** How the note about configurations ranked without a compute roof begins. */
  public static final String ROOFLESS = "no compute roof applies";

  private final Predictor predictor;

  @Inject
  public Recommender(Predictor predictor) {
    this.predictor = predictor;
  }

  public Recommendation recommend(RecommendRequest req) {
    if (req == null) {
      throw new InvalidInputException("request", "missing", "a recommend request (e.g. RecommendRequest.defaults)");
    }
    List<String> notes = new ArrayList<>();
    OptionalDouble capacity;
    MemorySource source;
    if (req.memoryGb().isPresent()) {
      capacity = req.memoryGb();
      source = MemorySource.OVERRIDE;
    } else if (req.device().memoryGb().isPresent()) {
      capacity = req.device().memoryGb();
      source = MemorySource.CATALOG;
    } else {
      capacity = OptionalDouble.empty();
      source = MemorySource.UNKNOWN;
      notes.add("memory capacity of " + req.device().name() + " is unknown and none was given: configurations were"
          + " not checked for fit (state the capacity: RecommendRequest's memoryGb, --memory-gb in the CLI)");
    }
    if (!req.model().knowsKvShape()) {
      notes.add("KV-cache size of " + req.model().name() + " unknown (layers, KV heads or head dimension missing):"
          + " memory estimates count weights and overhead only");
    }
    if (predictor.isFallback()) {
      notes.add("roofline-only, no trained model: configurations ranked by the roofline times a fixed efficiency");
    }
    req.model().beyondContext(req.context()).ifPresent(notes::add);

    EngineSettings engine = req.engine().withUsualBackend(req.device());
    engine.backendAssumption(req.device()).ifPresent(notes::add);
    Vendors.unknownNote(req.device()).ifPresent(notes::add);
    req.quants().stream().map(Predictor::weightFormatNote).flatMap(Optional::stream).forEach(notes::add);
    // the widest: its note names its ep, and says what every narrower one would
    req.layouts().stream().max(Comparator.comparingInt(ParallelLayout::ep))
        .flatMap(Predictor::expertParallelNote).ifPresent(notes::add);
    List<KvCacheType> kvTypes = runnableKvCaches(req.kvCacheTypes(), engine, notes);
    List<Dropped> dropped = new ArrayList<>();
    List<LayoutFit> fits = new ArrayList<>();
    int grid = req.gridSize() * req.layouts().size();
    Scenario[] fitting = new Scenario[grid];
    MemoryEstimate[] memory = new MemoryEstimate[grid];
    int n = 0;
    int evaluated = 0;
    for (ParallelLayout layout : req.layouts()) {
      Optional<String> whyNot = LayoutSearch.whyNot(req.model(), req.device(), layout);
      if (whyNot.isPresent()) {
        fits.add(new LayoutFit(layout, LayoutFit.Status.NOT_APPLICABLE, whyNot, req.quants().get(0),
            kvTypes.get(0), req.batches().get(0), MemoryEstimate.of(req.model(), req.quants().get(0),
                kvTypes.get(0), req.batches().get(0), req.context(), layout), capacity, 0, 0));
        continue;
      }
      MemoryEstimate smallest = null;
      Quantization smallestQuant = null;
      KvCacheType smallestKv = null;
      int smallestBatch = 0;
      int fitHere = 0;
      int here = 0;
      for (Quantization q : req.quants()) {
        for (KvCacheType kv : kvTypes) {
          for (int batch : req.batches()) {
            // a replica without a sequence is idle: the same layout with fewer devices serves this batch
            if (batch < layout.replicas()) {
              continue;
            }
            here++;
            MemoryEstimate m = MemoryEstimate.of(req.model(), q, kv, batch, req.context(), layout);
            if (smallest == null || m.totalBytes() < smallest.totalBytes()) {
              smallest = m;
              smallestQuant = q;
              smallestKv = kv;
              smallestBatch = batch;
            }
            if (capacity.isPresent() && !m.fitsIn(capacity.getAsDouble())) {
              dropped.add(new Dropped(q, kv, batch, Reason.MEMORY, m, capacity.getAsDouble(), Double.NaN, layout));
              continue;
            }
            fitHere++;
            fitting[n] = scenario(req, engine, q, kv, batch, layout);
            memory[n] = m;
            n++;
          }
        }
      }
      evaluated += here;
      if (smallest == null) {
        fits.add(new LayoutFit(layout, LayoutFit.Status.NOT_APPLICABLE, Optional.of("every batch is smaller than its "
            + layout.replicas() + " replicas"), req.quants().get(0), kvTypes.get(0),
            req.batches().get(0), MemoryEstimate.of(req.model(), req.quants().get(0), kvTypes.get(0),
                req.batches().get(0), req.context(), layout), capacity, 0, 0));
      } else {
        LayoutFit.Status status = capacity.isEmpty() ? LayoutFit.Status.UNCHECKED
            : fitHere > 0 ? LayoutFit.Status.FITS : LayoutFit.Status.DOES_NOT_FIT;
        fits.add(new LayoutFit(layout, status, Optional.empty(), smallestQuant, smallestKv, smallestBatch, smallest,
            capacity, fitHere, here));
      }
    }

    Scenario[] scored = n == grid ? fitting : Arrays.copyOf(fitting, n);
    double[] tokens = new double[n];
    predictor.predictTokensPerSecond(scored, tokens, new float[n * predictor.encoder().width()]);

    Roofline roofline = predictor.roofline();
    List<Candidate> ranked = new ArrayList<>(n);
    Dropped quickestOverBudget = null;
    for (int i = 0; i < n; i++) {
      Scenario s = scored[i];
      double tps = tokens[i];
      if (!(tps > 0)) {
        dropped.add(new Dropped(s.quant(), s.kvCache(), s.batch(), Reason.NO_THROUGHPUT, memory[i], Double.NaN, tps,
            s.parallel()));
        continue;
      }
      double ms = 1000.0 * s.batch() / tps;
      if (req.maxMsPerToken().isPresent() && ms > req.maxMsPerToken().getAsDouble()) {
        Dropped d = new Dropped(s.quant(), s.kvCache(), s.batch(), Reason.LATENCY, memory[i],
            req.maxMsPerToken().getAsDouble(), tps, s.parallel());
        dropped.add(d);
        if (quickestOverBudget == null || ms < quickestOverBudget.msPerToken()) {
          quickestOverBudget = d;
        }
        continue;
      }
      RooflineResult r = roofline.computeFigures(s);
      ranked.add(new Candidate(s.quant(), s.kvCache(), s.batch(), s.context(), tps, ms, r.tokensPerSecond(),
          r.bound(), r.arithmeticIntensity(), r.flopsPerToken(), r.peakTflops(), memory[i], s.parallel()));
    }
    ranked = gaining(ranked, dropped);
    if (ranked.stream().anyMatch(c -> !(c.peakTflops() > 0))) {
      notes.add(ROOFLESS + " for " + req.device().name() + " (its FP16 peak is unknown and cannot be estimated):"
          + " predicted tokens/s grow with the batch without the limit that roof would set, so large batches rank"
          + " higher than they can run (state the peak for a trustworthy ranking: DeviceSpec's fp16Tflops,"
          + " --fp16-tflops in the CLI)");
    }
    ranked.sort(FASTEST_FIRST);
    withIntervals(ranked, req, engine);
    List<Candidate> top = ranked.subList(0, Math.min(req.top(), ranked.size()));
    Optional<String> whyEmpty = ranked.isEmpty()
        ? Optional.of(explainEmpty(req, capacity, dropped, quickestOverBudget, fits))
        : Optional.empty();
    return new Recommendation(req, predictor.model().id(), predictor.isFallback(), capacity, source, evaluated,
        ranked, top, paretoFront(ranked), dropped, notes, whyEmpty, req.multiDevice() ? fits : List.of());
  }

  /**
   * {@code candidates} without those a smaller batch of the same quantization, KV cache and layout reaches at least
   * as fast (they go to {@code dropped} as {@link Reason#NO_GAIN}): ranked, they would fill the top with the same
   * throughput at ever more latency and memory. Order kept.
   */
  static List<Candidate> gaining(List<Candidate> candidates, List<Dropped> dropped) {
    java.util.Map<List<Object>, List<Candidate>> byConfiguration = new java.util.HashMap<>();
    for (Candidate c : candidates) {
      byConfiguration.computeIfAbsent(List.of(c.quant().name(), c.kvCache(), c.layout()), k -> new ArrayList<>())
          .add(c);
    }
    java.util.Set<Candidate> held = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (List<Candidate> same : byConfiguration.values()) {
      same.sort(Comparator.comparingInt(Candidate::batch));
      Candidate fastest = null;
      for (Candidate c : same) {
        if (fastest != null && c.tokensPerSecond() <= fastest.tokensPerSecond()) {
          held.add(c);
          dropped.add(new Dropped(c.quant(), c.kvCache(), c.batch(), Reason.NO_GAIN, c.memory(), fastest.batch(),
              c.tokensPerSecond(), c.layout()));
        } else {
          fastest = c;
        }
      }
    }
    return held.isEmpty() ? candidates : candidates.stream().filter(c -> !held.contains(c))
        .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
  }

  /**
   * The caches of {@code kvTypes} llama.cpp can run with {@code engine}'s flash attention, which it needs for a q8_0 or
   * q4_0 cache ({@link EngineSettings#forKvCache}): not stated, such caches are searched with it on and the others with
   * it off; stated off, they are left out, and refused when no other is left. {@code notes} says which.
   */
  private static List<KvCacheType> runnableKvCaches(List<KvCacheType> kvTypes, EngineSettings engine,
      List<String> notes) {
    List<String> needing = kvTypes.stream().filter(KvCacheType::needsFlashAttention).map(KvCacheType::id).toList();
    if (needing.isEmpty() || engine.flashAttention()) {
      return kvTypes;
    }
    String caches = String.join(" and ", needing) + " KV caches";
    String why = "llama.cpp quantizes the V cache only with flash attention";
    String setting = "RecommendRequest's engine flashAttention, --flash-attn in the CLI";
    List<KvCacheType> others = kvTypes.stream().filter(k -> !k.needsFlashAttention()).toList();
    if (engine.flashAttentionAssumed()) {
      notes.add(caches + " are searched with flash attention on (not stated: " + why + ")"
          + (others.isEmpty() ? "" : ", the others with it off, llama-bench's default") + "; state it on to search"
          + " every cache with it (" + setting + ")");
      return kvTypes;
    }
    if (others.isEmpty()) {
      throw new InvalidInputException("KV-cache types", String.join(",", needing) + " with flash attention off",
          "a cache llama.cpp runs without flash attention (f16), or flash attention on (" + setting + "): " + why);
    }
    notes.add(caches + " not searched: flash attention is off, and " + why + " (state it on: " + setting + ")");
    return others;
  }

  /** The decode scenario of one grid point. */
  private static Scenario scenario(RecommendRequest req, EngineSettings engine, Quantization q, KvCacheType kv,
      int batch, ParallelLayout layout) {
    return new Scenario(req.model(), req.device(), q, kv, batch, req.context(), Phase.DECODE, req.cudaGraphs(),
        req.kernel(), false).withParallel(layout).withEngine(engine);
  }

  /**
   * Gives the candidates a recommendation shows, its top and its Pareto front, the intervals of their predictions (the
   * grid is scored on the fast path, which computes none): in {@code ranked} itself, so that top and front stay its
   * elements.
   */
  private void withIntervals(List<Candidate> ranked, RecommendRequest req, EngineSettings engine) {
    java.util.Set<Candidate> shown = new java.util.HashSet<>(ranked.subList(0, Math.min(req.top(), ranked.size())));
    shown.addAll(paretoFront(ranked));
    for (int i = 0; i < ranked.size(); i++) {
      Candidate c = ranked.get(i);
      if (shown.contains(c)) {
        Scenario s = scenario(req, engine, c.quant(), c.kvCache(), c.batch(), c.layout());
        ranked.set(i, c.withInterval(predictor.predict(s, 0).interval()));
      }
    }
  }

  /**
   * The configurations no other one beats on both aggregate tokens/s (higher is better) and per-sequence latency
   * (lower is better), sorted by latency ascending, so tokens/s rises strictly along the list. Of exact ties, the
   * first in {@code candidates} order is kept.
   */
  public static List<Candidate> paretoFront(List<Candidate> candidates) {
    List<Candidate> byLatency = new ArrayList<>(candidates);
    byLatency.sort(Comparator.comparingDouble(Candidate::msPerToken)
        .thenComparing(Comparator.comparingDouble(Candidate::tokensPerSecond).reversed()));
    List<Candidate> front = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    for (Candidate c : byLatency) {
      if (c.tokensPerSecond() > best) {
        front.add(c);
        best = c.tokensPerSecond();
      }
    }
    return front;
  }

  private static String explainEmpty(
      RecommendRequest req, OptionalDouble capacity, List<Dropped> dropped, Dropped quickestOverBudget,
      List<LayoutFit> fits) {
    if (dropped.isEmpty()) {
      StringBuilder b = new StringBuilder("no layout applies to ").append(req.model().name()).append(':');
      fits.forEach(f -> b.append(' ').append(Candidate.layoutLabel(f.layout())).append(": ").append(f.detail())
          .append(';'));
      return b.substring(0, b.length() - 1);
    }
    long memory = dropped.stream().filter(d -> d.reason() == Reason.MEMORY).count();
    long latency = dropped.stream().filter(d -> d.reason() == Reason.LATENCY).count();
    long none = dropped.size() - memory - latency;
    if (memory == dropped.size() && capacity.isPresent()) {
      Dropped smallest = dropped.get(0);
      for (Dropped d : dropped) {
        if (d.memory().totalBytes() < smallest.memory().totalBytes()) {
          smallest = d;
        }
      }
      if (req.multiDevice()) {
        return String.format(Locale.ROOT, "no configuration of %s fits in %s GiB per device on up to %d × %s at"
            + " context %d: the smallest, %s with a %s KV cache at batch %d on %s, needs %.2f GiB per device",
            req.model().name(), compact(capacity.getAsDouble()),
            req.layouts().stream().mapToInt(ParallelLayout::devices).max().getAsInt(), req.device().name(),
            req.context(), smallest.quant().name(), smallest.kvCache().id(), smallest.batch(),
            Candidate.layoutLabel(smallest.layout()), smallest.memory().totalGib());
      }
      return String.format(Locale.ROOT, "no configuration of %s fits in %s GiB on %s at context %d: the smallest,"
          + " %s with a %s KV cache at batch %d, needs %.2f GiB", req.model().name(), compact(capacity.getAsDouble()),
          req.device().name(), req.context(), smallest.quant().name(), smallest.kvCache().id(), smallest.batch(),
          smallest.memory().totalGib());
    }
    StringBuilder b = new StringBuilder("no configuration qualifies: of ").append(dropped.size()).append(", ");
    b.append(memory).append(" do not fit in memory, ").append(latency).append(" exceed the latency budget");
    if (none > 0) {
      b.append(", ").append(none).append(" have no predicted throughput");
    }
    if (latency > 0) {
      b.append(String.format(Locale.ROOT, " of %s ms per token per sequence; the quickest per sequence takes %.3g ms"
          + " with %s and a %s KV cache at batch %d", compact(req.maxMsPerToken().getAsDouble()),
          quickestOverBudget.msPerToken(), quickestOverBudget.quant().name(), quickestOverBudget.kvCache().id(),
          quickestOverBudget.batch()));
    }
    return b.toString();
  }

  /** Up to 4 significant digits without trailing zeros: 4 → "4", 0.01 → "0.01", 7.2507 → "7.251". */
  static String compact(double v) {
    String s = String.format(Locale.ROOT, "%.4g", v);
    if (s.indexOf('.') >= 0 && s.indexOf('e') < 0) {
      s = s.replaceAll("0+$", "");
      if (s.endsWith(".")) {
        s = s.substring(0, s.length() - 1);
      }
    }
    return s;
  }
}
