package dev.tuner.spark;

import org.apache.spark.sql.SparkSession;

/** The embedded two-core session the tests share within a class, with the web UI and its threads left out. */
final class LocalSpark {
  private LocalSpark() {}

  static SparkSession start(String name) {
    return SparkSession.builder()
        .master("local[2]")
        .appName(name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        // test data is a few hundred rows: re-planning after every shuffle and compiling every query to bytecode
        // cost more than they save
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
  }
}
