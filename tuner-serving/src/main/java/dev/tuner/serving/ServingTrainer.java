package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Fits {@link EngineTerms} to serving rows: pooled over all rows, then per engine with at least {@code minRows}
 * rows, starting from the pooled terms. The loss is a soft-L1 (pseudo-Huber, scale {@value #HUBER}) on the
 * natural-log ratio of predicted to observed value, so that a few rows far off (a doubtful source) pull less than
 * squared errors would; each metric's sum is weighted by {@code 1 / sqrt(n)} for its {@code n} values in the fit,
 * so that the thousand offline throughputs do not drown the hundred latencies (and a handful of latencies cannot
 * outweigh them either). An engine's fit is shrunk toward the pooled terms by a penalty of
 * {@code (x − x_pooled)²} per coordinate (logs of the times, logits of the shares): a term its rows do not pin (the
 * link share of an engine whose rows all run on one GPU) stays at the pooled value instead of drifting. Interval
 * half-widths come from leave-one-family-out: per metric, the largest of the held-out families' own {@code level}
 * quantiles of their absolute log errors ({@link #halfWidths}).
 */
public final class ServingTrainer {
  static final double HUBER = 0.2;
  private final StepPhysics physics;
  private final double level;
  private final int evaluations;
  private final int minRows;

  public ServingTrainer(StepPhysics physics, double level, int evaluations, int minRows) {
    this.physics = physics;
    this.level = requireInRange("interval level", level, 0.5, 0.99, "");
    this.evaluations = requireInRange("evaluations", evaluations, 10, 100_000, "loss evaluations per fit");
    this.minRows = requireInRange("minimum rows per engine", minRows, 1, 1_000_000, "rows");
  }

  /** Terms fitted on all {@code rows}, with intervals from their leave-one-family-out errors. */
  public ServingTerms train(List<ServingRow> rows, String id) {
    if (rows.isEmpty()) {
      throw new InvalidInputException("training rows", "none", "at least one usable serving row");
    }
    return train(rows, id, heldOutErrors(rows, heldOut(rows)));
  }

  /** Terms fitted on all {@code rows}, with intervals from the given held-out errors ({@link #heldOutErrors}). */
  public ServingTerms train(List<ServingRow> rows, String id, Map<String, Map<Metric, List<Double>>> heldOutErrors) {
    if (rows.isEmpty()) {
      throw new InvalidInputException("training rows", "none", "at least one usable serving row");
    }
    ServingTerms fitted = fit(rows, id, Map.of());
    return new ServingTerms(id, fitted.engines(), fitted.pooled(), level, halfWidths(heldOutErrors),
        fitted.rows());
  }

  /** Per chip family, the absolute log errors of its rows under the terms {@code held} fitted without it. */
  Map<String, Map<Metric, List<Double>>> heldOutErrors(List<ServingRow> rows, Map<String, ServingTerms> held) {
    Map<String, Map<Metric, List<Double>>> out = new TreeMap<>();
    for (Map.Entry<String, ServingTerms> fold : held.entrySet()) {
      ServingPredictor p = new ServingPredictor(physics, fold.getValue());
      Map<Metric, List<Double>> errors = new EnumMap<>(Metric.class);
      rows.stream().filter(r -> r.family().equals(fold.getKey())).forEach(r -> logErrors(metrics(p, r), r, errors));
      out.put(fold.getKey(), errors);
    }
    return out;
  }

  /** For each chip family (sorted), the terms fitted on every other family's rows. */
  Map<String, ServingTerms> heldOut(List<ServingRow> rows) {
    Map<String, ServingTerms> out = new LinkedHashMap<>();
    for (String family : new TreeSet<>(rows.stream().map(ServingRow::family).toList())) {
      List<ServingRow> train = rows.stream().filter(r -> !r.family().equals(family)).toList();
      out.put(family, train.isEmpty() ? ServingTerms.physicsOnly() : fit(train, "without " + family, Map.of()));
    }
    return out;
  }

  /** Fitted terms with the given interval widths. */
  ServingTerms fit(List<ServingRow> rows, String id, Map<Metric, Double> widths) {
    Map<EngineKind, List<ServingRow>> byEngine = new EnumMap<>(EngineKind.class);
    rows.forEach(r -> byEngine.computeIfAbsent(r.scenario().engine().kind(), k -> new ArrayList<>()).add(r));
    EngineTerms pooled = fitTerms(rows, START, null);
    Map<EngineKind, EngineTerms> engines = new EnumMap<>(EngineKind.class);
    Map<EngineKind, Integer> counts = new EnumMap<>(EngineKind.class);
    byEngine.forEach((k, list) -> {
      counts.put(k, list.size());
      if (list.size() >= minRows) {
        engines.put(k, fitTerms(list, pooled, pooled));
      }
    });
    return new ServingTerms(id, engines, pooled, level, widths, counts);
  }

  /**
   * Where the pooled fit starts: 1 ms per iteration, 10 µs per sequence, 60% of every peak. Neither a collective's
   * latency (the library's cost model gives it, {@link CollectiveLatency}) nor a latency per request is learned: the
   * composition models what a request waits for on the GPU (the iteration in flight, its prompt's iterations, the
   * queue), and what is left, the front end's CPU path, is not identified by the rows a fold trains on (a TTFT of
   * seconds cannot tell a few milliseconds apart, yet every under-predicted one pulls such a term up, to whatever cap
   * it has), so a free term learned it from the composition's other misses (docs/EVALUATION.md, seventh serving
   * change).
   */
  static final EngineTerms START = new EngineTerms(1e-3, 1e-5, 0.6, 0.6, 0.6, 0.6, 0);

  /** Terms fitted to {@code rows} from {@code start}, shrunk toward {@code prior} when not null. */
  EngineTerms fitTerms(List<ServingRow> rows, EngineTerms start, EngineTerms prior) {
    Map<Metric, Double> weights = new EnumMap<>(Metric.class);
    rows.forEach(r -> r.observed().keySet().forEach(m -> weights.merge(m, 1.0, Double::sum)));
    weights.replaceAll((m, n) -> 1 / Math.sqrt(n));
    double[] center = prior == null ? null : vector(prior);
    double[] best = NelderMead.minimise(x -> loss(terms(x), rows, weights) + penalty(x, center), vector(start), 1.0,
        evaluations);
    return terms(best);
  }

  private static double penalty(double[] x, double[] center) {
    if (center == null) {
      return 0;
    }
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += (x[i] - center[i]) * (x[i] - center[i]);
    }
    return sum;
  }

  private double loss(EngineTerms t, List<ServingRow> rows, Map<Metric, Double> weights) {
    ServingPredictor p = new ServingPredictor(physics, new ServingTerms("fit", Map.of(), t, level, Map.of(),
        Map.of()));
    double sum = 0;
    for (ServingRow r : rows) {
      Map<Metric, Double> pred = metrics(p, r);
      for (Map.Entry<Metric, Double> o : r.observed().entrySet()) {
        Double v = pred.get(o.getKey());
        if (v != null && v > 0) {
          double e = Math.log(v / o.getValue()) / HUBER;
          sum += weights.get(o.getKey()) * (Math.sqrt(1 + e * e) - 1);
        }
      }
    }
    return sum;
  }

  /** The unconstrained coordinates Nelder-Mead searches: logs of the times, logits of the shares. */
  static double[] vector(EngineTerms t) {
    return new double[] {Math.log(Math.max(1e-9, t.overheadS())), Math.log(Math.max(1e-9, t.perSequenceS())),
        logit(t.bandwidthEff()), logit(t.kvEff()), logit(t.computeEff()), logit(t.interconnectEff())};
  }

  static EngineTerms terms(double[] x) {
    return new EngineTerms(time(x[0], 10), time(x[1], 1), efficiency(x[2]), efficiency(x[3]), efficiency(x[4]),
        efficiency(x[5]), 0);
  }

  private static double time(double x, double max) {
    return Math.min(max, Math.exp(Math.max(-30, x)));
  }

  private static double efficiency(double x) {
    return 0.01 + 0.99 / (1 + Math.exp(-x));
  }

  private static double logit(double eff) {
    double p = Math.min(1 - 1e-6, Math.max(1e-6, (eff - 0.01) / 0.99));
    return Math.log(p / (1 - p));
  }

  /** The row's metrics as {@code p} predicts them (those the row states and the prediction defines). */
  static Map<Metric, Double> metrics(ServingPredictor p, ServingRow r) {
    ServingPrediction s = p.predict(r.scenario());
    Map<Metric, Double> out = new EnumMap<>(Metric.class);
    for (Metric m : r.observed().keySet()) {
      value(s, m).ifPresent(v -> out.put(m, v));
    }
    return out;
  }

  /** The prediction's figure of {@code m}; empty where it is undefined (a one-token output's TPOT and ITL). */
  static OptionalDouble value(ServingPrediction s, Metric m) {
    return switch (m) {
      case OUTPUT_TPS -> OptionalDouble.of(s.outputTokensPerS());
      case TTFT_MS -> OptionalDouble.of(s.ttftMs());
      case TPOT_MS -> s.tpotMs();
      case ITL_MS -> s.itlMs();
      case REQUESTS_PER_S -> OptionalDouble.of(s.requestsPerS());
    };
  }

  static void logErrors(Map<Metric, Double> predicted, ServingRow r, Map<Metric, List<Double>> into) {
    predicted.forEach((m, v) -> {
      if (v > 0) {
        into.computeIfAbsent(m, k -> new ArrayList<>()).add(Math.abs(Math.log(v / r.observed().get(m))));
      }
    });
  }

  /**
   * Per metric, the largest of the families' own {@code level} quantiles of their held-out absolute log errors
   * ({@link #familyQuantile}): group-aware split-conformal calibration over families. A new device is a new chip
   * family, exchangeable with the families held out before, not with their rows, and its rows' errors share the
   * family's bias, so the score that must be exceeded is a family's, not a row's: the family's own quantile. Over
   * {@code K} families the conformal rank is {@code ceil((K + 1) level)}, beyond {@code K} for {@code K < 9} at 0.9,
   * where the bound is infinite; the largest of the {@code K} is the tightest finite one, and a new family
   * exchangeable with them gets its own {@code level} coverage with probability {@code K / (K + 1)} (0.75 inside a
   * fold of 4 families, 0.8 for the shipped terms). It is never narrower than the quantile of the families' mixture
   * (every family's distribution is at least {@code level} there, so their mean is too), which it replaced
   * (docs/EVALUATION.md, eighth serving change): that one let the families whose rows are near the point set the
   * width of a family whose rows are all off it. Capped at 10 (a factor of 22 000 either way).
   */
  Map<Metric, Double> halfWidths(Map<String, Map<Metric, List<Double>>> byFamily) {
    Map<Metric, Double> out = new EnumMap<>(Metric.class);
    byFamily.values().forEach(errors -> calibrationGroups(errors).forEach((m, list) -> {
      if (!list.isEmpty()) {
        out.merge(m, Math.min(10, familyQuantile(list, level)), Math::max);
      }
    }));
    for (Metric m : Metric.values()) {
      if (m.calibratedWith() != m && out.containsKey(m.calibratedWith())) {
        out.put(m, out.get(m.calibratedWith()));
      }
    }
    return out;
  }

  /**
   * One family's errors grouped by the quantity they measure ({@link Metric#calibratedWith}): requests/s with
   * output tokens/s (the same quantity in two units, whose log errors are the same for a row that states both,
   * instead of the few requests/s rows of the other families, 4 outside GH100: docs/EVALUATION.md, ninth serving
   * change), the median ITL with the TPOT.
   */
  private static Map<Metric, List<Double>> calibrationGroups(Map<Metric, List<Double>> errors) {
    Map<Metric, List<Double>> out = new EnumMap<>(Metric.class);
    errors.forEach((m, list) -> out.computeIfAbsent(m.calibratedWith(), k -> new ArrayList<>()).addAll(list));
    return out;
  }

  /** The {@code q} quantile (nearest rank: the {@code ceil(n q)}-th smallest) of one family's errors. */
  static double familyQuantile(List<Double> errors, double q) {
    if (errors.isEmpty()) {
      throw new InvalidInputException("family errors", "none", "at least one held-out error");
    }
    double[] s = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s[Math.max(1, (int) Math.ceil(s.length * q * (1 - 1e-12))) - 1];
  }

  double level() {
    return level;
  }
}
