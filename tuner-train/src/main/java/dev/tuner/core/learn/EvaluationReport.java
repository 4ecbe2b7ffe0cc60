package dev.tuner.core.learn;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.core.scenario.Phase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Held-out accuracy of a model beside the two baselines on exactly the same rows (and, for cross-validation, the
 * same folds). {@code method} says how the rows were held out; {@code level} is the nominal interval coverage.
 * {@code groups} breaks the model's accuracy down by {@code groupedBy} (each device, or each model when models were
 * held out), so that a user sees how well it does on the hardware they care about, not only on average.
 * {@code byArchitecture} splits the model's rows by whether its training rows ran on each row's device architecture
 * ({@link #TRAINED_ON}, {@link #NEW_ARCHITECTURE}), the two kinds its intervals are calibrated apart for; empty when
 * the model records no architectures.
 */
public record EvaluationReport(
    String method,
    double level,
    String target,
    int rows,
    int used,
    Map<String, Integer> skipped,
    Map<Phase, PhaseMetrics> phases,
    Map<String, Map<Phase, PhaseMetrics>> baselines,
    String groupedBy,
    Map<String, Map<Phase, PhaseMetrics>> groups,
    Map<String, Map<Phase, PhaseMetrics>> byArchitecture) {

  public static final String ROOFLINE_BASELINE = "roofline_efficiency";
  public static final String REFERENCE_BASELINE = "reference_heuristic";
  private static final int WORST_SHOWN = 5;
  public static final String TRAINED_ON = "architecture trained on";
  public static final String NEW_ARCHITECTURE = "new architecture";

  /**
   * The metrics of the rows {@code newArchitecture} marks ({@link #NEW_ARCHITECTURE}) and of the others ({@link
   * #TRAINED_ON}), as {@link #byArchitecture} holds them.
   */
  static Map<String, Map<Phase, PhaseMetrics>> splitByArchitecture(boolean[] newArchitecture, Phase[] phases,
      double[] measured, double[] predicted, double[] low, double[] high) {
    String[] labels = new String[newArchitecture.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = newArchitecture[i] ? NEW_ARCHITECTURE : TRAINED_ON;
    }
    return PhaseMetrics.byGroup(labels, phases, measured, predicted, low, high);
  }

  /** Without the split by architecture. */
  public EvaluationReport(String method, double level, String target, int rows, int used,
      Map<String, Integer> skipped, Map<Phase, PhaseMetrics> phases, Map<String, Map<Phase, PhaseMetrics>> baselines,
      String groupedBy, Map<String, Map<Phase, PhaseMetrics>> groups) {
    this(method, level, target, rows, used, skipped, phases, baselines, groupedBy, groups, Map.of());
  }

  public EvaluationReport {
    skipped = java.util.Collections.unmodifiableMap(new TreeMap<>(skipped));
    phases = Map.copyOf(phases);
    Map<String, Map<Phase, PhaseMetrics>> b = new LinkedHashMap<>();
    baselines.forEach((k, v) -> b.put(k, Map.copyOf(v)));
    baselines = java.util.Collections.unmodifiableMap(b);
    Map<String, Map<Phase, PhaseMetrics>> g = new TreeMap<>();
    groups.forEach((k, v) -> g.put(k, Map.copyOf(v)));
    groups = java.util.Collections.unmodifiableMap(g);
    Map<String, Map<Phase, PhaseMetrics>> a = new TreeMap<>();
    byArchitecture.forEach((k, v) -> a.put(k, Map.copyOf(v)));
    byArchitecture = java.util.Collections.unmodifiableMap(a);
  }

  /** The JSON shape of {@code tuner evaluate --format json}; errors as fractions. */
  public ObjectNode toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("method", method);
    root.put("level", level);
    root.put("target", target);
    root.put("rows", rows);
    root.put("used", used);
    ObjectNode sk = root.putObject("skipped");
    skipped.forEach(sk::put);
    root.set("phases", phasesJson(phases));
    ObjectNode b = root.putObject("baselines");
    baselines.forEach((name, ph) -> b.putObject(name).set("phases", phasesJson(ph)));
    ObjectNode g = root.putObject("by_" + groupedBy);
    groups.forEach((name, ph) -> g.set(name, phasesJson(ph)));
    if (!byArchitecture.isEmpty()) {
      ObjectNode a = root.putObject("by_architecture");
      byArchitecture.forEach((name, ph) -> a.set(name, phasesJson(ph)));
    }
    return root;
  }

  private static ObjectNode phasesJson(Map<Phase, PhaseMetrics> phases) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    for (Phase p : Phase.values()) {
      PhaseMetrics m = phases.get(p);
      if (m == null) {
        continue;
      }
      ObjectNode o = n.putObject(p.id());
      o.put("n", m.n());
      o.put("mape", round(m.mape()));
      o.put("median_ape", round(m.medianApe()));
      o.put("r2", round(m.r2()));
      if (Double.isNaN(m.coverage())) {
        o.putNull("coverage");
      } else {
        o.put("coverage", round(m.coverage()));
      }
    }
    return n;
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }

  /** A plain-text table: one line per phase and candidate. */
  public String toTable() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s, target %s, %d of %d rows used, interval level %.2f%n", method, target,
        used, rows, level));
    if (!skipped.isEmpty()) {
      b.append("skipped: ").append(skipped).append(System.lineSeparator());
    }
    b.append(String.format(Locale.ROOT, "%-8s %-32s %5s %8s %10s %7s %9s%n", "phase", "predictor", "n", "MAPE",
        "medianAPE", "R2(log)", "coverage"));
    for (Phase p : Phase.values()) {
      line(b, p, "model", phases.get(p));
      byArchitecture.forEach((name, ph) -> line(b, p, "model, " + name, ph.get(p)));
      baselines.forEach((name, ph) -> line(b, p, name, ph.get(p)));
    }
    worst(b);
    return b.toString();
  }

  private void worst(StringBuilder b) {
    for (Phase p : Phase.values()) {
      List<Map.Entry<String, PhaseMetrics>> rows = new ArrayList<>();
      groups.forEach((name, ph) -> {
        if (ph.containsKey(p)) {
          rows.add(Map.entry(name, ph.get(p)));
        }
      });
      if (rows.size() < 2) {
        continue;
      }
      rows.sort(Comparator.comparingDouble((Map.Entry<String, PhaseMetrics> e) -> e.getValue().mape()).reversed());
      b.append(String.format(Locale.ROOT, "worst %s by %s MAPE (of %d; --format json lists all):", p.id(),
          groupedBy, rows.size()));
      for (int i = 0; i < Math.min(WORST_SHOWN, rows.size()); i++) {
        b.append(String.format(Locale.ROOT, "%s %s %.1f%% (n=%d)", i == 0 ? "" : ",", rows.get(i).getKey(),
            100 * rows.get(i).getValue().mape(), rows.get(i).getValue().n()));
      }
      b.append(System.lineSeparator());
    }
  }

  private static void line(StringBuilder b, Phase p, String name, PhaseMetrics m) {
    if (m == null || m.n() == 0) {
      return;
    }
    String coverage = Double.isNaN(m.coverage()) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * m.coverage());
    b.append(String.format(Locale.ROOT, "%-8s %-32s %5d %7.1f%% %9.1f%% %7.3f %9s%n", p.id(), name, m.n(),
        100 * m.mape(), 100 * m.medianApe(), m.r2(), coverage));
  }
}
