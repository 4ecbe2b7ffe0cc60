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
import dev.tuner.serving.ingest.ServingColumn;
import dev.tuner.serving.ingest.ServingCsvWriter;
import dev.tuner.serving.ingest.ServingFormat;
import dev.tuner.serving.ingest.ServingIngestOptions;
import dev.tuner.serving.ingest.ServingIngestReport;
import dev.tuner.serving.ingest.ServingIngestor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tuner ingest}: benchmark tool output → rows of the measurements CSV, or with {@code --serving}
 * serving-benchmark output → rows of the serving CSV (data/serving.csv's columns). The summary (accepted, rejected by
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
        "  tuner ingest --format vllm-serve result.json --device L40S --quant BF16",
        "  tuner ingest --format ollama verbose.txt --device \"RTX 4090\" --model \"Mistral 7B v0.3\""
            + " --quant Q4_K_M",
        "  tuner ingest --serving results.jsonl --quant BF16 --out serving.csv",
        "  tuner ingest --serving sglang.txt --device H20 --tp 2 --model Qwen2.5-32B \\",
        "      --quant BF16 --out serving.csv"},
    description = "Reads benchmark output (llama-bench JSON/JSONL/CSV/markdown, vLLM serving results, Ollama"
        + " --verbose) and writes the figures as measurement rows; with --serving, reads serving-benchmark output"
        + " (vllm bench serve JSON or console, vLLM throughput, SGLang bench_serving and bench_one_batch,"
        + " trtllm-bench) and writes serving rows. Every record is accepted or rejected with its location and"
        + " reason.")
public final class IngestCommand implements Callable<Integer> {
  private static final int OK = 0;
  private static final int NOTHING_ACCEPTED = 1;
  private static final int USAGE = 2;

  @Spec
  CommandSpec spec;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "llama-bench, vllm-serve or ollama; with --serving: vllm-serve, vllm-serve-console,"
          + " vllm-throughput, sglang-serving, sglang-one-batch or trtllm-bench (default: recognised from the files'"
          + " content)")
  String formatName;

  private IngestFormat format;

  @Option(names = "--serving", description = "read serving-benchmark output and write serving rows (data/serving.csv"
      + " columns)")
  boolean serving;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "output files of the benchmark tool")
  List<Path> files;

  @Option(names = "--device", paramLabel = "NAME",
      description = "catalog device that ran the benchmark: needed when the file names none; a record that names"
          + " another catalog device is rejected")
  String device;

  @Option(names = "--model", paramLabel = "NAME",
      description = "catalog model: needed when the file names none; a record that names another catalog model is"
          + " rejected")
  String model;

  @Option(names = "--quant", paramLabel = "NAME", description = "catalog quantization: needed when the file names"
      + " none; overrides the file's (with --serving, a record that names another is rejected)")
  String quant;

  @Option(names = "--engine", paramLabel = "NAME", description = "with --serving: the engine served the benchmark"
      + " (vllm, sglang, tensorrt-llm, lmdeploy, llama.cpp, mlx)")
  String engine;

  @Option(names = "--engine-version", paramLabel = "V", description = "with --serving: the engine's version")
  String engineVersion;

  @Option(names = "--devices", paramLabel = "N", description = "with --serving: GPUs in the deployment")
  String devices;

  @Option(names = "--tp", paramLabel = "N", description = "with --serving: tensor-parallel size")
  String tp;

  @Option(names = "--pp", paramLabel = "N", description = "with --serving: pipeline-parallel size")
  String pp;

  @Option(names = "--ep", paramLabel = "N", description = "with --serving: expert-parallel size")
  String ep;

  @Option(names = "--attention-dp", paramLabel = "N",
      description = "with --serving: attention groups inside the instance (SGLang --enable-dp-attention --dp-size N,"
          + " TensorRT-LLM enable_attention_dp: N = tp)")
  Integer attentionDp;

  @Option(names = "--kv-dtype", paramLabel = "T", description = "with --serving: KV-cache type (FP8, FP16, BF16)")
  String kvDtype;

  @Option(names = "--isl", paramLabel = "N", description = "with --serving: input tokens per request")
  String isl;

  @Option(names = "--osl", paramLabel = "N", description = "with --serving: output tokens per request")
  String osl;

  @Option(names = "--concurrency", paramLabel = "N", description = "with --serving: max concurrent requests")
  String concurrency;

  @Option(names = "--request-rate", paramLabel = "R", description = "with --serving: requests/s, or inf")
  String requestRate;

  @Option(names = "--num-prompts", paramLabel = "N", description = "with --serving: requests in the run")
  String numPrompts;

  @Option(names = "--batch", paramLabel = "N", description = "with --serving: static batch size")
  String batch;

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
    if (serving) {
      return serving(err);
    }
    IngestReport report;
    try {
      if (out != null && !append && !force && Files.exists(out)) {
        // FileChecks' refusal, with the choice measurement CSVs have besides --force
        throw new TunerException("refusing to overwrite existing file " + out
            + " (pass --append to add to it or --force to replace it)");
      }
      FilePlan plan = new FilePlan().inputs("FILE", files).output("--out", out);
      plan.check(append || force);
      format = formatName == null ? detect(err) : IngestFormat.parse(formatName);
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

  /** {@code --serving}: serving rows, written in data/serving.csv's columns. */
  private int serving(PrintWriter err) {
    ServingFormat servingFormat;
    ServingIngestReport report;
    try {
      FilePlan plan = new FilePlan().inputs("FILE", files).output("--out", out);
      plan.check(force);
      servingFormat = formatName == null
          ? detected(err, ServingFormat::detect, ServingFormat.ids() + " (with --serving)")
          : ServingFormat.parse(formatName);
      report = new ServingIngestor(catalog.get()).ingest(servingFormat, files, servingOptions());
    } catch (InvalidInputException e) {
      return fail(err, e.getMessage(), USAGE);
    } catch (TunerException e) {
      return fail(err, e.getMessage(), NOTHING_ACCEPTED);
    }
    err.printf("ingest --serving %s: %d record%s in %d file%s: %d accepted, %d rejected%n", servingFormat.id(),
        report.recordsSeen(), report.recordsSeen() == 1 ? "" : "s", files.size(), files.size() == 1 ? "" : "s",
        report.rows().size(), report.rejected().size());
    rejections(err, report.rejectedByReason(), report.rejected());
    if (report.rows().isEmpty()) {
      err.println("nothing accepted: no rows written");
      err.flush();
      return NOTHING_ACCEPTED;
    }
    try {
      if (out == null) {
        PrintWriter stdout = spec.commandLine().getOut();
        ServingCsvWriter.write(stdout, report.rows());
        stdout.flush();
      } else {
        ServingCsvWriter.write(out, report.rows(), force);
      }
    } catch (java.io.IOException e) {
      return fail(err, "cannot write the rows: " + dev.tuner.core.io.FileChecks.reason(e), NOTHING_ACCEPTED);
    } catch (InvalidInputException e) {
      return fail(err, e.getMessage(), USAGE);
    } catch (TunerException e) {
      return fail(err, e.getMessage(), NOTHING_ACCEPTED);
    }
    err.printf("wrote %d serving row%s to %s%n", report.rows().size(), report.rows().size() == 1 ? "" : "s",
        out == null ? "stdout" : out);
    err.flush();
    return OK;
  }

  /** The --serving options by the column each states. */
  private Map<ServingColumn, String> servingValues() {
    Map<ServingColumn, String> m = new LinkedHashMap<>();
    m.put(ServingColumn.ENGINE, engine);
    m.put(ServingColumn.ENGINE_VERSION, engineVersion);
    m.put(ServingColumn.DEVICE, device);
    m.put(ServingColumn.NUM_DEVICES, devices);
    m.put(ServingColumn.TP, tp);
    m.put(ServingColumn.PP, pp);
    m.put(ServingColumn.EP, ep);
    m.put(ServingColumn.MODEL, model);
    m.put(ServingColumn.WEIGHT_DTYPE, quant);
    m.put(ServingColumn.KV_DTYPE, kvDtype);
    m.put(ServingColumn.ISL, isl);
    m.put(ServingColumn.OSL, osl);
    m.put(ServingColumn.CONCURRENCY, concurrency);
    m.put(ServingColumn.REQUEST_RATE, requestRate);
    m.put(ServingColumn.NUM_PROMPTS, numPrompts);
    m.put(ServingColumn.BATCH, batch);
    m.values().removeIf(Objects::isNull);
    return m;
  }

  private ServingIngestOptions servingOptions() {
    ServingIngestOptions o = new ServingIngestOptions(servingValues(), Optional.ofNullable(sourceId));
    return attentionDp == null ? o : o.withAttentionDp(attentionDp);
  }

  /** The one format every file is written in, recognised from its start; said on stderr. */
  private IngestFormat detect(PrintWriter err) {
    return detected(err, IngestFormat::detect, IngestFormat.ids());
  }

  private <F> F detected(PrintWriter err, java.util.function.Function<String, Optional<F>> detector, String ids) {
    F found = null;
    Path first = null;
    for (Path f : files) {
      String head;
      try (var in = Files.newInputStream(f)) {
        head = new String(in.readNBytes(DETECT_BYTES), java.nio.charset.StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        throw new TunerException("cannot read " + f + ": " + dev.tuner.core.io.FileChecks.reason(e), e);
      }
      F here = detector.apply(head).orElseThrow(() -> new InvalidInputException("--format",
          "not given, and " + f + " is in no format tuner recognises", "one of " + ids
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
    if (serving && append) {
      return Optional.of("--append does not apply to --serving: write a new file (--force to replace one)");
    }
    if (!serving) {
      Map<ServingColumn, String> given = servingValues();
      given.keySet().removeAll(List.of(ServingColumn.DEVICE, ServingColumn.MODEL, ServingColumn.WEIGHT_DTYPE));
      // the attention groups have no column of their own (they go to the notes), so they are named apart
      Optional<String> flag = attentionDp != null ? Optional.of("--attention-dp")
          : given.keySet().stream().findFirst().map(c -> c.flag().orElseThrow());
      if (flag.isPresent()) {
        return Optional.of(flag.get() + " needs --serving: measurement ingestion takes only --device, --model and"
            + " --quant");
      }
    }
    if (append && force) {
      return Optional.of("--append and --force exclude each other: append keeps the file's rows, force replaces them");
    }
    if (out == null && (append || force)) {
      return Optional.of((append ? "--append" : "--force") + " needs --out FILE.csv");
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
    rejections(err, r.rejectedByReason(), r.rejected());
  }

  private static void rejections(PrintWriter err, Map<dev.tuner.core.ingest.RejectReason, Integer> byReason,
      List<IngestReport.Rejection> rejected) {
    if (rejected.isEmpty()) {
      return;
    }
    err.println("rejected by reason:");
    byReason.forEach((reason, n) -> err.printf("  %5d  %s%n", n, reason.text()));
    err.println("rejections:");
    for (IngestReport.Rejection x : rejected) {
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
}
