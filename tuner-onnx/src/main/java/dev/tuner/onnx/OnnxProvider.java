package dev.tuner.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.NativeLogLevel;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import dev.tuner.api.TunerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs ONNX regressors through ONNX Runtime: {@code .onnx} files given directly, and ONNX bytes wrapped as the
 * payload of a tuner artifact. Constructing it is cheap; the native runtime starts with the first model.
 *
 * <p>ONNX Runtime prints its own log on stderr from native code, where no Java caller can catch it; its default
 * level (warning) lets it talk through a command's output. The runtime therefore starts at the level of the first
 * foreign file's {@link ForeignModelOptions#nativeLogLevel()} ({@link NativeLogLevel#FATAL}, silent, by default, and
 * for artifact payloads, which carry no options), and every session logs at the same level. ONNX Runtime's
 * environment is one per process and keeps the level it was first created with: a later model asking for another
 * level runs at the first one's, and ONNX Runtime's Java binding then notes the mismatch through
 * {@code java.util.logging}.
 */
public final class OnnxProvider implements ModelProvider {
  public static final String ID = "onnx";
  public static final String VERSION = "0.1.0";
  /** Files above this size are refused before they are read. */
  public static final long DEFAULT_MAX_MODEL_BYTES = 512L * 1024 * 1024;
  static final int MAX_FEATURES = 4096;
  /** The stack of the thread that starts ONNX Runtime, plus {@link #START_STACK_BYTES_PER_CHAR} per command-line character. */
  static final long START_STACK_BYTES = 16L * 1024 * 1024;
  static final long START_STACK_BYTES_PER_CHAR = 512;
  /** ONNX Runtime's log prefixes its lines with this name, e.g. {@code [I:onnxruntime:tuner, ...]}. */
  static final String ENVIRONMENT_NAME = "tuner";

  private static final String INPUT_SHAPE_HINT = "tuner feeds one float tensor of shape [N, width]";
  private static final String OUTPUT_SHAPE_HINT = "tuner needs one float output with one value per row, [N, 1] or [N]";

  private final long maxModelBytes;
  private OrtEnvironment environment;
  /** The level the runtime was started at by this provider: sessions log at it too. */
  private OrtLoggingLevel logLevel;

  public OnnxProvider() {
    this(DEFAULT_MAX_MODEL_BYTES);
  }

  /** A provider that refuses models larger than {@code maxModelBytes}, at most {@link #DEFAULT_MAX_MODEL_BYTES}. */
  public OnnxProvider(long maxModelBytes) {
    if (maxModelBytes < 1 || maxModelBytes > DEFAULT_MAX_MODEL_BYTES) {
      throw new InvalidInputException(
          "maxModelBytes", Long.toString(maxModelBytes), "[1, " + DEFAULT_MAX_MODEL_BYTES + "] bytes");
    }
    this.maxModelBytes = maxModelBytes;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public String requiredApiVersion() {
    return TunerApi.VERSION;
  }

  @Override
  public String description() {
    return "any ONNX regressor with one float input [N, width] and one output, run by ONNX Runtime";
  }

  @Override
  public boolean opensForeignFile(Path file) {
    Path name = file.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
  }

  @Override
  public ThroughputModel openForeignFile(Path file, ForeignModelOptions options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    byte[] bytes = readModelFile(file);
    String source = file.toString();
    // External data files resolve next to the model, as when ONNX Runtime opens the file by path.
    Path dataDir = file.toAbsolutePath().getParent();
    return open(bytes, source, options.threads(), options.nativeLogLevel(), dataDir,
        (declared, width) -> foreignInfo(file, declared, width, options));
  }

  /** The payload bytes are an ONNX model; the artifact's info is authoritative and must agree with the file's. */
  @Override
  public ThroughputModel load(ModelPayload payload) {
    ModelInfo info = payload.info();
    String source = "ONNX payload of model " + info.modelId();
    checkSize(source, payload.size());
    // An artifact carries no side files. Bytes alone would resolve external data against the working directory,
    // so point it at a directory that does not exist: any external reference then fails to load.
    Path noDataDir = Path.of(System.getProperty("java.io.tmpdir"), "tuner-onnx-no-external-data-" + UUID.randomUUID());
    return open(payload.bytes(), source, 1, NativeLogLevel.FATAL, noDataDir,
        (declared, width) -> payloadInfo(source, info, declared, width));
  }

  /** Whether the native runtime has been started; discovery must leave it stopped. */
  synchronized boolean runtimeStarted() {
    return environment != null;
  }

  private ThroughputModel open(
      byte[] bytes,
      String source,
      int threads,
      NativeLogLevel level,
      Path externalDataDir,
      BiFunction<OnnxMetadata.Declared, OptionalInt, ModelInfo> describe) {
    OrtEnvironment env = environment(level);
    OrtSession session = createSession(env, bytes, source, threads, sessionLogLevel(), externalDataDir);
    try {
      Signature signature = Signature.of(session, source);
      var declared = OnnxMetadata.Declared.parse(source, session.getMetadata().getCustomMetadata());
      ModelInfo info = describe.apply(declared, signature.width());
      return new OnnxModel(env, session, info, signature.input(), signature.singleRow());
    } catch (OrtException e) {
      closeQuietly(session, e);
      throw new ModelLoadException("cannot read ONNX model " + source + ": ONNX Runtime says: " + e.getMessage(), e);
    } catch (TunerException e) {
      closeQuietly(session, e);
      throw e;
    } catch (RuntimeException e) {
      closeQuietly(session, e);
      throw new ModelLoadException("cannot read ONNX model " + source + ": " + e, e);
    }
  }

  private synchronized OrtEnvironment environment(NativeLogLevel level) {
    if (environment == null) {
      OrtLoggingLevel ort = ortLevel(level);
      environment = startRuntime(ort);
      logLevel = ort;
    }
    return environment;
  }

  /**
   * Starts ONNX Runtime's environment on a thread of its own. ONNX Runtime 1.29 reads the process's command line when
   * its environment starts and uses stack in proportion to its length, about 250 bytes per character: on a default
   * 1 MB thread stack a command line above about 3 800 characters (a long class path, as build tools and cluster
   * launchers write) kills the JVM with SIGSEGV, without a word. The starting thread's stack therefore grows with the
   * command line, at twice that rate.
   */
  private static OrtEnvironment startRuntime(OrtLoggingLevel level) {
    long stackBytes = START_STACK_BYTES + START_STACK_BYTES_PER_CHAR * commandLineLength();
    Object[] outcome = new Object[1];
    Thread starter = new Thread(null, () -> {
      // everything the thread meets is handed to the caller, who reports it
      try {
        outcome[0] = OrtEnvironment.getEnvironment(level, ENVIRONMENT_NAME);
      } catch (Throwable e) {
        outcome[0] = e;
      }
    }, "tuner-onnx-runtime-start", stackBytes);
    try {
      starter.start();
      starter.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelLoadException("interrupted while ONNX Runtime was starting", e);
    } catch (OutOfMemoryError e) {
      throw new ModelLoadException("ONNX Runtime cannot start: no thread with a stack of " + stackBytes
          + " bytes (for a command line of " + commandLineLength() + " characters) can be created: " + e, e);
    }
    if (outcome[0] instanceof OrtEnvironment env) {
      return env;
    }
    Throwable e = (Throwable) outcome[0];
    throw new ModelLoadException("ONNX Runtime cannot start on " + System.getProperty("os.name") + "/"
        + System.getProperty("os.arch") + ": " + e, e);
  }

  private static int commandLineLength() {
    return ProcessHandle.current().info().commandLine().map(String::length).orElse(0);
  }

  private synchronized OrtLoggingLevel sessionLogLevel() {
    return logLevel;
  }

  static OrtLoggingLevel ortLevel(NativeLogLevel level) {
    return switch (level) {
      case VERBOSE -> OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE;
      case INFO -> OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO;
      case WARNING -> OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING;
      case ERROR -> OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
      case FATAL -> OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
    };
  }

  private static OrtSession createSession(OrtEnvironment env, byte[] bytes, String source, int threads,
      OrtLoggingLevel logLevel, Path externalDataDir) {
    try (var options = new OrtSession.SessionOptions()) {
      options.setSessionLogLevel(logLevel);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setInterOpNumThreads(1);
      if (threads > 0) {
        options.setIntraOpNumThreads(threads);
      }
      // An embedded model must not burn a core busy-waiting between predictions.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.addConfigEntry("session.inter_op.allow_spinning", "0");
      options.addConfigEntry("session.model_external_initializers_file_folder_path", externalDataDir.toString());
      return env.createSession(bytes, options);
    } catch (OrtException e) {
      throw new ModelLoadException("cannot load ONNX model " + source + ": ONNX Runtime says: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new ModelLoadException("cannot load ONNX model " + source + ": " + e, e);
    }
  }

  private static void closeQuietly(OrtSession session, Exception primary) {
    try {
      session.close();
    } catch (OrtException | RuntimeException e) {
      primary.addSuppressed(e);
    }
  }

  private byte[] readModelFile(Path file) {
    if (Files.isDirectory(file)) {
      throw new ModelLoadException(file + " is a directory, not an ONNX model file");
    }
    if (!Files.exists(file)) {
      throw new ModelLoadException("ONNX model file " + file + " does not exist");
    }
    // A FIFO or device would block or never end; only a regular file has a size to check.
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(file + " is not a regular file; expected an ONNX model file");
    }
    try {
      checkSize("ONNX model file " + file, Files.size(file));
      byte[] bytes;
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes((int) maxModelBytes + 1);
      }
      checkSize("ONNX model file " + file, bytes.length);
      return bytes;
    } catch (IOException e) {
      throw new ModelLoadException("cannot read ONNX model file " + file + ": " + e, e);
    }
  }

  private void checkSize(String what, long size) {
    if (size == 0) {
      throw new ModelLoadException(what + " is empty (0 bytes); expected an ONNX model");
    }
    if (size > maxModelBytes) {
      throw new ModelLoadException(what + " is " + describeSize(size) + ", above the limit of "
          + describeSize(maxModelBytes) + " for ONNX models");
    }
  }

  private static String describeSize(long bytes) {
    return bytes < 1024 * 1024
        ? bytes + " bytes"
        : bytes + " bytes (" + String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0)) + " MB)";
  }

  private static ModelInfo foreignInfo(
      Path file, OnnxMetadata.Declared declared, OptionalInt shapeWidth, ForeignModelOptions options) {
    String source = file.toString();
    int width = foreignWidth(source, shapeWidth, declared.featureCount());
    Optional<SchemaRef> schema = agree(source, "schema", declared.schema(), options.schema(),
        s -> s.id() + " (sha256 " + s.hash() + ")");
    Optional<OutputKind> kind = agree(source, "output kind", declared.outputKind(), options.outputKind(),
        OutputKind::id);
    if (schema.isEmpty() || kind.isEmpty()) {
      List<String> missing = new ArrayList<>();
      if (schema.isEmpty()) {
        missing.add("schema (metadata " + OnnxMetadata.SCHEMA_ID + " and " + OnnxMetadata.SCHEMA_HASH + ")");
      }
      if (kind.isEmpty()) {
        missing.add("output kind (metadata " + OnnxMetadata.OUTPUT_KIND + ")");
      }
      throw new ModelLoadException(source + " does not declare its " + String.join(" or its ", missing)
          + ", and none was given: pass them explicitly (ForeignModelOptions.schema and .outputKind) or add those"
          + " metadata_props to the file");
    }
    List<String> warnings = new ArrayList<>();
    List<String> trusted = new ArrayList<>();
    if (declared.schema().isEmpty()) {
      trusted.add("schema " + schema.get());
    }
    if (declared.outputKind().isEmpty()) {
      trusted.add("output kind " + kind.get().id());
    }
    if (!trusted.isEmpty()) {
      warnings.add("ONNX model " + file.getFileName() + " does not describe itself; trusting the user-given "
          + String.join(" and ", trusted) + " without any check that the model was trained for them");
    }
    String modelId = declared.modelId().orElseGet(() -> stem(file));
    return new ModelInfo(modelId, ID, schema.get(), kind.get(), width, declared.properties(), warnings);
  }

  private static int foreignWidth(String source, OptionalInt shapeWidth, OptionalInt declaredWidth) {
    if (shapeWidth.isPresent()) {
      if (declaredWidth.isPresent() && declaredWidth.getAsInt() != shapeWidth.getAsInt()) {
        throw new ModelLoadException(source + ": the input shape has width " + shapeWidth.getAsInt()
            + " but metadata " + OnnxMetadata.FEATURE_COUNT + " says " + declaredWidth.getAsInt());
      }
      return shapeWidth.getAsInt();
    }
    if (declaredWidth.isEmpty()) {
      throw new ModelLoadException(source + ": the input's second dimension (the feature width) is dynamic and the"
          + " file has no metadata " + OnnxMetadata.FEATURE_COUNT + "; give the input a fixed width or add that key");
    }
    return declaredWidth.getAsInt();
  }

  private static <T> Optional<T> agree(
      String source, String what, Optional<T> declared, Optional<T> given, Function<T, String> text) {
    if (declared.isPresent() && given.isPresent() && !declared.get().equals(given.get())) {
      throw new ModelLoadException(source + " declares " + what + " " + text.apply(declared.get())
          + " but the options give " + what + " " + text.apply(given.get()) + "; drop the option or fix the file");
    }
    return declared.isPresent() ? declared : given;
  }

  private static ModelInfo payloadInfo(
      String source, ModelInfo info, OnnxMetadata.Declared declared, OptionalInt shapeWidth) {
    declared.schema().filter(s -> !s.equals(info.schema())).ifPresent(s -> {
      throw new ModelLoadException(source + ": the ONNX metadata declares schema " + s.id() + " (sha256 " + s.hash()
          + ") but the artifact declares " + info.schema().id() + " (sha256 " + info.schema().hash() + ")");
    });
    declared.outputKind().filter(k -> k != info.outputKind()).ifPresent(k -> {
      throw new ModelLoadException(source + ": the ONNX metadata declares output kind " + k.id()
          + " but the artifact declares " + info.outputKind().id());
    });
    int width = info.featureCount();
    if (shapeWidth.isPresent() && shapeWidth.getAsInt() != width) {
      throw new ModelLoadException(source + ": the ONNX input has width " + shapeWidth.getAsInt()
          + " but the artifact declares featureCount " + width);
    }
    if (declared.featureCount().isPresent() && declared.featureCount().getAsInt() != width) {
      throw new ModelLoadException(source + ": metadata " + OnnxMetadata.FEATURE_COUNT + " says "
          + declared.featureCount().getAsInt() + " but the artifact declares featureCount " + width);
    }
    return info;
  }

  private static String stem(Path file) {
    String name = file.getFileName().toString();
    return name.toLowerCase(Locale.ROOT).endsWith(".onnx") && name.length() > 5
        ? name.substring(0, name.length() - 5)
        : name;
  }

  /** The one input and output of a graph tuner can feed, checked against what tuner sends and reads. */
  private record Signature(String input, OptionalInt width, boolean singleRow) {

    static Signature of(OrtSession session, String source) throws OrtException {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      if (inputs.size() != 1) {
        throw new ModelLoadException(
            source + " has " + inputs.size() + " inputs " + inputs.keySet() + "; " + INPUT_SHAPE_HINT);
      }
      NodeInfo input = inputs.values().iterator().next();
      TensorInfo in = tensor(source, "input", input, OnnxJavaType.FLOAT, INPUT_SHAPE_HINT);
      long[] shape = in.getShape();
      if (shape.length != 2) {
        throw new ModelLoadException(source + ": input '" + input.getName() + "' has shape " + shapeText(in)
            + " (rank " + shape.length + "); " + INPUT_SHAPE_HINT);
      }
      if (shape[0] == 0 || shape[0] > 1) {
        throw new ModelLoadException(source + ": input '" + input.getName() + "' has shape " + shapeText(in)
            + "; its first dimension (rows) must be dynamic, or 1");
      }
      if (shape[1] == 0 || shape[1] > MAX_FEATURES) {
        throw new ModelLoadException(source + ": input '" + input.getName() + "' has shape " + shapeText(in)
            + "; its width must be in [1, " + MAX_FEATURES + "] features");
      }
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      if (outputs.size() != 1) {
        throw new ModelLoadException(
            source + " has " + outputs.size() + " outputs " + outputs.keySet() + "; " + OUTPUT_SHAPE_HINT);
      }
      NodeInfo output = outputs.values().iterator().next();
      TensorInfo out = tensor(source, "output", output, OnnxJavaType.FLOAT, OUTPUT_SHAPE_HINT);
      long[] outShape = out.getShape();
      boolean onePerRow = outShape.length == 1 || (outShape.length == 2 && (outShape[1] == 1 || outShape[1] < 0));
      if (!onePerRow) {
        throw new ModelLoadException(source + ": output '" + output.getName() + "' has shape " + shapeText(out)
            + "; " + OUTPUT_SHAPE_HINT);
      }
      OptionalInt width = shape[1] > 0 ? OptionalInt.of((int) shape[1]) : OptionalInt.empty();
      return new Signature(input.getName(), width, shape[0] == 1);
    }

    private static TensorInfo tensor(String source, String role, NodeInfo node, OnnxJavaType type, String hint) {
      if (!(node.getInfo() instanceof TensorInfo tensor)) {
        throw new ModelLoadException(source + ": " + role + " '" + node.getName() + "' is not a tensor but "
            + node.getInfo() + "; " + hint);
      }
      if (tensor.type != type) {
        throw new ModelLoadException(source + ": " + role + " '" + node.getName() + "' has element type "
            + tensor.type + " but must be " + type + " (float32); " + hint);
      }
      return tensor;
    }

    private static String shapeText(TensorInfo tensor) {
      long[] shape = tensor.getShape();
      String[] names = tensor.getDimensionNames();
      var parts = new ArrayList<String>();
      for (int i = 0; i < shape.length; i++) {
        boolean named = names != null && i < names.length && names[i] != null && !names[i].isEmpty();
        parts.add(shape[i] >= 0 ? Long.toString(shape[i]) : named ? names[i] : "?");
      }
      return "[" + String.join(", ", parts) + "]";
    }
  }
}
