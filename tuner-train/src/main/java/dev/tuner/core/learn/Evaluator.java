package dev.tuner.core.learn;

import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.schema.FeatureEncoder;
import dev.tuner.core.schema.FeatureSchemas;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hold-out evaluation of a trained model on measurements it is given (ideally ones it never saw), with its own
 * calibrated intervals, beside the baselines on the same rows: the roofline times the median efficiency of the
 * model's training data (from its artifact, else the shipped defaults), and the seed's heuristic. Baselines carry
 * no intervals here, so their coverage is reported as not applicable.
 */
public final class Evaluator {
  private Evaluator() {}

  /** Per-row results, for plots. */
  public record Row(Dataset.Example example, ThroughputPrediction prediction) {}

  public record Result(EvaluationReport report, List<Row> rows) {}

  public static Result holdOut(Predictor predictor, Dataset.Prepared data, double decodeEfficiency,
      double prefillEfficiency) {
    Roofline roofline = predictor.roofline();
    FeatureEncoder reference = new FeatureEncoder(FeatureSchemas.referenceV1());
    ReferenceHeuristicModel heuristic = new ReferenceHeuristicModel();
    int n = data.examples().size();
    List<Row> rows = new ArrayList<>(n);
    String[] devices = new String[n];
    Phase[] phases = new Phase[n];
    double[] measured = new double[n];
    double[] predicted = new double[n];
    double[] low = new double[n];
    double[] high = new double[n];
    double[] roof = new double[n];
    double[] ref = new double[n];
    boolean[] newArchitecture = new boolean[n];
    dev.tuner.core.artifact.Calibration calibration = predictor.model().calibration();
    for (int i = 0; i < n; i++) {
      Dataset.Example e = data.examples().get(i);
      ThroughputPrediction p = predictor.predict(e.scenario(), 0);
      rows.add(new Row(e, p));
      devices[i] = e.scenario().device().name();
      newArchitecture[i] = calibration.unseenArchitecture(e.scenario().device().architecture());
      phases[i] = e.scenario().phase();
      measured[i] = e.measurement().tokensPerSecond();
      predicted[i] = p.tokensPerSecond();
      low[i] = p.interval().low();
      high[i] = p.interval().high();
      double r = e.roofline().tokensPerSecond();
      roof[i] = (phases[i] == Phase.DECODE ? decodeEfficiency : prefillEfficiency) * r;
      ref[i] = Math.min(heuristic.predict(reference.encode(e.scenario(), roofline.compute(e.scenario()))), r);
    }
    Map<String, Map<Phase, PhaseMetrics>> baselines = new LinkedHashMap<>();
    baselines.put(EvaluationReport.ROOFLINE_BASELINE, PhaseMetrics.byPhase(phases, measured, roof, null, null));
    baselines.put(EvaluationReport.REFERENCE_BASELINE, PhaseMetrics.byPhase(phases, measured, ref, null, null));
    EvaluationReport report = new EvaluationReport("hold-out evaluation of " + predictor.model().id(),
        predictor.intervalLevel(), predictor.model().model().info().outputKind().id(), data.rowsRead(), n,
        data.skippedByReason(), PhaseMetrics.byPhase(phases, measured, predicted, low, high), baselines, "device",
        PhaseMetrics.byGroup(devices, phases, measured, predicted, low, high),
        // a model that records no architectures takes no device for new: nothing to split
        calibration.trainingArchitectures().isEmpty() ? Map.of()
            : EvaluationReport.splitByArchitecture(newArchitecture, phases, measured, predicted, low, high));
    return new Result(report, rows);
  }
}
