package dev.tuner.cli;

import dev.tuner.core.data.Dataset;
import dev.tuner.core.learn.Evaluator;
import dev.tuner.core.learn.HeldOutPredictions;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.predict.RooflineOnlyModel;
import dev.tuner.cli.plot.PredictionChart;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tuner evaluate}: a model's accuracy on given measurements, beside the baselines on the same rows. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
        "Evaluates a model (the embedded default, or --model-file) on measurement CSV files: MAPE, median APE,"
            + " R2 of log tokens/s and interval coverage per phase, beside the roofline x median-efficiency and"
            + " reference-heuristic baselines on the same rows. Errors are fractions in JSON (0.12 = 12%%).",
        "For an honest number, evaluate on data the model was not trained on; `tuner train` reports"
            + " cross-validated accuracy."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  tuner evaluate --data new-measurements.csv",
        "  tuner evaluate --data a.csv --model-file model.json --format json",
        "  tuner evaluate --data a.csv --plot predicted-vs-measured.png"})
final class EvaluateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  OutputFormat.Mixin output = new OutputFormat.Mixin();

  @Mixin
  DataOptions data = new DataOptions();

  @Option(names = "--plot", paramLabel = "FILE.png",
      description = "Draw predicted against measured tokens/s (log-log, by phase, y = x, capped points marked).")
  Path plot;

  @Option(names = "--force", description = "Replace an existing --plot or --predictions file.")
  boolean force;




  @Option(names = "--serving", description = "Serving rows (serving.csv columns): score the serving predictions"
      + " of the shipped serving terms (or --serving-terms) beside the physics-only composition; `tuner train"
      + " --serving` reports leave-one-chip-family-out.")
  boolean serving;

  @Option(names = "--serving-terms", paramLabel = "FILE",
      description = "With --serving: the serving terms to score (from `tuner train --serving --out FILE`) instead of"
          + " the shipped ones.")
  Path servingTerms;

  @Option(names = "--predictions", paramLabel = "CSV",
      description = "Also write every row's prediction as CSV, in the columns of `tuner train --cv-predictions`, to"
          + " break the errors down by source, model, batch or backend: the model's tokens/s with its interval and"
          + " roofline (the fold column empty: nothing was held out), or with --serving every row's metrics (family,"
          + " engine, load, lengths, observed, predicted by the scored terms, interval, physics-only).")
  Path predictions;

  @Override
  public Integer call() {
    FilePlan.of(TunerCli.of(spec)).inputs("--data", data.files).input("--serving-terms", servingTerms)
        .png("--plot", plot).output("--predictions", predictions).check(force);
    if (serving) {
      UnreadOptions.refuseMatched(spec, "a step model's evaluation (no --serving): serving rows are scored as a"
          + " table of metrics, and they carry no E2E or SUSPECT flags", "--plot", "--include-e2e",
          "--include-suspect");
      return Serving.evaluate(TunerCli.of(spec).session(), data.files, servingTerms, predictions, output.format,
          spec.commandLine().getOut(), spec.commandLine().getErr());
    }
    UnreadOptions.refuse("serving rows (--serving): a step model is evaluated with --model-file",
        "--serving-terms", servingTerms);
    Session session = TunerCli.of(spec).session();
    PrintWriter err = spec.commandLine().getErr();
    Dataset.Prepared prepared = data.load(session, err);
    if (prepared.examples().isEmpty()) {
      throw new dev.tuner.api.InvalidInputException("data", prepared.summary(), "at least one usable row");
    }
    Predictor predictor = session.predictor();
    Map<String, String> props = predictor.model().model().info().properties();
    double decode = efficiency(props, "median_efficiency.decode", RooflineOnlyModel.SHIPPED_DECODE_EFFICIENCY);
    double prefill = efficiency(props, "median_efficiency.prefill", RooflineOnlyModel.SHIPPED_PREFILL_EFFICIENCY);
    Evaluator.Result result = Evaluator.holdOut(predictor, prepared, decode, prefill);
    if (plot != null) {
      new PredictionChart().write(result.rows(), predictor.model().id(), plot, force);
      err.println("wrote " + plot);
    }
    if (predictions != null) {
      new HeldOutPredictions(result.report().method(), result.rows().stream().map(r -> new HeldOutPredictions.Row(
          r.example(), "", r.prediction().tokensPerSecond(), r.prediction().interval().low(),
          r.prediction().interval().high())).toList()).writeCsv(predictions, force);
      err.println("wrote " + predictions + " (" + result.rows().size() + " predictions)");
    }
    PrintWriter out = spec.commandLine().getOut();
    ReportOutput.print(out, output.format, result.report());
    out.flush();
    err.flush();
    return 0;
  }

  private static double efficiency(Map<String, String> props, String key, double fallback) {
    String v = props.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      double d = Double.parseDouble(v);
      return d > 0 && d <= 1 ? d : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
