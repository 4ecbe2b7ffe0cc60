package dev.tuner.cli;

import dev.tuner.core.data.Dataset;
import java.io.PrintWriter;

/** Tells on stderr what happened to every data row: the summary, then each row left out with its reason. */
final class DataReport {
  private DataReport() {}

  static void print(PrintWriter err, Dataset.Prepared data) {
    err.println(data.summary());
    for (Dataset.Skipped s : data.skipped()) {
      err.println("  skipped " + s.origin() + ": " + s.reason() + (s.detail().isEmpty() ? "" : " (" + s.detail()
          + ")"));
    }
    err.flush();
  }
}
