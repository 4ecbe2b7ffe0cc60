package dev.tuner.serving.ingest;

import dev.tuner.core.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** Writes serving rows as data/serving.csv holds them: its header, its column order, RFC 4180 quoting. */
public final class ServingCsvWriter {
  private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setRecordSeparator('\n').build();

  private ServingCsvWriter() {}

  public static void write(Writer out, List<ServingResult> rows) throws IOException {
    CSVPrinter printer = new CSVPrinter(out, FORMAT);
    printer.printRecord(ServingColumn.headers());
    for (ServingResult r : rows) {
      for (ServingColumn c : ServingColumn.values()) {
        printer.print(r.get(c));
      }
      printer.println();
    }
    printer.flush();
  }

  /**
   * Writes {@code rows} to {@code target} whole or not at all; an existing target (a regular file only) is replaced
   * only with {@code overwrite}.
   */
  public static void write(Path target, List<ServingResult> rows, boolean overwrite) {
    AtomicFiles.write(target, overwrite, stream -> {
      Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
      write(w, rows);
      w.flush();
    });
  }

  /** The CSV text of {@code rows}, header first. */
  public static String text(List<ServingResult> rows) {
    java.io.StringWriter w = new java.io.StringWriter();
    try {
      write(w, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }
}
