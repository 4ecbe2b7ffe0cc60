package dev.tuner.spark;

import dev.tuner.api.OutputKind;
import dev.tuner.core.data.Dataset.Options;
import dev.tuner.core.learn.ArtifactWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spark-submit --class dev.tuner.spark.TrainJob}: trains a tuner forest artifact from telemetry. */
@Command(name = "tuner-spark-train", mixinStandardHelpOptions = true,
    description = "Trains MLlib's random forest on measurements (CSV or Parquet, columns of the measurements CSV),"
        + " cross-validates it grouped by device and writes a tuner model artifact (provider forest).")
public final class TrainJob implements Callable<Integer> {
  private static final TrainSettings D = TrainSettings.defaults();

  @CommandLine.Mixin
  Jobs.Input input = new Jobs.Input();

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The model artifact to write.")
  Path out;

  @Option(names = "--force", description = "Replace an existing --out file.")
  boolean force;

  @Option(names = "--target", paramLabel = "KIND", description = "What the model learns (default: log_roofline_fraction).")
  String target = D.target().id();

  @Option(names = "--schema", paramLabel = "ID", description = "Feature schema (default: tuner-v1).")
  String schema = D.schemaId();

  @Option(names = "--trees", description = "Number of trees (default: 80).")
  int trees = D.trees();

  @Option(names = "--max-depth", description = "Maximum tree depth, 3 to 30, counting the phase split at the root"
      + " (default: 10).")
  int maxDepth = D.maxDepth();

  @Option(names = "--min-leaf", description = "MLlib's minInstancesPerNode (default: 2).")
  int minLeaf = D.minLeaf();

  @Option(names = "--feature-subset", description = "Features tried per split: all, onethird, sqrt, log2 or a"
      + " fraction (default: 0.6).")
  String featureSubset = D.featureSubset();

  @Option(names = "--subsample", description = "Share of the rows each tree samples (default: 1.0).")
  double subsample = D.subsample();

  @Option(names = "--max-bins", description = "MLlib's maxBins (default: 32).")
  int maxBins = D.maxBins();

  @Option(names = "--seed", description = "Random seed (default: 42).")
  long seed = D.seed();

  @Option(names = "--cv-folds", description = "Folds of devices for cross-validation (default: 5).")
  int cvFolds = D.cvFolds();

  @Option(names = "--level", description = "Nominal coverage of the prediction intervals (default: 0.9).")
  double level = D.level();

  @Option(names = "--include-e2e", description = "Keep rows whose notes say E2E.")
  boolean includeEndToEnd;

  @Option(names = "--include-suspect", description = "Keep rows whose notes say SUSPECT.")
  boolean includeSuspect;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Jobs.exit(new CommandLine(new TrainJob()), args);
  }

  @Override
  public Integer call() throws Exception {
    return Jobs.run(spec, () -> {
      TrainSettings settings = new TrainSettings(schema, OutputKind.fromId(target), trees, maxDepth, minLeaf,
          featureSubset, subsample, maxBins, seed, cvFolds, level,
          new Options(includeEndToEnd, includeSuspect));
      SparkSession spark = input.session("tuner-spark-train");
      SparkForestTrainer.Result result = new SparkForestTrainer(spark)
          .train(input.read(spark), List.of(input.fileName()), settings);
      new ArtifactWriter().write(result.artifact(), out, force);
      spec.commandLine().getOut().print(result.report().toTable());
      spec.commandLine().getOut().printf("wrote %s (%s)%n", out, result.artifact().header().modelId());
      return 0;
    });
  }
}
