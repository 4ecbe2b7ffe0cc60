package dev.tuner.core.catalog;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.FileChecks;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Quantization;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a GGUF file's header says: its metadata (architecture, shape, file type) and, from its tensor table, the
 * parameter count, the weight bytes and so the true bits per weight, and the mix of tensor types. Reads the header
 * only (the metadata and the tensor table, which precede the weights), never the weights themselves.
 *
 * <p>Layout (GGUF v2/v3, little-endian): magic "GGUF", uint32 version, uint64 tensor count, uint64 metadata count,
 * the metadata key-value pairs, then per tensor its name, uint32 dimension count, uint64 dimensions, uint32 ggml type
 * and uint64 offset. Source: the GGUF specification, docs/gguf.md in the ggml repository. {@code outputTensor} says
 * whether the file has its own LM head ({@code output.weight}) rather than reusing the token embedding.
 * {@code expertTypeParameters} (per ggml type) and {@code expertWeightBytes} are those of the stacked expert tensors
 * (three dimensions, more than one expert along the third: how llama.cpp's quantizer tells a mixture's experts from
 * the rest, in src/llama-quant.cpp), so a file that stores its experts in another format than the rest says so.
 * {@code nextnParameters} are those of the last {@code <arch>.nextn_predict_layers} blocks: a multi-token-prediction
 * module (GLM-4.5's) that llama.cpp loads and plain decoding never runs.
 */
public record GgufHeader(
    int version, Map<String, Object> metadata, long parameters, long weightBytes, Map<String, Long> typeParameters,
    boolean outputTensor, Map<String, Long> expertTypeParameters, long expertWeightBytes, long nextnParameters) {

  /**
   * Metadata arrays above this many elements are skipped, not kept (tokenizer vocabularies), unless they hold numbers
   * or flags: per-layer arrays (the sliding-window pattern) are kept up to {@link #KEEP_LAYER_ARRAY} elements.
   */
  private static final int KEEP_ARRAY = 16;
  private static final int KEEP_LAYER_ARRAY = 4096;
  private static final int GGUF_STRING = 8;
  private static final long MAX_COUNT = 1L << 24;
  private static final int MAX_STRING = 1 << 20;
  /**
   * The field a refusal of the file names (and {@link GgmlType}'s): the library's parameter first, the CLI's flag
   * second, as an embedder that calls {@link #read} has no --gguf to look for.
   */
  static final String FILE = "GGUF file (GgufHeader.read's file, --gguf in the CLI)";

  public GgufHeader {
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    typeParameters = Collections.unmodifiableMap(new TreeMap<>(typeParameters));
    expertTypeParameters = Collections.unmodifiableMap(new TreeMap<>(expertTypeParameters));
  }

  /** Bits per weight over every tensor: weight bytes × 8 / parameters, block scales included. */
  public double bitsPerWeight() {
    return weightBytes * 8.0 / parameters;
  }

  /** Bits per weight of the stacked expert tensors; empty when the file has none. */
  public OptionalDouble expertBitsPerWeight() {
    long experts = expertTypeParameters.values().stream().mapToLong(Long::longValue).sum();
    return experts == 0 ? OptionalDouble.empty() : OptionalDouble.of(expertWeightBytes * 8.0 / experts);
  }

  /** {@code general.architecture}, e.g. llama, qwen2, gemma2. */
  public String architecture() {
    return architecture(metadata);
  }

  private static String architecture(Map<String, Object> metadata) {
    Object a = metadata.get("general.architecture");
    return a == null ? "" : a.toString();
  }

  /** A metadata integer of the architecture ({@code llama.block_count}...), 0 when absent. */
  public long archInt(String key) {
    return archInt(metadata, key);
  }

  private static long archInt(Map<String, Object> metadata, String key) {
    Object v = metadata.get(architecture(metadata) + "." + key);
    return v instanceof Number n ? n.longValue() : 0;
  }

  /** A metadata value's text, empty when absent. */
  public String text(String key) {
    Object v = metadata.get(key);
    return v == null ? "" : v.toString();
  }

  /**
   * The model the header describes: its parameter count from the tensor table, its shape from the architecture's
   * metadata ({@code <arch>.embedding_length}, {@code block_count}, {@code attention.head_count},
   * {@code attention.head_count_kv}, {@code attention.key_length}, {@code feed_forward_length}), the vocabulary from
   * {@code <arch>.vocab_size} or the tokenizer's token list, the experts ({@code expert_count},
   * {@code expert_used_count}, {@code expert_shared_count} or {@code expert_shared_feed_forward_length},
   * {@code expert_feed_forward_length}, {@code leading_dense_block_count}), the trained context
   * ({@code context_length}) and the attention layout: MLA when
   * {@code attention.kv_lora_rank} is set (its RoPE key size {@code rope.dimension_count}, its head size
   * {@code attention.key_length_mla}, which newer files give because their {@code key_length} is the cached latent's),
   * else GQA or MHA with {@code attention.sliding_window} on the layers {@link #localLayers} counts. Key names: Keys in
   * gguf-py/gguf/constants.py (llama.cpp repository). Fields the same as {@code HfConfig} maps from a config.json.
   */
  public dev.tuner.core.scenario.ModelSpec model(String fallbackName, String source) {
    int hidden = (int) archInt("embedding_length");
    int layers = (int) (archInt("block_count") - nextnLayers(metadata));
    int heads = (int) archInt("attention.head_count");
    int kv = (int) archInt("attention.head_count_kv");
    long vocab = archInt("vocab_size");
    if (vocab == 0 && metadata.get("tokenizer.ggml.tokens") instanceof ArrayLength a) {
      vocab = a.length();
    }
    int ffn = (int) archInt("feed_forward_length");
    int experts = (int) archInt("expert_count");
    int used = (int) archInt("expert_used_count");
    int denseLayers = (int) archInt("leading_dense_block_count");
    // Mixtral-style files (llama architecture) give their experts' size as the one feed_forward_length
    int expertFfn = archInt("expert_feed_forward_length") > 0 ? (int) archInt("expert_feed_forward_length") : ffn;
    int shared = (int) archInt("expert_shared_count");
    long sharedFfn = archInt("expert_shared_feed_forward_length");
    if (shared == 0 && sharedFfn > 0) {
      // Qwen2-MoE states one shared expert's size instead of a count; as HfConfig, whole experts of the routed size
      shared = expertFfn > 0 && sharedFfn % expertFfn == 0 ? (int) (sharedFfn / expertFfn) : 1;
    }
    boolean moe = experts > 0 && used > 0;
    int headDim = (int) archInt("attention.key_length");
    long kvLoraRank = archInt("attention.kv_lora_rank");
    dev.tuner.core.scenario.AttentionSpec attention;
    if (kvLoraRank > 0) {
      headDim = archInt("attention.key_length_mla") > 0 ? (int) archInt("attention.key_length_mla") : headDim;
      // MLA expands the latent into keys and values for every head; newer files state 1 KV head for the latent
      kv = heads;
      attention = new dev.tuner.core.scenario.AttentionSpec(dev.tuner.core.scenario.AttentionKind.MLA,
          (int) kvLoraRank, (int) archInt("rope.dimension_count"), 0, 0, 0, 0);
    } else {
      int kvHeads = kv > 0 ? kv : heads;
      long window = archInt("attention.sliding_window");
      if (window == 0 && architecture().equals("gemma2")) {
        window = GEMMA2_WINDOW;
      }
      int local = localLayers(layers, window);
      attention = new dev.tuner.core.scenario.AttentionSpec(kvHeads == heads
          ? dev.tuner.core.scenario.AttentionKind.MHA : dev.tuner.core.scenario.AttentionKind.GQA, 0, 0,
          local > 0 ? (int) window : 0, local, 0, 0);
    }
    String name = text("general.name").isBlank() ? fallbackName : text("general.name");
    long trainedContext = archInt("context_length");
    var m = new dev.tuner.core.scenario.ModelSpec(
        name,
        parameters / 1e9,
        hidden,
        layers,
        heads,
        kv > 0 ? kv : heads,
        headDim,
        (int) vocab,
        java.util.List.of(),
        "GGUF header " + source,
        architecture().isEmpty() ? null : architecture(),
        OptionalDouble.empty(),
        // a model with its own LM head stores it as output.weight; a tied one reuses token_embd.weight
        java.util.Optional.of(!outputTensor),
        // as HfConfig: a MoE model's dense FFN size only where leading layers are dense
        !moe || denseLayers > 0 ? ffn : 0,
        moe ? new dev.tuner.core.scenario.MoeSpec(experts, used, shared, expertFfn, denseLayers)
            : dev.tuner.core.scenario.MoeSpec.NONE,
        attention,
        // n_ctx_train, what llama.cpp warns beyond and llama-server caps a slot at
        trainedContext > 0 && trainedContext <= Integer.MAX_VALUE ? java.util.OptionalInt.of((int) trainedContext)
            : java.util.OptionalInt.empty(),
        nextnParameters / 1e9);
    dev.tuner.core.scenario.ModelShape.requirePlausible(m);
    return m;
  }

  /**
   * The multi-token-prediction blocks at the end of the file ({@code <arch>.nextn_predict_layers}), which
   * {@code block_count} includes; 0 when the file states none or a count that leaves no other block.
   */
  private static long nextnLayers(Map<String, Object> metadata) {
    long n = archInt(metadata, "nextn_predict_layers");
    return n > 0 && n < archInt(metadata, "block_count") ? n : 0;
  }

  /** llama.cpp's window for Gemma 2 files that do not state one (src/llama-model.cpp, LLM_ARCH_GEMMA2). */
  private static final long GEMMA2_WINDOW = 4096;

  /**
   * Sliding-window layer periods llama.cpp fixes in code for architectures whose files need not state them
   * (src/llama-model.cpp, {@code hparams.set_swa_pattern(n)}): (n - 1) of every n layers are local.
   */
  private static final Map<String, Integer> SWA_PERIODS = Map.of("gemma2", 2, "gemma3", 6, "gemma3n", 5, "cohere2", 4);

  /**
   * The layers that attend over the sliding window, as llama.cpp decides them: {@code attention.sliding_window_pattern}
   * when the file gives it, one flag per layer (true: sliding) or a period n (layer i slides when i mod n < n - 1; 0:
   * every layer), else the period llama.cpp fixes for the architecture ({@link #SWA_PERIODS}); an architecture
   * without one attends over the whole context on every layer, whatever window its file states, as llama.cpp runs it.
   */
  int localLayers(int layers, long window) {
    if (window <= 0) {
      return 0;
    }
    Object pattern = metadata.get(architecture() + ".attention.sliding_window_pattern");
    if (pattern instanceof java.util.List<?> flags) {
      if (flags.size() != layers) {
        throw new InvalidInputException(FILE, architecture() + ".attention.sliding_window_pattern with "
            + flags.size() + " flags", "one flag per layer (" + layers + ")");
      }
      return (int) flags.stream().filter(Boolean.TRUE::equals).count();
    }
    long period = pattern instanceof Number n ? n.longValue() : SWA_PERIODS.getOrDefault(architecture(), -1);
    if (period < 0) {
      return 0;
    }
    return period == 0 ? layers : (int) (layers - layers / period);
  }

  /**
   * The quantization the file states ({@code general.file_type}, llama.cpp's llama_ftype: 15 = Q4_K_M...) with the
   * file's true bits per weight; empty when the file states none. Source of the ids: enum llama_ftype in
   * include/llama.h (llama.cpp repository).
   */
  public java.util.Optional<String> fileType() {
    Object v = metadata.get("general.file_type");
    if (!(v instanceof Number n)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.ofNullable(FILE_TYPES.get(n.intValue()));
  }

  /**
   * The file's quantization as {@code catalog} knows its stated type, at the file's true bits per weight and with its
   * experts at their own (a file states one type for all its tensors). A 16-bit file whose experts are MXFP4 is a
   * gpt-oss checkpoint converted as it ships (its experts kept, the rest 16-bit): it runs as the catalog's
   * MXFP4_EXPERTS_F16, whose experts take llama.cpp's int8 dot products, not the 16-bit kernels its type names.
   * Empty when the file states no type.
   */
  public java.util.Optional<Quantization> quantization(Catalog catalog, String file) {
    return fileType().map(t -> {
      Quantization stated = catalog.quant(t);
      boolean mxfp4Experts = !expertTypeParameters.isEmpty()
          && expertTypeParameters.keySet().equals(java.util.Set.of(GgmlType.MXFP4.name()));
      if (stated.quantClass() == QuantClass.F16 && mxfp4Experts) {
        stated = catalog.quant(Catalog.MXFP4_EXPERTS_F16);
      }
      OptionalDouble experts = expertBitsPerWeight().isPresent() ? expertBitsPerWeight()
          : stated.expertBitsPerWeight();
      return new Quantization(t + " of " + file, bitsPerWeight(), stated.quantClass(), stated.activation(),
          List.of(), "GGUF header " + file + ": " + typeParameters, experts, OptionalDouble.empty());
    });
  }

  /** A tensor of block {@code N}: {@code blk.N.}... (gguf-py's tensor names). */
  private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d{1,9})\\.");

  private static final Map<Integer, String> FILE_TYPES = Map.ofEntries(
      Map.entry(0, "F32"), Map.entry(1, "F16"), Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"), Map.entry(7, "Q8_0"),
      Map.entry(8, "Q5_0"), Map.entry(9, "Q5_1"), Map.entry(10, "Q2_K"), Map.entry(11, "Q3_K_S"),
      Map.entry(12, "Q3_K_M"), Map.entry(13, "Q3_K_L"), Map.entry(14, "Q4_K_S"), Map.entry(15, "Q4_K_M"),
      Map.entry(16, "Q5_K_S"), Map.entry(17, "Q5_K_M"), Map.entry(18, "Q6_K"), Map.entry(19, "IQ2_XXS"),
      Map.entry(20, "IQ2_XS"), Map.entry(21, "Q2_K_S"), Map.entry(22, "IQ3_XS"), Map.entry(23, "IQ3_XXS"),
      Map.entry(24, "IQ1_S"), Map.entry(25, "IQ4_NL"), Map.entry(26, "IQ3_S"), Map.entry(27, "IQ3_M"),
      Map.entry(28, "IQ2_S"), Map.entry(29, "IQ2_M"), Map.entry(30, "IQ4_XS"), Map.entry(31, "IQ1_M"),
      Map.entry(32, "BF16"), Map.entry(36, "TQ1_0"), Map.entry(37, "TQ2_0"), Map.entry(38, "MXFP4_MOE"));

  public static GgufHeader read(Path file) {
    FileChecks.requireReadableFile(FILE, file);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new InvalidInputException(FILE, file + " (" + FileChecks.reason(e) + ")", "a readable GGUF file");
    }
  }

  static GgufHeader read(InputStream raw, String source) throws IOException {
    Le in = new Le(new DataInputStream(raw), source);
    try {
      byte[] magic = in.bytes(4);
      if (!new String(magic, StandardCharsets.ISO_8859_1).equals("GGUF")) {
        throw new InvalidInputException(FILE, source + " (no GGUF magic)", "a GGUF model file");
      }
      int version = in.u32();
      if (version < 2 || version > 3) {
        throw new InvalidInputException(FILE, source + " (GGUF version " + version + ")", "GGUF version 2 or 3");
      }
      long tensors = in.count("tensor count");
      long kvs = in.count("metadata count");
      Map<String, Object> meta = new LinkedHashMap<>();
      for (long i = 0; i < kvs; i++) {
        String key = in.string();
        meta.put(key, in.value(in.u32()));
      }
      long params = 0;
      long bytes = 0;
      Map<String, Long> byType = new TreeMap<>();
      boolean output = false;
      Map<String, Long> expertTypes = new TreeMap<>();
      long expertBytes = 0;
      long nextnLayers = nextnLayers(meta);
      long firstNextn = archInt(meta, "block_count") - nextnLayers;
      long nextn = 0;
      for (long t = 0; t < tensors; t++) {
        String name = in.string();
        output |= name.equals("output.weight");
        int dims = in.u32();
        if (dims < 0 || dims > 8) {
          throw new InvalidInputException(FILE, source + " (tensor with " + dims + " dimensions)", "1 to 8");
        }
        long n = 1;
        boolean stacked = false;
        for (int d = 0; d < dims; d++) {
          long extent = in.count("tensor dimension");
          stacked |= d == 2 && extent > 1;
          n = Math.multiplyExact(n, extent);
        }
        GgmlType type = GgmlType.of(in.u32(), source);
        in.u64();
        long size = type.bytes(n, source);
        params += n;
        bytes += size;
        byType.merge(type.name(), n, Long::sum);
        if (stacked) {
          expertTypes.merge(type.name(), n, Long::sum);
          expertBytes += size;
        }
        Matcher block = BLOCK.matcher(name);
        if (nextnLayers > 0 && block.lookingAt() && Long.parseLong(block.group(1)) >= firstNextn) {
          nextn += n;
        }
      }
      if (params == 0) {
        throw new InvalidInputException(FILE, source + " (no tensors)", "a GGUF model file with its weights");
      }
      return new GgufHeader(version, meta, params, bytes, byType, output, expertTypes, expertBytes, nextn);
    } catch (EOFException e) {
      throw new InvalidInputException(FILE, source + " (ends inside its header)", "a complete GGUF file");
    } catch (ArithmeticException e) {
      throw new InvalidInputException(FILE, source + " (tensor sizes overflow)", "a GGUF model file");
    }
  }

  /** Little-endian reads with the bounds a hostile header could break. */
  private record Le(DataInputStream in, String source) {
    byte[] bytes(int n) throws IOException {
      byte[] b = new byte[n];
      in.readFully(b);
      return b;
    }

    int u32() throws IOException {
      return Integer.reverseBytes(in.readInt());
    }

    long u64() throws IOException {
      return Long.reverseBytes(in.readLong());
    }

    long count(String what) throws IOException {
      long v = u64();
      if (v < 0 || v > MAX_COUNT * 64) {
        throw new InvalidInputException(FILE, source + " (" + what + " " + Long.toUnsignedString(v) + ")",
            "a plausible GGUF header");
      }
      return v;
    }

    String string() throws IOException {
      long n = u64();
      if (n < 0 || n > MAX_STRING) {
        throw new InvalidInputException(FILE, source + " (a string of " + Long.toUnsignedString(n) + " bytes)",
            "strings of at most " + MAX_STRING + " bytes");
      }
      return new String(bytes((int) n), StandardCharsets.UTF_8);
    }

    /** One metadata value of GGUF type {@code type}; long arrays are read past and kept as their length. */
    Object value(int type) throws IOException {
      switch (type) {
        case 0: return (long) in.readUnsignedByte();
        case 1: return (long) in.readByte();
        case 2: return (long) Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
        case 3: return (long) Short.reverseBytes(in.readShort());
        case 4: return Integer.toUnsignedLong(u32());
        case 5: return (long) u32();
        case 6: return (double) Float.intBitsToFloat(u32());
        case 7: return in.readUnsignedByte() != 0;
        case 8: return string();
        case 9: {
          int elementType = u32();
          long n = count("array length");
          boolean keep = n <= KEEP_ARRAY || elementType != GGUF_STRING && elementType != 9 && n <= KEEP_LAYER_ARRAY;
          java.util.List<Object> kept = new java.util.ArrayList<>();
          for (long i = 0; i < n; i++) {
            Object v = value(elementType);
            if (keep) {
              kept.add(v);
            }
          }
          return keep ? java.util.List.copyOf(kept) : new ArrayLength(n);
        }
        case 10: return u64();
        case 11: return u64();
        case 12: return Double.longBitsToDouble(u64());
        default:
          throw new InvalidInputException(FILE, source + " (metadata value type " + type + ")",
              "a GGUF value type 0-12");
      }
    }
  }

  /** A metadata array too long to keep (a tokenizer's vocabulary): only its length. */
  public record ArrayLength(long length) {
    @Override
    public String toString() {
      return "[" + length + " elements]";
    }
  }
}
