package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.TunerException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.data.MeasurementWriter;
import dev.tuner.core.data.MeasurementWriter.Duplicate;
import dev.tuner.core.data.MeasurementWriter.WriteOptions;
import dev.tuner.core.data.MeasurementWriter.WriteReport;
import dev.tuner.core.ingest.IngestFormat;
import dev.tuner.core.ingest.IngestOptions;
import dev.tuner.core.ingest.IngestReport;
import dev.tuner.core.ingest.Ingestor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tuner ingest}: benchmark tool output → rows of the measurements CSV. The summary (accepted, rejected by
 * reason, every rejection with its location, duplicates) goes to stderr; rows go to {@code --out} or stdout. Exit 0
 * when at least one record was accepted and written, 1 when none was (or writing failed), 2 for bad usage.
 */
@Command(
    name = "ingest",
    sortOptions = false,
    mixinStandardHelpOptions = true,
    footerHeading = "%nExamples:%n",
    footer = {
        "  tuner ingest --format llama-bench results.jsonl --out measurements.csv",
        "  tuner ingest --format llama-bench table.md --device \"RTX 4090\" --out measurements.csv --append",
        "  tuner ingest --format vllm-serve result.json --device H100 --model \"Llama 3.1 8B\" --quant F16",
        "  tuner ingest --format ollama verbose.txt --device \"RTX 4090\" --model \"Mistral 7B v0.3\""
            + " --quant Q4_K_M"},
    description = "Reads benchmark output (llama-bench JSON/JSONL/CSV/markdown, vLLM serving results, Ollama"
        + " --verbose) and writes the figures as measurement rows. Every record is accepted or rejected with its"
        + " location and reason.")
public final class IngestCommand implements Callable<Integer> {
  private static final int OK = 0;
  private static final int NOTHING_ACCEPTED = 1;
  private static final int USAGE = 2;

  @Spec
  CommandSpec spec;

  @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class,
      description = "llama-bench, vllm-serve or ollama (default: recognised from the files' content)")
  IngestFormat format;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "output files of the benchmark tool")
  List<Path> files;

  @Option(names = "--device", paramLabel = "NAME",
      description = "catalog device that ran the benchmark; overrides the file, needed when it names none")
  String device;

  @Option(names = "--model", paramLabel = "NAME", description = "catalog model; overrides the file")
  String model;

  @Option(names = "--quant", paramLabel = "NAME", description = "catalog quantization; overrides the file")
  String quant;

  @Option(names = "--source-id", paramLabel = "ID", description = "source_id of the rows (default ingest:<file name>)")
  String sourceId;

  @Option(names = "--out", paramLabel = "FILE.csv", description = "where to write the rows (default: stdout)")
  Path out;

  @Option(names = "--append", description = "add the rows to an existing --out file, keeping its rows")
  boolean append;

  @Option(names = "--force", description = "replace an existing --out file")
  boolean force;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
  boolean help;

  private final Supplier<Catalog> catalog;

  /** With the catalog shipped in tuner-core, read when the command runs. */
  public IngestCommand() {
    this.catalog = Catalog::shipped;
  }

  public IngestCommand(Catalog catalog) {
    Objects.requireNonNull(catalog, "catalog");
    this.catalog = () -> catalog;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Optional<String> usage = usageProblem();
    if (usage.isPresent()) {
      return fail(err, usage.get(), USAGE);
    }
    IngestReport report;
    try {
      FilePlan plan = new FilePlan().inputs("FILE", files).output("--out", out);
      plan.check(append || force);
      if (format == null) {
        format = detect(err);
      }
      IngestOptions options = new IngestOptions(
          Optional.ofNullable(device), Optional.ofNullable(model), Optional.ofNullable(quant),
          Optional.ofNullable(sourceId));
      report = new Ingestor(catalog.get()).ingest(format, files, options);
    } catch (InvalidInputException e) {
      return fail(err, e.getMessage(), USAGE);
    } catch (TunerException e) {
      return fail(err, e.getMessage(), NOTHING_ACCEPTED);
    }
    summarise(err, report);
    if (report.accepted().isEmpty()) {
      err.println("nothing accepted: no rows written");
      err.flush();
      return NOTHING_ACCEPTED;
    }
    MeasurementWriter writer = new MeasurementWriter();
    try {
      WriteReport written;
      if (out == null) {
        PrintWriter stdout = spec.commandLine().getOut();
        written = writer.write(stdout, report.accepted(), false);
        stdout.flush();
      } else {
        written = writer.write(out, report.accepted(), new WriteOptions(append, force, false));
      }
      summarise(err, written);
    } catch (InvalidInputException e) {
      return fail(err, e.getMessage(), USAGE);
    } catch (TunerException e) {
      return fail(err, e.getMessage(), NOTHING_ACCEPTED);
    }
    err.flush();
    return OK;
  }

  /** One line naming the command, as every other tuner command reports an error. */
  private int fail(PrintWriter err, String message, int code) {
    err.println(spec.qualifiedName() + ": " + message);
    err.flush();
    return code;
  }

  /** The one format every file is written in, recognised from its start; said on stderr. */
  private IngestFormat detect(PrintWriter err) {
    IngestFormat found = null;
    Path first = null;
    for (Path f : files) {
      String head;
      try (var in = Files.newInputStream(f)) {
        head = new String(in.readNBytes(DETECT_BYTES), java.nio.charset.StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        throw new TunerException("cannot read " + f + ": " + dev.tuner.core.io.FileChecks.reason(e), e);
      }
      IngestFormat here = IngestFormat.detect(head).orElseThrow(() -> new InvalidInputException("--format",
          "not given, and " + f + " is in no format tuner recognises", "one of " + IngestFormat.ids()
              + " (give --format to say which)"));
      if (found != null && here != found) {
        throw new InvalidInputException("--format", "not given, and the files differ: " + first + " is " + found
            + ", " + f + " is " + here, "files of one format per run (or --format)");
      }
      found = here;
      first = first == null ? f : first;
    }
    err.println("ingest: format " + found + " recognised from the content (--format to override)");
    return found;
  }

  /** How much of a file format detection reads: every tool prints its marks within the first records. */
  private static final int DETECT_BYTES = 1 << 16;

  private Optional<String> usageProblem() {
    if (append && force) {
      return Optional.of("--append and --force exclude each other: append keeps the file's rows, force replaces them");
    }
    if (out == null && (append || force)) {
      return Optional.of((append ? "--append" : "--force") + " needs --out FILE.csv");
    }
    if (out != null && Files.exists(out) && !append && !force) {
      return Optional.of(out + " exists: pass --append to add to it or --force to replace it");
    }
    return Optional.empty();
  }

  private void summarise(PrintWriter err, IngestReport r) {
    err.printf("ingest %s: %d record%s in %d file%s: %d accepted, %d rejected%n", format.id(), r.recordsSeen(),
        r.recordsSeen() == 1 ? "" : "s", files.size(), files.size() == 1 ? "" : "s", r.accepted().size(),
        r.rejected().size());
    if (r.rejected().isEmpty()) {
      return;
    }
    err.println("rejected by reason:");
    r.rejectedByReason().forEach((reason, n) -> err.printf("  %5d  %s%n", n, reason.text()));
    err.println("rejections:");
    for (IngestReport.Rejection x : r.rejected()) {
      err.printf("  %s: %s%n", x.origin(), x.message());
    }
  }

  private static void summarise(PrintWriter err, WriteReport w) {
    String where = w.target().map(Path::toString).orElse("stdout");
    err.printf("wrote %d row%s to %s", w.rowsAdded(), w.rowsAdded() == 1 ? "" : "s", where);
    if (w.rowsKept() > 0) {
      err.printf(" after the %d row%s already there", w.rowsKept(), w.rowsKept() == 1 ? "" : "s");
    }
    if (!w.columnsAdded().isEmpty()) {
      err.printf("; header extended with %s", String.join(", ", w.columnsAdded()));
    }
    err.println();
    if (!w.duplicates().isEmpty()) {
      err.printf("duplicates %s (%d):%n", w.duplicatesWritten() ? "written anyway" : "not written", w.duplicates().size());
      for (Duplicate d : w.duplicates()) {
        err.printf("  %s repeats %s%n", d.duplicate().origin(), d.kept().origin());
      }
    }
  }

  /** Format ids contain hyphens, so picocli's enum matching cannot read them. */
  private static final class FormatConverter implements ITypeConverter<IngestFormat> {
    @Override
    public IngestFormat convert(String value) {
      return IngestFormat.parse(value);
    }
  }
}
