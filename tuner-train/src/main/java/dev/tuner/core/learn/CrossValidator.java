package dev.tuner.core.learn;

import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.ThroughputModel;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.predict.Reference;
import dev.tuner.core.scenario.Phase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Cross-validation with intervals whose coverage is measured, not assumed.
 *
 * <p>Each fold's model predicts only rows it did not train on. Each row gets a nonconformity score: the absolute
 * residual in the model's output units, divided by the model's own spread when every fold model reports one. A
 * row of fold f gets the interval prediction ± q, where q is the split-conformal quantile of the scores of the rows
 * of the other folds (same phase) — the test row's own label never enters its interval (cross-conformal) — or, when
 * larger, the group-aware quantile of {@link Calibration#groupQuantile}: the other folds' devices each contribute the
 * {@value Calibration#DEVICE_COVERAGE} quantile of their own scores, so that intervals hold per device and not only
 * pooled; rows whose roofline assumed a figure take that device quantile at {@value
 * Calibration#IMPUTED_DEVICE_SHARE}. Rows of a device whose architecture no training row of their fold ran on are
 * calibrated on the other folds' rows of that kind alone, the others on the rest ({@link
 * Calibration#newArchitectureQuantile}, {@link #calibration}). A held-out prompt predicted below the fold model's prediction for generating it
 * one token at a time takes that prediction and the decode interval around it, as {@link
 * dev.tuner.core.predict.Predictor} does; its score stays the prompt model's own residual. One above it keeps its own
 * interval with the low end raised to the generation's when that is higher, as the Predictor does.
 */
public final class CrossValidator {
  private final double level;
  private final ProgressListener progress;

  public CrossValidator(double level, ProgressListener progress) {
    this.level = level;
    this.progress = progress;
  }

  public CvResult run(Candidate c, Folds folds) {
    Encoded d = c.data();
    int n = d.rows();
    double[] raw = new double[n];
    double[] spread = new double[n];
    Reference[] references = new Reference[n];
    int[] foldOf = new int[n];
    double[] rawGenerated = new double[n];
    double[] spreadGenerated = new double[n];
    boolean allSpread = true;
    for (int f = 0; f < folds.count(); f++) {
      progress.progress("cv " + c.name(), f, folds.count());
      Candidate.Fitted fitted = c.fit(folds.trainSet(f, n));
      ThroughputModel m = fitted.model();
      try {
        for (int i : folds.testSets().get(f)) {
          float[] x = d.row(i);
          raw[i] = m.predict(x);
          references[i] = fitted.reference();
          OptionalDouble s = m.spread(x);
          if (s.isPresent() && s.getAsDouble() > 0) {
            spread[i] = s.getAsDouble();
          } else {
            allSpread = false;
          }
          foldOf[i] = f;
          if (d.hasGeneration(i)) {
            float[] g = d.generationRow(i);
            rawGenerated[i] = m.predict(g);
            spreadGenerated[i] = m.spread(g).orElse(0);
          }
        }
      } finally {
        m.close();
      }
    }
    progress.progress("cv " + c.name(), folds.count(), folds.count());
    Calibration.Method method = allSpread ? Calibration.Method.SPREAD_NORMALISED
        : Calibration.Method.ABSOLUTE_RESIDUAL;
    // the spreads carry no label, so every held-out row's may set the offset (see Calibration)
    Calibration.SpreadOffset offset = method == Calibration.Method.SPREAD_NORMALISED
        ? Calibration.SpreadOffset.median(d.phases, spread) : Calibration.SpreadOffset.NONE;
    double[] scores = new double[n];
    for (int i = 0; i < n; i++) {
      double target = references[i].kind().fromTokensPerSecond(d.measured[i], d.reference(references[i], i));
      double res = Math.abs(target - raw[i]);
      scores[i] = method == Calibration.Method.SPREAD_NORMALISED ? res / (spread[i] + offset.of(d.phases[i])) : res;
    }
    boolean[] newArchitecture = new boolean[n];
    List<List<String>> trainedArchitectures = new ArrayList<>();
    for (int f = 0; f < folds.count(); f++) {
      List<String> trained = architectures(d, folds.trainSet(f, n));
      trainedArchitectures.add(trained);
      for (int i : folds.testSets().get(f)) {
        // exactly Predictor's test: with no architecture known in training, no row is taken for a new one
        newArchitecture[i] = Calibration.unseenArchitecture(trained, d.deviceArchitectures[i]);
      }
    }
    double[] predicted = new double[n];
    double[] low = new double[n];
    double[] high = new double[n];
    for (int f = 0; f < folds.count(); f++) {
      int fold = f;
      // the quantiles Predictor would use with a calibration from the other folds' rows alone
      Calibration others = calibration(method, offset, scores, d, newArchitecture, i -> foldOf[i] != fold,
          new float[0], new float[0], trainedArchitectures.get(f));
      for (int i : folds.testSets().get(f)) {
        Map<Phase, Double> qi = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
          qi.put(p, newArchitecture[i] ? others.newArchitectureQuantile(p, level, d.imputed[i])
              : others.groupQuantile(p, level, d.imputed[i]));
        }
        double roof = d.roofs[i];
        double ref = d.reference(references[i], i);
        OutputKind kind = references[i].kind();
        predicted[i] = clamp(kind.toTokensPerSecond(raw[i], ref), roof);
        double half = qi.get(d.phases[i]) * others.scale(d.phases[i], spread[i]);
        double center = raw[i];
        double generationFloor = 0;
        if (d.hasGeneration(i)) {
          // a prompt is never slower than its generation one token at a time (Predictor): the same floor here
          double generationRef = d.generationReference(references[i], i);
          double generated = Math.min(clamp(kind.toTokensPerSecond(rawGenerated[i], generationRef),
              d.generationRoof(i)), roof);
          double generatedHalf = qi.get(Phase.DECODE) * others.scale(Phase.DECODE, spreadGenerated[i]);
          if (generated > predicted[i]) {
            predicted[i] = generated;
            center = rawGenerated[i];
            ref = generationRef;
            half = generatedHalf;
          } else if (!Double.isInfinite(generatedHalf)) {
            // the prompt's interval reaches no lower than its generation's, as in the Predictor
            generationFloor = Math.min(predicted[i], Math.min(clamp(kind.toTokensPerSecond(rawGenerated[i]
                - generatedHalf, generationRef), d.generationRoof(i)), roof));
          }
        }
        if (Double.isInfinite(half)) {
          low[i] = 0;
          high[i] = roof;
        } else {
          low[i] = Math.min(predicted[i], clamp(kind.toTokensPerSecond(center - half, ref), roof));
          high[i] = Math.max(predicted[i], clamp(kind.toTokensPerSecond(center + half, ref), roof));
        }
        low[i] = Math.max(low[i], generationFloor);
      }
    }
    return new CvResult(c.name(), folds.method(), folds.count(), level,
        PhaseMetrics.byPhase(d.phases, d.measured, predicted, low, high), method, offset, predicted, low, high,
        scores, folds.groupedBy(),
        PhaseMetrics.byGroup(folds.groupLabels(d), d.phases, d.measured, predicted, low, high), newArchitecture);
  }

  /** The distinct device architectures of {@code rows}, unknown ones left out. */
  static List<String> architectures(Encoded d, int[] rows) {
    return Arrays.stream(rows).mapToObj(i -> d.deviceArchitectures[i]).filter(a -> !a.isEmpty()).distinct()
        .sorted().toList();
  }

  /**
   * The calibration the rows {@code use} accepts give: the scores of rows whose device's architecture their fold
   * had trained on, and apart ({@link Calibration#newArchitecture}) those of the others ({@code newArchitecture}),
   * each per row and per device.
   */
  static Calibration calibration(Calibration.Method method, Calibration.SpreadOffset offset, double[] scores,
      Encoded d, boolean[] newArchitecture, IntPredicate use, float[] featureMin, float[] featureMax,
      List<String> trainingArchitectures) {
    IntPredicate seen = i -> use.test(i) && !newArchitecture[i];
    IntPredicate fresh = i -> use.test(i) && newArchitecture[i];
    // without architectures to tell them apart, every row is calibrated as one seen before
    IntPredicate main = trainingArchitectures.isEmpty() ? use : seen;
    return new Calibration(method, stratum(scores, d, main), featureMin, featureMax, trainingArchitectures,
        trainingArchitectures.isEmpty() ? Calibration.Stratum.EMPTY : stratum(scores, d, fresh), offset);
  }

  /** The row and device scores of the rows {@code use} accepts. */
  private static Calibration.Stratum stratum(double[] scores, Encoded d, IntPredicate use) {
    return new Calibration.Stratum(rowScores(scores, d, Phase.DECODE, use), rowScores(scores, d, Phase.PREFILL, use),
        deviceScores(scores, d, Phase.DECODE, use), deviceScores(scores, d, Phase.PREFILL, use));
  }

  private static double[] rowScores(double[] scores, Encoded d, Phase phase, IntPredicate use) {
    return IntStream.range(0, scores.length).filter(i -> d.phases[i] == phase && use.test(i))
        .mapToDouble(i -> scores[i]).toArray();
  }

  /**
   * Sorted: per device with rows of {@code phase} among the rows {@code use} accepts, the {@value
   * Calibration#DEVICE_COVERAGE} quantile of those rows' scores.
   */
  static double[] deviceScores(double[] scores, Encoded d, Phase phase, IntPredicate use) {
    Map<String, java.util.List<Double>> byDevice = new java.util.TreeMap<>();
    for (int i = 0; i < scores.length; i++) {
      if (d.phases[i] == phase && use.test(i)) {
        byDevice.computeIfAbsent(d.devices[i], k -> new java.util.ArrayList<>()).add(scores[i]);
      }
    }
    double[] out = byDevice.values().stream()
        .mapToDouble(l -> Calibration.within(l.stream().mapToDouble(Double::doubleValue).toArray(),
            Calibration.DEVICE_COVERAGE))
        .sorted().toArray();
    return out;
  }

  private static double clamp(double v, double roof) {
    if (Double.isNaN(v) || v < 0) {
      return 0;
    }
    return Math.min(v, roof);
  }
}
