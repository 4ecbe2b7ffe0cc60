package dev.tuner.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.NativeLogLevel;
import dev.tuner.api.OutputKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Builds a {@link TunerConfig} from layers, later ones winning: built-in defaults, then a configuration file (YAML
 * {@code .yaml/.yml} with nested or dotted keys, or Java {@code .properties}), then system properties named
 * {@code tuner.*}, then explicit overrides from code or the command line. Keys (with or without the {@code tuner.}
 * prefix in files): {@value #KEYS}. An unknown key is an error, so a typo never passes silently.
 */
public final class ConfigLoader {
  static final String KEYS = "model, artifact, schema, interval.level, plugins.dir, foreign.schema, "
      + "foreign.output_kind, onnx.threads, onnx.log_level, fallback.decode_efficiency, fallback.prefill_efficiency, "
      + "catalogs";
  private static final List<String> KNOWN = List.of(KEYS.split(", "));
  private static final long MAX_FILE_BYTES = 1 << 20;

  private ConfigLoader() {}

  public static TunerConfig load(Optional<Path> file, Properties system, Map<String, String> overrides) {
    Map<String, String> values = new LinkedHashMap<>();
    file.ifPresent(f -> values.putAll(readFile(f)));
    for (String name : system.stringPropertyNames()) {
      if (name.startsWith("tuner.")) {
        values.put(check(name.substring("tuner.".length()), "system property " + name), system.getProperty(name));
      }
    }
    overrides.forEach((k, v) -> values.put(check(strip(k), "override " + k), v));
    return build(values);
  }

  /** Flat keys (without the {@code tuner.} prefix) from a YAML or properties file. */
  public static Map<String, String> readFile(Path f) {
    try {
      if (!Files.isRegularFile(f)) {
        throw new InvalidInputException("config file", f.toString(), "an existing file");
      }
      if (Files.size(f) > MAX_FILE_BYTES) {
        throw new InvalidInputException("config file", f + " (" + Files.size(f) + " bytes)", "at most 1 MiB");
      }
      Map<String, String> out = new LinkedHashMap<>();
      String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".properties")) {
        Properties p = new OnceOnly(f);
        try (InputStream in = Files.newInputStream(f)) {
          p.load(in);
        } catch (IllegalArgumentException e) {
          // Properties.load reports a malformed unicode escape (a backslash-u not followed by four hex digits) this
          // way, not as an IOException
          throw new InvalidInputException("config file", f + " (" + e.getMessage() + ")",
              "a well-formed .properties file");
        }
        for (String k : p.stringPropertyNames()) {
          putOnce(out, check(strip(k), f + ": key " + k), p.getProperty(k).trim(), f + ": key " + k);
        }
      } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        // a key written twice in one mapping is an error, not "the last one wins"
        JsonNode root = new ObjectMapper(YAMLFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .readTree(f.toFile());
        // an empty or comment-only file sets nothing; Jackson reads it as a missing node, not as null
        if (root != null && !root.isNull() && !root.isMissingNode()) {
          if (!root.isObject()) {
            throw new InvalidInputException("config file " + f, root.getNodeType().toString(), "a YAML mapping");
          }
          flatten("", root, out, f);
        }
      } else {
        throw new InvalidInputException("config file", f.toString(), "a .yaml, .yml or .properties file");
      }
      return out;
    } catch (IOException e) {
      throw new InvalidInputException("config file", f + " (" + e.getMessage().split("\n")[0] + ")",
          "a readable, well-formed file");
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path f) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      var e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().isObject()) {
        flatten(key, e.getValue(), out, f);
      } else if (e.getValue().isValueNode()) {
        putOnce(out, check(strip(key), f + ": key " + key), e.getValue().asText(), f + ": key " + key);
      } else {
        throw new InvalidInputException(f + ": key " + key, e.getValue().getNodeType().toString(),
            "a single value");
      }
    }
  }

  /** One key set twice in one file (nested and dotted, or with and without the tuner. prefix) is an error. */
  private static void putOnce(Map<String, String> out, String key, String value, String where) {
    String before = out.putIfAbsent(key, value);
    if (before != null) {
      throw new InvalidInputException(where, "a second value for " + key + " (\"" + value + "\" after \"" + before
          + "\")", "each key once per file");
    }
  }

  /** Properties that refuse a key written twice, which {@link Properties#load} would otherwise let the last win. */
  private static final class OnceOnly extends Properties {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    OnceOnly(Path file) {
      this.file = file;
    }

    @Override
    public synchronized Object put(Object key, Object value) {
      if (containsKey(key)) {
        throw new InvalidInputException(file + ": key " + key, "a second value \"" + value + "\"",
            "each key once per file");
      }
      return super.put(key, value);
    }
  }

  private static String strip(String key) {
    return key.startsWith("tuner.") ? key.substring("tuner.".length()) : key;
  }

  private static String check(String key, String where) {
    if (!KNOWN.contains(key)) {
      throw new InvalidInputException(where, "unknown key " + key, "one of " + KEYS);
    }
    return key;
  }

  static TunerConfig build(Map<String, String> v) {
    TunerConfig d = TunerConfig.defaults();
    return new TunerConfig(
        text(v, "model").or(d::model),
        text(v, "artifact").map(ConfigLoader::artifact).or(d::artifact),
        text(v, "schema").orElse(d.schema()),
        number(v, "interval.level").orElse(d.intervalLevel()),
        text(v, "plugins.dir").map(ConfigLoader::pluginDir).or(d::pluginDir),
        text(v, "foreign.schema").or(d::foreignSchema),
        text(v, "foreign.output_kind").map(OutputKind::fromId).or(d::foreignOutputKind),
        number(v, "onnx.threads").map(x -> {
          if (x != Math.rint(x)) {
            throw new InvalidInputException("tuner.onnx.threads", x, "a whole number");
          }
          return (int) (double) x;
        }).orElse(d.onnxThreads()),
        number(v, "fallback.decode_efficiency").orElse(d.fallbackDecodeEfficiency()),
        number(v, "fallback.prefill_efficiency").orElse(d.fallbackPrefillEfficiency()),
        text(v, "catalogs").map(ConfigLoader::catalogs).orElse(d.catalogs()),
        text(v, "onnx.log_level").map(x -> NativeLogLevel.fromId("tuner.onnx.log_level", x))
            .orElse(d.onnxLogLevel()));
  }

  /**
   * Path.of throws InvalidPathException (unchecked) for text no file system accepts, such as a NUL character; left
   * unchecked here, it would escape from the loader or, for the artifact, later from TunerModule.
   */
  private static Path path(String key, String value, String allowed) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new InvalidInputException("tuner." + key, "\"" + value + "\"", allowed + " (" + e.getReason() + ")");
    }
  }

  /** Comma-separated catalog files, in the order they are layered. */
  private static List<Path> catalogs(String files) {
    List<Path> out = new java.util.ArrayList<>();
    for (String f : files.split(",")) {
      if (f.isBlank()) {
        throw new InvalidInputException("tuner.catalogs", "\"" + files + "\"", "comma-separated file paths, none empty");
      }
      out.add(path("catalogs", f.trim(), "a catalog file path"));
    }
    return out;
  }

  private static Path pluginDir(String dir) {
    return path("plugins.dir", dir, "a directory path");
  }

  private static String artifact(String location) {
    if (!location.equals(TunerConfig.DEFAULT_ARTIFACT) && !location.startsWith("classpath:")) {
      path("artifact", location, "a model file path, classpath:RESOURCE or " + TunerConfig.DEFAULT_ARTIFACT);
    }
    return location;
  }

  private static Optional<String> text(Map<String, String> v, String key) {
    String s = v.get(key);
    if (s != null && s.isBlank()) {
      // an empty value would otherwise fall back to the default without a word
      throw new InvalidInputException("tuner." + key, "\"" + s + "\"", "a value (leave the key out for the default)");
    }
    return s == null ? Optional.empty() : Optional.of(s.trim());
  }

  private static Optional<Double> number(Map<String, String> v, String key) {
    return text(v, key).map(s -> {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        throw new InvalidInputException("tuner." + key, "\"" + s + "\"", "a number");
      }
    });
  }
}
