package dev.tuner.serving;

import dev.tuner.api.Interval;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Serving metrics for a {@link ServingScenario}: the layout's per-GPU physics ({@link StepPhysics}), the engine's
 * learned terms ({@link ServingTerms}) and the composition rules ({@link Composer}). Immutable and thread-safe.
 *
 * <p>Replicas share the load evenly: each gets {@code 1/replicas} of the concurrency, the request rate or the
 * prompts, and the deployment's throughput is the replicas' sum.
 */
public final class ServingPredictor {
  private final StepPhysics physics;
  private final ServingTerms terms;

  public ServingPredictor(StepPhysics physics, ServingTerms terms) {
    this.physics = physics;
    this.terms = terms;
  }

  public ServingTerms terms() {
    return terms;
  }

  public StepPhysics physics() {
    return physics;
  }

  public ServingPrediction predict(ServingScenario s) {
    return predict(s, physics.figures(s));
  }

  /**
   * {@link #predict} with the instance's figures already computed ({@link StepPhysics#figures} of a scenario with
   * the same model, device, precision, KV cache, engine backend, layout and lengths): a sweep over loads reuses them.
   */
  public ServingPrediction predict(ServingScenario s, InstanceFigures f) {
    EngineTerms t = terms.forEngine(s.engine().kind());
    Composer c = new Composer(f, t, s.engine(), s.workload());
    int replicas = s.layout().replicas();
    Load load = s.workload().load();
    Composer.Served r;
    if (load instanceof Load.Batch b) {
      r = c.staticBatch(b.size());
    } else if (load instanceof Load.Concurrency k) {
      r = c.concurrency(Math.max(1, (double) k.clients() / replicas));
    } else if (load instanceof Load.Offline o) {
      r = c.offline(o.prompts().isPresent() ? (double) o.prompts().getAsInt() / replicas : 0);
    } else {
      r = c.rate(((Load.RequestRate) load).perSecond() / replicas, 0);
    }
    return prediction(s, r, c);
  }

  /** {@link #predict} for a request-rate run of {@code prompts} requests, whose queue then has an end. */
  public ServingPrediction predictRate(ServingScenario s, double perSecond, int prompts) {
    InstanceFigures f = physics.figures(s);
    Composer c = new Composer(f, terms.forEngine(s.engine().kind()), s.engine(), s.workload());
    int replicas = s.layout().replicas();
    return prediction(s, c.rate(perSecond / replicas, (double) prompts / replicas), c);
  }

  private ServingPrediction prediction(ServingScenario s, Composer.Served r, Composer c) {
    Workload w = s.workload();
    int replicas = s.layout().replicas();
    double reqPerS = r.perSecond() * replicas;
    double output = reqPerS * w.output().mean();
    double total = reqPerS * (w.input().mean() + w.output().mean());
    double ttftMs = r.ttft() * 1000;
    double tpotMs = r.tpot() * 1000;
    double e2eMs = r.e2e() * 1000;
    Map<String, Interval> intervals = new HashMap<>();
    if (!terms.logHalfWidth().isEmpty()) {
      double hOut = terms.logHalfWidth().getOrDefault(Metric.OUTPUT_TPS, 0.0);
      double hReq = terms.logHalfWidth().getOrDefault(Metric.REQUESTS_PER_S, hOut);
      double hTtft = terms.logHalfWidth().getOrDefault(Metric.TTFT_MS, 0.0);
      double hTpot = terms.logHalfWidth().getOrDefault(Metric.TPOT_MS, 0.0);
      intervals.put("ttft_ms", interval(ttftMs, hTtft));
      intervals.put("tpot_ms", interval(tpotMs, hTpot));
      // no row states E2E alone: it is mostly decode time, so it takes the TPOT's width
      intervals.put("e2e_ms", interval(e2eMs, hTpot));
      intervals.put("requests_per_s", interval(reqPerS, hReq));
      intervals.put("output_tokens_per_s", interval(output, hOut));
      intervals.put("total_tokens_per_s", interval(total, hOut));
      intervals.put("output_tokens_per_s_per_gpu", interval(output / s.layout().devices(), hOut));
    }
    List<String> assumptions = new ArrayList<>(c.assumptions());
    if (!terms.learned(s.engine().kind()) && !terms.rows().isEmpty()) {
      assumptions.add("no serving rows for " + s.engine().kind().id() + " in training: the terms pooled over all"
          + " engines are used");
    }
    if (s.workload().load() instanceof Load.RequestRate && r.limitedBy() != LimitedBy.ARRIVAL_RATE) {
      assumptions.add("the offered rate exceeds what the deployment serves: the queue grows while requests arrive");
    }
    if (s.workload().load() instanceof Load.Offline o && o.prompts().isEmpty()) {
      assumptions.add("offline run without a number of prompts: TTFT leaves out the wait in the queue");
    }
    return new ServingPrediction(ttftMs, tpotMs, e2eMs, reqPerS, output, total, output / s.layout().devices(),
        r.running(), r.limitedBy(), r.detail().get(), intervals, terms.id(), assumptions);
  }

  private Interval interval(double v, double h) {
    return new Interval(terms.level(), v * Math.exp(-h), v * Math.exp(h));
  }
}
