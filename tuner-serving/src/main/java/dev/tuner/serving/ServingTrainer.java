package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Fits {@link EngineTerms} to serving rows: per engine with at least {@code minRows} rows, and pooled over all rows
 * for the others. The loss is a soft-L1 (pseudo-Huber, scale {@value #HUBER}) on the natural-log ratio of predicted
 * to observed value, summed over every metric a row states, so that a few rows far off (a doubtful source) pull
 * less than squared errors would. Interval half-widths come from leave-one-family-out: the {@code level} quantile
 * of the absolute log errors on held-out families.
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
    ServingTerms fitted = fit(rows, id, Map.of());
    Map<Metric, List<Double>> errors = new EnumMap<>(Metric.class);
    for (Map.Entry<String, ServingTerms> fold : heldOut(rows).entrySet()) {
      ServingPredictor p = new ServingPredictor(physics, fold.getValue());
      rows.stream().filter(r -> r.family().equals(fold.getKey())).forEach(r -> logErrors(metrics(p, r), r, errors));
    }
    return new ServingTerms(id, fitted.engines(), fitted.pooled(), level, halfWidths(errors), fitted.rows());
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
    EngineTerms pooled = fitTerms(rows);
    Map<EngineKind, EngineTerms> engines = new EnumMap<>(EngineKind.class);
    Map<EngineKind, Integer> counts = new EnumMap<>(EngineKind.class);
    byEngine.forEach((k, list) -> {
      counts.put(k, list.size());
      if (list.size() >= minRows) {
        engines.put(k, fitTerms(list));
      }
    });
    return new ServingTerms(id, engines, pooled, level, widths, counts);
  }

  EngineTerms fitTerms(List<ServingRow> rows) {
    double[] start = {Math.log(1e-3), logit(0.6), logit(0.6), logit(0.6)};
    double[] best = NelderMead.minimise(x -> loss(terms(x), rows), start, 1.0, evaluations);
    return terms(best);
  }

  private double loss(EngineTerms t, List<ServingRow> rows) {
    ServingPredictor p = new ServingPredictor(physics, new ServingTerms("fit", Map.of(), t, level, Map.of(),
        Map.of()));
    double sum = 0;
    for (ServingRow r : rows) {
      Map<Metric, Double> pred = metrics(p, r);
      for (Map.Entry<Metric, Double> o : r.observed().entrySet()) {
        Double v = pred.get(o.getKey());
        if (v != null && v > 0) {
          double e = Math.log(v / o.getValue()) / HUBER;
          sum += Math.sqrt(1 + e * e) - 1;
        }
      }
    }
    return sum;
  }

  static EngineTerms terms(double[] x) {
    return new EngineTerms(Math.min(10, Math.exp(Math.max(-30, x[0]))), efficiency(x[1]), efficiency(x[2]),
        efficiency(x[3]));
  }

  private static double efficiency(double x) {
    return 0.01 + 0.99 / (1 + Math.exp(-x));
  }

  private static double logit(double eff) {
    double p = (eff - 0.01) / 0.99;
    return Math.log(p / (1 - p));
  }

  /** The row's metrics as {@code p} predicts them (only those the row states). */
  static Map<Metric, Double> metrics(ServingPredictor p, ServingRow r) {
    ServingPrediction s = r.prompts().isPresent()
        ? p.predictRate(r.scenario(), ((Load.RequestRate) r.scenario().workload().load()).perSecond(),
            r.prompts().getAsInt())
        : p.predict(r.scenario());
    Map<Metric, Double> out = new EnumMap<>(Metric.class);
    for (Metric m : r.observed().keySet()) {
      out.put(m, switch (m) {
        case OUTPUT_TPS -> s.outputTokensPerS();
        case TTFT_MS -> s.ttftMs();
        case TPOT_MS -> s.tpotMs();
        case REQUESTS_PER_S -> s.requestsPerS();
      });
    }
    return out;
  }

  static void logErrors(Map<Metric, Double> predicted, ServingRow r, Map<Metric, List<Double>> into) {
    predicted.forEach((m, v) -> {
      if (v > 0) {
        into.computeIfAbsent(m, k -> new ArrayList<>()).add(Math.abs(Math.log(v / r.observed().get(m))));
      }
    });
  }

  Map<Metric, Double> halfWidths(Map<Metric, List<Double>> errors) {
    Map<Metric, Double> out = new EnumMap<>(Metric.class);
    errors.forEach((m, list) -> out.put(m, Math.min(10, quantile(list, level))));
    return out;
  }

  /** The {@code q} quantile: the smallest value with at least {@code q} of the values at or below it. */
  static double quantile(List<Double> values, double q) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (v.length == 0) {
      return 0;
    }
    int k = (int) Math.ceil(q * v.length) - 1;
    return v[Math.max(0, Math.min(v.length - 1, k))];
  }

  double level() {
    return level;
  }
}
