package dev.tuner.core.learn;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.api.ModelTrainer;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.TrainingOptions;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import dev.tuner.core.stats.Median;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The evaluation protocol whose figures the README quotes, fixed before any of them was seen.
 *
 * <p>Splits: leave one chip family out (the headline: an unseen die, no sibling in training) and leave one model
 * architecture out. Seeds: {@link #SEEDS}, each a full re-run (fold shuffles, forests, inner folds). Per split, seed
 * and phase: pooled MAPE and median APE, a {@value #BOOTSTRAP}-draw bootstrap over devices (whole devices resampled
 * with replacement) giving a 95% interval for the MAPE, the median and the 90th percentile (worst decile) of the
 * per-device MAPE, pooled interval coverage, the share of devices whose own coverage is at least 70%, and the
 * median interval width as high / low. The same folds score three baselines: the serial roof times the training
 * rows' median efficiency of the device's vendor (per phase), plain ridge on the same features and target, and the
 * reference's untrained heuristic. Whatever the candidate chooses (e.g. ensemble weights) it chooses inside each
 * training fold, from training families only; everything else is fixed by the command and reported with it.
 */
public final class Protocol {
  /** Fixed in advance: the seed of the shipped model, then four more chosen before any protocol run. */
  public static final long[] SEEDS = {42, 7, 123, 2024, 31337};
  public static final List<String> SPLITS = List.of("family", "model");
  public static final int BOOTSTRAP = 1000;
  public static final double DEVICE_COVERAGE_GOAL = 0.7;
  /** The fewest rows of a phase a source needs to get its own line in the breakdown. */
  public static final int BREAKDOWN_MIN_ROWS = 40;
  public static final String VENDOR_BASELINE = "serial_roof_x_vendor_median_efficiency";
  public static final String RIDGE_BASELINE = "ridge";

  private final FeatureSchema schema;
  private final double level;
  private final ProgressListener progress;

  public Protocol(FeatureSchema schema, double level, ProgressListener progress) {
    this.schema = schema;
    this.level = level;
    this.progress = progress;
  }

  /**
   * Runs every split and seed for {@code trainer} (settings {@code hyperParameters}, target {@code target}) beside
   * the baselines ({@code ridge} may be null when no linear trainer is installed) and returns the report as JSON.
   */
  public ObjectNode run(Dataset.Prepared data, String name, ModelTrainer trainer, Map<String, String> hyperParameters,
      OutputKind target, ModelTrainer ridge, int threads) {
    Encoded encoded = new Encoded(schema, data.examples());
    Encoded reference = new Encoded(FeatureSchemas.referenceV1(), data.examples());
    CrossValidator cv = new CrossValidator(level, progress);
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("protocol", "tuner-protocol-1");
    root.put("candidate", name);
    root.put("target", target.id());
    ObjectNode fixed = root.putObject("hyper_parameters");
    new TreeMap<>(hyperParameters).forEach(fixed::put);
    ArrayNode seeds = root.putArray("seeds");
    Arrays.stream(SEEDS).forEach(seeds::add);
    root.put("level", level);
    root.put("rows", encoded.rows());
    root.put("bootstrap", BOOTSTRAP);
    ObjectNode splits = root.putObject("splits");
    for (String split : SPLITS) {
      Map<String, List<Map<Phase, Summary>>> bySeed = new LinkedHashMap<>();
      String method = null;
      int folds = 0;
      for (long seed : SEEDS) {
        Folds f = Folds.of(split, encoded, seed);
        method = f.method();
        folds = f.count();
        TrainingOptions options = new TrainingOptions(seed, hyperParameters, threads, ProgressListener.NONE);
        CvResult model = cv.run(Candidates.trainer(name, trainer, encoded, target, options), f);
        // which rows are of an architecture their fold never trained on depends on the folds alone
        boolean[] fresh = model.newArchitecture();
        add(bySeed, name, summarise(encoded, model.predicted(), model.low(), model.high(), seed, fresh));
        if (ridge != null) {
          TrainingOptions ro = new TrainingOptions(seed, Map.of(), threads, ProgressListener.NONE);
          CvResult r = cv.run(Candidates.trainer(RIDGE_BASELINE, ridge, encoded, target, ro), f);
          add(bySeed, RIDGE_BASELINE, summarise(encoded, r.predicted(), r.low(), r.high(), seed, fresh));
        }
        add(bySeed, VENDOR_BASELINE, summarise(encoded, vendorBaseline(encoded, f), null, null, seed, fresh));
        CvResult h = cv.run(Candidates.referenceHeuristic(reference), f);
        add(bySeed, EvaluationReport.REFERENCE_BASELINE, summarise(encoded, h.predicted(), null, null, seed, fresh));
      }
      ObjectNode s = splits.putObject(split);
      s.put("method", method);
      s.put("folds", folds);
      ObjectNode candidates = s.putObject("candidates");
      bySeed.forEach((candidate, runs) -> candidates.set(candidate, aggregate(runs)));
    }
    return root;
  }

  private static void add(Map<String, List<Map<Phase, Summary>>> bySeed, String name, Map<Phase, Summary> s) {
    bySeed.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
  }

  /** Per phase, each metric's mean and sample standard deviation over the seeds, and the per-seed values. */
  private static ObjectNode aggregate(List<Map<Phase, Summary>> runs) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Phase p : Phase.values()) {
      ObjectNode phase = out.putObject(p.id());
      phase.put("n", runs.get(0).get(p).n());
      for (String metric : runs.get(0).get(p).values().keySet()) {
        double[] v = runs.stream().mapToDouble(r -> r.get(p).get(metric)).toArray();
        if (Arrays.stream(v).anyMatch(Double::isNaN)) {
          continue;
        }
        ObjectNode m = phase.putObject(metric);
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        double ss = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
        m.put("mean", round(mean));
        m.put("sd", round(v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0));
        ArrayNode each = m.putArray("by_seed");
        Arrays.stream(v).forEach(x -> each.add(round(x)));
      }
    }
    return out;
  }

  /** One run's figures for one phase; NaN where the predictor has no intervals. */
  record Summary(int n, Map<String, Double> values) {
    double get(String metric) {
      return values.get(metric);
    }
  }

  private Map<Phase, Summary> summarise(Encoded d, double[] predicted, double[] low, double[] high, long seed,
      boolean[] newArchitecture) {
    Map<Phase, Summary> out = new HashMap<>();
    for (Phase p : Phase.values()) {
      Map<String, List<Integer>> byDevice = new TreeMap<>();
      for (int i = 0; i < d.rows(); i++) {
        if (d.phases[i] == p) {
          byDevice.computeIfAbsent(d.devices[i], k -> new ArrayList<>()).add(i);
        }
      }
      List<int[]> devices = byDevice.values().stream()
          .map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
      double[] ape = new double[d.rows()];
      for (int i = 0; i < d.rows(); i++) {
        ape[i] = Math.abs(predicted[i] - d.measured[i]) / d.measured[i];
      }
      int[] rows = devices.stream().flatMapToInt(Arrays::stream).toArray();
      Map<String, Double> v = new LinkedHashMap<>();
      v.put("mape", mean(ape, rows));
      double[] ci = bootstrap(ape, devices, seed);
      v.put("mape_ci_low", ci[0]);
      v.put("mape_ci_high", ci[1]);
      v.put("median_ape", Median.of(Arrays.stream(rows).mapToDouble(i -> ape[i]).toArray(), 0));
      double[] deviceMape = devices.stream().mapToDouble(idx -> mean(ape, idx)).sorted().toArray();
      v.put("device_median_mape", Median.of(deviceMape, 0));
      v.put("device_worst_decile_mape", deviceMape.length == 0 ? 0
          : deviceMape[Math.max(0, (int) Math.ceil(0.9 * deviceMape.length) - 1)]);
      if (low == null) {
        v.put("coverage", Double.NaN);
        v.put("devices_covered_70", Double.NaN);
        v.put("median_width_ratio", Double.NaN);
      } else {
        v.put("coverage", covered(d, low, high, rows));
        v.put("devices_covered_70", devices.isEmpty() ? 0 : devices.stream()
            .filter(idx -> covered(d, low, high, idx) >= DEVICE_COVERAGE_GOAL).count() / (double) devices.size());
        v.put("median_width_ratio", Median.of(Arrays.stream(rows)
            .mapToDouble(i -> low[i] > 0 ? high[i] / low[i] : Double.POSITIVE_INFINITY).toArray(), 0));
      }
      v.putAll(imputedBreakdown(d, predicted, low, high, p));
      v.putAll(rowsBreakdown("new_architecture", d, predicted, low, high, i -> d.phases[i] == p
          && newArchitecture[i]));
      v.putAll(rowsBreakdown("seen_architecture", d, predicted, low, high, i -> d.phases[i] == p
          && !newArchitecture[i]));
      v.putAll(breakdown(d, predicted, devices, p));
      out.put(p, new Summary(rows.length, v));
    }
    return out;
  }

  /**
   * The rows of {@code phase} whose device has an imputed peak: how many, their MAPE, interval coverage and median
   * width (high / low). NaN where there is no such row, and for coverage and width where the predictor has no
   * intervals ({@code low} null): the report then leaves the figure out.
   */
  static Map<String, Double> imputedBreakdown(Encoded d, double[] predicted, double[] low, double[] high,
      Phase phase) {
    return rowsBreakdown("imputed", d, predicted, low, high, i -> d.phases[i] == phase && d.deviceImputed[i]);
  }

  /**
   * The rows {@code use} accepts, as {@code <prefix>_rows}, {@code _mape}, {@code _coverage} and {@code
   * _median_width_ratio}; NaN as {@link #imputedBreakdown} has it.
   */
  static Map<String, Double> rowsBreakdown(String prefix, Encoded d, double[] predicted, double[] low,
      double[] high, java.util.function.IntPredicate use) {
    int[] rows = java.util.stream.IntStream.range(0, d.rows()).filter(use).toArray();
    Map<String, Double> v = new LinkedHashMap<>();
    v.put(prefix + "_rows", (double) rows.length);
    boolean none = rows.length == 0;
    v.put(prefix + "_mape", none ? Double.NaN
        : Arrays.stream(rows).mapToDouble(i -> Math.abs(predicted[i] - d.measured[i]) / d.measured[i]).sum()
            / rows.length);
    boolean intervals = !none && low != null;
    v.put(prefix + "_coverage", intervals ? covered(d, low, high, rows) : Double.NaN);
    v.put(prefix + "_median_width_ratio", intervals ? Median.of(Arrays.stream(rows)
        .mapToDouble(i -> low[i] > 0 ? high[i] / low[i] : Double.POSITIVE_INFINITY).toArray(), 0) : Double.NaN);
    return v;
  }

  /**
   * The rows of {@code phase} in groups (all rows, dense and mixture-of-experts models, each backend, each source with
   * at least {@value #BREAKDOWN_MIN_ROWS} rows): per group its rows, MAPE, median APE and the MAPE the same
   * predictions would have if each device's level were known. That last figure is a diagnostic, not a predictor: it
   * divides each device's predictions by their geometric-mean ratio to its measurements, so it separates the error
   * of a device's overall level (which one measurement on the device would fix) from the error within a device
   * (over models, quantizations, batches and contexts). Keys are {@code breakdown/<group>/<figure>}.
   */
  static Map<String, Double> breakdown(Encoded d, double[] predicted, List<int[]> devices, Phase phase) {
    double[] levelKnown = new double[d.rows()];
    for (int[] device : devices) {
      double logRatio = Arrays.stream(device).filter(i -> predicted[i] > 0)
          .mapToDouble(i -> Math.log(d.measured[i] / predicted[i])).average().orElse(0);
      for (int i : device) {
        levelKnown[i] = predicted[i] * Math.exp(logRatio);
      }
    }
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    Map<String, List<Integer>> bySource = new TreeMap<>();
    Map<String, List<Integer>> byBackend = new TreeMap<>();
    for (int i = 0; i < d.rows(); i++) {
      if (d.phases[i] != phase) {
        continue;
      }
      groups.computeIfAbsent("all rows", k -> new ArrayList<>()).add(i);
      Scenario s = d.scenarios[i];
      groups.computeIfAbsent(s.model().moe().isMoe() ? "MoE models" : "dense models", k -> new ArrayList<>()).add(i);
      byBackend.computeIfAbsent("backend " + s.engine().backend().id(), k -> new ArrayList<>()).add(i);
      bySource.computeIfAbsent("source " + d.sources[i], k -> new ArrayList<>()).add(i);
    }
    groups.putAll(byBackend);
    bySource.forEach((source, rows) -> {
      if (rows.size() >= BREAKDOWN_MIN_ROWS) {
        groups.put(source, rows);
      }
    });
    Map<String, Double> v = new LinkedHashMap<>();
    groups.forEach((group, list) -> {
      int[] rows = list.stream().mapToInt(Integer::intValue).toArray();
      String key = "breakdown/" + group + "/";
      v.put(key + "rows", (double) rows.length);
      v.put(key + "mape", Arrays.stream(rows).mapToDouble(i -> ape(d, predicted, i)).average().orElse(0));
      v.put(key + "median_ape", Median.of(Arrays.stream(rows).mapToDouble(i -> ape(d, predicted, i)).toArray(), 0));
      v.put(key + "level_known_mape", Arrays.stream(rows).mapToDouble(i -> ape(d, levelKnown, i)).average()
          .orElse(0));
    });
    return v;
  }

  private static double ape(Encoded d, double[] predicted, int i) {
    return Math.abs(predicted[i] - d.measured[i]) / d.measured[i];
  }

  /** 2.5% and 97.5% points of the pooled MAPE over {@value #BOOTSTRAP} resamples of whole devices. */
  static double[] bootstrap(double[] ape, List<int[]> devices, long seed) {
    if (devices.isEmpty()) {
      return new double[] {0, 0};
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] mapes = new double[BOOTSTRAP];
    for (int b = 0; b < BOOTSTRAP; b++) {
      double sum = 0;
      long n = 0;
      for (int k = 0; k < devices.size(); k++) {
        for (int i : devices.get(rnd.nextInt(devices.size()))) {
          sum += ape[i];
          n++;
        }
      }
      mapes[b] = sum / n;
    }
    Arrays.sort(mapes);
    return new double[] {mapes[(int) Math.floor(0.025 * (BOOTSTRAP - 1))], mapes[(int) Math.ceil(0.975 * (BOOTSTRAP - 1))]};
  }

  /**
   * The serial roof times the median measured / serial roof of the training rows of the same vendor and phase (of
   * the phase when the vendor has none there), never above the roofline.
   */
  static double[] vendorBaseline(Encoded d, Folds folds) {
    double[] out = new double[d.rows()];
    OutputKind serial = OutputKind.LOG_SERIAL_ROOF_FRACTION;
    for (int f = 0; f < folds.count(); f++) {
      Map<String, List<Double>> eff = new HashMap<>();
      for (int i : folds.trainSet(f, d.rows())) {
        double e = Math.min(1.0, d.measured[i] / d.reference(serial, i));
        eff.computeIfAbsent(d.vendors[i] + "|" + d.phases[i], k -> new ArrayList<>()).add(e);
        eff.computeIfAbsent("|" + d.phases[i], k -> new ArrayList<>()).add(e);
      }
      for (int i : folds.testSets().get(f)) {
        List<Double> e = eff.getOrDefault(d.vendors[i] + "|" + d.phases[i], eff.get("|" + d.phases[i]));
        double m = e == null ? 0.5 : Median.of(e.stream().mapToDouble(Double::doubleValue).toArray(), 0);
        out[i] = Math.min(d.roofs[i], m * d.reference(serial, i));
      }
    }
    return out;
  }

  private static double covered(Encoded d, double[] low, double[] high, int[] rows) {
    if (rows.length == 0) {
      return 0;
    }
    long in = Arrays.stream(rows).filter(i -> d.measured[i] >= low[i] && d.measured[i] <= high[i]).count();
    return in / (double) rows.length;
  }

  private static double mean(double[] v, int[] rows) {
    return rows.length == 0 ? 0 : Arrays.stream(rows).mapToDouble(i -> v[i]).sum() / rows.length;
  }

  private static double round(double v) {
    return Double.isInfinite(v) ? Double.MAX_VALUE : Math.round(v * 1e6) / 1e6;
  }

  /** The headline table (markdown) of a protocol report: per split and phase, the candidate and baselines. */
  public static String markdown(com.fasterxml.jackson.databind.JsonNode report) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Seeds %s, mean ± sd; [95%% bootstrap over devices, mean of the seeds' ends];"
        + " %d%% intervals.%n%n", report.get("seeds").toString(), Math.round(100 * report.get("level").asDouble())));
    b.append("| split | phase | predictor | MAPE | 95% CI | median APE | median device MAPE | worst decile |"
        + " coverage | devices ≥ 70% | width hi/lo |\n");
    b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    report.get("splits").fields().forEachRemaining(split -> {
      for (Phase p : Phase.values()) {
        split.getValue().get("candidates").fields().forEachRemaining(c -> {
          var m = c.getValue().get(p.id());
          b.append("| ").append(split.getValue().get("method").asText()).append(" | ").append(p.id())
              .append(" (n=").append(m.get("n").asInt()).append(") | ").append(c.getKey())
              .append(" | ").append(pm(m, "mape"))
              .append(" | ").append(String.format(Locale.ROOT, "%.1f–%.1f%%",
                  100 * m.get("mape_ci_low").get("mean").asDouble(), 100 * m.get("mape_ci_high").get("mean").asDouble()))
              .append(" | ").append(pm(m, "median_ape"))
              .append(" | ").append(pm(m, "device_median_mape"))
              .append(" | ").append(pm(m, "device_worst_decile_mape"))
              .append(" | ").append(pm(m, "coverage"))
              .append(" | ").append(pm(m, "devices_covered_70"))
              .append(" | ").append(m.has("median_width_ratio")
                  ? String.format(Locale.ROOT, "%.2f", m.get("median_width_ratio").get("mean").asDouble()) : "n/a")
              .append(" |\n");
        });
      }
    });
    b.append("\nRows whose device has an imputed peak (see SpecEstimates), same runs:\n\n");
    b.append("| split | phase | predictor | rows | MAPE | coverage | width hi/lo |\n|---|---|---|---|---|---|---|\n");
    rowsTable(b, report, "imputed", "");
    b.append("\nRows by whether their fold trained on any device of their device's architecture (the kernels' target:"
        + " CUDA compute capability, AMD gfx family, Apple GPU family; see data/chip_families.csv), same runs; in"
        + " leave-one-architecture-out the architecture left out is the LLM's, so few devices are new there:\n\n");
    b.append("| split | device architecture | phase | predictor | rows | MAPE | coverage | width hi/lo |\n"
        + "|---|---|---|---|---|---|---|---|\n");
    rowsTable(b, report, "seen_architecture", "trained on");
    rowsTable(b, report, "new_architecture", "new to the fold");
    b.append("\nBroken down, same runs (\"level known\": the MAPE if each device's overall level were known, a"
        + " diagnostic that separates a device's level from the error within it):\n\n");
    b.append("| split | rows | phase | predictor | n | MAPE | median APE | MAPE, level known |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    report.get("splits").fields().forEachRemaining(split -> {
      for (Phase p : Phase.values()) {
        java.util.Set<String> groups = new java.util.LinkedHashSet<>();
        split.getValue().get("candidates").elements().next().get(p.id()).fieldNames().forEachRemaining(f -> {
          if (f.startsWith("breakdown/")) {
            groups.add(f.substring("breakdown/".length(), f.lastIndexOf('/')));
          }
        });
        for (String group : groups) {
          split.getValue().get("candidates").fields().forEachRemaining(c -> {
            if (!c.getKey().equals(report.get("candidate").asText()) && !c.getKey().equals(VENDOR_BASELINE)) {
              return;
            }
            var m = c.getValue().get(p.id());
            String key = "breakdown/" + group + "/";
            b.append("| ").append(split.getValue().get("method").asText()).append(" | ").append(group)
                .append(" | ").append(p.id()).append(" | ").append(c.getKey())
                .append(" | ").append(m.get(key + "rows").get("mean").asInt())
                .append(" | ").append(pm(m, key + "mape"))
                .append(" | ").append(pm(m, key + "median_ape"))
                .append(" | ").append(pm(m, key + "level_known_mape"))
                .append(" |\n");
          });
        }
      }
    });
    return b.toString();
  }

  /**
   * The rows of a table of {@link #rowsBreakdown} figures, under the header the caller wrote; {@code label} names the
   * rows in a column after the split's when not empty.
   */
  private static void rowsTable(StringBuilder b, com.fasterxml.jackson.databind.JsonNode report, String prefix,
      String label) {
    report.get("splits").fields().forEachRemaining(split -> {
      for (Phase p : Phase.values()) {
        split.getValue().get("candidates").fields().forEachRemaining(c -> {
          var m = c.getValue().get(p.id());
          if (!m.has(prefix + "_mape")) {
            return;
          }
          b.append("| ").append(split.getValue().get("method").asText());
          if (!label.isEmpty()) {
            b.append(" | ").append(label);
          }
          b.append(" | ").append(p.id())
              .append(" | ").append(c.getKey())
              .append(" | ").append(m.get(prefix + "_rows").get("mean").asInt())
              .append(" | ").append(pm(m, prefix + "_mape"))
              .append(" | ").append(pm(m, prefix + "_coverage"))
              .append(" | ").append(m.has(prefix + "_median_width_ratio") ? String.format(Locale.ROOT, "%.2f",
                  m.get(prefix + "_median_width_ratio").get("mean").asDouble()) : "n/a")
              .append(" |\n");
        });
      }
    });
  }

  private static String pm(com.fasterxml.jackson.databind.JsonNode phase, String metric) {
    if (!phase.has(metric)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.1f ± %.1f%%", 100 * phase.get(metric).get("mean").asDouble(),
        100 * phase.get(metric).get("sd").asDouble());
  }
}
