package dev.tuner.core.data;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.Csv;
import dev.tuner.core.scenario.BlasLibrary;
import dev.tuner.core.scenario.BuildDate;
import dev.tuner.core.scenario.ScenarioRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The measurements CSV format: columns by header name, extra columns ignored. Required: {@code device} or
 * {@code mem_bw_gbs}; {@code model} or {@code params_b}; {@code quant}, {@code batch}, {@code context},
 * {@code phase}, {@code tokens_per_s}. Optional, blank meaning unknown (the scenario's stated default):
 * {@code depth} (cached tokens before the window, 0), the engine settings {@code n_ubatch} (512; a prefill row of
 * an engine the backend names that is not llama.cpp runs its prompt in one pass: the prompt),
 * {@code flash_attn} (0|1, 0), {@code kv_type} (f16; {@code kv_cache_type} is its older name), {@code build},
 * {@code build_date} (the build's month, YYYY-MM; unknown), {@code blas} (default|hipblaslt; default),
 * {@code model_size_bytes} (the model file's size, which sets the bits per weight), the layout {@code num_devices},
 * {@code tp}, {@code pp}, {@code ep} (1 each), figures for devices or models missing from the catalog
 * ({@code mem_bw_gbs, fp16_tflops, fp32_tflops, sm_or_cores, l2_mb, mem_gb, params_b, hidden, layers, heads,
 * kv_heads, head_dim, vocab}), {@code cuda_graphs}, {@code kernel}, {@code source_id}, {@code backend},
 * {@code notes}. A file of the older eleven-column layout, with notes and none of the settings' columns (the layout
 * of the published data), has its settings and its window/depth split read from the notes ({@link LegacyNotes}).
 */
public final class MeasurementCsv {
  /** Header of the canonical format, in the order tuner writes it. */
  public static final List<String> HEADER = List.of(
      "source_id", "device", "backend", "model", "params_b", "quant", "batch", "context", "depth", "phase",
      "tokens_per_s", "n_ubatch", "flash_attn", "kv_type", "build", "build_date", "blas", "model_size_bytes",
      "num_devices", "tp", "pp", "ep", "notes");
  /** Optional columns tuner writes after the canonical ones when a row needs them. */
  public static final List<String> OPTIONAL = List.of(
      "mem_bw_gbs", "fp16_tflops", "fp32_tflops", "sm_or_cores", "l2_mb", "mem_gb", "hidden",
      "layers", "heads", "kv_heads", "head_dim", "vocab", "cuda_graphs", "kernel");

  private MeasurementCsv() {}

  /** One row that could not become a measurement. */
  public record Rejection(String origin, String reason) {}

  /** Every row of one file, each either a measurement or a rejection. */
  public record Parsed(int rows, List<Measurement> measurements, List<Rejection> rejections) {
    public Parsed {
      measurements = List.copyOf(measurements);
      rejections = List.copyOf(rejections);
    }
  }

  public static Parsed read(Path file) {
    dev.tuner.core.io.FileChecks.requireReadableFile("data file", file);
    try (InputStream in = Files.newInputStream(file)) {
      return read(new InputStreamReader(in, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new InvalidInputException("data file", file + " (" + dev.tuner.core.io.FileChecks.reason(e) + ")",
          "a readable CSV file");
    }
  }

  public static Parsed read(Reader in, String source) {
    List<Csv.Row> rows = Csv.read(in, source);
    if (rows.isEmpty()) {
      throw new InvalidInputException(source, "an empty file", "a header line naming the columns, then rows");
    }
    List<String> header = Csv.header(rows.get(0), source);
    for (String required : List.of("quant", "batch", "context", "phase", "tokens_per_s")) {
      if (!header.contains(required)) {
        throw new InvalidInputException(source + ":" + rows.get(0).line() + " header", header.toString(),
            "a column named " + required);
      }
    }
    if (!header.contains("device") && !header.contains("mem_bw_gbs")) {
      throw new InvalidInputException(source + " header", header.toString(), "a device or mem_bw_gbs column");
    }
    if (!header.contains("model") && !header.contains("params_b")) {
      throw new InvalidInputException(source + " header", header.toString(), "a model or params_b column");
    }
    LegacyNotes legacy = LegacyNotes.applies(header) ? LegacyNotes.shipped() : null;
    List<Measurement> out = new ArrayList<>();
    List<Rejection> rejected = new ArrayList<>();
    for (Csv.Row row : rows.subList(1, rows.size())) {
      String origin = source + ":" + row.line();
      Csv.requireWidth(row, header.size(), source);
      Csv.requireNoSwallowedRecords(row, header.size(), source);
      Map<String, String> m = new HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        String v = i < row.fields().size() ? row.fields().get(i).trim() : "";
        if (!v.isEmpty()) {
          m.put(header.get(i), v);
        }
      }
      try {
        out.add(parse(legacy == null ? m : legacy.fill(m), origin));
      } catch (InvalidInputException e) {
        rejected.add(new Rejection(origin, e.getMessage()));
      }
    }
    return new Parsed(rows.size() - 1, out, rejected);
  }

  static Measurement parse(Map<String, String> m, String origin) {
    double tps = positive(m, "tokens_per_s");
    if (m.containsKey("build_date")) {
      BuildDate.parse("build_date", m.get("build_date"));
    }
    if (m.containsKey("blas")) {
      BlasLibrary.parse("blas", m.get("blas"));
    }
    ScenarioRequest request = new ScenarioRequest(
        m.get("model"),
        m.get("device"),
        required(m, "quant"),
        integer(m, "batch", true),
        integer(m, "context", true),
        required(m, "phase"),
        m.containsKey("kv_type") ? m.get("kv_type") : m.get("kv_cache_type"),
        bool(m, "cuda_graphs"),
        m.get("kernel"),
        null,
        optionalNumber(m, "params_b"),
        integer(m, "hidden", false),
        integer(m, "layers", false),
        integer(m, "heads", false),
        integer(m, "kv_heads", false),
        integer(m, "head_dim", false),
        integer(m, "vocab", false),
        optionalNumber(m, "mem_bw_gbs"),
        optionalNumber(m, "fp16_tflops"),
        optionalNumber(m, "fp32_tflops"),
        integer(m, "sm_or_cores", false),
        optionalNumber(m, "l2_mb"),
        optionalNumber(m, "mem_gb"),
        integer(m, "depth", false),
        integer(m, "num_devices", false),
        integer(m, "tp", false),
        integer(m, "pp", false),
        integer(m, "ep", false),
        nUbatch(m),
        bool(m, "flash_attn"),
        m.get("backend"),
        m.get("build"),
        optionalNumber(m, "model_size_bytes"),
        null,
        m.get("build_date"),
        m.get("blas"));
    return new Measurement(origin, m.get("source_id"), m.get("backend"), request, tps, m.get("notes"));
  }

  private static String required(Map<String, String> m, String field) {
    String v = m.get(field);
    if (v == null) {
      throw new InvalidInputException(field, "empty", "a value");
    }
    return v;
  }

  private static double positive(Map<String, String> m, String field) {
    Double v = optionalNumber(m, field);
    if (v == null) {
      throw new InvalidInputException(field, "empty", "a positive number");
    }
    if (!(v > 0)) {
      throw new InvalidInputException(field, v, "a positive number");
    }
    return v;
  }

  private static Double optionalNumber(Map<String, String> m, String field) {
    String v = m.get(field);
    return v == null ? null : dev.tuner.core.io.Cells.finite(field, v);
  }

  /**
   * The row's {@code n_ubatch}; when blank, llama-bench's default (null) for llama.cpp, but for prompts measured on
   * an engine the backend names that is not llama.cpp (TensorRT-LLM, MLC LLM) the step's prompt tokens: those
   * engines run a step's prompts in one pass, and a chunk size they do not have would make the roofline read the
   * weights several times.
   */
  private static Integer nUbatch(Map<String, String> m) {
    Integer given = integer(m, "n_ubatch", false);
    String phase = m.get("phase");
    if (given != null || phase == null || !phase.trim().equalsIgnoreCase("prefill")
        || !namesAnotherEngine(m.get("backend"))) {
      return given;
    }
    long tokens = (long) integer(m, "batch", true) * integer(m, "context", true);
    return (int) Math.max(1, Math.min(1 << 20, tokens));
  }

  /** Whether a backend text names an engine other than llama.cpp (or Ollama, which runs it); a bare API does not. */
  static boolean namesAnotherEngine(String backend) {
    if (backend == null) {
      return false;
    }
    String t = backend.toLowerCase(java.util.Locale.ROOT);
    boolean llamaCpp = t.contains("llama.cpp") || t.contains("llama-bench") || t.contains("ollama");
    boolean api = t.replaceAll("[^a-z]+", " ").trim().matches("(cuda|metal|rocm|hip|vulkan|sycl|cpu)( .*)?");
    return !llamaCpp && !api && !t.isBlank();
  }

  private static Integer integer(Map<String, String> m, String field, boolean required) {
    String v = m.get(field);
    if (v == null) {
      if (required) {
        throw new InvalidInputException(field, "empty", "a whole number");
      }
      return null;
    }
    try {
      return Integer.valueOf(v.endsWith(".0") ? v.substring(0, v.length() - 2) : v);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(field, "\"" + v + "\"", "a whole number");
    }
  }

  private static Boolean bool(Map<String, String> m, String field) {
    String v = m.get(field);
    return v == null ? null : dev.tuner.core.io.Cells.flag(field, v);
  }
}
