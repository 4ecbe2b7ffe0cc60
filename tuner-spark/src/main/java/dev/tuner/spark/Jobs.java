package dev.tuner.spark;

import dev.tuner.api.InvalidInputException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** What both jobs share: the session, reading CSV or Parquet, and ending the process. */
final class Jobs {
  private Jobs() {}

  /**
   * The session: spark-submit's master when it set one, else {@code master} (default {@code local[*]}), so that a
   * job also runs from a plain {@code java} command.
   */
  static SparkSession session(String name, String master) {
    SparkSession.Builder b = SparkSession.builder().appName(name);
    if (master != null) {
      b.master(master);
    } else if (!new SparkConf().contains("spark.master")) {
      b.master("local[*]");
    }
    return b.getOrCreate();
  }

  /** A CSV file or directory (header line, columns by name, every value read as text) or Parquet. */
  static Dataset<Row> read(SparkSession spark, String path, String format) {
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

  static String fileName(String path) {
    Path p = Path.of(path).getFileName();
    return p == null ? path : p.toString();
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
