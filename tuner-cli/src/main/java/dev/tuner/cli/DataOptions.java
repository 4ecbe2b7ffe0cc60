package dev.tuner.cli;

import dev.tuner.core.data.Dataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The measurement files a command reads and which flagged rows it keeps; mixed into {@code train} and
 * {@code evaluate}. Loading reports on stderr what happened to every row.
 */
final class DataOptions {
  @Option(names = "--data", paramLabel = "FILE", required = true, arity = "1..*",
      description = "Measurements CSV file(s); repeat or list several.")
  List<Path> files;

  @Option(names = "--include-e2e", description = "Keep rows flagged E2E (end-to-end, not pure decode).")
  boolean includeEndToEnd;

  @Option(names = "--include-suspect", description = "Keep rows flagged SUSPECT.")
  boolean includeSuspect;

  Dataset.Prepared load(Session session, PrintWriter err) {
    Dataset.Prepared prepared = Dataset.load(files, session.catalog(), session.roofline(),
        new Dataset.Options(includeEndToEnd, includeSuspect));
    err.println(prepared.summary());
    for (Dataset.Skipped s : prepared.skipped()) {
      err.println("  skipped " + s.origin() + ": " + s.reason() + (s.detail().isEmpty() ? "" : " (" + s.detail()
          + ")"));
    }
    prepared.repeats().forEach((repeat, original) -> err.println("  repeated " + repeat + ": same as " + original));
    err.flush();
    return prepared;
  }
}
