package dev.tuner.core.learn;

import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.ThroughputModel;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.predict.Reference;
import dev.tuner.core.scenario.Phase;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalDouble;

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
 * Calibration#IMPUTED_DEVICE_SHARE}. A held-out prompt predicted below the fold model's prediction for generating it
 * one token at a time takes that prediction and the decode interval around it, as {@link
 * dev.tuner.core.predict.Predictor} does; its score stays the prompt model's own residual.
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
    double[] scores = new double[n];
    for (int i = 0; i < n; i++) {
      double target = references[i].kind().fromTokensPerSecond(d.measured[i], d.reference(references[i], i));
      double res = Math.abs(target - raw[i]);
      scores[i] = method == Calibration.Method.SPREAD_NORMALISED ? res / spread[i] : res;
    }
    double[] predicted = new double[n];
    double[] low = new double[n];
    double[] high = new double[n];
    for (int f = 0; f < folds.count(); f++) {
      Map<Phase, Double> q = new EnumMap<>(Phase.class);
      Map<Phase, Double> qImputed = new EnumMap<>(Phase.class);
      for (Phase p : Phase.values()) {
        int fold = f;
        double rows = quantile(scores, d, foldOf, f, p);
        double[] devices = deviceScores(scores, d, p, i -> foldOf[i] != fold);
        q.put(p, devices.length == 0 || Double.isInfinite(rows) ? rows
            : Math.max(rows, Calibration.conformal(devices, Calibration.DEVICE_SHARE)));
        qImputed.put(p, devices.length == 0 || Double.isInfinite(rows) ? rows
            : Math.max(rows, Calibration.conformal(devices, Calibration.IMPUTED_DEVICE_SHARE)));
      }
      for (int i : folds.testSets().get(f)) {
        double roof = d.roofs[i];
        double ref = d.reference(references[i], i);
        OutputKind kind = references[i].kind();
        predicted[i] = clamp(kind.toTokensPerSecond(raw[i], ref), roof);
        double half = (d.imputed[i] ? qImputed : q).get(d.phases[i]) * (method == Calibration.Method.SPREAD_NORMALISED ? spread[i] : 1);
        double center = raw[i];
        if (d.hasGeneration(i)) {
          // a prompt is never slower than its generation one token at a time (Predictor): the same floor here
          double generationRef = d.generationReference(references[i], i);
          double generated = Math.min(clamp(kind.toTokensPerSecond(rawGenerated[i], generationRef),
              d.generationRoof(i)), roof);
          if (generated > predicted[i]) {
            predicted[i] = generated;
            center = rawGenerated[i];
            ref = generationRef;
            half = (d.imputed[i] ? qImputed : q).get(Phase.DECODE)
                * (method == Calibration.Method.SPREAD_NORMALISED ? spreadGenerated[i] : 1);
          }
        }
        if (Double.isInfinite(half)) {
          low[i] = 0;
          high[i] = roof;
        } else {
          low[i] = Math.min(predicted[i], clamp(kind.toTokensPerSecond(center - half, ref), roof));
          high[i] = Math.max(predicted[i], clamp(kind.toTokensPerSecond(center + half, ref), roof));
        }
      }
    }
    return new CvResult(c.name(), folds.method(), folds.count(), level,
        PhaseMetrics.byPhase(d.phases, d.measured, predicted, low, high), method, predicted, low, high,
        scores, folds.groupedBy(),
        PhaseMetrics.byGroup(folds.groupLabels(d), d.phases, d.measured, predicted, low, high));
  }

  /**
   * Sorted: per device with rows of {@code phase} among the rows {@code use} accepts, the {@value
   * Calibration#DEVICE_COVERAGE} quantile of those rows' scores.
   */
  static double[] deviceScores(double[] scores, Encoded d, Phase phase, java.util.function.IntPredicate use) {
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

  private double quantile(double[] scores, Encoded d, int[] foldOf, int fold, Phase p) {
    int count = 0;
    for (int i = 0; i < scores.length; i++) {
      if (foldOf[i] != fold && d.phases[i] == p) {
        count++;
      }
    }
    double[] s = new double[count];
    int k = 0;
    for (int i = 0; i < scores.length; i++) {
      if (foldOf[i] != fold && d.phases[i] == p) {
        s[k++] = scores[i];
      }
    }
    java.util.Arrays.sort(s);
    int rank = (int) Math.ceil((count + 1) * level);
    return rank > count || count == 0 ? Double.POSITIVE_INFINITY : s[rank - 1];
  }

  private static double clamp(double v, double roof) {
    if (Double.isNaN(v) || v < 0) {
      return 0;
    }
    return Math.min(v, roof);
  }
}
