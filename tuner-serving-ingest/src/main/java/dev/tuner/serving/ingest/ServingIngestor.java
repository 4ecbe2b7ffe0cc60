package dev.tuner.serving.ingest;

import dev.tuner.core.ingest.RecordRejected;
import static dev.tuner.serving.ingest.ServingColumn.*;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.ingest.CatalogLookup;
import dev.tuner.core.ingest.IngestReport.Rejection;
import dev.tuner.core.ingest.RejectReason;
import dev.tuner.serving.EngineKind;
import dev.tuner.serving.ServingScenario;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Turns serving-benchmark output into serving rows (the mapping per tool is on {@link ServingFormat}). Every record
 * is a row or a rejection with its location and reason; malformed content never escapes as an exception. Shared
 * rules: engine, device, model and weight precision resolve to catalog names (as printed, or from the options); an
 * option fills what the output leaves open and must agree with what it states; the GPUs must make a layout
 * (num_devices a multiple of tp × pp, tp and pp stated whenever there is more than one GPU); engine, device, model,
 * weight precision, isl, osl and a load (batch, concurrency or request rate) are required, and at least one metric.
 *
 * <p>Thrown: {@link InvalidInputException} for what the caller got wrong: an option naming nothing in the catalog or
 * holding an invalid number, a blank source id, a file that cannot be read.
 */
public final class ServingIngestor {
  private static final Set<ServingColumn> COUNTS = Set.of(NUM_DEVICES, TP, PP, EP, ISL, OSL, CONCURRENCY,
      NUM_PROMPTS, BATCH);
  private static final Set<ServingColumn> METRICS = Set.of(REQ_PER_S, OUTPUT_TPS, TOTAL_TPS, TTFT_MEAN_MS,
      TTFT_MEDIAN_MS, TPOT_MEAN_MS, TPOT_MEDIAN_MS, ITL_MEAN_MS, PREFILL_TPS, DECODE_TPS);
  private static final Set<String> KV_DTYPES = Set.of("FP8", "FP16", "BF16");

  private final Catalog catalog;
  private final CatalogLookup lookup;

  public ServingIngestor(Catalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.lookup = new CatalogLookup(catalog);
  }

  public ServingIngestReport ingest(ServingFormat format, List<Path> files, ServingIngestOptions options) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(files, "files");
    ServingIngestOptions stated = resolve(Objects.requireNonNull(options, "options"));
    Optional<String> sourceId = options.sourceId().map(String::strip);
    if (sourceId.isPresent() && sourceId.get().isEmpty()) {
      throw new InvalidInputException("--source-id", "\"\"", "a non-empty id");
    }
    List<ServingResult> rows = new ArrayList<>();
    List<Rejection> rejected = new ArrayList<>();
    for (Path file : files) {
      Text text;
      try {
        text = Text.read(file);
      } catch (RecordRejected e) {
        rejected.add(new Rejection(file.toString(), e.reason(), e.detail()));
        continue;
      }
      Sink sink = new Sink();
      parser(format, stated).parse(text, sink);
      if (sink.size() == 0) {
        sink.reject(text.name(), RejectReason.NO_RECORDS, "no " + format + " record found");
      }
      String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
      String id = sourceId.orElse("ingest:" + fileName);
      for (Draft d : sink.drafts()) {
        try {
          rows.add(complete(d, stated, id));
        } catch (RecordRejected e) {
          rejected.add(new Rejection(d.origin(), e.reason(), e.detail()));
        }
      }
      rejected.addAll(sink.rejected());
    }
    return new ServingIngestReport(rows, rejected);
  }

  private static Parser parser(ServingFormat format, ServingIngestOptions stated) {
    return switch (format) {
      case VLLM_SERVE -> new VllmServeJson();
      case VLLM_SERVE_CONSOLE -> new ServingConsole("vllm bench serve");
      case SGLANG_SERVING -> new ServingConsole("sglang bench_serving");
      case VLLM_THROUGHPUT -> new VllmThroughput(stated);
      case SGLANG_ONE_BATCH -> new SglangOneBatch(stated);
      case TRTLLM_BENCH -> new TrtllmBench();
    };
  }

  /** The options checked and written as the rows hold them: catalog names, plain numbers, engine display names. */
  private ServingIngestOptions resolve(ServingIngestOptions options) {
    Map<ServingColumn, String> out = new EnumMap<>(ServingColumn.class);
    for (Map.Entry<ServingColumn, String> e : options.stated().entrySet()) {
      ServingColumn c = e.getKey();
      String v = e.getValue();
      String flag = c.flag().orElseThrow();
      out.put(c, switch (c) {
        case ENGINE -> {
          try {
            yield display(EngineKind.parse(v));
          } catch (InvalidInputException x) {
            throw new InvalidInputException(flag, "\"" + v + "\"", "vllm, sglang, tensorrt-llm, lmdeploy, llama.cpp"
                + " or mlx");
          }
        }
        // as printed names are looked up (vendor prefixes, Hugging Face ids), else the catalog's error names the closest
        case DEVICE -> lookup.device(v).orElseGet(() -> catalog.devices().resolve(flag, v)).name();
        case MODEL -> lookup.model(List.of(v), null).orElseGet(() -> catalog.models().resolve(flag, v)).name();
        case WEIGHT_DTYPE -> lookup.quant(v).orElseGet(() -> catalog.quants().resolve(flag, v)).name();
        case KV_DTYPE -> {
          String kv = v.toUpperCase(Locale.ROOT);
          if (!KV_DTYPES.contains(kv)) {
            throw new InvalidInputException(flag, "\"" + v + "\"", "FP8, FP16 or BF16");
          }
          yield kv;
        }
        case REQUEST_RATE -> v.equalsIgnoreCase("inf") ? "inf" : Draft.plain(BigDecimal.valueOf(
            InvalidInputException.requireInRange(flag, parse(flag, v), 1e-6, 1e9, "requests/s")));
        default -> COUNTS.contains(c) ? Integer.toString(InvalidInputException.requireInRange(flag,
            (int) parse(flag, v), 1, c == NUM_PROMPTS ? 100_000_000 : 10_000_000, "")) : v;
      });
      if (COUNTS.contains(c) && parse(flag, v) != Math.rint(parse(flag, v))) {
        throw new InvalidInputException(flag, v, "a whole number");
      }
    }
    return new ServingIngestOptions(out, options.sourceId(), options.attentionDp());
  }

  private static double parse(String flag, String v) {
    return dev.tuner.core.io.Cells.finite(flag, v);
  }

  private ServingResult complete(Draft d, ServingIngestOptions stated, String sourceId) throws RecordRejected {
    Map<ServingColumn, String> row = new EnumMap<>(ServingColumn.class);
    List<String> notes = new ArrayList<>(d.notes());
    for (Map.Entry<ServingColumn, String> e : d.cells().entrySet()) {
      ServingColumn c = e.getKey();
      Optional<String> resolved = resolved(c, e.getValue());
      if (resolved.isPresent()) {
        row.put(c, resolved.get());
      } else if (stated.stated().containsKey(c)) {
        notes.add("the output says " + c.header() + " " + e.getValue() + ", which is not in the catalog; "
            + c.flag().orElseThrow() + " names it");
      } else {
        throw unknown(c, e.getValue());
      }
    }
    for (Map.Entry<ServingColumn, String> e : stated.stated().entrySet()) {
      ServingColumn c = e.getKey();
      String mine = row.get(c);
      if (mine == null) {
        row.put(c, e.getValue());
      } else if (!same(c, mine, e.getValue())) {
        throw RecordRejected.contradicted(c.header(), mine, c.flag().orElseThrow(), e.getValue());
      }
    }
    layout(row, notes);
    attentionGroups(row, stated, notes);
    List<String> missing = new ArrayList<>();
    for (ServingColumn c : List.of(ENGINE, DEVICE, MODEL, WEIGHT_DTYPE, ISL, OSL)) {
      if (!row.containsKey(c)) {
        missing.add(c.flag().orElseThrow());
      }
    }
    if (!row.containsKey(BATCH) && !row.containsKey(CONCURRENCY) && !row.containsKey(REQUEST_RATE)) {
      missing.add("--concurrency or --request-rate");
    }
    if (!missing.isEmpty()) {
      RejectReason reason = !row.containsKey(DEVICE) ? RejectReason.NO_DEVICE
          : !row.containsKey(MODEL) ? RejectReason.NO_MODEL
          : !row.containsKey(WEIGHT_DTYPE) ? RejectReason.NO_QUANT : RejectReason.MISSING_FIELD;
      throw new RecordRejected(reason, "the output does not state it: pass " + String.join(", ", missing));
    }
    if (METRICS.stream().noneMatch(row::containsKey)) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "no throughput or latency figure");
    }
    row.put(SOURCE_ID, sourceId);
    row.put(NOTES, String.join("; ", notes).replaceAll("[\\r\\n]+", " "));
    return new ServingResult(d.origin(), row);
  }

  /** A printed engine, device, model or precision as its catalog name; other columns unchanged. */
  private Optional<String> resolved(ServingColumn c, String printed) {
    return switch (c) {
      case ENGINE -> {
        try {
          yield Optional.of(display(EngineKind.parse(printed)));
        } catch (InvalidInputException e) {
          yield Optional.empty();
        }
      }
      case DEVICE -> lookup.device(printed).map(x -> x.name());
      case MODEL -> lookup.model(List.of(printed), null).map(x -> x.name());
      case WEIGHT_DTYPE -> lookup.quant(printed).map(x -> x.name());
      default -> Optional.of(printed);
    };
  }

  private RecordRejected unknown(ServingColumn c, String printed) {
    return switch (c) {
      case ENGINE -> new RecordRejected(RejectReason.UNSUPPORTED, "engine " + printed + " is none tuner models; pass"
          + " --engine if another served it");
      case DEVICE -> new RecordRejected(RejectReason.UNKNOWN_DEVICE, "unknown device " + printed + "; closest catalog"
          + " devices: " + String.join(", ", catalog.devices().closest(printed, 3)));
      case MODEL -> new RecordRejected(RejectReason.UNKNOWN_MODEL, "unknown model " + printed + "; closest catalog"
          + " models: " + String.join(", ", catalog.models().closest(printed, 3)));
      default -> new RecordRejected(RejectReason.UNKNOWN_QUANT, "unknown precision " + printed + "; pass --quant");
    };
  }

  private static boolean same(ServingColumn c, String a, String b) {
    if (COUNTS.contains(c) || c == REQUEST_RATE && !a.equals("inf") && !b.equals("inf")) {
      return new BigDecimal(a).compareTo(new BigDecimal(b)) == 0;
    }
    return a.equalsIgnoreCase(b);
  }

  /**
   * One GPU count and layout: tp alone means pp 1 (every engine's default) and, without a GPU count, one instance of
   * tp × pp GPUs; more than one GPU needs tp and pp, and the GPUs must be whole replicas of tp × pp.
   */
  private static void layout(Map<ServingColumn, String> row, List<String> notes) throws RecordRejected {
    if (row.containsKey(TP) && !row.containsKey(PP)) {
      row.put(PP, "1");
    }
    if (row.containsKey(PP) && !row.containsKey(TP)) {
      row.put(TP, "1");
    }
    if (row.containsKey(TP) && !row.containsKey(NUM_DEVICES)) {
      long gpus = Long.parseLong(row.get(TP)) * Long.parseLong(row.get(PP));
      row.put(NUM_DEVICES, Long.toString(gpus));
      notes.add("num_devices " + gpus + " = tp × pp (one instance)");
    }
    if (!row.containsKey(NUM_DEVICES)) {
      return;
    }
    long gpus = Long.parseLong(row.get(NUM_DEVICES));
    if (!row.containsKey(TP)) {
      if (gpus > 1) {
        throw new RecordRejected(RejectReason.MULTI_GPU, gpus + " GPUs but no parallel layout stated: pass --tp (and --pp)");
      }
      row.put(TP, "1");
      row.put(PP, "1");
      return;
    }
    long perInstance = Long.parseLong(row.get(TP)) * Long.parseLong(row.get(PP));
    if (gpus % perInstance != 0) {
      throw new RecordRejected(RejectReason.MULTI_GPU, gpus + " GPUs are no whole number of tp " + row.get(TP) + " × pp "
          + row.get(PP) + " instances");
    }
  }

  /** Attention groups, when stated, divide the instance's tensor-parallel ranks (1 without a layout). */
  private static void attentionGroups(Map<ServingColumn, String> row, ServingIngestOptions stated, List<String> notes)
      throws RecordRejected {
    if (stated.attentionDp().isEmpty()) {
      return;
    }
    int groups = stated.attentionDp().getAsInt();
    long tp = Long.parseLong(row.getOrDefault(TP, "1"));
    if (!ServingScenario.groupsDivide(tp, groups)) {
      throw new RecordRejected(RejectReason.MULTI_GPU, groups + " attention groups do not divide tp " + tp);
    }
    notes.add("attention_dp=" + groups);
  }

  /** The engine as serving.csv writes it. */
  static String display(EngineKind kind) {
    return switch (kind) {
      case LLAMA_CPP -> "llama.cpp";
      case VLLM -> "vLLM";
      case SGLANG -> "SGLang";
      case TENSORRT_LLM -> "TensorRT-LLM";
      case LMDEPLOY -> "LMDeploy";
      case MLX -> "MLX";
    };
  }
}
