package dev.tuner.cli;

import dev.tuner.core.learn.EvaluationReport;
import dev.tuner.core.learn.PhaseMetrics;
import dev.tuner.core.scenario.Phase;
import java.io.PrintWriter;
import java.util.Map;

/** Prints an evaluation report as a table, JSON ({@link EvaluationReport#toJson()}) or CSV. */
final class ReportOutput {
  private ReportOutput() {}

  static void print(PrintWriter out, OutputFormat format, EvaluationReport report) {
    switch (format) {
      case JSON -> Json.print(out, report.toJson());
      case CSV -> csv(report).printCsv(out);
      default -> out.print(report.toTable());
    }
  }

  private static Table csv(EvaluationReport r) {
    Table t = new Table("predictor", "phase", "n", "mape", "median_ape", "r2", "coverage");
    rows(t, "model", r.phases());
    r.baselines().forEach((name, phases) -> rows(t, name, phases));
    return t;
  }

  private static void rows(Table t, String name, Map<Phase, PhaseMetrics> phases) {
    for (Phase p : Phase.values()) {
      PhaseMetrics m = phases.get(p);
      if (m != null) {
        t.row(name, p.id(), m.n(), m.mape(), m.medianApe(), m.r2(), Double.isNaN(m.coverage()) ? "" : m.coverage());
      }
    }
  }
}
