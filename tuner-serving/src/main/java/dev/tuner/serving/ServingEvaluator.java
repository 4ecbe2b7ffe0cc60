package dev.tuner.serving;

import dev.tuner.api.Interval;
import dev.tuner.core.stats.Median;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Serving predictions scored against rows, beside the physics-only baseline (the roofline composition with no learned
 * terms): given terms on every row ({@link #score}, what {@code tuner evaluate --serving} reports for the terms it
 * would predict with), or leave-one-chip-family-out ({@link #evaluate}, what {@code tuner train --serving} reports):
 * each family's rows are predicted by terms fitted on the other families' rows.
 * A held-out family's interval half-width is calibrated inside its fold (cross-conformal): the largest of the
 * training families' own level quantiles of their absolute log errors when each of them is also held out (terms
 * fitted without the outer and the inner family; {@link ServingTrainer#halfWidths}); no row's own error, and no model
 * that has seen the held-out family, sets its interval.
 */
public final class ServingEvaluator {
  private final ServingTrainer trainer;
  private final StepPhysics physics;
  private final Optional<StepModelTerms> steps;

  public ServingEvaluator(ServingTrainer trainer, StepPhysics physics) {
    this(trainer, physics, Optional.empty());
  }

  /**
   * An evaluation that predicts as {@code tuner predict} does: a row of an engine its fold learned no terms for, which
   * the step model covers (llama.cpp on one device or a layer or row split, {@link StepModelTerms}), is predicted from
   * the step model, with the step model's intervals.
   */
  public ServingEvaluator(ServingTrainer trainer, StepPhysics physics, Optional<StepModelTerms> steps) {
    this.trainer = trainer;
    this.physics = physics;
    this.steps = steps;
  }

  /**
   * Errors of one metric over some rows; APEs as fractions (0.12 = 12%). {@code width}: the median over the rows of
   * their interval's high / low (1.5 = the high bound 1.5 times the low one), so that a coverage bought by intervals
   * too wide to say anything shows beside it. Coverage and width empty without intervals.
   */
  public record Score(int n, double mape, double medianApe, OptionalDouble coverage, OptionalDouble width) {}

  /**
   * The report. {@code byFamily}: each held-out fold's scores; {@code medianSpread}: per metric, the 5% and 95%
   * quantiles of the median APE over {@value #DRAWS} bootstrap draws of the devices (seeded: the same data give the
   * same figures); {@code heldOutErrors}: per family, the absolute log errors of its rows when held out, from which
   * the shipped intervals are made ({@link ServingTrainer#train(List, String, Map)}; empty when scored with given
   * terms); {@code heldOut} and {@code physicsOnly}: every row's held-out (or scored) and physics-only predictions, row
   * by row in the same order; {@code scoredWith}: the id of the given terms, empty for leave-one-family-out.
   */
  public record Report(
      int rows, int used, int skipped, Map<Metric, Score> metrics, Map<String, Map<Metric, Score>> byDevice,
      Map<String, Map<Metric, Score>> byEngine, Map<Metric, Score> baseline, Map<String, Integer> skipReasons,
      int families, Map<String, Map<Metric, Score>> byFamily, Map<Metric, double[]> medianSpread,
      Map<String, Map<Metric, List<Double>>> heldOutErrors, List<Outcome> heldOut, List<Outcome> physicsOnly,
      Optional<String> scoredWith) {}

  static final int DRAWS = 1000;
  private static final long SEED = 42;

  /**
   * One held-out prediction of one metric of one row, with its interval ({@code NaN} bounds for the physics-only
   * composition, which has none).
   */
  public record Outcome(ServingRow row, Metric metric, double predicted, double observed, double low,
      double high) {
    public double ape() {
      return Math.abs(predicted - observed) / observed;
    }

    public boolean covered() {
      return observed >= low && observed <= high;
    }

    /** The interval's high bound over its low one. */
    public double width() {
      return high / low;
    }
  }

  public Report evaluate(ServingData data) {
    List<ServingRow> rows = data.used();
    Map<String, ServingTerms> held = trainer.heldOut(rows);
    Map<String, Map<Metric, List<Double>>> errorsByFamily = trainer.heldOutErrors(rows, held);
    List<Outcome> learned = new ArrayList<>();
    for (Map.Entry<String, ServingTerms> e : held.entrySet()) {
      // calibrated inside the fold: the training families' errors when each is held out of them too, so that no
      // model whose errors set the widths has seen the held-out family
      List<ServingRow> training = rows.stream().filter(r -> !r.family().equals(e.getKey())).toList();
      Map<Metric, Double> widths = trainer.halfWidths(trainer.heldOutErrors(training, trainer.heldOut(training)));
      ServingPredictor p = new ServingPredictor(physics, e.getValue(), steps);
      for (ServingRow r : rows) {
        if (!r.family().equals(e.getKey())) {
          continue;
        }
        if (p.fromStepModel(r.scenario())) {
          outcomes(r, p.predict(r.scenario()), learned);
          continue;
        }
        ServingTrainer.metrics(p, r).forEach((m, v) -> {
          double h = ServingTerms.halfWidth(widths, m);
          learned.add(new Outcome(r, m, v, r.observed().get(m), v * Math.exp(-h), v * Math.exp(h)));
        });
      }
    }
    return report(data, learned, true, held.size(), errorsByFamily, Optional.empty());
  }

  /**
   * Every row predicted by {@code predictor} as {@code tuner predict} would (its terms, or the step model for what it
   * covers), with the prediction's own intervals. A row the terms were trained on is scored in sample: this says how
   * the terms fit such rows, not how they generalise, which {@link #evaluate} measures.
   */
  public Report score(ServingData data, ServingPredictor predictor) {
    List<Outcome> scored = new ArrayList<>();
    boolean intervals = true;
    for (ServingRow r : data.used()) {
      // terms without intervals (the physics-only ones) have no coverage to score
      intervals &= outcomes(r, predictor.predict(r.scenario()), scored);
    }
    long families = data.used().stream().map(ServingRow::family).distinct().count();
    return report(data, scored, intervals, (int) families, Map.of(), Optional.of(predictor.terms().id()));
  }

  /**
   * Adds {@code r}'s observed metrics as predicted by {@code s}, each with the prediction's own interval ({@code NaN}
   * bounds where it has none); whether every one had an interval.
   */
  private static boolean outcomes(ServingRow r, ServingPrediction s, List<Outcome> into) {
    boolean all = true;
    for (Metric m : r.observed().keySet()) {
      OptionalDouble v = ServingTrainer.value(s, m);
      if (v.isEmpty()) {
        // a one-token output's TPOT, which no row should state: nothing to score it against
        continue;
      }
      Interval iv = s.intervals().get(m == Metric.OUTPUT_TPS ? "output_tokens_per_s" : m.id());
      all &= iv != null;
      into.add(new Outcome(r, m, v.getAsDouble(), r.observed().get(m),
          iv == null ? Double.NaN : iv.low(), iv == null ? Double.NaN : iv.high()));
    }
    return all;
  }

  private Report report(ServingData data, List<Outcome> learned, boolean intervals, int families,
      Map<String, Map<Metric, List<Double>>> errorsByFamily, Optional<String> scoredWith) {
    ServingPredictor baseline = new ServingPredictor(physics, ServingTerms.physicsOnly());
    List<Outcome> physicsOnly = physicsOnly(learned, baseline);
    Map<String, List<Outcome>> byDevice = new TreeMap<>();
    Map<String, List<Outcome>> byEngine = new TreeMap<>();
    Map<String, List<Outcome>> byFamily = new TreeMap<>();
    for (Outcome o : learned) {
      byDevice.computeIfAbsent(o.row().scenario().device().name(), k -> new ArrayList<>()).add(o);
      byEngine.computeIfAbsent(o.row().scenario().engine().kind().id(), k -> new ArrayList<>()).add(o);
      byFamily.computeIfAbsent(o.row().family(), k -> new ArrayList<>()).add(o);
    }
    Map<String, Map<Metric, Score>> byFamilyScores = new TreeMap<>();
    byFamily.forEach((k, v) -> byFamilyScores.put(k, scores(v, intervals)));
    Map<String, Map<Metric, Score>> devices = new TreeMap<>();
    byDevice.forEach((k, v) -> devices.put(k, scores(v, intervals)));
    Map<String, Map<Metric, Score>> engines = new TreeMap<>();
    byEngine.forEach((k, v) -> engines.put(k, scores(v, intervals)));
    Map<String, Integer> reasons = new TreeMap<>();
    data.rejected().forEach(r -> reasons.merge(reasonKind(r.reason()), 1, Integer::sum));
    return new Report(data.rows(), data.used().size(), data.rejected().size(), scores(learned, intervals), devices,
        engines, scores(physicsOnly, false), reasons, families, byFamilyScores, medianSpread(byDevice), errorsByFamily,
        List.copyOf(learned), physicsOnly, scoredWith);
  }

  /** The physics-only composition's prediction of each outcome's row and metric, in the same order. */
  private static List<Outcome> physicsOnly(List<Outcome> learned, ServingPredictor baseline) {
    List<Outcome> out = new ArrayList<>(learned.size());
    Map<ServingRow, Map<Metric, Double>> byRow = new java.util.IdentityHashMap<>();
    for (Outcome o : learned) {
      double v = byRow.computeIfAbsent(o.row(), r -> ServingTrainer.metrics(baseline, r)).get(o.metric());
      out.add(new Outcome(o.row(), o.metric(), v, o.observed(), Double.NaN, Double.NaN));
    }
    return List.copyOf(out);
  }

  /**
   * Per metric, the 5% and 95% quantiles of the median APE when the devices are drawn with replacement
   * ({@value #DRAWS} draws): how much the headline median depends on which devices the data happen to hold.
   */
  static Map<Metric, double[]> medianSpread(Map<String, List<Outcome>> byDevice) {
    List<List<Outcome>> devices = new ArrayList<>(byDevice.values());
    Map<Metric, double[]> draws = new EnumMap<>(Metric.class);
    java.util.SplittableRandom random = new java.util.SplittableRandom(SEED);
    for (Metric m : Metric.values()) {
      double[] medians = new double[DRAWS];
      int kept = 0;
      for (int d = 0; d < DRAWS; d++) {
        List<Double> apes = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
          for (Outcome o : devices.get(random.nextInt(devices.size()))) {
            if (o.metric() == m) {
              apes.add(o.ape());
            }
          }
        }
        if (!apes.isEmpty()) {
          medians[kept++] = Median.of(apes.stream().mapToDouble(Double::doubleValue).toArray(), 0);
        }
      }
      if (kept > 0) {
        double[] v = java.util.Arrays.copyOf(medians, kept);
        java.util.Arrays.sort(v);
        draws.put(m, new double[] {v[(int) Math.floor(0.05 * (kept - 1))], v[(int) Math.ceil(0.95 * (kept - 1))]});
      }
    }
    return draws;
  }

  /**
   * A reason without the names it quotes, so that reasons of one kind count together. Its figures stay: a kind is
   * printed for people to read, and with its digits masked a model or a GPU becomes a riddle ("QwenN-NB on HN").
   */
  public static String reasonKind(String reason) {
    return withoutDataset(reason).replaceAll("'[^']*'", "X").trim();
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
      double median = Median.of(apes, 0);
      OptionalDouble coverage = intervals
          ? OptionalDouble.of(list.stream().filter(Outcome::covered).count() / (double) list.size())
          : OptionalDouble.empty();
      OptionalDouble width = intervals
          ? OptionalDouble.of(Median.of(list.stream().mapToDouble(Outcome::width).toArray(), 0))
          : OptionalDouble.empty();
      out.put(m, new Score(list.size(), mean, median, coverage, width));
    });
    return out;
  }
}
