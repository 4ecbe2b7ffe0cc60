package dev.tuner.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spark-submit --class dev.tuner.spark.ScoreJob}: scores a sweep of scenarios into Parquet. */
@Command(name = "tuner-spark-score", mixinStandardHelpOptions = true,
    description = "Scores every scenario of a CSV or Parquet sweep with a tuner model and writes the sweep with"
        + " tokens_per_s, roofline_tokens_per_s, bound, interval_lo, interval_hi, confidence and error to Parquet.")
public final class ScoreJob implements Callable<Integer> {
  @CommandLine.Mixin
  Jobs.Input input = new Jobs.Input();

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Parquet output directory.")
  String output;

  @Option(names = "--model-file", paramLabel = "FILE",
      description = "Tuner model artifact (default: the model embedded in tuner, when on the class path).")
  Path modelFile;

  @Option(names = "--level", defaultValue = "0.9",
      description = "Nominal coverage of the prediction intervals (default: ${DEFAULT-VALUE}).")
  double level;

  @Option(names = "--partitions", paramLabel = "N", description = "Repartition the input into N partitions.")
  Integer partitions;

  @Option(names = "--tokens-only",
      description = "Write tokens_per_s and error only, through the predictor's batch path (faster).")
  boolean tokensOnly;

  @Option(names = "--overwrite", description = "Replace an existing output directory.")
  boolean overwrite;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Jobs.exit(new CommandLine(new ScoreJob()), args);
  }

  @Override
  public Integer call() throws Exception {
    return Jobs.run(spec, () -> {
      byte[] model = modelFile != null ? Files.readAllBytes(modelFile) : SparkScorer.defaultModel();
      SparkSession spark = input.session("tuner-spark-score");
      Dataset<Row> in = input.read(spark);
      if (partitions != null) {
        in = in.repartition(partitions);
      }
      SparkScorer scorer = new SparkScorer(spark, model, level);
      Dataset<Row> scored = tokensOnly ? scorer.scoreTokens(in) : scorer.score(in);
      scored.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(output);
      Dataset<Row> written = spark.read().parquet(output);
      long rows = written.count();
      long failed = written.filter(written.col(SparkScorer.ERROR).isNotNull()).count();
      spec.commandLine().getOut().printf("scored %d scenarios with model %s into %s; %d could not be predicted"
          + " (see the error column)%n", rows, scorer.artifactSha256().substring(0, 12), output, failed);
      return 0;
    });
  }
}
