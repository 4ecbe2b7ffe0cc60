package dev.tuner.serving;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Leave-one-chip-family-out evaluation of serving predictions: each family's rows are predicted by terms fitted on
 * the other families' rows, beside the physics-only baseline (the roofline composition with no learned terms).
 * A held-out family's interval half-width is the level quantile of the absolute log errors that the other families
 * had when they were held out, so no row's own error sets its interval.
 */
public final class ServingEvaluator {
  private final ServingTrainer trainer;
  private final StepPhysics physics;

  public ServingEvaluator(ServingTrainer trainer, StepPhysics physics) {
    this.trainer = trainer;
    this.physics = physics;
  }

  /** Errors of one metric over some rows; APEs as fractions (0.12 = 12%). Coverage empty without intervals. */
  public record Score(int n, double mape, double medianApe, OptionalDouble coverage) {}

  public record Report(
      int rows, int used, int skipped, Map<Metric, Score> metrics, Map<String, Map<Metric, Score>> byDevice,
      Map<String, Map<Metric, Score>> byEngine, Map<Metric, Score> baseline, Map<String, Integer> skipReasons,
      int families) {}

  /** One prediction of one metric of one row. */
  private record Outcome(ServingRow row, Metric metric, double predicted, double observed, double low,
      double high) {
    double ape() {
      return Math.abs(predicted - observed) / observed;
    }

    boolean covered() {
      return observed >= low && observed <= high;
    }
  }

  public Report evaluate(ServingData data) {
    List<ServingRow> rows = data.used();
    Map<String, ServingTerms> held = trainer.heldOut(rows);
    Map<String, Map<Metric, Double>> predicted = new java.util.HashMap<>();
    Map<String, Map<Metric, List<Double>>> errorsByFamily = new TreeMap<>();
    for (Map.Entry<String, ServingTerms> e : held.entrySet()) {
      ServingPredictor p = new ServingPredictor(physics, e.getValue());
      Map<Metric, List<Double>> errors = new EnumMap<>(Metric.class);
      for (ServingRow r : rows) {
        if (r.family().equals(e.getKey())) {
          Map<Metric, Double> m = ServingTrainer.metrics(p, r);
          predicted.put(r.where(), m);
          ServingTrainer.logErrors(m, r, errors);
        }
      }
      errorsByFamily.put(e.getKey(), errors);
    }
    List<Outcome> learned = new ArrayList<>();
    for (Map.Entry<String, ServingTerms> e : held.entrySet()) {
      Map<Metric, List<Double>> others = new EnumMap<>(Metric.class);
      errorsByFamily.forEach((family, errs) -> {
        if (!family.equals(e.getKey())) {
          errs.forEach((m, list) -> others.computeIfAbsent(m, k -> new ArrayList<>()).addAll(list));
        }
      });
      Map<Metric, Double> widths = trainer.halfWidths(others);
      for (ServingRow r : rows) {
        if (r.family().equals(e.getKey())) {
          predicted.get(r.where()).forEach((m, v) -> {
            double h = widths.getOrDefault(m, 0.0);
            learned.add(new Outcome(r, m, v, r.observed().get(m), v * Math.exp(-h), v * Math.exp(h)));
          });
        }
      }
    }
    ServingPredictor baseline = new ServingPredictor(physics, ServingTerms.physicsOnly());
    List<Outcome> physicsOnly = new ArrayList<>();
    for (ServingRow r : rows) {
      ServingTrainer.metrics(baseline, r).forEach((m, v) ->
          physicsOnly.add(new Outcome(r, m, v, r.observed().get(m), Double.NaN, Double.NaN)));
    }
    Map<String, List<Outcome>> byDevice = new TreeMap<>();
    Map<String, List<Outcome>> byEngine = new TreeMap<>();
    for (Outcome o : learned) {
      byDevice.computeIfAbsent(o.row().scenario().device().name(), k -> new ArrayList<>()).add(o);
      byEngine.computeIfAbsent(o.row().scenario().engine().kind().id(), k -> new ArrayList<>()).add(o);
    }
    Map<String, Map<Metric, Score>> devices = new TreeMap<>();
    byDevice.forEach((k, v) -> devices.put(k, scores(v, true)));
    Map<String, Map<Metric, Score>> engines = new TreeMap<>();
    byEngine.forEach((k, v) -> engines.put(k, scores(v, true)));
    Map<String, Integer> reasons = new TreeMap<>();
    data.rejected().forEach(r -> reasons.merge(reasonKind(r.reason()), 1, Integer::sum));
    return new Report(data.rows(), rows.size(), data.rejected().size(), scores(learned, true), devices, engines,
        scores(physicsOnly, false), reasons, held.size());
  }

  /** A reason without the names it quotes, so that reasons of one kind count together. */
  public static String reasonKind(String reason) {
    return withoutDataset(reason).replaceAll("'[^']*'", "X").replaceAll("[0-9.]+", "N").trim();
  }

  /**
   * The reason without its {@code (dataset: ...)} part, parentheses inside it included: dataset descriptions hold
   * their own, e.g. {@code (dataset: random (tool default: ...))}, and cutting at the first ")" left a stray one.
   */
  private static String withoutDataset(String reason) {
    String out = reason;
    int at = out.indexOf("(dataset: ");
    while (at >= 0) {
      int depth = 0;
      int end = at;
      while (end < out.length()) {
        char c = out.charAt(end);
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        if (depth == 0) {
          break;
        }
        end++;
      }
      out = out.substring(0, at).stripTrailing() + (end < out.length() ? out.substring(end + 1) : "");
      at = out.indexOf("(dataset: ");
    }
    return out;
  }

  private static Map<Metric, Score> scores(List<Outcome> outcomes, boolean intervals) {
    Map<Metric, List<Outcome>> by = new EnumMap<>(Metric.class);
    outcomes.forEach(o -> by.computeIfAbsent(o.metric(), k -> new ArrayList<>()).add(o));
    Map<Metric, Score> out = new EnumMap<>(Metric.class);
    by.forEach((m, list) -> {
      double[] apes = list.stream().mapToDouble(Outcome::ape).sorted().toArray();
      double mean = java.util.Arrays.stream(apes).average().orElse(0);
      double median = apes.length % 2 == 1 ? apes[apes.length / 2]
          : (apes[apes.length / 2 - 1] + apes[apes.length / 2]) / 2;
      OptionalDouble coverage = intervals
          ? OptionalDouble.of(list.stream().filter(Outcome::covered).count() / (double) list.size())
          : OptionalDouble.empty();
      out.put(m, new Score(list.size(), mean, median, coverage));
    });
    return out;
  }
}
