package dev.tuner.core.catalog;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.Csv;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.MoeSpec;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelShape;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.SpecLookup;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The accelerators, LLM architectures and quantizations tuner knows by name. The shipped catalog is read from the
 * resource files under {@code dev/tuner/data/} (see data/README.md for columns, units and sources).
 */
public final class Catalog implements SpecLookup {
  static final String RESOURCE_DIR = "/dev/tuner/data/";
  /**
   * The quantization of MXFP4 experts beside 16-bit tensors (data/quantizations.csv), which files that state another
   * type turn out to be: a gpt-oss checkpoint converted at F16 (GGUF headers, llama-bench's 'F16' rows).
   */
  public static final String MXFP4_EXPERTS_F16 = "MXFP4_EXPERTS_F16";
  /** A name, then a memory size in GB, as in "RTX 4090 24GB" or "A100 (80 GB)". */
  private static final java.util.regex.Pattern MEMORY_SUFFIX =
      java.util.regex.Pattern.compile("(?i)(.+?)[\\s_-]*\\(?(\\d+(?:\\.\\d+)?)\\s*GB\\)?");

  private final NameIndex<DeviceSpec> devices;
  private final NameIndex<ModelSpec> models;
  private final NameIndex<Quantization> quants;

  public Catalog(List<DeviceSpec> devices, List<ModelSpec> models, List<Quantization> quants) {
    this.devices = new NameIndex<>("device", devices, DeviceSpec::name, DeviceSpec::aliases);
    this.models = new NameIndex<>("model", models, ModelSpec::name, ModelSpec::aliases);
    this.quants = new NameIndex<>("quant", quants, Quantization::name, Quantization::aliases);
  }

  /** The catalog shipped inside tuner-core. */
  public static Catalog shipped() {
    return new Catalog(
        readDevices(resource("devices.csv"), "devices.csv"),
        readModels(resource("models.csv"), "models.csv"),
        readQuants(resource("quantizations.csv"), "quantizations.csv"));
  }

  public NameIndex<DeviceSpec> devices() {
    return devices;
  }

  public NameIndex<ModelSpec> models() {
    return models;
  }

  public NameIndex<Quantization> quants() {
    return quants;
  }

  @Override
  public DeviceSpec device(String name) {
    return findDevice(name).orElseGet(() -> devices.resolve("device", name));
  }

  /**
   * The device a name denotes: a catalogued name or alias, or one followed by its memory size ({@code RTX 4090 24GB},
   * {@code A100 80 GB}) when the catalogued device has exactly that much memory, so that a card's memory variant is
   * never taken for another one's.
   */
  public Optional<DeviceSpec> findDevice(String name) {
    Optional<DeviceSpec> found = devices.find(name);
    if (found.isPresent() || name == null) {
      return found;
    }
    java.util.regex.Matcher m = MEMORY_SUFFIX.matcher(name.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    double gb = Double.parseDouble(m.group(2));
    return devices.find(m.group(1)).filter(d -> d.memoryGb().isPresent() && d.memoryGb().getAsDouble() == gb);
  }

  @Override
  public ModelSpec model(String name) {
    return models.resolve("model", name);
  }

  @Override
  public Quantization quant(String name) {
    return quants.resolve("quantization", name);
  }

  static Reader resource(String file) {
    InputStream in = Catalog.class.getResourceAsStream(RESOURCE_DIR + file);
    if (in == null) {
      throw new UncheckedIOException(new java.io.FileNotFoundException("missing catalog resource " + RESOURCE_DIR + file));
    }
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }

  /** The columns a devices table may have (data/devices.csv's, and the architecture a file may state itself). */
  static final List<String> DEVICE_COLUMNS = List.of("device", "vendor", "chip_family", "architecture", "mem_bw_gbs",
      "fp16_tflops", "fp8_tflops", "fp4_tflops", "int8_tops", "fp32_tflops", "sm_or_cores", "l2_mb", "mem_gb",
      "interconnect", "interconnect_gbs", "aliases", "source_id", "notes");
  /** The columns a models table may have (data/models.csv's). */
  static final List<String> MODEL_COLUMNS = List.of("model", "architecture", "params_b", "active_params_b", "hidden",
      "layers", "heads", "kv_heads", "head_dim", "vocab", "tied_embeddings", "ffn_dim", "experts",
      "experts_per_token", "shared_experts", "expert_ffn_dim", "dense_layers", "attention", "kv_lora_rank",
      "rope_head_dim", "sliding_window", "local_layers", "linear_layers", "linear_state_dim", "max_context",
      "aliases", "source_id", "mtp_params_b", "notes");
  /** The columns a quantizations table may have (data/quantizations.csv's). */
  static final List<String> QUANT_COLUMNS = List.of("quant", "bits_per_weight", "class", "activation",
      "expert_bits_per_weight", "other_bits_per_weight", "aliases", "source_id", "notes");

  /**
   * Rows of a CSV with a header, as maps from column name to value. The header must name every column of
   * {@code required}, and the error names all it lacks at once.
   */
  static List<Map<String, String>> table(Reader in, String source, String... required) {
    return table(in, source, List.of(), required);
  }

  /**
   * {@link #table(Reader, String, String...)}, whose header may name only the columns of {@code known} (when not
   * empty): a misspelt column (fp8_tflop) would otherwise be read as a figure left out, silently. A known column the
   * header leaves out reads as blank in every row.
   */
  static List<Map<String, String>> table(Reader in, String source, List<String> known, String... required) {
    List<Csv.Row> rows = Csv.read(in, source);
    if (rows.isEmpty()) {
      throw new InvalidInputException(source, "an empty file", "a header line and rows");
    }
    List<String> header = Csv.header(rows.get(0), source);
    List<String> unknown = known.isEmpty() ? List.of() : header.stream().filter(h -> !known.contains(h)).toList();
    if (!unknown.isEmpty()) {
      throw new InvalidInputException(source + " header", (unknown.size() == 1 ? "column " : "columns ")
          + String.join(", ", unknown), "columns among " + String.join(", ", known));
    }
    List<String> missing = Arrays.stream(required).filter(r -> !header.contains(r)).toList();
    if (!missing.isEmpty()) {
      throw new InvalidInputException(source + " header", header.toString(),
          (missing.size() == 1 ? "a column named " : "columns named ") + String.join(", ", missing));
    }
    List<Map<String, String>> out = new ArrayList<>();
    for (Csv.Row row : rows.subList(1, rows.size())) {
      Csv.requireWidth(row, header.size(), source);
      Csv.requireNoSwallowedRecords(row, header.size(), source);
      Map<String, String> m = new HashMap<>();
      known.forEach(k -> m.put(k, ""));
      for (int i = 0; i < header.size(); i++) {
        m.put(header.get(i), i < row.fields().size() ? row.fields().get(i).trim() : "");
      }
      m.put("#line", source + ":" + row.line());
      out.add(m);
    }
    return out;
  }

  /**
   * The devices of a table. Only the name and the memory bandwidth are required, which the roofline cannot do
   * without; every other column may be blank or left out (unknown), as a YAML entry leaves out what it does not
   * know.
   */
  static List<DeviceSpec> readDevices(Reader in, String source) {
    List<DeviceSpec> out = new ArrayList<>();
    String[] required = {"device", "mem_bw_gbs"};
    for (var m : table(in, source, DEVICE_COLUMNS, required)) {
      filled(m, required);
      String where = m.get("#line");
      double bandwidth = number(where, "mem_bw_gbs", m.get("mem_bw_gbs"));
      OptionalDouble fp16 = optional(where, "fp16_tflops", m.get("fp16_tflops"));
      OptionalDouble fp8 = optional(where, "fp8_tflops", m.get("fp8_tflops"));
      OptionalDouble fp32 = optional(where, "fp32_tflops", m.get("fp32_tflops"));
      int units = (int) optional(where, "sm_or_cores", m.get("sm_or_cores")).orElse(0);
      OptionalDouble l2 = optional(where, "l2_mb", m.get("l2_mb"));
      OptionalDouble memory = optional(where, "mem_gb", m.get("mem_gb"));
      OptionalDouble fp4 = optional(where, "fp4_tflops", m.get("fp4_tflops"));
      OptionalDouble int8 = optional(where, "int8_tops", m.get("int8_tops"));
      OptionalDouble link = optional(where, "interconnect_gbs", m.get("interconnect_gbs"));
      String family = m.get("chip_family");
      // a file may state the architecture itself; the shipped table gives it for every catalogued chip family
      String architecture = m.get("architecture");
      if (architecture.isEmpty()) {
        architecture = ChipFamilies.shipped().architecture(family).orElse("");
      }
      try {
        out.add(new DeviceSpec(m.get("device"), m.get("vendor"), bandwidth, fp16, fp8, fp32, units, l2,
            memory, aliases(m.get("aliases")), m.get("source_id"), family, fp4, int8,
            m.get("interconnect"), link, architecture));
      } catch (InvalidInputException e) {
        // the record checks each figure's range but cannot know the file line the figure came from
        throw new InvalidInputException(where + " " + e.field(), e.value(), e.allowed());
      }
    }
    return out;
  }

  /**
   * The models of a table. Only the name and the parameter count are required; a blank or missing shape figure is 0,
   * unknown (the roofline leaves out what it cannot compute, and says so).
   */
  static List<ModelSpec> readModels(Reader in, String source) {
    List<ModelSpec> out = new ArrayList<>();
    String[] required = {"model", "params_b"};
    for (var m : table(in, source, MODEL_COLUMNS, required)) {
      filled(m, required);
      String where = m.get("#line");
      try {
        out.add(new ModelSpec(
            m.get("model"),
            number(where, "params_b", m.get("params_b")),
            integer(where, "hidden", m.get("hidden")),
            integer(where, "layers", m.get("layers")),
            integer(where, "heads", m.get("heads")),
            integer(where, "kv_heads", m.get("kv_heads")),
            integer(where, "head_dim", m.get("head_dim")),
            integer(where, "vocab", m.get("vocab")),
            aliases(m.get("aliases")),
            m.get("source_id"),
            m.get("architecture"),
            optional(where, "active_params_b", m.get("active_params_b")),
            bool(where, "tied_embeddings", m.get("tied_embeddings")),
            integer(where, "ffn_dim", m.get("ffn_dim")),
            new MoeSpec(
                integer(where, "experts", m.get("experts")),
                integer(where, "experts_per_token", m.get("experts_per_token")),
                integer(where, "shared_experts", m.get("shared_experts")),
                integer(where, "expert_ffn_dim", m.get("expert_ffn_dim")),
                integer(where, "dense_layers", m.get("dense_layers"))),
            new AttentionSpec(
                blank(m.get("attention")) ? AttentionKind.GQA : AttentionKind.parse(m.get("attention")),
                integer(where, "kv_lora_rank", m.get("kv_lora_rank")),
                integer(where, "rope_head_dim", m.get("rope_head_dim")),
                integer(where, "sliding_window", m.get("sliding_window")),
                integer(where, "local_layers", m.get("local_layers")),
                integer(where, "linear_layers", m.get("linear_layers")),
                longInteger(where, "linear_state_dim", m.get("linear_state_dim"))),
            blank(m.get("max_context")) ? OptionalInt.empty()
                : OptionalInt.of(integer(where, "max_context", m.get("max_context"))),
            optional(where, "mtp_params_b", m.get("mtp_params_b")).orElse(0)));
      } catch (InvalidInputException e) {
        // a cell's own parse already names its line; the record's range checks cannot know it
        throw e.field().startsWith(where) ? e : new InvalidInputException(where + " " + e.field(), e.value(),
            e.allowed());
      }
    }
    return plausible(out, source);
  }

  /** Every model of a table obeys {@link ModelShape}'s rules; the error names the table and the model. */
  static List<ModelSpec> plausible(List<ModelSpec> models, String source) {
    for (ModelSpec m : models) {
      try {
        ModelShape.requirePlausible(m);
      } catch (InvalidInputException e) {
        throw new InvalidInputException(source + " " + m.name() + " " + e.field(), e.value(), e.allowed());
      }
    }
    return models;
  }

  static List<Quantization> readQuants(Reader in, String source) {
    List<Quantization> out = new ArrayList<>();
    String[] required = {"quant", "bits_per_weight", "class", "activation"};
    for (var m : table(in, source, QUANT_COLUMNS, required)) {
      filled(m, required);
      String where = m.get("#line");
      out.add(new Quantization(
          m.get("quant"),
          number(where, "bits_per_weight", m.get("bits_per_weight")),
          QuantClass.parse(m.get("class")),
          Activation.parse(m.get("activation")),
          aliases(m.get("aliases")),
          m.get("source_id"),
          optional(where, "expert_bits_per_weight", m.get("expert_bits_per_weight")),
          optional(where, "other_bits_per_weight", m.get("other_bits_per_weight"))));
    }
    return out;
  }

  /**
   * Throws unless row {@code m} of {@link #table} has a value in each of {@code required}, naming every one it lacks:
   * a YAML entry that leaves several out hears of all of them at once.
   */
  private static void filled(Map<String, String> m, String... required) {
    List<String> blank = Arrays.stream(required).filter(c -> m.get(c).isBlank()).toList();
    if (!blank.isEmpty()) {
      throw new InvalidInputException(m.get("#line") + " " + String.join(", ", blank), "blank",
          "a value in each of " + String.join(", ", required) + " (any other column may be blank or left out)");
    }
  }

  static List<String> aliases(String cell) {
    if (cell == null || cell.isBlank()) {
      return List.of();
    }
    return Arrays.stream(cell.split("\\|")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  static double number(String where, String field, String text) {
    return dev.tuner.core.io.Cells.finite(where + " " + field, text);
  }

  static OptionalDouble optional(String where, String field, String text) {
    return text == null || text.isBlank() ? OptionalDouble.empty() : OptionalDouble.of(number(where, field, text));
  }

  private static boolean blank(String text) {
    return text == null || text.isBlank();
  }

  static Optional<Boolean> bool(String where, String field, String text) {
    if (blank(text)) {
      return Optional.empty();
    }
    switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true":
      case "1":
        return Optional.of(true);
      case "false":
      case "0":
        return Optional.of(false);
      default:
        throw new InvalidInputException(where + " " + field, "\"" + text + "\"", "true or false");
    }
  }

  static long longInteger(String where, String field, String text) {
    if (blank(text)) {
      return 0;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(where + " " + field, "\"" + text + "\"", "a whole number");
    }
  }

  static int integer(String where, String field, String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(where + " " + field, "\"" + text + "\"", "a whole number");
    }
  }
}
