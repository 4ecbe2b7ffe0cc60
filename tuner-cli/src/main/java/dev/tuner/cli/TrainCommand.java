package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.learn.ArtifactWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.core.learn.Protocol;
import dev.tuner.core.learn.TrainRequest;
import dev.tuner.core.learn.TrainResult;
import dev.tuner.core.learn.Trainers;
import dev.tuner.core.learn.TrainingPipeline;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tuner train}: learns a model from measurements, cross-validates it beside the baselines, writes it. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
        "Trains a model on measurement CSV files, reports its cross-validated accuracy beside the two baselines"
            + " (roofline x median efficiency, and the reference heuristic) on the same folds, and writes the"
            + " model artifact.",
        "Rows flagged E2E or SUSPECT are left out (and listed) unless the --include-* flags say otherwise; a row"
            + " measured above its own roofline is kept, scored against the roof-bounded prediction, and counted in"
            + " the summary as a physics or catalog error."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  tuner train --data data/measurements.csv --out model.json",
        "  tuner train --data a.csv --data b.csv --model-type linear --target log_tokens_per_s --cv 10",
        "  tuner train --data data/measurements.csv --model-type ensemble --set members=forest,linear"
            + " --set forest.trees=100 --cv device",
        "  tuner train --data data/measurements.csv --model-type forest --set trees=300 --set min_leaf=2"
            + " --seed 7 --cv model --out forest.json --force",
        "The embedded default model is built by:",
        "  " + TrainCommand.DEFAULT_MODEL_COMMAND})
final class TrainCommand implements Callable<Integer> {
  /** The provider whose plain fit is the protocol's ridge baseline. */
  static final String RIDGE_PROVIDER = "linear";

  /** The one documented command that builds the embedded default model (see README). */
  static final String DEFAULT_MODEL_COMMAND = "./tuner train --data data/measurements.csv --model-type ensemble"
      + " --schema tuner-v4 --target log_serial_roof_fraction --seed 42 --cv family --set monotone=physics"
      + " --set decode.members=forest --set prefill.members=forest,linear --set prefill.weights=auto"
      + " --set weight_step=0.5 --set inner_folds=4 --set forest.trees=80 --set forest.max_depth=10"
      + " --set forest.min_leaf=2 --set forest.mtry_fraction=0.6 --set reference.step_overhead=auto"
      + " --set reference.kv_read_factor=auto --set reference.prefill_rate=auto --set linear.exclude=build_month"
      + " --protocol docs"
      // the output path last: alone on its folded help line it fits the 80 columns, with a continuation it would not
      + " --force --out tuner-default-model/src/main/resources/dev/tuner/model/default-model.json";

  @Spec
  CommandSpec spec;

  @Mixin
  OutputFormat.Mixin output = new OutputFormat.Mixin();

  @Mixin
  DataOptions data = new DataOptions();

  @Option(names = "--model-type", paramLabel = "ID", defaultValue = "forest",
      description = "Provider id: forest, linear, ensemble (a per-phase blend of others: --set members=forest,linear)"
          + " or any plugin that can train (default: ${DEFAULT-VALUE}).")
  String modelType;

  @Option(names = "--target", paramLabel = "KIND", defaultValue = "log_roofline_fraction",
      description = "What the model learns: log_roofline_fraction (default), log_serial_roof_fraction (decode"
          + " relative to its memory time plus its FLOPs at the FP32 vector peak), log_tokens_per_s,"
          + " roofline_fraction or tokens_per_s.")
  String target;

  @Option(names = "--schema", paramLabel = "ID",
      description = "Feature schema the model is trained on: tuner-v1, tuner-v2, tuner-v3, tuner-v4 or reference-v1"
          + " (default: the configured schema, tuner-v1 unless --config or -Dtuner.schema says otherwise).")
  String schema;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--cv", paramLabel = "family|device|model|K", defaultValue = "family",
      description = "Cross-validation: leave one chip family out (default: every device is predicted by a model that"
          + " never saw its silicon), leave one device out (a sibling of the same chip may stay in training), leave"
          + " one model architecture out, or K folds.")
  String cv;

  @Option(names = "--level", defaultValue = "0.9",
      description = "Nominal coverage of the prediction intervals (default: ${DEFAULT-VALUE}).")
  double level;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A hyper-parameter of the trainer, e.g. trees=300 (see `tuner plugins`); and for any trainer"
          + " reference.step_overhead=auto|none|SECONDS, the decode step overhead per layer of the serial-roof"
          + " target, reference.kv_read_factor=auto|none|FACTOR, how many times slower than the weights a decode"
          + " step reads its KV cache (auto: chosen with the overhead), reference.prefill_rate=auto|none, the"
          + " prefill compute peak capped at a rate per compute unit of each vendor (auto: chosen from the training"
          + " rows, inside each cross-validation fold), and"
          + " reference.decode_batch=one|same, a batched decode step relative to one sequence's reference (default)"
          + " or to its own.")
  List<String> settings = new ArrayList<>();

  @Option(names = "--threads", paramLabel = "N", description = "Training threads (default: all cores).")
  Integer threads;




  @Option(names = "--out", paramLabel = "PATH", description = "Write the model artifact here.")
  Path out;

  @Option(names = "--cv-predictions", paramLabel = "CSV",
      description = "Also write every row's held-out prediction (origin, fold, scenario, measured, predicted, interval,"
          + " roofline, APE) as CSV, to break the errors down by batch, quantization or backend; with --serving, every"
          + " serving row's metrics (held-out family, engine, load, lengths, observed, predicted, interval,"
          + " physics-only).")
  Path cvPredictions;

  @Option(names = "--protocol", paramLabel = "DIR",
      description = "Also run the evaluation protocol (leave one chip family out and leave one architecture out,"
          + " seeds 42, 7, 123, 2024, 31337, bootstrap over devices, per-device coverage, the serial roof x vendor"
          + " median efficiency and plain ridge baselines on the same folds) and write DIR/accuracy.json and"
          + " DIR/accuracy.md; the artifact records the same figures under cross_validation.protocol.")
  Path protocol;

  @Option(names = "--force", description = "Replace an existing --out or --cv-predictions file.")
  boolean force;

  @Option(names = "--no-progress", description = "No progress bar on stderr.")
  boolean noProgress;

  @Option(names = "--serving", description = "Serving rows (serving.csv columns): learn the per-engine serving terms"
      + " (--out writes them as JSON) and score them leave-one-chip-family-out.")
  boolean serving;

  /** The --set pairs; a key set twice is an error rather than "the last one wins". */
  private Map<String, String> hyperParameters() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String s : settings) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new InvalidInputException("--set", s, "KEY=VALUE, e.g. trees=300");
      }
      String key = s.substring(0, eq).trim();
      String before = out.putIfAbsent(key, s.substring(eq + 1));
      if (before != null) {
        throw new InvalidInputException("--set", s, "each key once (" + key + "=" + before + " was set already)");
      }
    }
    return out;
  }

  @Override
  public Integer call() {
    Map<String, String> hyperParameters = hyperParameters();
    FilePlan.of(TunerCli.of(spec)).inputs("--data", data.files).output("--out", out)
        .output("--cv-predictions", cvPredictions).check(force);
    Session session = TunerCli.of(spec).session();
    if (serving) {
      UnreadOptions.refuseMatched(spec, "a step model's training (no --serving): serving terms are fitted by one"
          + " rule, no trainer, target, schema or seed, left out one chip family at a time, with 90% intervals",
          "--model-type", "--target", "--schema", "--seed", "--cv", "--level", "--set", "--threads", "--protocol",
          "--include-e2e", "--include-suspect");
      return Serving.train(session, data.files, out, cvPredictions, force, output.format,
          spec.commandLine().getOut(), spec.commandLine().getErr());
    }
    OutputKind kind = OutputKind.fromId(target);
    ModelProvider provider = session.registry().require(modelType);
    PrintWriter err = spec.commandLine().getErr();
    FeatureSchema features = FeatureSchemas.byId(schema != null ? schema : session.config().schema());
    Dataset.Prepared prepared = data.load(session, err);
    int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    TrainResult result;
    try (Progress progress = Progress.create(!noProgress, err)) {
      ProgressListener listener = progress;
      result = new TrainingPipeline(features).train(prepared, provider,
          new TrainRequest(kind, hyperParameters, seed, cv, level, n, listener));
    }
    if (protocol != null) {
      ObjectNode figures;
      try (Progress progress = Progress.create(!noProgress, err)) {
        figures = new Protocol(features, level, progress).run(prepared,
            provider.id(), Trainers.of(provider).orElseThrow(), hyperParameters, kind,
            session.registry().find(RIDGE_PROVIDER).flatMap(Trainers::of).orElse(null), n);
      }
      ((ObjectNode) result.artifact().header().crossValidation()).set("protocol", figures);
      Path json = protocol.resolve("accuracy.json");
      Path md = protocol.resolve("accuracy.md");
      String text = figures.toPrettyString() + "\n";
      dev.tuner.core.io.AtomicFiles.write(json, force, o -> o.write(text.getBytes(StandardCharsets.UTF_8)));
      String table = Protocol.markdown(figures);
      dev.tuner.core.io.AtomicFiles.write(md, force, o -> o.write(table.getBytes(StandardCharsets.UTF_8)));
      err.println("wrote " + json + " and " + md);
    }
    if (out != null) {
      new ArtifactWriter().write(result.artifact(), out, force);
      err.println("wrote " + out + " (model " + result.artifact().header().modelId() + ")");
    }
    if (cvPredictions != null) {
      result.heldOut().writeCsv(cvPredictions, force);
      err.println("wrote " + cvPredictions + " (" + result.heldOut().rows().size() + " held-out predictions)");
    }
    PrintWriter o = spec.commandLine().getOut();
    ReportOutput.print(o, output.format, result.report());
    o.flush();
    err.flush();
    return 0;
  }
}
