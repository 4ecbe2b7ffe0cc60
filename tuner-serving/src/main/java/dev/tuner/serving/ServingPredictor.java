package dev.tuner.serving;

import dev.tuner.api.Interval;
import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.ParallelLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Serving metrics for a {@link ServingScenario}: the layout's per-GPU physics ({@link StepPhysics}), the engine's
 * learned terms ({@link ServingTerms}) and the composition rules ({@link Composer}). Immutable and thread-safe.
 *
 * <p>Replicas share the load evenly: each gets {@code 1/replicas} of the concurrency, the request rate or the
 * prompts, and the deployment's throughput is the replicas' sum. An engine that keeps one micro-batch per pipeline
 * stage in flight ({@link EngineKind#overlapsPipelineStages}) splits an instance's share the same way over its
 * micro-batches ({@link #lanes}), each composed on its own with its share of the KV cache ({@link Composer}).
 */
public final class ServingPredictor {
  private final StepPhysics physics;
  private final ServingTerms terms;
  private final Optional<StepModelTerms> steps;
  /** Per metric ({@link Metric#ordinal}), the interval half-width (natural log) of the terms' predictions. */
  private final double[] widths;

  public ServingPredictor(StepPhysics physics, ServingTerms terms) {
    this(physics, terms, Optional.empty());
  }

  /**
   * A predictor whose llama.cpp deployments take their terms from a learned step model ({@link StepModelTerms})
   * where the serving terms learned none for llama.cpp.
   */
  public ServingPredictor(StepPhysics physics, ServingTerms terms, Optional<StepModelTerms> steps) {
    this.physics = physics;
    this.terms = terms;
    this.steps = steps;
    Metric[] metrics = Metric.values();
    widths = new double[metrics.length];
    for (Metric m : metrics) {
      widths[m.ordinal()] = ServingTerms.halfWidth(terms.logHalfWidth(), m);
    }
  }

  /**
   * The terms an instance runs with, the half-widths of its intervals per metric and of its E2E (when empty, each
   * prediction's from its TTFT's and TPOT's: {@link #e2eHalfWidth}), what they rest on when the step model gave them
   * ({@code assumption}), and why a deployment the step model would serve keeps the pooled terms ({@code pooled}).
   */
  private record Plan(EngineTerms terms, double[] widths, OptionalDouble e2eWidth, Optional<String> assumption,
      Optional<String> pooled) {
    boolean stepModel() {
      return assumption.isPresent();
    }
  }

  /**
   * Whether {@code s} takes its terms from the step model: one is given, it covers {@code s} ({@link
   * StepModelTerms#covers}: llama.cpp, on one device, a layer or row split, or replicas of either) and the serving
   * terms learned none for its engine. A deployment the step model then refuses keeps the pooled terms, and says so.
   */
  public boolean fromStepModel(ServingScenario s) {
    return steps.isPresent() && !terms.learned(s.engine().kind()) && StepModelTerms.covers(s);
  }

  private Plan plan(ServingScenario s, InstanceFigures f) {
    Optional<String> pooled = Optional.empty();
    if (fromStepModel(s)) {
      try {
        StepModelTerms.Derived d = steps.get().derive(s, f);
        double[] w = new double[widths.length];
        java.util.Arrays.fill(w, d.combinedHalfWidth());
        w[Metric.TTFT_MS.ordinal()] = d.prefillHalfWidth();
        w[Metric.TPOT_MS.ordinal()] = d.decodeHalfWidth();
        w[Metric.ITL_MS.ordinal()] = d.decodeHalfWidth();
        return new Plan(d.terms(), w, OptionalDouble.of(d.combinedHalfWidth()), Optional.of(d.assumption()),
            Optional.empty());
      } catch (InvalidInputException e) {
        pooled = Optional.of("the step model does not answer the steps of " + s.engine().kind().id() + " on "
            + s.describeLayout() + " (" + e.getMessage() + "), so the terms pooled over every engine's serving rows"
            + " are used");
      }
    }
    return new Plan(terms.forEngine(s.engine().kind()), widths, OptionalDouble.empty(), Optional.empty(), pooled);
  }

  public ServingTerms terms() {
    return terms;
  }

  /**
   * What {@code p}, this predictor's prediction of {@code s}, rests on: its terms and where they come from, and one
   * decode iteration of its running requests (at least one) at the workload's mean context, input plus half the
   * output.
   */
  public ServingExplanation explain(ServingScenario s, ServingPrediction p) {
    InstanceFigures shared = physics.figures(s);
    Spread spread = spread(s, lanes(s, shared));
    InstanceFigures f = busy(s, shared, spread.instances());
    Plan plan = plan(s, f);
    String engine = s.engine().kind().id();
    String source = plan.stepModel() ? "the step model's predictions of one sequence's steps"
        + (s.layout().splits() ? " on one instance's " + s.layout().tp() * s.layout().pp() + " devices" : "")
        + " (no serving row runs " + engine + ")" : terms.learned(s.engine().kind()) ? "learned from the serving rows"
        + " of " + engine : "pooled over every engine's serving rows (none runs " + engine + ")";
    // one iteration is one micro-batch's: an instance's running requests over its busy micro-batches
    double sequences = Math.max(1, p.running() * spread.instances() / spread.active());
    double context = s.workload().input().mean() + s.workload().output().mean() / 2;
    return new ServingExplanation(source, plan.terms(), sequences, context, f.step(sequences, sequences * context, 0,
        0));
  }

  public StepPhysics physics() {
    return physics;
  }

  public ServingPrediction predict(ServingScenario s) {
    if (s == null) {
      throw new InvalidInputException("serving scenario", "missing", "a ServingScenario");
    }
    return predict(s, physics.figures(s));
  }

  /**
   * {@link #predict} with the instance's figures already computed ({@link StepPhysics#figures} of a scenario with
   * the same model, device, precision, KV cache, engine backend, layout and lengths): a sweep over loads reuses them.
   */
  public ServingPrediction predict(ServingScenario s, InstanceFigures shared) {
    Load load = s.workload().load();
    Spread spread = spread(s, lanes(s, shared));
    int active = spread.active();
    InstanceFigures f = busy(s, shared, spread.instances());
    Plan plan = plan(s, f);
    Composer c = new Composer(f, plan.terms(), s.engine(), s.workload(), spread.lanes());
    Composer.Served r;
    if (load instanceof Load.Batch b) {
      r = c.staticBatch((double) b.size() / spread.lanes());
    } else if (load instanceof Load.Concurrency k) {
      r = c.concurrency((double) k.clients() / active, perReplica(k.prompts(), active));
    } else if (load instanceof Load.Offline o) {
      r = c.offline(perReplica(o.prompts(), active));
    } else {
      Load.RequestRate q = (Load.RequestRate) load;
      r = c.rate(q.perSecond() / active, perReplica(q.prompts(), active));
    }
    return prediction(s, r, plan, Deployment.of(s, c), c, spread);
  }

  /**
   * The micro-batches one instance of {@code s} (its figures {@code f}) keeps in flight: one per pipeline stage on an
   * engine that overlaps its stages ({@link EngineKind#overlapsPipelineStages}), but no more than the requests its KV
   * cache holds at their longest (each micro-batch runs one at least); 1 on other engines and without stages.
   */
  private static int lanes(ServingScenario s, InstanceFigures f) {
    int pp = s.layout().pp();
    if (pp == 1 || !s.engine().kind().overlapsPipelineStages()) {
      return 1;
    }
    Workload w = s.workload();
    double whole = new Composer(f, EngineTerms.PHYSICS, s.engine(), w).maxByMemory(w.input().max() + w.output().max());
    return (int) Math.min(pp, Math.max(1, Math.floor(whole)));
  }

  /**
   * How {@code s}'s load spreads over its deployment: {@code lanes} micro-batches per instance (no more than a static
   * batch's requests), {@code active} of all the replicas' micro-batches busy ({@link Load#busyReplicas}: a balancer
   * gives each request its own while there are idle ones), on {@code instances} of the replicas.
   */
  private record Spread(int lanes, int active, int instances) {}

  private static Spread spread(ServingScenario s, int lanes) {
    Load load = s.workload().load();
    int perInstance = load instanceof Load.Batch b ? Math.min(lanes, b.size()) : lanes;
    int active = load.busyReplicas(s.layout().replicas() * perInstance);
    return new Spread(perInstance, active, Math.min(s.layout().replicas(), active));
  }

  /**
   * Closed-loop predictions of one deployment at many concurrencies: {@link #predict(ServingScenario,
   * InstanceFigures)} of each, with what does not depend on the concurrency (the composition, the instance's capacity
   * and its steady state at that capacity) computed once.
   *
   * @param base the deployment and lengths (its load is not read)
   * @param f {@link StepPhysics#figures} of {@code base}
   * @throws dev.tuner.api.InvalidInputException as {@link #predict} would at any concurrency: the weights leave no
   *     room for a KV cache, or one request does not fit it
   */
  public ConcurrencySweep sweep(ServingScenario base, InstanceFigures f) {
    return new ConcurrencySweep(base, f);
  }

  /** See {@link #sweep}. Immutable and thread-safe. */
  public final class ConcurrencySweep {
    private final Plan plan;
    private final Composer composer;
    private final Composer.Capacity capacity;
    private final Composer.Served full;
    private final int replicas;
    private final int lanes;
    private final Deployment deployment;
    private final ServingScenario base;
    private final InstanceFigures f;

    private ConcurrencySweep(ServingScenario base, InstanceFigures f) {
      this.base = base;
      this.f = f;
      plan = plan(base, f);
      lanes = lanes(base, f);
      composer = new Composer(f, plan.terms(), base.engine(), base.workload(), lanes);
      capacity = composer.closedLoopCapacity();
      full = composer.closedLoop(capacity.n(), 0);
      replicas = base.layout().replicas();
      deployment = Deployment.of(base, composer);
    }

    /** {@link #predict(ServingScenario, InstanceFigures)} of {@code s}: the sweep's deployment under a closed loop. */
    public ServingPrediction predict(ServingScenario s) {
      if (!(s.workload().load() instanceof Load.Concurrency k)) {
        throw new dev.tuner.api.InvalidInputException("load", s.workload().load().description(),
            "a closed loop (concurrency): a sweep predicts nothing else");
      }
      int active = k.busyReplicas(replicas * lanes);
      if (active < replicas && base.layout().replicasShareExperts()) {
        // the idle replicas send their shared experts no tokens: the composition is not the sweep's
        return ServingPredictor.this.predict(s, f);
      }
      double clients = (double) k.clients() / active;
      double prompts = perReplica(k.prompts(), active);
      if (prompts > 0) {
        clients = Math.min(clients, prompts);
      }
      Composer.Served r = clients <= capacity.n() ? composer.closedLoop(clients, prompts)
          : composer.queued(clients, capacity, prompts > 0 ? composer.closedLoop(capacity.n(), prompts) : full);
      return prediction(s, r, plan, deployment, composer, new Spread(lanes, active, Math.min(replicas, active)));
    }
  }

  /**
   * {@code f} for a load that keeps {@code active} replicas busy: replicas that share their experts route only the
   * busy ones' tokens to them ({@link ParallelLayout#expertGroup(int)}); {@code f} itself when all are busy.
   */
  private static InstanceFigures busy(ServingScenario s, InstanceFigures f, int active) {
    return f.withExpertGroup(s.layout().expertGroup(active));
  }

  /** Each replica's share of a run's prompts; 0 for an endless run. */
  private static double perReplica(OptionalInt prompts, int replicas) {
    return prompts.isPresent() ? (double) prompts.getAsInt() / replicas : 0;
  }

  /**
   * What a prediction rests on that holds for the deployment and its lengths whatever the load: an assumed backend
   * ({@link Engine#backendAssumption}; first, as every figure after it rests on it), a product served on an engine
   * ({@link #productNote}), the instance's own assumptions ({@link StepPhysics#figures}), a longest request beyond
   * the context the model declares, and vLLM's start-up check ({@link #maxModelLenNote}), which is also kept apart as
   * the reason the engine would refuse to start. A sweep over loads states them once.
   */
  private record Deployment(List<String> notes, Optional<String> refusedAtStart) {
    static Deployment of(ServingScenario s, Composer c) {
      List<String> out = new ArrayList<>(s.engine().backendAssumption(s.device()).stream().toList());
      productNote(s.engine()).ifPresent(out::add);
      out.addAll(c.assumptions());
      s.model().beyondContext(s.workload().longestSequence()).ifPresent(out::add);
      Optional<String> refused = maxModelLenNote(s, c);
      refused.ifPresent(out::add);
      return new Deployment(List.copyOf(out), refused);
    }
  }

  /** The deployment's metrics from {@code r}, what each of its busy micro-batches serves ({@code spread}). */
  private ServingPrediction prediction(ServingScenario s, Composer.Served r, Plan plan, Deployment deployment,
      Composer c, Spread spread) {
    Workload w = s.workload();
    int replicas = s.layout().replicas();
    int active = spread.active();
    double reqPerS = r.perSecond() * active;
    double output = reqPerS * w.output().mean();
    double total = reqPerS * (w.input().mean() + w.output().mean());
    double ttftMs = r.ttft() * 1000;
    // one output token per request: nothing follows the first, so there is no gap to time
    boolean gaps = w.output().mean() > 1;
    OptionalDouble tpotMs = gaps ? OptionalDouble.of(r.tpot() * 1000) : OptionalDouble.empty();
    OptionalDouble itlMs = gaps ? OptionalDouble.of(c.medianItl(r) * 1000) : OptionalDouble.empty();
    double e2eMs = r.e2e() * 1000;
    Map<String, Interval> intervals = Map.of();
    double[] h = plan.widths();
    if (!terms.logHalfWidth().isEmpty() || plan.stepModel()) {
      double hE2e = plan.e2eWidth().isPresent() ? plan.e2eWidth().getAsDouble() : e2eHalfWidth(ttftMs, e2eMs, h);
      // an endless stream's requests complete no faster than they arrive, whatever the terms' error (a run of stated
      // prompts may: its random arrivals and sampled lengths can run above their means while it lasts)
      double most = s.workload().load() instanceof Load.RequestRate q && q.prompts().isEmpty()
          ? q.perSecond() / reqPerS : Double.POSITIVE_INFINITY;
      double hOut = h[Metric.OUTPUT_TPS.ordinal()];
      Map<String, Interval> in = new HashMap<>(Map.of("ttft_ms", interval(ttftMs, h[Metric.TTFT_MS.ordinal()]),
          "e2e_ms", interval(e2eMs, hE2e), "requests_per_s", interval(reqPerS, h[Metric.REQUESTS_PER_S.ordinal()],
          most), "output_tokens_per_s", interval(output, hOut, most), "total_tokens_per_s", interval(total, hOut,
          most), "output_tokens_per_s_per_gpu", interval(output / s.layout().devices(), hOut, most)));
      tpotMs.ifPresent(v -> in.put("tpot_ms", interval(v, h[Metric.TPOT_MS.ordinal()])));
      itlMs.ifPresent(v -> in.put("itl_ms", interval(v, h[Metric.ITL_MS.ordinal()])));
      intervals = in;
    }
    List<String> assumptions = new ArrayList<>(deployment.notes());
    plan.assumption().ifPresent(assumptions::add);
    plan.pooled().ifPresent(assumptions::add);
    if (!plan.stepModel() && plan.pooled().isEmpty() && !terms.learned(s.engine().kind()) && !terms.rows().isEmpty()) {
      assumptions.add("no serving rows for " + s.engine().kind().id() + " in training: the terms pooled over all"
          + " engines are used");
    }
    if (s.workload().load() instanceof Load.RequestRate q && r.limitedBy() != LimitedBy.ARRIVAL_RATE) {
      assumptions.add("the offered rate exceeds what the deployment serves: the queue grows while requests arrive"
          + (q.prompts().isPresent() ? "" : ", without end in an endless stream, so TTFT and E2E leave out the wait"
          + " in it (a run of a stated number of prompts counts it)"));
    }
    if (spread.instances() < replicas) {
      assumptions.add(spread.instances() + " of the " + replicas + " replicas receive requests: the load has no more "
          + (s.workload().load() instanceof Load.Concurrency k && k.clients() == active ? "clients" : "prompts")
          + "; throughput per GPU counts the idle ones");
    }
    double busy = (double) active / spread.instances();
    if (busy > 1) {
      assumptions.add(String.format(Locale.ROOT, "%s keeps a micro-batch per pipeline stage in flight: the %d stages"
          + " of an instance work at once on %s micro-batch%s of its requests, each holding its share of the KV cache;"
          + " a request's token still passes every stage", s.engine().kind().id(), s.layout().pp(), Fixed.count(busy),
          busy == 1 ? "" : "es"));
    }
    if (!gaps) {
      assumptions.add("one output token per request: nothing follows the first token, so TPOT (the time per output"
          + " token after it) and ITL are undefined");
    }
    if (s.workload().load() instanceof Load.Offline o && o.prompts().isEmpty()) {
      assumptions.add("offline run without a number of prompts: TTFT leaves out the wait in the queue");
    }
    return new ServingPrediction(ttftMs, tpotMs, itlMs, e2eMs, reqPerS, output, total,
        output / s.layout().devices(), r.running() * active / spread.instances(), r.limitedBy(), r.detail().get(), intervals, terms.id(),
        assumptions, deployment.refusedAtStart());
  }

  /**
   * A product is predicted as the engine it runs, with its own limits: the user asked for Ollama and gets
   * llama.cpp's physics, which the prediction should say, with the batch limit that sets its queue.
   */
  private static Optional<String> productNote(Engine e) {
    if (e.product().isEmpty()) {
      return Optional.empty();
    }
    int batch = e.limits().maxBatch();
    return Optional.of(e.product() + " runs " + e.kind().id() + " with defaults of its own (data/engines.csv row "
        + e.product() + "); predicted at max batch " + (batch == 0 ? "set by memory" : Integer.toString(batch)));
  }

  /**
   * vLLM starts only if its KV cache holds one request of {@code max_model_len} tokens, which defaults to the
   * context the model declares (data/SOURCES.md {@code doc_vllm_max_model_len_fits}); a deployment whose cache holds
   * fewer is refused at start with those defaults. The prediction is still made, as for the {@code max_model_len} a
   * user would set, and says so.
   */
  private static Optional<String> maxModelLenNote(ServingScenario s, Composer c) {
    if (s.engine().kind() != EngineKind.VLLM || s.model().maxContext().isEmpty()) {
      return Optional.empty();
    }
    int declared = s.model().maxContext().getAsInt();
    long held = (long) Math.floor(c.maxByMemory(1));
    if (held >= declared) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "vLLM starts only if its KV cache holds one request of"
        + " max_model_len tokens, by default the %d-token context %s declares, and the cache holds about %d tokens"
        + " here: vLLM refuses to start with that (\"To serve"
        + " at least one request with the model's max seq len ...\"); predicted as if --max-model-len were set to at"
        + " most %d (state the context the model runs at: ModelSpec's maxContext, --max-context in the CLI)",
        declared, s.model().name(), held, held));
  }

  /**
   * No row states E2E alone, so its width is composed: E2E is the TTFT plus the decode after it, and a sum's relative
   * error is its parts' weighted by their shares of it when their errors move together (the cautious case; apart,
   * they would partly cancel). A long output's E2E takes about the TPOT's width, a one-token output's the TTFT's.
   */
  static double e2eHalfWidth(double ttftMs, double e2eMs, double[] h) {
    double ttftShare = e2eMs > 0 ? Math.min(1, ttftMs / e2eMs) : 1;
    return ttftShare * h[Metric.TTFT_MS.ordinal()] + (1 - ttftShare) * h[Metric.TPOT_MS.ordinal()];
  }

  private Interval interval(double v, double halfWidth) {
    return interval(v, halfWidth, Double.POSITIVE_INFINITY);
  }

  /** {@code v}'s interval, its high end at most {@code most} times {@code v} (never below {@code v}). */
  private Interval interval(double v, double halfWidth, double most) {
    return new Interval(terms.level(), v * Math.exp(-halfWidth), v * Math.max(1, Math.min(most, Math.exp(halfWidth))));
  }
}
