package dev.tuner.core.learn;

import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.schema.FeatureEncoder;
import dev.tuner.core.schema.FeatureSchemas;
import java.util.ArrayList;
import java.util.EnumMap;
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
    Map<Phase, List<double[]>> model = new EnumMap<>(Phase.class);
    Map<Phase, List<double[]>> roof = new EnumMap<>(Phase.class);
    Map<Phase, List<double[]>> ref = new EnumMap<>(Phase.class);
    List<Row> rows = new ArrayList<>();
    int n = data.examples().size();
    String[] devices = new String[n];
    Phase[] phases = new Phase[n];
    double[][] byRow = new double[4][n];
    for (Dataset.Example e : data.examples()) {
      ThroughputPrediction p = predictor.predict(e.scenario(), 0);
      rows.add(new Row(e, p));
      double measured = e.measurement().tokensPerSecond();
      double r = e.roofline().tokensPerSecond();
      Phase phase = e.scenario().phase();
      double[] row = {measured, p.tokensPerSecond(), p.interval().low(), p.interval().high()};
      model.computeIfAbsent(phase, k -> new ArrayList<>()).add(row);
      int i = rows.size() - 1;
      devices[i] = e.scenario().device().name();
      phases[i] = phase;
      for (int c = 0; c < row.length; c++) {
        byRow[c][i] = row[c];
      }
      double eff = phase == Phase.DECODE ? decodeEfficiency : prefillEfficiency;
      roof.computeIfAbsent(phase, k -> new ArrayList<>()).add(new double[] {measured, eff * r});
      double h = Math.min(heuristic.predict(reference.encode(e.scenario(), roofline.compute(e.scenario()))), r);
      ref.computeIfAbsent(phase, k -> new ArrayList<>()).add(new double[] {measured, h});
    }
    Map<String, Map<Phase, PhaseMetrics>> baselines = new LinkedHashMap<>();
    baselines.put(EvaluationReport.ROOFLINE_BASELINE, metrics(roof, false));
    baselines.put(EvaluationReport.REFERENCE_BASELINE, metrics(ref, false));
    EvaluationReport report = new EvaluationReport("hold-out evaluation of " + predictor.model().id(),
        predictor.intervalLevel(), predictor.model().model().info().outputKind().id(), data.rowsRead(),
        data.examples().size(), data.skippedByReason(), metrics(model, true), baselines, "device",
        PhaseMetrics.byGroup(devices, phases, byRow[0], byRow[1], byRow[2], byRow[3]));
    return new Result(report, rows);
  }

  private static Map<Phase, PhaseMetrics> metrics(Map<Phase, List<double[]>> byPhase, boolean intervals) {
    Map<Phase, PhaseMetrics> out = new EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      List<double[]> rows = byPhase.getOrDefault(p, List.of());
      double[] m = rows.stream().mapToDouble(r -> r[0]).toArray();
      double[] pr = rows.stream().mapToDouble(r -> r[1]).toArray();
      out.put(p, intervals
          ? PhaseMetrics.of(m, pr, rows.stream().mapToDouble(r -> r[2]).toArray(),
              rows.stream().mapToDouble(r -> r[3]).toArray())
          : PhaseMetrics.withoutIntervals(m, pr));
    }
    return out;
  }
}
