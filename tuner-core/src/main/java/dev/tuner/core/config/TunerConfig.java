package dev.tuner.core.config;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.NativeLogLevel;
import dev.tuner.api.OutputKind;
import dev.tuner.core.predict.RooflineOnlyModel;
import dev.tuner.core.schema.FeatureSchemas;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How to build the prediction pipeline. {@code model}: the provider id to use (its built-in model, or checked
 * against the artifact's provider), or {@link #ROOFLINE_ONLY} for the roofline-only predictor. {@code artifact}: a
 * model file path, {@code classpath:RESOURCE}, or {@code default} for the default model (artifact
 * dev.tuner:tuner-default-model). {@code schema}: the schema for the fallback and for
 * built-in models. {@code intervalLevel}: nominal coverage of prediction intervals. {@code pluginDir}: extra plugin
 * jars. {@code foreignSchema}/{@code foreignOutputKind}: what to assume for a foreign model file that does not
 * describe itself. {@code onnxThreads}: native threads per foreign model. The fallback efficiencies are the
 * roofline-only predictor's fractions of the roofline. {@code catalogs}: the user's catalog files, layered over the
 * shipped catalog in order (see {@code UserCatalogs}). {@code onnxLogLevel}: the least severe message ONNX Runtime
 * may print on stderr itself (fatal, silent, by default; the command line's {@code --debug} asks for info).
 */
public record TunerConfig(
    Optional<String> model,
    Optional<String> artifact,
    String schema,
    double intervalLevel,
    Optional<Path> pluginDir,
    Optional<String> foreignSchema,
    Optional<OutputKind> foreignOutputKind,
    int onnxThreads,
    double fallbackDecodeEfficiency,
    double fallbackPrefillEfficiency,
    List<Path> catalogs,
    NativeLogLevel onnxLogLevel) {

  public static final String DEFAULT_ARTIFACT = "default";
  /** The {@code model} that chooses the roofline-only predictor: fixed fractions of the roofline, no trained model. */
  public static final String ROOFLINE_ONLY = "roofline-only";
  /** Class-path location of the default model, the one resource of the artifact dev.tuner:tuner-default-model. */
  public static final String DEFAULT_MODEL_RESOURCE = "dev/tuner/model/default-model.json";

  public TunerConfig {
    catalogs = List.copyOf(catalogs);
    java.util.Objects.requireNonNull(onnxLogLevel, "onnxLogLevel");
    model.ifPresent(m -> {
      if (m.isBlank()) {
        throw new InvalidInputException("tuner.model", "\"\"", "a provider id such as forest or linear");
      }
    });
    FeatureSchemas.byId(schema);
    InvalidInputException.requireInRange("tuner.interval.level", intervalLevel, 0.5, 0.99, "");
    InvalidInputException.requireInRange("tuner.onnx.threads", onnxThreads, 0, 256, "threads");
    InvalidInputException.requireInRange("tuner.fallback.decode_efficiency", fallbackDecodeEfficiency, 0.001, 1,
        "of the roofline");
    InvalidInputException.requireInRange("tuner.fallback.prefill_efficiency", fallbackPrefillEfficiency, 0.001, 1,
        "of the roofline");
  }

  /** ONNX Runtime silent: it prints nothing below {@link NativeLogLevel#FATAL}. */
  public TunerConfig(Optional<String> model, Optional<String> artifact, String schema, double intervalLevel,
      Optional<Path> pluginDir, Optional<String> foreignSchema, Optional<OutputKind> foreignOutputKind, int onnxThreads,
      double fallbackDecodeEfficiency, double fallbackPrefillEfficiency, List<Path> catalogs) {
    this(model, artifact, schema, intervalLevel, pluginDir, foreignSchema, foreignOutputKind, onnxThreads,
        fallbackDecodeEfficiency, fallbackPrefillEfficiency, catalogs, NativeLogLevel.FATAL);
  }

  /** Without user catalogs: the shipped catalog alone. */
  public TunerConfig(Optional<String> model, Optional<String> artifact, String schema, double intervalLevel,
      Optional<Path> pluginDir, Optional<String> foreignSchema, Optional<OutputKind> foreignOutputKind, int onnxThreads,
      double fallbackDecodeEfficiency, double fallbackPrefillEfficiency) {
    this(model, artifact, schema, intervalLevel, pluginDir, foreignSchema, foreignOutputKind, onnxThreads,
        fallbackDecodeEfficiency, fallbackPrefillEfficiency, List.of());
  }

  public static TunerConfig defaults() {
    return new TunerConfig(Optional.empty(), Optional.empty(), FeatureSchemas.TUNER_V1, 0.9, Optional.empty(),
        Optional.empty(), Optional.empty(), 1, RooflineOnlyModel.SHIPPED_DECODE_EFFICIENCY,
        RooflineOnlyModel.SHIPPED_PREFILL_EFFICIENCY);
  }

  public TunerConfig withModel(String id) {
    return new TunerConfig(Optional.of(id), artifact, schema, intervalLevel, pluginDir, foreignSchema,
        foreignOutputKind, onnxThreads, fallbackDecodeEfficiency, fallbackPrefillEfficiency, catalogs, onnxLogLevel);
  }

  public TunerConfig withArtifact(String location) {
    return new TunerConfig(model, Optional.of(location), schema, intervalLevel, pluginDir, foreignSchema,
        foreignOutputKind, onnxThreads, fallbackDecodeEfficiency, fallbackPrefillEfficiency, catalogs, onnxLogLevel);
  }

  public TunerConfig withIntervalLevel(double level) {
    return new TunerConfig(model, artifact, schema, level, pluginDir, foreignSchema, foreignOutputKind, onnxThreads,
        fallbackDecodeEfficiency, fallbackPrefillEfficiency, catalogs, onnxLogLevel);
  }

  public TunerConfig withPluginDir(Path dir) {
    return new TunerConfig(model, artifact, schema, intervalLevel, Optional.of(dir), foreignSchema,
        foreignOutputKind, onnxThreads, fallbackDecodeEfficiency, fallbackPrefillEfficiency, catalogs, onnxLogLevel);
  }
}
