package dev.tuner.spark;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.TunerException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** What both jobs share: their input and master options, the session, reading CSV or Parquet, and ending. */
final class Jobs {
  private Jobs() {}

  /** The options of both jobs that say which rows to read and where Spark runs (a picocli mixin). */
  static final class Input {
    @Option(names = "--input", required = true, paramLabel = "PATH",
        description = "Rows with the columns of the measurements CSV: CSV with a header, or Parquet.")
    String path;

    @Option(names = "--format", paramLabel = "csv|parquet",
        description = "Input format (default: csv for a path ending in .csv, else parquet).")
    String format;

    @Option(names = "--master", paramLabel = "URL",
        description = "Spark master when not started by spark-submit (default: local[*]).")
    String master;

    /**
     * The session: spark-submit's master when it set one, else {@code --master} (default {@code local[*]}), so
     * that a job also runs from a plain {@code java} command.
     */
    SparkSession session(String name) {
      SparkSession.Builder b = SparkSession.builder().appName(name);
      if (master != null) {
        b.master(master);
      } else if (!new SparkConf().contains("spark.master")) {
        b.master("local[*]");
      }
      return b.getOrCreate();
    }

    /** A CSV file or directory (header line, columns by name, every value read as text) or Parquet. */
    Dataset<Row> read(SparkSession spark) {
      String f = format != null ? format.toLowerCase(Locale.ROOT)
          : path.toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "parquet";
      switch (f) {
        case "csv":
          return spark.read().option("header", "true").csv(path);
        case "parquet":
          return spark.read().parquet(path);
        default:
          throw new InvalidInputException("--format", format, "csv or parquet");
      }
    }

    /** The input's file name, as an artifact's provenance records its sources. */
    String fileName() {
      Path p = Path.of(path).getFileName();
      return p == null ? path : p.toString();
    }
  }

  /** A job's work, returning its exit code. */
  interface Body {
    int run() throws Exception;
  }

  /** Runs {@code body}; a tuner error is one line on the job's error stream and exit code 1. */
  static int run(CommandSpec spec, Body body) throws Exception {
    try {
      return body.run();
    } catch (TunerException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 1;
    }
  }

  /** Runs a job's command line, stops the session it made and exits with the command's code. */
  static void exit(picocli.CommandLine cmd, String[] args) {
    int code = cmd.execute(args);
    SparkSession.getDefaultSession().foreach(s -> {
      s.stop();
      return null;
    });
    System.exit(code);
  }
}
