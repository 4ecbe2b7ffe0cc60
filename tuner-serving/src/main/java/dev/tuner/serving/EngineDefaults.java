package dev.tuner.serving;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.Csv;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Each engine's default {@link EngineLimits} as its documentation states them, read from {@code engines.csv}
 * (shipped under {@code dev/tuner/data/}; sources in data/SOURCES.md). A row named by an engine's id gives that
 * engine's defaults; a row named otherwise is a product built on an engine with defaults of its own (Ollama runs
 * llama.cpp, {@link EngineKind#parse}, one request at a time unless told otherwise), which {@link #of(String)} gives
 * for the names that start with it.
 */
public final class EngineDefaults {
  /** One row of engines.csv as read: the name it is given by, the engine family it runs, its defaults and source. */
  public record Row(String name, EngineKind kind, EngineLimits limits, String sourceId, String notes) {}

  private final Map<EngineKind, EngineLimits> limits;
  private final Map<String, EngineLimits> products;
  private final List<Row> rows;

  public EngineDefaults(Map<EngineKind, EngineLimits> limits) {
    this(limits, Map.of(), List.of());
  }

  public EngineDefaults(Map<EngineKind, EngineLimits> limits, Map<String, EngineLimits> products, List<Row> rows) {
    this.limits = Map.copyOf(limits);
    this.products = Map.copyOf(products);
    this.rows = List.copyOf(rows);
  }

  /** The rows read, in the file's order ({@code tuner catalog engines}); empty when built from maps. */
  public List<Row> rows() {
    return rows;
  }

  public static EngineDefaults shipped() {
    InputStream in = EngineDefaults.class.getResourceAsStream("/dev/tuner/data/engines.csv");
    if (in == null) {
      throw new UncheckedIOException(new java.io.FileNotFoundException("missing resource /dev/tuner/data/engines.csv"));
    }
    return read(new InputStreamReader(in, StandardCharsets.UTF_8), "engines.csv");
  }

  public static EngineDefaults read(Reader in, String source) {
    List<Csv.Row> rows = Csv.read(in, source);
    if (rows.isEmpty()) {
      throw new InvalidInputException(source, "an empty file", "a header and one row per engine");
    }
    List<String> header = rows.get(0).fields();
    Map<EngineKind, EngineLimits> out = new EnumMap<>(EngineKind.class);
    Map<String, EngineLimits> products = new java.util.TreeMap<>();
    List<Row> read = new java.util.ArrayList<>();
    for (Csv.Row r : rows.subList(1, rows.size())) {
      String where = source + ":" + r.line();
      String name = cell(header, r, "engine", where);
      EngineKind kind = EngineKind.parse(name);
      int batch = integer(cell(header, r, "max_batch", where), where + " max_batch");
      int tokens = integer(cell(header, r, "max_tokens_per_step", where), where + " max_tokens_per_step");
      boolean chunked = bool(cell(header, r, "chunked_prefill", where), where + " chunked_prefill");
      boolean graphs = bool(cell(header, r, "cuda_graphs", where), where + " cuda_graphs");
      double fraction;
      try {
        fraction = Double.parseDouble(cell(header, r, "kv_cache_fraction", where));
      } catch (NumberFormatException e) {
        throw new InvalidInputException(where + " kv_cache_fraction", cell(header, r, "kv_cache_fraction", where),
            "a number");
      }
      String of = cell(header, r, "kv_fraction_of", where);
      if (!of.equals("free") && !of.equals("total")) {
        throw new InvalidInputException(where + " kv_fraction_of", of, "free or total");
      }
      EngineLimits l = new EngineLimits(batch, tokens, chunked, graphs, fraction, of.equals("free"));
      read.add(new Row(name, kind, l, optional(header, r, "source_id"), optional(header, r, "notes")));
      if (name.equals(kind.id())) {
        out.put(kind, l);
      } else {
        products.put(name.toLowerCase(Locale.ROOT), l);
      }
    }
    for (EngineKind k : EngineKind.values()) {
      if (!out.containsKey(k)) {
        throw new InvalidInputException(source, "no row for " + k.id(), "one row per engine");
      }
    }
    return new EngineDefaults(out, products, read);
  }

  public EngineLimits of(EngineKind kind) {
    return limits.get(kind);
  }

  /**
   * The defaults of the engine {@code text} names ({@link EngineKind#parse}): a product's own where it names one
   * ({@code ollama}), else its engine's.
   */
  public EngineLimits of(String text) {
    EngineKind kind = EngineKind.parse(text);
    return product(text).map(products::get).orElse(limits.get(kind));
  }

  /** The product {@code text} names whose own defaults {@link #of(String)} gives ({@code ollama}), if any. */
  public Optional<String> product(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    return products.keySet().stream().filter(t::startsWith).findFirst();
  }

  /** The engine with its documented defaults. */
  public Engine engine(EngineKind kind, String backend, String version) {
    if (kind == null) {
      throw new InvalidInputException("engine", "missing", EngineKind.ALLOWED);
    }
    return new Engine(kind, backend, version, of(kind));
  }

  /**
   * The engine {@code text} names with its documented defaults ({@link #of(String)}: a product's own, and the
   * product's name on the engine).
   */
  public Engine engine(String text, String backend, String version) {
    return new Engine(EngineKind.parse(text), backend, version, of(text), product(text).orElse(""));
  }

  private static String cell(List<String> header, Csv.Row r, String column, String where) {
    int i = header.indexOf(column);
    if (i < 0) {
      throw new InvalidInputException(where, "no column " + column, "the engines.csv header");
    }
    return i < r.fields().size() ? r.fields().get(i).trim() : "";
  }

  private static String optional(List<String> header, Csv.Row r, String column) {
    int i = header.indexOf(column);
    return i >= 0 && i < r.fields().size() ? r.fields().get(i).trim() : "";
  }

  private static int integer(String s, String field) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(field, s, "an integer");
    }
  }

  private static boolean bool(String s, String field) {
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new InvalidInputException(field, s, "true or false");
  }
}
