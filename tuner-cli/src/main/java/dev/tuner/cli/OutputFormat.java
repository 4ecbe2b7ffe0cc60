package dev.tuner.cli;

import picocli.CommandLine.Option;

/** How a command prints its result. */
enum OutputFormat {
  TABLE,
  JSON,
  CSV;

  /** The {@code --format} option, mixed into every printing command. */
  static final class Mixin {
    @Option(names = "--format", paramLabel = "table|json|csv", defaultValue = "table",
        description = "Output format: table, json or csv (default: table).")
    OutputFormat format;
  }
}
