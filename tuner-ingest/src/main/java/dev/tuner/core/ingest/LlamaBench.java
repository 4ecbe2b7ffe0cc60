package dev.tuner.core.ingest;

import static java.util.Map.entry;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.ingest.CatalogLookup.ModelType;
import dev.tuner.core.io.Csv;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp {@code llama-bench} output: JSON, JSONL, CSV and markdown, told apart by content. Each test instance is one
 * record: {@code pp} → prefill with context {@code n_prompt}; {@code tg} → decode with context {@code n_gen}; depth
 * {@code n_depth} (tokens cached before the window); batch 1; tokens/s = {@code avg_ts}. The engine settings that
 * change throughput are kept as fields: {@code n_ubatch}, {@code flash_attn}, {@code type_k} (the KV-cache type),
 * the build and the file size {@code model_size} (the markdown {@code size} column, in GiB to two decimals, when
 * that is all there is). A model split over several GPUs of one kind is a multi-device measurement: {@code -sm
 * layer} (the default) places whole layers on each GPU, a pipeline of {@code pp} = GPUs; {@code -sm row} splits each
 * matrix, tensor parallelism of {@code tp} = GPUs; {@code -sm none} runs on {@code main_gpu} alone. See FORMATS.md
 * §2 for the fields and their history.
 */
final class LlamaBench {
  private static final Pattern TEST = Pattern.compile(
      "(?i)^(?:pp\\s*(\\d{1,9}))?(?:\\s*\\+?\\s*tg\\s*(\\d{1,9}))?(?:\\s*@\\s*d\\s*(\\d{1,9}))?$");
  private static final Pattern TS_SEPARATOR = Pattern.compile("\\s*(?:±|Â±|\\+/-|\\+-)\\s*");
  private static final Pattern MD_PARAMS = Pattern.compile("(?i)^(\\d+(?:\\.\\d+)?)\\s*([KMB])$");
  private static final Pattern MD_SEPARATOR_CELL = Pattern.compile("^:?-+:?$");
  private static final Pattern JSON_ARRAY_START = Pattern.compile("^\\[\\s*(\\{.*)?$");
  private static final Pattern VULKAN_DEVICE = Pattern.compile("ggml_vulkan:\\s*(\\d+)\\s*=\\s*(.+?)\\s*(?:\\([^()]*\\)\\s*)?\\|");
  private static final Pattern CUDA_DEVICE = Pattern.compile("^\\s*Device\\s+(\\d+):\\s*([^,]+),");
  private static final Pattern METAL_DEVICE = Pattern.compile("GPU name:\\s*(.+?)\\s*$");
  private static final Pattern MODEL_ARG = Pattern.compile("(?:^|\\s)(?:-m|--model)\\s+(\\S+)");
  private static final Pattern TRAILING_INDEX = Pattern.compile("(\\d+)$");
  private static final Pattern TEST_MONTH = Pattern.compile("(\\d{4}-\\d{2})-\\d{2}");
  private static final Pattern BUILD_FOOTER = Pattern.compile("^build:\\s*([0-9a-fA-F]+)\\s*\\((\\d+)\\)\\s*$");
  private static final Pattern MD_SIZE = Pattern.compile("(?i)^(\\d+(?:\\.\\d+)?)\\s*([KMGT])iB$");
  /** Backends that compute on the CPU (or elsewhere: RPC); a run with only these has no local GPU. */
  private static final Set<String> CPU_BACKENDS = Set.of(
      "cpu", "blas", "accelerate", "openblas", "zendnn", "amx", "rpc", "kleidiai");
  /** G1/G2 boolean backend flags, in the order that names the backend (vulkan before kompute: see FORMATS.md §2.3). */
  private static final List<Map.Entry<String, String>> BACKEND_FLAGS = List.of(
      entry("cuda", "CUDA"), entry("metal", "Metal"), entry("vulkan", "Vulkan"), entry("sycl", "SYCL"),
      entry("opencl", "OpenCL"), entry("kompute", "Kompute"), entry("gpu_blas", "GPU BLAS"));
  /** Markdown display names → field names (llama-bench's {@code markdown_printer}). */
  private static final Map<String, String> MD_COLUMNS = Map.ofEntries(
      entry("model", "model_type"), entry("backend", "backends"), entry("ngl", "n_gpu_layers"),
      entry("threads", "n_threads"), entry("sm", "split_mode"), entry("nkvo", "no_kv_offload"),
      entry("fa", "flash_attn"), entry("mmap", "use_mmap"), entry("embd", "embeddings"), entry("dev", "devices"),
      entry("ts", "tensor_split"), entry("ot", "tensor_buft_overrides"), entry("lm", "load_mode"),
      entry("nopo", "no_op_offload"), entry("noh", "no_host"));
  /** A layer count at or above this offloads every layer (llama-bench's old default was 99, the new one -1). */
  private static final int ALL_LAYERS = 99;
  private static final double SAMPLES_TOLERANCE = 0.01;
  private static final double STATED_MODEL_TOLERANCE = 0.25;

  private final CatalogLookup lookup;
  private final Stated stated;

  LlamaBench(CatalogLookup lookup, Stated stated) {
    this.lookup = lookup;
    this.stated = stated;
  }

  /** What a markdown paste says around its tables: backend banners, the command line, the build footer. */
  private record Hints(List<String> gpus, String modelFile, String build, String buildNumber) {
    static final Hints NONE = new Hints(null, null, null, null);
  }

  /** The GPUs a run used: one kind of device, how many, and how llama.cpp split the model over them. */
  private record Gpus(String name, int count, String splitMode) {}

  void parse(SourceText src, Emitter out) {
    for (int i = 1; i <= src.lines().size(); i++) {
      String t = src.line(i).strip();
      if (t.isEmpty()) {
        continue;
      }
      if (t.startsWith("{") || JSON_ARRAY_START.matcher(t).matches()) {
        json(src, out);
        return;
      }
      if (t.startsWith("|")) {
        markdown(src, out);
        return;
      }
      String upper = t.toUpperCase(Locale.ROOT);
      if (upper.startsWith("CREATE TABLE") || upper.startsWith("INSERT INTO")) {
        out.reject(src.origin(i), RejectReason.UNSUPPORTED,
            "llama-bench SQL output is not read; run llama-bench with -o jsonl, -o json or -o csv");
        return;
      }
      List<String> header = csvHeader(src, t);
      if (header != null) {
        csv(src, i, header, out);
        return;
      }
    }
    out.reject(src.name(), RejectReason.UNSUPPORTED,
        "no llama-bench output found: expected a JSON array, JSON lines, CSV with its header or a markdown table");
  }

  private void json(SourceText src, Emitter out) {
    List<JsonRecords.Item> items = JsonRecords.read(src);
    if (items.isEmpty()) {
      out.reject(src.name(), RejectReason.UNSUPPORTED, "no JSON object found");
    }
    for (JsonRecords.Item item : items) {
      String origin = src.origin(item.line());
      if (!item.ok()) {
        out.reject(origin, item.reason(), item.detail());
        continue;
      }
      record(origin, Fields.of(item.node()), Hints.NONE, false, out);
    }
  }

  /** The lower-cased cells of {@code line} if it is a llama-bench CSV header, else null. */
  private static List<String> csvHeader(SourceText src, String line) {
    List<String> cells = csvCells(src, line);
    if (cells == null) {
      return null;
    }
    List<String> lower = cells.stream().map(c -> c.trim().toLowerCase(Locale.ROOT)).toList();
    return lower.contains("avg_ts") && (lower.contains("n_prompt") || lower.contains("model_type")) ? lower : null;
  }

  private static List<String> csvCells(SourceText src, String line) {
    try {
      List<Csv.Row> rows = Csv.read(new StringReader(line), src.name());
      return rows.size() == 1 ? rows.get(0).fields() : null;
    } catch (InvalidInputException e) {
      return null;
    }
  }

  /** CSV, one record per line: llama-bench never writes line breaks inside a cell, so a broken line costs only itself. */
  private void csv(SourceText src, int headerLine, List<String> header, Emitter out) {
    List<String> columns = header;
    for (int i = headerLine + 1; i <= src.lines().size(); i++) {
      String line = src.line(i);
      if (line.isBlank()) {
        continue;
      }
      String origin = src.origin(i);
      List<Csv.Row> rows;
      try {
        rows = Csv.read(new StringReader(line), src.name());
      } catch (InvalidInputException e) {
        out.reject(origin, RejectReason.MALFORMED, "invalid CSV: " + e.getMessage());
        continue;
      }
      if (rows.size() != 1) {
        out.reject(origin, RejectReason.MALFORMED, "invalid CSV line");
        continue;
      }
      List<String> cells = rows.get(0).fields();
      List<String> again = csvHeader(src, line);
      if (again != null) {
        columns = again;
        continue;
      }
      if (cells.size() != columns.size()) {
        out.reject(origin, RejectReason.MALFORMED,
            "the row has " + cells.size() + " fields, the header " + columns.size());
        continue;
      }
      Map<String, String> values = new HashMap<>();
      for (int c = 0; c < cells.size(); c++) {
        values.put(columns.get(c), cells.get(c));
      }
      record(origin, Fields.of(values), Hints.NONE, false, out);
    }
  }

  private void markdown(SourceText src, Emitter out) {
    Hints hints = markdownHints(src);
    List<String> lines = src.lines();
    int i = 1;
    while (i <= lines.size()) {
      String t = src.line(i).strip();
      if (!t.startsWith("|")) {
        i++;
        continue;
      }
      boolean table = i < lines.size() && isSeparator(cells(src.line(i + 1)));
      if (!table) {
        out.reject(src.origin(i), RejectReason.MALFORMED,
            "a table row outside a table (no header and separator line above it)");
        i++;
        continue;
      }
      List<String> header = cells(t).stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
      int row = i + 2;
      while (row <= lines.size() && src.line(row).strip().startsWith("|")) {
        markdownRow(src, row, header, hints, out);
        row++;
      }
      i = row;
    }
  }

  private void markdownRow(SourceText src, int line, List<String> header, Hints hints, Emitter out) {
    String origin = src.origin(line);
    boolean llamaBench = header.contains("model") && header.contains("t/s")
        && (header.contains("test") || header.contains("n_prompt") && header.contains("n_gen"));
    if (!llamaBench) {
      out.reject(origin, RejectReason.UNSUPPORTED, "not a llama-bench results table: it needs columns model, test"
          + " (or n_prompt and n_gen) and t/s; found " + header);
      return;
    }
    List<String> cells = cells(src.line(line).strip());
    if (cells.size() != header.size()) {
      out.reject(origin, RejectReason.MALFORMED, "the row has " + cells.size() + " cells, the header " + header.size());
      return;
    }
    try {
      Map<String, String> values = new HashMap<>();
      for (int c = 0; c < cells.size(); c++) {
        values.put(MD_COLUMNS.getOrDefault(header.get(c), header.get(c)), cells.get(c));
      }
      markdownValues(values);
      record(origin, Fields.of(values), hints, true, out);
    } catch (RecordRejected e) {
      out.reject(origin, e);
    }
  }

  /** Turns the display cells {@code test}, {@code t/s} and {@code params} into the fields the other formats have. */
  private static void markdownValues(Map<String, String> values) throws RecordRejected {
    String test = values.remove("test");
    if (test != null) {
      Matcher m = TEST.matcher(test.trim());
      if (!m.matches() || m.group(1) == null && m.group(2) == null) {
        throw new RecordRejected(RejectReason.BAD_VALUE, "test = \"" + test + "\": expected ppN, tgN, ppN+tgN, each"
            + " optionally followed by @ dN");
      }
      values.put("n_prompt", m.group(1) == null ? "0" : m.group(1));
      values.put("n_gen", m.group(2) == null ? "0" : m.group(2));
      values.put("n_depth", m.group(3) == null ? "0" : m.group(3));
    }
    String ts = values.remove("t/s");
    if (ts != null) {
      String[] parts = TS_SEPARATOR.split(ts.trim(), -1);
      if (parts.length > 2) {
        throw new RecordRejected(RejectReason.BAD_VALUE, "t/s = \"" + ts + "\": expected a mean, optionally ± stddev");
      }
      values.put("avg_ts", parts[0]);
      if (parts.length == 2) {
        values.put("stddev_ts", parts[1]);
      }
    }
    String params = values.remove("params");
    if (params != null && !params.isBlank()) {
      Matcher m = MD_PARAMS.matcher(params.trim());
      if (!m.matches()) {
        throw new RecordRejected(RejectReason.BAD_VALUE, "params = \"" + params + "\": expected a count such as 7.62 B"
            + " or 630.17 M");
      }
      double v = Double.parseDouble(m.group(1));
      double billions = switch (m.group(2).toUpperCase(Locale.ROOT)) {
        case "M" -> v / 1e3;
        case "K" -> v / 1e6;
        default -> v;
      };
      values.put("params_b", Double.toString(billions));
    }
  }

  private static List<String> cells(String line) {
    String t = line.strip();
    if (t.startsWith("|")) {
      t = t.substring(1);
    }
    if (t.endsWith("|")) {
      t = t.substring(0, t.length() - 1);
    }
    return Arrays.stream(t.split("\\|", -1)).map(String::trim).toList();
  }

  private static boolean isSeparator(List<String> cells) {
    return !cells.isEmpty() && cells.stream().allMatch(c -> MD_SEPARATOR_CELL.matcher(c).matches());
  }

  private static Hints markdownHints(SourceText src) {
    Map<String, String> gpus = new LinkedHashMap<>();
    String modelFile = null;
    String build = null;
    String buildNumber = null;
    for (String line : src.lines()) {
      Matcher m = VULKAN_DEVICE.matcher(line);
      if (m.find()) {
        gpus.putIfAbsent("vulkan" + m.group(1), m.group(2).trim());
      }
      m = CUDA_DEVICE.matcher(line);
      if (m.find()) {
        gpus.putIfAbsent("device" + m.group(1), m.group(2).trim());
      }
      m = METAL_DEVICE.matcher(line);
      if (m.find()) {
        gpus.putIfAbsent("metal", m.group(1).trim());
      }
      if (line.contains("llama-bench")) {
        List<String> models = new ArrayList<>();
        Matcher a = MODEL_ARG.matcher(line);
        while (a.find()) {
          models.add(a.group(1));
        }
        if (models.size() == 1 && !models.get(0).contains(",")) {
          modelFile = models.get(0);
        }
      }
      m = BUILD_FOOTER.matcher(line.strip());
      if (m.matches()) {
        build = "build " + m.group(2) + " (" + m.group(1) + ")";
        buildNumber = m.group(2);
      }
    }
    return new Hints(List.copyOf(gpus.values()), modelFile, build, buildNumber);
  }

  private void record(String origin, Fields f, Hints hints, boolean markdown, Emitter out) {
    try {
      out.accept(origin, map(f, hints, markdown));
    } catch (RecordRejected e) {
      out.reject(origin, e);
    }
  }

  private Candidate map(Fields f, Hints hints, boolean markdown) throws RecordRejected {
    List<String> notes = new ArrayList<>();
    Double avg = f.number("avg_ts");
    if (avg == null) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "avg_ts (mean tokens/s) is missing");
    }
    if (!(avg > 0)) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "avg_ts = " + f.text("avg_ts") + ": expected a positive number"
          + " of tokens/s");
    }
    Long nPrompt = f.integer("n_prompt", 0, Scenario.MAX_CONTEXT);
    Long nGen = f.integer("n_gen", 0, Scenario.MAX_CONTEXT);
    Long depthField = f.integer("n_depth", 0, Scenario.MAX_CONTEXT);
    long depth = depthField == null ? 0 : depthField;
    if (nPrompt == null || nGen == null) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "n_prompt and n_gen are needed to tell prefill from decode");
    }
    String test = (nPrompt > 0 ? "pp" + nPrompt : "") + (nPrompt > 0 && nGen > 0 ? "+" : "")
        + (nGen > 0 ? "tg" + nGen : "") + (depth > 0 ? " @ d" + depth : "");
    if (nPrompt > 0 && nGen > 0) {
      throw new RecordRejected(RejectReason.MIXED_PHASE, "test " + test + " times prompt and generated tokens together");
    }
    if (nPrompt == 0 && nGen == 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "n_prompt and n_gen are both 0: no tokens were timed");
    }
    Phase phase = nPrompt > 0 ? Phase.PREFILL : Phase.DECODE;
    long context = nPrompt > 0 ? nPrompt : nGen;
    if (depth + context > Scenario.MAX_CONTEXT) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "n_depth + tokens = " + (depth + context) + ": expected at most "
          + Scenario.MAX_CONTEXT);
    }
    notes.add("llama-bench " + test);
    checkSamples(f, avg);

    String backend = backend(f);
    Long ngl = f.integer("n_gpu_layers", -1, Integer.MAX_VALUE);
    if (ngl != null && ngl == 0) {
      throw new RecordRejected(RejectReason.CPU_ONLY, "n_gpu_layers 0: no layer was offloaded to the GPU");
    }
    if (Boolean.TRUE.equals(f.bool("no_kv_offload"))) {
      throw new RecordRejected(RejectReason.PARTIAL_OFFLOAD, "no_kv_offload: the KV cache stayed in host memory");
    }
    Long cpuMoe = f.integer("n_cpu_moe", 0, Integer.MAX_VALUE);
    if (cpuMoe != null && cpuMoe > 0) {
      throw new RecordRejected(RejectReason.PARTIAL_OFFLOAD, "n_cpu_moe " + cpuMoe + ": expert blocks stayed on the CPU");
    }
    String overrides = f.text("tensor_buft_overrides");
    if (overrides != null && overrides.toUpperCase(Locale.ROOT).contains("CPU")) {
      throw new RecordRejected(RejectReason.PARTIAL_OFFLOAD, "tensor_buft_overrides \"" + overrides + "\" keeps"
          + " tensors on the CPU");
    }

    Gpus gpus = usedGpus(f, hints, markdown);
    String device = device(gpus.name(), markdown, notes);
    backend = hipAsRocm(backend, f, device, notes);
    ModelType type = f.text("model_type") == null ? null : ModelType.parse(f.text("model_type"));
    String fileName = f.text("model_filename") != null ? f.text("model_filename") : hints.modelFile();
    String quant = quant(type, fileName, notes);
    ModelSpec model = null;
    Double params = params(f, type, notes);
    if (stated.model().isPresent()) {
      model = stated.model().get();
      if (params != null && Math.abs(model.paramsB() - params) > STATED_MODEL_TOLERANCE * params) {
        throw new RecordRejected(RejectReason.INCONSISTENT, String.format(Locale.ROOT, "--model %s has %.2f B"
            + " parameters but the file says %.2f B", model.name(), model.paramsB(), params));
      }
      // the file name only: model_type's architecture is no model's name (a Mistral file is 'llama 7B')
      if (fileName != null) {
        stated.requireSameModel(lookup.model(List.of(fileName), params));
      }
    } else {
      List<String> names = new ArrayList<>();
      names.add(fileName);
      if (type != null) {
        names.add(type.archAndSize());
      }
      model = lookup.model(names, params).orElse(null);
    }
    if (model == null && params == null) {
      throw new RecordRejected(RejectReason.NO_MODEL, "no model_n_params, params column or size label in model_type,"
          + " and no catalog model matches the file name");
    }
    checkOffload(ngl, model);
    Double fileBytes = modelSize(f);
    if (stated.quant().isEmpty()) {
      Optional<Quantization> apart = lookup.expertsApart(quant, model, fileBytes);
      if (apart.isPresent()) {
        notes.add(String.format(Locale.ROOT, "%s file of %.3f bits per weight: its experts are MXFP4 (a checkpoint"
            + " converted at %s), quant %s", quant, fileBytes * 8 / (model.paramsB() * 1e9), quant,
            apart.get().name()));
        quant = apart.get().name();
      }
    }
    String kv = kvCache(f);

    if (type != null) {
      notes.add("model_type " + f.text("model_type"));
    }
    if (fileName != null) {
      notes.add("file " + fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1));
    }
    build(f, hints).ifPresent(notes::add);
    if (ngl != null) {
      notes.add("ngl " + ngl);
    } else {
      notes.add("ngl not shown");
    }
    batchNotes(f, notes);
    if (f.text("stddev_ts") != null) {
      notes.add("± " + f.text("stddev_ts") + " t/s" + f.numbers("samples_ts").map(s -> " over " + s.size() + " runs")
          .orElse(""));
    }
    if (f.text("test_time") != null) {
      notes.add("test_time " + f.text("test_time"));
    }
    Integer tp = null;
    Integer pp = null;
    if (gpus.count() > 1) {
      boolean row = "row".equalsIgnoreCase(gpus.splitMode());
      tp = row ? gpus.count() : 1;
      pp = row ? 1 : gpus.count();
      notes.add("split_mode " + (gpus.splitMode() == null ? "layer (default)" : gpus.splitMode()) + " over "
          + gpus.count() + " GPUs");
      String split = f.text("tensor_split");
      if (split != null && !split.isBlank() && !split.matches("[0./]+")) {
        notes.add("tensor_split " + split);
      }
    }
    Long ubatch = f.integer("n_ubatch", 1, 1 << 20);
    return new Candidate(device, model == null ? null : model.name(), model == null ? params : null, quant, 1,
        (int) context, phase, kv, backend, avg, String.join("; ", notes), depthField == null ? null : (int) depth,
        ubatch == null ? null : ubatch.intValue(), flashAttn(f), buildId(f, hints), fileBytes,
        gpus.count() > 1 ? gpus.count() : null, tp, pp, null, runMonth(f));
  }

  /**
   * The month of the run ({@code test_time}), which stands for the build's: llama-bench runs the build it was
   * compiled with, and a build is rarely run long after it was made. Null when the file has no test time.
   */
  private static String runMonth(Fields f) throws RecordRejected {
    String t = f.text("test_time");
    if (t == null || t.isBlank()) {
      return null;
    }
    Matcher m = TEST_MONTH.matcher(t.trim());
    if (!m.lookingAt()) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "test_time = \"" + t + "\": expected an ISO date such as"
          + " 2025-08-04T10:37:26Z");
    }
    return m.group(1);
  }

  /** On or off as the file says it; null when unknown or left to the engine ({@code -fa auto}). */
  private static Boolean flashAttn(Fields f) {
    String fa = f.text("flash_attn");
    if (fa == null) {
      return null;
    }
    return switch (fa.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1" -> Boolean.TRUE;
      case "false", "0" -> Boolean.FALSE;
      default -> null;
    };
  }

  /** {@code b<number>} as llama.cpp's releases are tagged, else the commit; null when the file says neither. */
  private static String buildId(Fields f, Hints hints) {
    String number = f.text("build_number") != null ? f.text("build_number") : hints.buildNumber();
    if (number != null && !number.isBlank()) {
      return "b" + number.trim();
    }
    String commit = f.text("build_commit");
    return commit == null || commit.isBlank() ? null : commit.trim();
  }

  /** {@code model_size} in bytes, else the markdown size column ({@code 4.07 GiB}); null when neither is given. */
  private static Double modelSize(Fields f) throws RecordRejected {
    Double bytes = f.positive("model_size");
    if (bytes != null) {
      return bytes;
    }
    String size = f.text("size");
    if (size == null || size.isBlank()) {
      return null;
    }
    Matcher m = MD_SIZE.matcher(size.trim());
    if (!m.matches()) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "size = \"" + size + "\": expected a size such as 4.07 GiB");
    }
    int power = "KMGT".indexOf(Character.toUpperCase(m.group(2).charAt(0))) + 1;
    return Math.rint(Double.parseDouble(m.group(1)) * Math.pow(1024, power));
  }

  /** avg_ts is the mean of samples_ts (FORMATS.md §2.1); a file where it is not has been edited or corrupted. */
  private static void checkSamples(Fields f, double avg) throws RecordRejected {
    Optional<List<Double>> samples = f.numbers("samples_ts");
    if (samples.isEmpty()) {
      return;
    }
    double mean = samples.get().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    if (!(Math.abs(mean - avg) <= SAMPLES_TOLERANCE * avg)) {
      throw new RecordRejected(RejectReason.INCONSISTENT, String.format(Locale.ROOT,
          "avg_ts %.6f but the mean of samples_ts is %.6f", avg, mean));
    }
  }

  /** {@code llama.cpp <GPU backends>}; a run whose backends are all CPU-side is rejected. */
  private static String backend(Fields f) throws RecordRejected {
    String backends = f.text("backends");
    if (backends != null) {
      if (backends.toUpperCase(Locale.ROOT).contains("+RPC")) {
        throw new RecordRejected(RejectReason.MULTI_GPU, "backend \"" + backends + "\": RPC servers took part");
      }
      List<String> gpu = new ArrayList<>();
      for (String b : backends.split("[,+]")) {
        String name = b.trim();
        if (!name.isEmpty() && !CPU_BACKENDS.contains(name.toLowerCase(Locale.ROOT))) {
          gpu.add(name.equalsIgnoreCase("MTL") ? "Metal" : name);
        }
      }
      if (gpu.isEmpty()) {
        throw new RecordRejected(RejectReason.CPU_ONLY, "backends \"" + backends + "\" has no GPU backend");
      }
      return "llama.cpp " + String.join(",", gpu);
    }
    boolean anyFlag = false;
    for (Map.Entry<String, String> flag : BACKEND_FLAGS) {
      Boolean set = f.bool(flag.getKey());
      anyFlag |= set != null;
      if (Boolean.TRUE.equals(set)) {
        return "llama.cpp " + flag.getValue();
      }
    }
    if (anyFlag) {
      throw new RecordRejected(RejectReason.CPU_ONLY, "no GPU backend flag (cuda, metal, vulkan, …) is set");
    }
    throw new RecordRejected(RejectReason.MISSING_FIELD, "neither a backends field nor backend flags (cuda, metal,"
        + " vulkan, …)");
  }

  /**
   * The GPUs the run used, by their description (name null when none is named). {@code devices} restricts the run to
   * the GPUs it lists; otherwise llama.cpp splits the model over every GPU it found, unless {@code split_mode} is
   * none. GPUs of different kinds are refused: a layout here is of identical devices.
   */
  private static Gpus usedGpus(Fields f, Hints hints, boolean markdown) throws RecordRejected {
    List<String> gpus = new ArrayList<>();
    if (markdown) {
      gpus.addAll(hints.gpus() == null ? List.of() : hints.gpus());
    } else if (f.text("gpu_info") != null) {
      for (String g : f.text("gpu_info").split(",")) {
        if (!g.isBlank()) {
          gpus.add(g.trim());
        }
      }
    }
    String split = f.text("split_mode");
    String devices = f.text("devices");
    List<String> used = new ArrayList<>();
    if (devices != null && !devices.equalsIgnoreCase("auto") && !devices.equalsIgnoreCase("none")) {
      String[] listed = devices.split("/");
      for (String d : listed) {
        Matcher index = TRAILING_INDEX.matcher(d.trim());
        if (index.find() && index.group(1).length() < 4 && Integer.parseInt(index.group(1)) < gpus.size()) {
          used.add(gpus.get(Integer.parseInt(index.group(1))));
        } else if (listed.length == 1 && gpus.size() == 1) {
          used.add(gpus.get(0));
        } else if (listed.length > 1) {
          throw new RecordRejected(RejectReason.MULTI_GPU, "devices " + devices + ": " + d.trim() + " is not among"
              + " the GPUs the file names (" + String.join(", ", gpus) + ")");
        }
      }
      if (listed.length == 1) {
        return new Gpus(used.isEmpty() ? null : used.get(0), 1, split);
      }
    } else if (gpus.size() > 1 && "none".equalsIgnoreCase(split)) {
      Long main = f.integer("main_gpu", 0, Integer.MAX_VALUE);
      int i = main == null ? 0 : main.intValue();
      if (i < gpus.size()) {
        return new Gpus(gpus.get(i), 1, split);
      }
      throw new RecordRejected(RejectReason.MULTI_GPU, "main_gpu " + i + " is not among the " + gpus.size()
          + " GPUs the file names");
    } else {
      used.addAll(gpus);
    }
    if (used.isEmpty()) {
      return new Gpus(null, 1, split);
    }
    if (used.stream().distinct().count() > 1) {
      throw new RecordRejected(RejectReason.MULTI_GPU, (markdown ? "the backend banner lists " : "gpu_info lists ")
          + "different GPUs (" + String.join(", ", used) + "): a layout is of one kind of device");
    }
    return new Gpus(used.get(0), used.size(), split);
  }

  /**
   * llama.cpp's HIP build compiles its CUDA backend (ggml-cuda with {@code GGML_USE_HIP}), so llama-bench's boolean
   * flags of 2023-2024 report it as {@code cuda: true} while its markdown names it ROCm (data/formats'
   * {@code llama-bench-md-2024-pr2059-rx6800xt.md}): on an AMD GPU that flag is the ROCm backend.
   */
  private String hipAsRocm(String backend, Fields f, String device, List<String> notes) {
    boolean amd = stated.device().or(() -> lookup.catalog().devices().find(device))
        .map(d -> d.vendor().equalsIgnoreCase("AMD")).orElse(false);
    if (amd && f.text("backends") == null && backend.equals("llama.cpp CUDA")) {
      notes.add("cuda flag of a HIP build on an AMD GPU: ROCm");
      return "llama.cpp ROCm";
    }
    return backend;
  }

  private String device(String gpu, boolean markdown, List<String> notes) throws RecordRejected {
    if (stated.device().isPresent()) {
      if (gpu != null) {
        stated.requireSameDevice(lookup.device(gpu));
        notes.add("gpu_info " + gpu);
      }
      return stated.device().get().name();
    }
    if (gpu == null) {
      throw new RecordRejected(RejectReason.NO_DEVICE, markdown
          ? "a markdown table does not name the GPU (and no backend banner does)"
          : "gpu_info is empty");
    }
    return lookup.device(gpu).map(d -> d.name()).orElseThrow(() -> new RecordRejected(RejectReason.UNKNOWN_DEVICE,
        "unknown device " + gpu + "; closest catalog devices: "
            + String.join(", ", lookup.catalog().devices().closest(gpu, 3))));
  }

  /** From --quant, else model_type's file type, else the file name's label; model_type wins when both resolve. */
  private String quant(ModelType type, String fileName, List<String> notes) throws RecordRejected {
    Optional<String> label = CatalogLookup.fileQuantLabel(fileName);
    if (stated.quant().isPresent()) {
      return stated.quant().get().name();
    }
    String printed = type == null || type.fileType().isBlank() ? null : type.fileType();
    Optional<Quantization> fromType = lookup.quant(printed);
    Optional<Quantization> fromFile = label.flatMap(lookup::quant);
    if (fromType.isPresent()) {
      if (label.isPresent() && !fromFile.equals(fromType)) {
        notes.add("file name says " + label.get());
      }
      return fromType.get().name();
    }
    if (fromFile.isPresent()) {
      if (printed != null) {
        notes.add("quant from the file name; model_type says " + printed);
      }
      return fromFile.get().name();
    }
    if (printed == null && label.isEmpty()) {
      throw new RecordRejected(RejectReason.NO_QUANT, "no model_type or model file name to read it from");
    }
    throw new RecordRejected(RejectReason.UNKNOWN_QUANT, (printed != null ? "\"" + printed + "\" (model_type)" : "")
        + (printed != null && label.isPresent() ? " and " : "")
        + (label.isPresent() ? "\"" + label.get() + "\" (file name)" : "") + " not in the catalog");
  }

  /** Exact from model_n_params, else the markdown params column (2 decimals), else the rounded size label. */
  private static Double params(Fields f, ModelType type, List<String> notes) throws RecordRejected {
    Double n = f.positive("model_n_params");
    if (n != null) {
      return n / 1e9;
    }
    Double md = f.positive("params_b");
    if (md != null) {
      return md;
    }
    Double label = type == null ? null : type.sizeInBillions();
    if (label != null && label > 0) {
      notes.add("params from the size label " + type.sizeLabel() + " (rounded)");
      return label;
    }
    return null;
  }

  /** A layer count below the model's leaves layers on the CPU: a hybrid figure, not this GPU's. */
  private static void checkOffload(Long ngl, ModelSpec model) throws RecordRejected {
    if (ngl == null || ngl < 0 || ngl >= ALL_LAYERS) {
      return;
    }
    int layers = model == null ? 0 : model.layers();
    if (layers == 0) {
      throw new RecordRejected(RejectReason.PARTIAL_OFFLOAD, "n_gpu_layers " + ngl + " is below " + ALL_LAYERS
          + " and the model's layer count is unknown; pass --model with a catalog model that has it");
    }
    if (ngl < layers) {
      throw new RecordRejected(RejectReason.PARTIAL_OFFLOAD, "n_gpu_layers " + ngl + " of " + layers + " layers");
    }
  }

  /** type_k/type_v (f16 when one is not shown), or G1's f16_kv; null when the file says neither. */
  private static String kvCache(Fields f) throws RecordRejected {
    String k = f.text("type_k");
    String v = f.text("type_v");
    if (k != null || v != null) {
      k = k == null ? "f16" : k;
      v = v == null ? "f16" : v;
      if (!k.equalsIgnoreCase(v)) {
        throw new RecordRejected(RejectReason.UNSUPPORTED_KV_CACHE, "type_k " + k + " and type_v " + v
            + " differ; a measurement has one KV-cache type");
      }
      try {
        KvCacheType.parse(k);
      } catch (InvalidInputException e) {
        throw new RecordRejected(RejectReason.UNSUPPORTED_KV_CACHE, "type_k/type_v " + k + ": tuner models f16, bf16,"
            + " fp8, q8_0 and q4_0");
      }
      return k.toLowerCase(Locale.ROOT);
    }
    Boolean f16 = f.bool("f16_kv");
    if (f16 == null) {
      return null;
    }
    if (!f16) {
      throw new RecordRejected(RejectReason.UNSUPPORTED_KV_CACHE, "f16_kv false: an f32 KV cache");
    }
    return "f16";
  }

  private static Optional<String> build(Fields f, Hints hints) {
    String number = f.text("build_number");
    String commit = f.text("build_commit");
    if (number != null || commit != null) {
      return Optional.of("build " + (number == null ? "?" : number) + (commit == null ? "" : " (" + commit + ")"));
    }
    return Optional.ofNullable(hints.build());
  }

  private static void batchNotes(Fields f, List<String> notes) throws RecordRejected {
    List<String> parts = new ArrayList<>();
    for (String key : List.of("n_batch", "n_ubatch", "n_threads")) {
      if (f.text(key) != null) {
        parts.add(key + " " + f.text(key));
      }
    }
    if (!parts.isEmpty()) {
      notes.add(String.join(", ", parts));
    }
    String fa = f.text("flash_attn");
    if (fa != null) {
      String mode = switch (fa.toLowerCase(Locale.ROOT)) {
        case "true", "1" -> "on";
        case "false", "0" -> "off";
        case "-1", "auto" -> "auto";
        default -> throw new RecordRejected(RejectReason.BAD_VALUE, "flash_attn = \"" + fa + "\": expected true/false"
            + " or -1/0/1");
      };
      notes.add("flash-attn " + mode);
    }
  }
}
