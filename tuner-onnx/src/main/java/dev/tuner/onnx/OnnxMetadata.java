package dev.tuner.onnx;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code metadata_props} keys through which an ONNX file describes itself to tuner. Any other key starting
 * with {@link #PREFIX} is provenance: the exporter writes each {@code ModelInfo.properties()} entry {@code k} as
 * {@code tuner.k}, and the loader turns {@code tuner.k} back into the property {@code k}.
 */
public final class OnnxMetadata {
  public static final String PREFIX = "tuner.";
  public static final String SCHEMA_ID = "tuner.schema.id";
  /** Hex SHA-256 of the feature schema, 64 lower-case digits. */
  public static final String SCHEMA_HASH = "tuner.schema.hash";
  /** An {@link OutputKind#id()}, e.g. {@code log_tokens_per_s}. */
  public static final String OUTPUT_KIND = "tuner.output_kind";
  public static final String MODEL_ID = "tuner.model_id";
  /** The input width; required only when the file's input shape leaves the width dynamic. */
  public static final String FEATURE_COUNT = "tuner.feature_count";

  static final Set<String> RESERVED = Set.of(SCHEMA_ID, SCHEMA_HASH, OUTPUT_KIND, MODEL_ID, FEATURE_COUNT);

  private OnnxMetadata() {}

  /** What a file's metadata declares, each part absent when the file does not say. */
  record Declared(
      Optional<SchemaRef> schema,
      Optional<OutputKind> outputKind,
      Optional<String> modelId,
      OptionalInt featureCount,
      Map<String, String> properties) {

    /**
     * Reads the tuner keys of {@code custom} (ONNX custom metadata of the file named {@code source}).
     *
     * @throws ModelLoadException naming the key and its value when one is malformed or half of a pair is missing
     */
    static Declared parse(String source, Map<String, String> custom) {
      String id = custom.get(SCHEMA_ID);
      String hash = custom.get(SCHEMA_HASH);
      Optional<SchemaRef> schema = Optional.empty();
      if (id != null || hash != null) {
        if (id == null || hash == null) {
          String present = id == null ? SCHEMA_HASH : SCHEMA_ID;
          String absent = id == null ? SCHEMA_ID : SCHEMA_HASH;
          throw new ModelLoadException(
              source + ": metadata has " + present + " but not " + absent + "; a schema needs both its id and hash");
        }
        try {
          schema = Optional.of(new SchemaRef(id, hash));
        } catch (InvalidInputException e) {
          throw new ModelLoadException(source + ": metadata " + SCHEMA_ID + "/" + SCHEMA_HASH + " is invalid: "
              + e.getMessage(), e);
        }
      }
      Optional<OutputKind> kind = Optional.empty();
      String kindText = custom.get(OUTPUT_KIND);
      if (kindText != null) {
        try {
          kind = Optional.of(OutputKind.fromId(kindText));
        } catch (InvalidInputException e) {
          throw new ModelLoadException(source + ": metadata " + OUTPUT_KIND + " is invalid: " + e.getMessage(), e);
        }
      }
      Optional<String> modelId = Optional.ofNullable(custom.get(MODEL_ID));
      if (modelId.isPresent() && modelId.get().isBlank()) {
        throw new ModelLoadException(source + ": metadata " + MODEL_ID + " is blank; expected a model id");
      }
      OptionalInt width = OptionalInt.empty();
      String widthText = custom.get(FEATURE_COUNT);
      if (widthText != null) {
        width = OptionalInt.of(parseWidth(source, widthText));
      }
      var properties = new TreeMap<String, String>();
      custom.forEach((key, value) -> {
        if (key.startsWith(PREFIX) && key.length() > PREFIX.length() && !RESERVED.contains(key)) {
          properties.put(key.substring(PREFIX.length()), value);
        }
      });
      return new Declared(schema, kind, modelId, width, properties);
    }

    private static int parseWidth(String source, String text) {
      int width;
      try {
        width = Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        width = 0;
      }
      if (width < 1 || width > OnnxProvider.MAX_FEATURES) {
        throw new ModelLoadException(source + ": metadata " + FEATURE_COUNT + " = " + text
            + " is invalid: expected an integer in [1, " + OnnxProvider.MAX_FEATURES + "]");
      }
      return width;
    }
  }
}
