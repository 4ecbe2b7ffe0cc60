package dev.tuner.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.api.Interval;
import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.Csv;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.serving.EngineDefaults;
import dev.tuner.serving.EngineTerms;
import dev.tuner.serving.Load;
import dev.tuner.serving.Metric;
import dev.tuner.serving.ServingCsv;
import dev.tuner.serving.ServingData;
import dev.tuner.serving.ServingEvaluator;
import dev.tuner.serving.ServingExplanation;
import dev.tuner.serving.ServingPrediction;
import dev.tuner.serving.ServingPredictor;
import dev.tuner.serving.ServingRow;
import dev.tuner.serving.ServingScenario;
import dev.tuner.serving.ServingTerms;
import dev.tuner.serving.ServingTermsCodec;
import dev.tuner.serving.ServingTrainer;
import dev.tuner.serving.StepModelTerms;
import dev.tuner.serving.StepPhysics;
import dev.tuner.serving.StepTimes;
import dev.tuner.serving.Workload;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The serving side of {@code predict}, {@code evaluate --serving} and {@code train --serving}. */
final class Serving {
  /** Loss evaluations per engine fit: the fit has converged well before (see tuner-serving/README.md). */
  static final int EVALUATIONS = 800;
  /** Rows an engine needs for terms of its own; fewer and it uses the pooled terms. */
  static final int MIN_ROWS = 20;
  /** Rejected rows an error names when none is usable. */
  private static final int REASONS_SHOWN = 5;

  private Serving() {}

  /**
   * Predicts and prints one serving scenario; {@code given} are the assumptions the command made in reading its
   * options (a default it took), listed before the prediction's own.
   */
  static int predict(Session session, Scenario step, ServingOptions o, ParallelLayout layout, Integer batch,
      OutputFormat format, boolean explain, List<String> given, PrintWriter out) {
    EngineDefaults defaults = EngineDefaults.shipped();
    Workload workload = o.workload(batch);
    ServingScenario s = new ServingScenario(step.model(), step.device(), step.quant(), step.kvCache(),
        o.engine(defaults, step, layout, workload), layout, workload, o.attentionDp == null ? 1 : o.attentionDp);
    ServingTerms terms = o.servingTerms == null ? ServingTermsCodec.shipped() : ServingTermsCodec.read(o.servingTerms);
    ServingPredictor predictor = predictor(session, terms);
    ServingPrediction p = predictor.predict(s).withAssumptionsFirst(given);
    Optional<ServingExplanation> why = explain ? Optional.of(predictor.explain(s, p)) : Optional.empty();
    if (format == OutputFormat.JSON) {
      ObjectNode n = json(s, p);
      why.ifPresent(e -> n.set("explain", explanationJson(e)));
      Json.print(out, n);
    } else if (format == OutputFormat.CSV) {
      // one row: the scenario, then each metric with its interval's ends (empty where the terms give none, and all
      // three empty where the metric is undefined)
      List<String> header = new ArrayList<>(List.of("engine", "model", "quant", "kv_cache", "device", "devices", "tp",
          "pp", "ep", "attention_dp", "isl", "osl", "load"));
      List<Object> row = new ArrayList<>(List.of(s.engine().describe(), s.model().name(), s.quant().name(),
          s.kvCache().id(), s.device().name(), s.layout().devices(), s.layout().tp(), s.layout().pp(),
          s.layout().ep(), s.attentionDp(), Text.plain(s.workload().input().mean()),
          Text.plain(s.workload().output().mean()), s.workload().load().description()));
      p.figures().forEach((k, v) -> {
        header.addAll(List.of(k, k + "_low", k + "_high"));
        Interval in = p.intervals().get(k);
        row.addAll(List.of(Text.cell(v), in == null ? "" : in.low(), in == null ? "" : in.high()));
      });
      header.add("limited_by");
      row.add(p.limitedBy().id());
      Table t = new Table(header.toArray(String[]::new));
      t.row(row.toArray());
      t.printCsv(out);
    } else {
      table(s, p, out);
      why.ifPresent(e -> explanation(e, out));
    }
    out.flush();
    return 0;
  }

  /** The terms a prediction ran with and one of its decode iterations, part by part: at peak, then under the terms. */
  private static void explanation(ServingExplanation e, PrintWriter out) {
    EngineTerms t = e.terms();
    StepTimes peak = e.atPeak();
    out.println();
    out.println(String.format(Locale.ROOT, "Serving arithmetic (one decode iteration of %s sequences at a mean context"
        + " of %s tokens)", count(e.sequences()), count(e.meanContext())));
    new Table("", "at peak", "under the terms", "")
        .row("terms", "", "", e.termsSource())
        .row("weights", ms(peak.weights()), ms(e.weightsS()), "memory bandwidth at a share of "
            + share(t.bandwidthEff()))
        .row("linear layers", ms(peak.linear()), ms(e.linearS()), "arithmetic at a share of " + share(t.computeEff()))
        .row("KV cache", ms(peak.kv()), ms(e.kvS()), "memory bandwidth at a share of " + share(t.kvEff()))
        .row("attention", ms(peak.attention()), ms(e.attentionS()), "arithmetic at a share of "
            + share(t.computeEff()))
        .row("collectives", ms(peak.interconnect()), ms(e.collectivesS()), "link bandwidth at a share of "
            + share(t.interconnectEff()) + ", plus their latency")
        .row("engine overhead", "", ms(e.overheadS()), ms(t.overheadS()) + " per iteration + "
            + Text.num(t.perSequenceS() * 1e6) + " µs per sequence")
        .row("iteration", "", ms(e.iterationS()), "max(weights, linear) + max(KV, attention) + collectives +"
            + " overhead")
        .printText(out, "  ");
  }

  /** A count as a whole number when it is one (to a hundredth), else to four figures. */
  private static String count(double v) {
    return Math.abs(v - Math.rint(v)) < 0.005 ? Long.toString(Math.round(v)) : Text.num(v);
  }

  private static String ms(double seconds) {
    return Text.num(seconds * 1e3) + " ms";
  }

  private static String share(double s) {
    return String.format(Locale.ROOT, "%.2f", s);
  }

  private static ObjectNode explanationJson(ServingExplanation e) {
    ObjectNode n = Json.object();
    n.put("terms_source", e.termsSource());
    n.set("terms", ServingTermsCodec.json(e.terms()));
    n.put("sequences", e.sequences());
    n.put("mean_context", e.meanContext());
    StepTimes p = e.atPeak();
    ObjectNode peak = n.putObject("at_peak_s");
    peak.put("weights", p.weights());
    peak.put("linear", p.linear());
    peak.put("kv", p.kv());
    peak.put("attention", p.attention());
    peak.put("collectives", p.interconnect());
    ObjectNode under = n.putObject("under_terms_s");
    under.put("weights", e.weightsS());
    under.put("linear", e.linearS());
    under.put("kv", e.kvS());
    under.put("attention", e.attentionS());
    under.put("collectives", e.collectivesS());
    under.put("overhead", e.overheadS());
    n.put("iteration_s", e.iterationS());
    return n;
  }

  /**
   * The serving predictor of {@code predict} and {@code recommend}: the serving terms, and for llama.cpp, which no
   * serving row trains, the steps of the session's step model ({@link StepModelTerms}).
   */
  static ServingPredictor predictor(Session session, ServingTerms terms) {
    return new ServingPredictor(new StepPhysics(session.roofline()), terms, steps(session));
  }

  /** The session's step model as the terms of llama.cpp deployments, which no serving row need train. */
  private static Optional<StepModelTerms> steps(Session session) {
    return Optional.of(new StepModelTerms(session.predictor()::predict));
  }

  static ObjectNode json(ServingScenario s, ServingPrediction p) {
    ObjectNode n = Json.object();
    figures(n, p);
    n.put("running", p.running());
    n.put("limited_by", p.limitedBy().id());
    n.put("limit_detail", p.limitDetail());
    intervals(n, p);
    n.put("terms", p.termsId());
    ObjectNode sc = n.putObject("scenario");
    sc.put("engine", s.engine().name());
    sc.put("engine_version", s.engine().version());
    sc.put("model", s.model().name());
    sc.put("device", s.device().name());
    sc.put("quant", s.quant().name());
    sc.put("kv_cache_type", s.kvCache().id());
    sc.put("devices", s.layout().devices());
    sc.put("tp", s.layout().tp());
    sc.put("pp", s.layout().pp());
    sc.put("ep", s.layout().ep());
    sc.put("attention_dp", s.attentionDp());
    // the means the composition runs at, as numbers; how the lengths were given (a spread, a file) beside them
    sc.put("isl", s.workload().input().mean());
    sc.put("osl", s.workload().output().mean());
    sc.put("isl_lengths", s.workload().input().description());
    sc.put("osl_lengths", s.workload().output().description());
    sc.put("load", s.workload().load().description());
    sc.put("max_batch", s.engine().limits().maxBatch());
    sc.put("max_tokens_per_step", s.engine().limits().maxTokensPerStep());
    sc.put("chunked_prefill", s.engine().limits().chunkedPrefill());
    sc.put("kv_cache_fraction", s.engine().limits().kvCacheFraction());
    n.set("assumptions", Json.strings(p.assumptions()));
    p.refusedAtStart().ifPresent(why -> n.put("refused_at_start", why));
    return n;
  }

  private static void table(ServingScenario s, ServingPrediction p, PrintWriter out) {
    out.println("Serving scenario");
    new Table("", "")
        .row("engine", s.engine().describe() + String.format(Locale.ROOT, " (max batch %s, %s tokens/step,"
            + " chunked prefill %s, KV cache %.2f of %s memory)",
            s.engine().limits().maxBatch() == 0 ? "set by memory" : Integer.toString(s.engine().limits().maxBatch()),
            s.engine().limits().maxTokensPerStep() == 0 ? "any" : Integer.toString(s.engine().limits()
                .maxTokensPerStep()), s.engine().limits().chunkedPrefill() ? "on" : "off",
            s.engine().limits().kvCacheFraction(), s.engine().limits().fractionOfFree() ? "free" : "total"))
        .row("model", s.model().name() + " " + s.quant().name() + ", KV cache " + s.kvCache().id())
        .row("devices", s.layout().devices() + " x " + s.device().name() + " (" + s.describeLayout() + ")"
            + Describe.link(s.device(), s.layout().splits()))
        .row("workload", "input " + s.workload().input().description() + ", output "
            + s.workload().output().description() + ", " + s.workload().load().description())
        .printText(out, "  ");
    out.println();
    out.println("Serving prediction (" + p.termsId() + ")");
    new Table("metric", "value", "interval")
        .row("TTFT", Text.num(p.ttftMs()) + " ms", range(p, "ttft_ms"))
        .row("TPOT", millis(p.tpotMs()), range(p, "tpot_ms"))
        .row("ITL (median)", millis(p.itlMs()), range(p, "itl_ms"))
        .row("E2E", Text.num(p.e2eMs()) + " ms", range(p, "e2e_ms"))
        .row("requests/s", Text.num(p.requestsPerS()), range(p, "requests_per_s"))
        .row("output tokens/s", Text.num(p.outputTokensPerS()), range(p, "output_tokens_per_s"))
        .row("total tokens/s", Text.num(p.totalTokensPerS()), range(p, "total_tokens_per_s"))
        .row("output tokens/s per GPU", Text.num(p.outputTokensPerSPerGpu()), range(p,
            "output_tokens_per_s_per_gpu"))
        .row("limited by", p.limitedBy().id(), p.limitDetail())
        .printText(out, "  ");
    if (!p.assumptions().isEmpty()) {
      out.println();
      out.println("Assumptions");
      p.assumptions().forEach(a -> out.println("  - " + a));
    }
  }

  private static String range(ServingPrediction p, String key) {
    if (p.figures().get(key).isEmpty()) {
      return "n/a";
    }
    Interval i = p.intervals().get(key);
    return i == null ? "none" : Text.interval(i);
  }

  /** Milliseconds, or n/a for a metric the prediction leaves undefined. */
  private static String millis(OptionalDouble v) {
    return v.isPresent() ? Text.num(v.getAsDouble()) + " ms" : "n/a";
  }

  /** The prediction's metrics under their names in {@code n}; null where undefined. */
  static void figures(ObjectNode n, ServingPrediction p) {
    p.figures().forEach((k, v) -> Json.put(n, k, v));
  }

  static ServingData read(Session session, List<Path> files) {
    ServingCsv csv = new ServingCsv(session.catalog(), EngineDefaults.shipped(), new StepPhysics(session.roofline()));
    int rows = 0;
    List<ServingRow> used = new ArrayList<>();
    List<ServingData.Rejected> rejected = new ArrayList<>();
    for (Path f : files) {
      try (Reader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        ServingData d = csv.read(in, f.getFileName().toString());
        rows += d.rows();
        used.addAll(d.used());
        rejected.addAll(d.rejected());
      } catch (IOException e) {
        throw new InvalidInputException("--data", f.toString(), "a readable serving CSV file");
      }
    }
    if (used.isEmpty()) {
      // with nothing to score, the reasons are the answer: the first few, each at its line
      List<String> why = rejected.stream().limit(REASONS_SHOWN).map(r -> r.where() + ": " + r.reason()).toList();
      throw new InvalidInputException("--data", rows + " rows, none usable" + (why.isEmpty() ? ""
          : " (" + String.join("; ", why) + (rejected.size() > REASONS_SHOWN ? "; " + (rejected.size()
              - REASONS_SHOWN) + " more" : "") + ")"), "at least one usable serving row");
    }
    return new ServingData(rows, used, rejected);
  }

  /**
   * Scores the terms {@code predict} would use (the shipped ones, or {@code termsFile}) on the rows of {@code files};
   * {@code train --serving} reports leave-one-chip-family-out.
   */
  static int evaluate(Session session, List<Path> files, Path termsFile, Path predictions, OutputFormat format,
      PrintWriter out, PrintWriter err) {
    ServingData data = read(session, files);
    StepPhysics physics = new StepPhysics(session.roofline());
    ServingTerms terms = termsFile == null ? ServingTermsCodec.shipped() : ServingTermsCodec.read(termsFile);
    ServingEvaluator.Report r = new ServingEvaluator(new ServingTrainer(physics, 0.9, EVALUATIONS, MIN_ROWS),
        physics, steps(session)).score(data, predictor(session, terms));
    if (predictions != null) {
      writePredictions(r, predictions, "--predictions");
      err.println("wrote " + predictions + " (" + r.heldOut().size() + " serving predictions)");
      err.flush();
    }
    print(r, format, out);
    return 0;
  }

  static int train(Session session, List<Path> files, Path outFile, Path predictions, boolean force,
      OutputFormat format, PrintWriter out, PrintWriter err) {
    if (outFile != null && !force && Files.exists(outFile)) {
      throw new dev.tuner.api.TunerException("refusing to overwrite existing file " + outFile
          + " (pass --force to replace it)");
    }
    ServingData data = read(session, files);
    StepPhysics physics = new StepPhysics(session.roofline());
    ServingTrainer trainer = new ServingTrainer(physics, 0.9, EVALUATIONS, MIN_ROWS);
    ServingEvaluator.Report r = new ServingEvaluator(trainer, physics, steps(session)).evaluate(data);
    ServingTerms terms = trainer.train(data.used(), "serving-terms(" + data.used().size() + " rows)",
        r.heldOutErrors());
    if (outFile != null) {
      ServingTermsCodec.write(terms, outFile);
      err.println("wrote " + outFile);
    }
    if (predictions != null) {
      writePredictions(r, predictions, "--cv-predictions");
      err.println("wrote " + predictions + " (" + r.heldOut().size() + " held-out serving predictions)");
    }
    err.flush();
    print(r, format, out);
    return 0;
  }

  /**
   * One line per row and metric: where the row is, its family and scenario, observed, predicted (held out by
   * {@code train}, by the scored terms in {@code evaluate}) and physics-only.
   */
  static void writePredictions(ServingEvaluator.Report r, Path file, String option) {
    StringBuilder csv = new StringBuilder("where,source_id,family,device,engine,load,isl,osl,tp,devices,model,quant,"
        + "metric,observed,predicted,low,high,ape,physics_only\n");
    for (int i = 0; i < r.heldOut().size(); i++) {
      ServingEvaluator.Outcome o = r.heldOut().get(i);
      ServingScenario s = o.row().scenario();
      csv.append(String.join(",", Csv.quote(o.row().where()), Csv.quote(o.row().sourceId()),
          o.row().family(), Csv.quote(s.device().name()), s.engine().kind().id(), load(s.workload().load()),
          num(s.workload().input().mean()), num(s.workload().output().mean()), String.valueOf(s.layout().tp()),
          String.valueOf(s.layout().devices()), Csv.quote(s.model().name()), Csv.quote(s.quant().name()),
          o.metric().id(), num(o.observed()), num(o.predicted()), bound(o.low()), bound(o.high()), num(o.ape()),
          num(r.physicsOnly().get(i).predicted()))).append('\n');
    }
    try {
      Files.writeString(file, csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidInputException(option, file.toString(), "a writable file");
    }
  }

  private static String load(Load l) {
    if (l instanceof Load.Batch b) {
      return "batch " + b.size();
    }
    if (l instanceof Load.Concurrency c) {
      return "concurrency " + c.clients();
    }
    if (l instanceof Load.RequestRate q) {
      return "rate " + num(q.perSecond());
    }
    return "offline";
  }

  /**
   * The prediction's intervals, metric by metric, under {@code "intervals"} of {@code n}; null for an undefined
   * metric where the others have one (terms without intervals give none).
   */
  static void intervals(ObjectNode n, ServingPrediction p) {
    ObjectNode intervals = n.putObject("intervals");
    if (p.intervals().isEmpty()) {
      return;
    }
    new TreeMap<>(p.figures()).forEach((k, v) -> {
      Interval in = p.intervals().get(k);
      if (in != null) {
        Json.put(intervals, k, in);
      } else if (v.isEmpty()) {
        intervals.putNull(k);
      }
    });
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  /** An interval's bound, empty where the terms give none (physics-only terms have no interval). */
  private static String bound(double v) {
    return Double.isNaN(v) ? "" : num(v);
  }

  static void print(ServingEvaluator.Report r, OutputFormat format, PrintWriter out) {
    ObjectNode n = Json.object();
    n.put("rows", r.rows());
    n.put("used", r.used());
    n.put("skipped", r.skipped());
    n.put("families", r.families());
    r.scoredWith().ifPresent(id -> n.put("terms", id));
    ObjectNode metrics = scores(r.metrics());
    r.medianSpread().forEach((m, lohi) -> {
      if (metrics.has(m.id())) {
        ((ObjectNode) metrics.get(m.id())).putArray("median_ape_devices_90").add(lohi[0]).add(lohi[1]);
      }
    });
    n.set("metrics", metrics);
    n.set("baseline", scores(r.baseline()));
    ObjectNode fam = n.putObject("by_family");
    r.byFamily().forEach((k, v) -> fam.set(k, scores(v)));
    ObjectNode dev = n.putObject("by_device");
    r.byDevice().forEach((k, v) -> dev.set(k, scores(v)));
    ObjectNode eng = n.putObject("by_engine");
    r.byEngine().forEach((k, v) -> eng.set(k, scores(v)));
    ObjectNode skip = n.putObject("skip_reasons");
    r.skipReasons().forEach(skip::put);
    if (format == OutputFormat.JSON) {
      Json.print(out, n);
    } else {
      out.printf(Locale.ROOT, "Serving rows: %d read, %d used, %d skipped; %s%n%n", r.rows(), r.used(), r.skipped(),
          r.scoredWith().map(id -> "scored with " + id + " (in sample for rows it trained on; `tuner train --serving`"
              + " reports leave-one-chip-family-out)").orElse("leave-one-chip-family-out over " + r.families()
              + " families"));
      Table t = new Table("metric", "n", "MAPE", "median APE", "median APE 5-95% (devices)", "90% coverage",
          "width (high/low)", "physics-only MAPE", "physics-only median APE");
      for (Map.Entry<Metric, ServingEvaluator.Score> e : r.metrics().entrySet()) {
        ServingEvaluator.Score b = r.baseline().get(e.getKey());
        double[] spread = r.medianSpread().get(e.getKey());
        t.row(e.getKey().id(), e.getValue().n(), pct(e.getValue().mape()), pct(e.getValue().medianApe()),
            spread == null ? "" : pct(spread[0]) + " - " + pct(spread[1]),
            e.getValue().coverage().isPresent() ? pct(e.getValue().coverage().getAsDouble()) : "",
            e.getValue().width().isPresent() ? ratio(e.getValue().width().getAsDouble()) : "",
            b == null ? "" : pct(b.mape()), b == null ? "" : pct(b.medianApe()));
      }
      t.printText(out, "  ");
      out.println();
      out.println("Median APE (n, 90% coverage, width high/low) by " + (r.scoredWith().isPresent() ? "" : "held-out ")
          + "family, engine and device");
      Table d = new Table(Stream.concat(Stream.of("group"), Arrays.stream(Metric.values()).map(Metric::id))
          .toArray(String[]::new));
      r.byFamily().forEach((k, v) -> row(d, "family " + k, v));
      r.byEngine().forEach((k, v) -> row(d, "engine " + k, v));
      r.byDevice().forEach((k, v) -> row(d, "device " + k, v));
      d.printText(out, "  ");
      if (!r.skipReasons().isEmpty()) {
        out.println();
        out.println("Skipped rows by reason");
        r.skipReasons().forEach((k, v) -> out.println("  " + v + "  " + k));
      }
    }
    out.flush();
  }

  private static void row(Table t, String group, Map<Metric, ServingEvaluator.Score> scores) {
    Object[] cells = new Object[1 + Metric.values().length];
    cells[0] = group;
    for (Metric m : Metric.values()) {
      ServingEvaluator.Score s = scores.get(m);
      cells[1 + m.ordinal()] = s == null ? "" : String.format(Locale.ROOT, "%s (%d, %s, %s)", pct(s.medianApe()),
          s.n(), s.coverage().isPresent() ? pct(s.coverage().getAsDouble()) : "-",
          s.width().isPresent() ? ratio(s.width().getAsDouble()) : "-");
    }
    t.row(cells);
  }

  private static String ratio(double v) {
    return String.format(Locale.ROOT, "x%.2f", v);
  }

  private static String pct(double v) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * v);
  }

  private static ObjectNode scores(Map<Metric, ServingEvaluator.Score> m) {
    ObjectNode n = Json.object();
    m.forEach((k, s) -> {
      ObjectNode o = n.putObject(k.id());
      o.put("n", s.n());
      o.put("mape", s.mape());
      o.put("median_ape", s.medianApe());
      if (s.coverage().isPresent()) {
        o.put("coverage", s.coverage().getAsDouble());
      } else {
        o.putNull("coverage");
      }
      if (s.width().isPresent()) {
        o.put("width", s.width().getAsDouble());
      } else {
        o.putNull("width");
      }
    });
    return n;
  }
}
