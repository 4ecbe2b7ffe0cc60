package dev.tuner.core.ingest;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.catalog.NameIndex;
import dev.tuner.core.roofline.ModelPhysics;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds catalog entries for the names benchmark tools print: GPU descriptions with vendor prefixes, GGUF file names
 * and Hugging Face ids with variant suffixes, and llama.cpp file-type names such as {@code Q4_K - Medium}. Shared with
 * the serving ingestion in tuner-serving, which meets the same names.
 */
public final class CatalogLookup {
  /** GGUF quantization labels in file names (FORMATS.md §2.6), matched case-insensitively between separators. */
  static final Pattern FILE_QUANT = Pattern.compile(
      "(?i)(?:^|[-_.])(IQ[1-4]_(?:XXS|XS|S|M|NL)|Q[2-8]_K(?:_[SML]|_XL)?|Q[4-8]_[01]|TQ[12]_0|MXFP4|NVFP4|BF16|F16|F32"
          + "|FP16|FP8)(?=[-_.]|$)");
  private static final Pattern SIZE_LABEL = Pattern.compile("(?i)^(\\d+x)?[\\d.?]+[KMBT](\\.A[\\d.]+[KMB])?$");
  private static final Pattern PLAIN_SIZE = Pattern.compile("(?i)^(\\d+(?:\\.\\d+)?)([KMB])$");
  private static final Pattern SHARD = Pattern.compile("(?i)-\\d{5}-of-\\d{5}$");
  private static final Set<String> VENDOR_WORDS = Set.of("nvidia", "geforce", "amd", "radeon", "apple", "intel", "ati");
  private static final Set<String> VARIANT_WORDS = Set.of(
      "instruct", "chat", "it", "hf", "base", "ud", "gguf", "ggml", "model", "latest");
  /** Catalog names shorter than this are not matched inside longer names: too many false hits. */
  private static final int MIN_CONTAINED_KEY = 5;
  /** How far a catalog model's parameter count may be from the file's before the match is refused. */
  private static final double PARAMS_TOLERANCE = 0.05;

  private final Catalog catalog;

  public CatalogLookup(Catalog catalog) {
    this.catalog = catalog;
  }

  public Catalog catalog() {
    return catalog;
  }

  /** The device a tool describes, e.g. {@code NVIDIA GeForce RTX 4090} or {@code NVIDIA_L40S}. */
  public Optional<DeviceSpec> device(String described) {
    if (described == null || described.isBlank()) {
      return Optional.empty();
    }
    String name = described.trim();
    Optional<DeviceSpec> found = catalog.findDevice(name);
    if (found.isPresent()) {
      return found;
    }
    List<String> words = new ArrayList<>(Arrays.asList(name.split("[\\s_]+")));
    while (words.size() > 1 && VENDOR_WORDS.contains(words.get(0).toLowerCase(Locale.ROOT))) {
      words.remove(0);
      found = catalog.findDevice(String.join(" ", words));
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /**
   * The catalog's quantization a 16-bit file type stands for when the file's size says otherwise. A mixture of experts
   * whose F16 or BF16 file is far below 16 bits per weight keeps its experts in a block format: a gpt-oss checkpoint
   * converted as it ships keeps them in MXFP4 (llama-bench still prints the file's type, 'F16'). With the other tensors
   * at the type's 16 bits, the experts take what the size leaves, {@code (total × average − others × 16) / routed}
   * bits; within {@value #MXFP4_TOLERANCE} of MXFP4's 4.25 the file is {@value Catalog#MXFP4_EXPERTS_F16}. Empty otherwise:
   * the stated type stands, and the size still sets its average.
   */
  public Optional<Quantization> expertsApart(String stated, ModelSpec model, Double fileBytes) {
    Quantization q = catalog.quant(stated);
    if (model == null || fileBytes == null || q.quantClass() != QuantClass.F16 || q.expertBitsPerWeight().isPresent()) {
      return Optional.empty();
    }
    ModelPhysics physics = new ModelPhysics(model);
    double routed = physics.routedParams();
    double total = physics.totalParams();
    if (!(routed > 0 && routed < total)) {
      return Optional.empty();
    }
    double experts = (fileBytes * 8 - (total - routed) * q.bitsPerWeight()) / routed;
    Quantization mxfp4 = catalog.quant(Catalog.MXFP4_EXPERTS_F16);
    return Math.abs(experts - mxfp4.expertBitsPerWeight().orElse(Double.NaN)) <= MXFP4_TOLERANCE
        ? Optional.of(mxfp4) : Optional.empty();
  }

  /** Bits either side of MXFP4's 4.25: the F32 norms and biases a file adds come to under 0.05 on gpt-oss. */
  private static final double MXFP4_TOLERANCE = 0.15;

  /** A quantization by a name as printed: a catalog name or alias, or a llama.cpp file-type name. */
  public Optional<Quantization> quant(String printed) {
    if (printed == null || printed.isBlank()) {
      return Optional.empty();
    }
    for (String candidate : new LinkedHashSet<>(List.of(printed.trim(), stripFileTypeDecoration(printed),
        normaliseFileType(printed)))) {
      Optional<Quantization> q = catalog.quants().find(candidate);
      if (q.isPresent()) {
        return q;
      }
    }
    return Optional.empty();
  }

  /**
   * The catalog model named by one of {@code names} (file paths or ids; each tried whole, as a base name, without its
   * quantization label and without variant words like {@code Instruct}), else the only model whose name is contained
   * in one of them. A match whose parameter count is more than 5% from {@code paramsB} (when known) is refused.
   */
  public Optional<ModelSpec> model(List<String> names, Double paramsB) {
    List<String> candidates = new ArrayList<>();
    for (String n : names) {
      if (n != null && !n.isBlank()) {
        candidates.addAll(modelNameCandidates(n));
      }
    }
    for (String c : candidates) {
      Optional<ModelSpec> m = catalog.models().find(c).filter(found -> paramsAgree(found, paramsB));
      if (m.isPresent()) {
        return m;
      }
    }
    Set<ModelSpec> contained = new LinkedHashSet<>();
    for (String c : candidates) {
      String key = NameIndex.normalise(c);
      for (ModelSpec m : catalog.models().entries()) {
        List<String> names2 = new ArrayList<>(m.aliases());
        names2.add(m.name());
        for (String n : names2) {
          String k = NameIndex.normalise(n);
          if (k.length() >= MIN_CONTAINED_KEY && key.contains(k) && paramsAgree(m, paramsB)) {
            contained.add(m);
          }
        }
      }
    }
    return contained.size() == 1 ? Optional.of(contained.iterator().next()) : Optional.empty();
  }

  static boolean paramsAgree(ModelSpec m, Double paramsB) {
    return paramsB == null || Math.abs(m.paramsB() - paramsB) <= PARAMS_TOLERANCE * paramsB;
  }

  /** Whole, base name, base name without quantization label, then without trailing variant words. */
  static List<String> modelNameCandidates(String pathOrId) {
    Set<String> out = new LinkedHashSet<>();
    String whole = pathOrId.trim();
    out.add(whole);
    String base = whole.substring(Math.max(whole.lastIndexOf('/'), whole.lastIndexOf('\\')) + 1);
    if (base.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
      base = base.substring(0, base.length() - 5);
    }
    base = SHARD.matcher(base).replaceFirst("");
    out.add(base);
    String stripped = FILE_QUANT.matcher(base).replaceAll("");
    out.add(stripped);
    List<String> words = new ArrayList<>(Arrays.asList(stripped.split("[-_.\\s]+")));
    while (words.size() > 1 && VARIANT_WORDS.contains(words.get(words.size() - 1).toLowerCase(Locale.ROOT))) {
      words.remove(words.size() - 1);
      out.add(String.join("-", words));
    }
    out.removeIf(String::isBlank);
    return List.copyOf(out);
  }

  /** The quantization label in a file name, e.g. {@code Q4_K_XL} in {@code Qwen3-4B-UD-Q4_K_XL.gguf}. */
  static Optional<String> fileQuantLabel(String path) {
    if (path == null) {
      return Optional.empty();
    }
    String base = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
    if (base.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
      base = base.substring(0, base.length() - 5);
    }
    Matcher m = FILE_QUANT.matcher(base);
    String last = null;
    while (m.find()) {
      last = m.group(1).toUpperCase(Locale.ROOT);
    }
    return Optional.ofNullable(last);
  }

  /** llama-bench's {@code model_type}: {@code "<arch> <size label> <file type>"}. */
  record ModelType(String arch, String sizeLabel, String fileType) {
    static ModelType parse(String text) {
      String[] t = text.trim().split("\\s+");
      if (t.length >= 2 && SIZE_LABEL.matcher(t[1]).matches()) {
        return new ModelType(t[0], t[1], String.join(" ", Arrays.copyOfRange(t, 2, t.length)));
      }
      return new ModelType(t[0], null, String.join(" ", Arrays.copyOfRange(t, 1, t.length)));
    }

    /** {@code "<arch> <size>"}, the closest thing to a model name llama-bench prints; null without a size. */
    String archAndSize() {
      return sizeLabel == null ? null : arch + " " + sizeLabel;
    }

    /** Billions of parameters from a plain size label like {@code 7B} or {@code 630M} (rounded by llama.cpp). */
    Double sizeInBillions() {
      if (sizeLabel == null) {
        return null;
      }
      Matcher m = PLAIN_SIZE.matcher(sizeLabel);
      if (!m.matches()) {
        return null;
      }
      double v = Double.parseDouble(m.group(1));
      switch (m.group(2).toUpperCase(Locale.ROOT)) {
        case "M":
          return v / 1e3;
        case "K":
          return v / 1e6;
        default:
          return v;
      }
    }
  }

  /** Drops {@code mostly }/{@code all } prefixes, a {@code (guessed)} suffix and {@code , some F16} tails. */
  static String stripFileTypeDecoration(String fileType) {
    String s = fileType.trim();
    for (String prefix : List.of("mostly ", "all ")) {
      if (s.toLowerCase(Locale.ROOT).startsWith(prefix)) {
        s = s.substring(prefix.length()).trim();
      }
    }
    if (s.endsWith("(guessed)")) {
      s = s.substring(0, s.length() - "(guessed)".length()).trim();
    }
    int comma = s.indexOf(',');
    return comma > 0 ? s.substring(0, comma).trim() : s;
  }

  /**
   * The GGUF short name of a llama.cpp file-type name: {@code Q4_K - Medium} → {@code Q4_K_M}, {@code Q2_K - Medium}
   * → {@code Q2_K}, {@code IQ4_XS - 4.25 bpw} → {@code IQ4_XS}, {@code MXFP4 MoE} → {@code MXFP4}.
   */
  static String normaliseFileType(String fileType) {
    String s = stripFileTypeDecoration(fileType);
    int dash = s.indexOf(" - ");
    if (dash > 0) {
      String head = s.substring(0, dash).trim();
      String tail = s.substring(dash + 3).trim().toLowerCase(Locale.ROOT);
      switch (tail) {
        case "small":
          return head + "_S";
        case "medium":
          return head.equalsIgnoreCase("Q2_K") ? head : head + "_M";
        case "large":
          return head + "_L";
        case "extra small":
          return head + "_XS";
        default:
          return head;
      }
    }
    int space = s.indexOf(' ');
    return space > 0 ? s.substring(0, space) : s;
  }
}
