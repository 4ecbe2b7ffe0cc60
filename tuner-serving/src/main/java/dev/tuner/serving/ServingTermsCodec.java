package dev.tuner.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.core.io.JsonErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * {@link ServingTerms} as a small JSON document (format {@value #FORMAT}, version {@value #VERSION}). Reading checks
 * the format, the version, every field's presence, type and range, and rejects unknown engines and metrics: a file
 * that reads is a file the predictor can use. Older versions still read: version 1 files (one overhead and one
 * bandwidth share per engine) as terms without per-sequence and per-request overheads and with the KV share equal to
 * the weights', version 2 files without a latency per collective, version 3 files with the latency per collective
 * they learned, which adds to the physical one ({@link CollectiveLatency}) that version 4 learns nothing beside, and
 * versions 2 to 4 with the latency per request they learned, which version 5 does not learn (no {@code request_s}),
 * and versions 1 to 5 without a half-width for the median inter-token latency ({@code itl_ms}, which version 6 may
 * carry): their ITL intervals take the TPOT's width ({@link ServingPredictor}).
 */
public final class ServingTermsCodec {
  public static final String FORMAT = "tuner-serving-terms";
  public static final int VERSION = 6;
  /** The largest file read: a terms file is a few kilobytes. */
  public static final long MAX_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ServingTermsCodec() {}

  public static String toJson(ServingTerms t) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("id", t.id());
    root.put("level", t.level());
    root.set("pooled", terms(t.pooled()));
    ObjectNode engines = root.putObject("engines");
    t.engines().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> engines.set(e.getKey().id(), terms(e.getValue())));
    ObjectNode widths = root.putObject("log_half_width");
    t.logHalfWidth().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> widths.put(e.getKey().id(), e.getValue()));
    ObjectNode rows = root.putObject("rows");
    t.rows().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> rows.put(e.getKey().id(), e.getValue()));
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode terms(EngineTerms e) {
    if (e.collectiveS() != 0) {
      throw new InvalidInputException("latency per collective", Double.toString(e.collectiveS()),
          "0: format version " + VERSION + " takes it from the collective library's cost model; such terms (read"
              + " from a version 3 file) cannot be written");
    }
    if (e.requestS() != 0) {
      throw new InvalidInputException("latency per request", Double.toString(e.requestS()),
          "0: format version " + VERSION + " learns none; such terms (read from a version 2 to 4 file) cannot be"
              + " written");
    }
    return json(e);
  }

  /** One engine's terms under the names a terms file gives them (`tuner predict --explain` prints them so too). */
  public static ObjectNode json(EngineTerms e) {
    return JSON.createObjectNode()
        .put("overhead_s", e.overheadS())
        .put("per_sequence_s", e.perSequenceS())
        .put("bandwidth_efficiency", e.bandwidthEff())
        .put("kv_efficiency", e.kvEff())
        .put("compute_efficiency", e.computeEff())
        .put("interconnect_efficiency", e.interconnectEff());
  }

  public static void write(ServingTerms t, Path file) {
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
      Files.writeString(tmp, toJson(t), StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write serving terms to " + file, e);
    }
  }

  public static ServingTerms read(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new ModelLoadException(file + ": " + Files.size(file) + " bytes, more than a serving-terms file holds ("
            + MAX_BYTES + ")");
      }
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new ModelLoadException("cannot read serving terms " + file + ": " + e.getMessage(), e);
    }
  }

  /** The resource of the shipped terms, trained on data/serving.csv (see tuner-serving/README.md). */
  public static final String SHIPPED = "/dev/tuner/serving/default-serving-terms.json";

  /** The shipped terms. */
  public static ServingTerms shipped() {
    InputStream in = ServingTermsCodec.class.getResourceAsStream(SHIPPED);
    if (in == null) {
      throw new ModelLoadException("the shipped serving terms " + SHIPPED + " are missing from the class path");
    }
    try (in) {
      return read(in, SHIPPED);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read " + SHIPPED + ": " + e.getMessage(), e);
    }
  }

  public static ServingTerms read(InputStream in, String source) {
    try {
      byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new ModelLoadException(source + ": more than " + MAX_BYTES + " bytes");
      }
      return parse(new String(bytes, StandardCharsets.UTF_8), source);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read serving terms " + source + ": " + e.getMessage(), e);
    }
  }

  public static ServingTerms parse(String text, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ModelLoadException(source + " is not JSON: " + JsonErrors.describe(e));
    }
    try {
      if (root == null || !root.isObject()) {
        throw new InvalidInputException(source, "not an object", "a JSON object");
      }
      if (!FORMAT.equals(text(root, "format", source))) {
        throw new InvalidInputException(source + " format", root.get("format").asText(), FORMAT);
      }
      int version = (int) number(root, "version", source);
      if (version < 1 || version > VERSION) {
        throw new InvalidInputException(source + " version", Integer.toString(version), "1 to " + VERSION);
      }
      String id = text(root, "id", source);
      double level = number(root, "level", source);
      EngineTerms pooled = terms(object(root, "pooled", source), source + " pooled", version);
      Map<EngineKind, EngineTerms> engines = new EnumMap<>(EngineKind.class);
      JsonNode e = object(root, "engines", source);
      for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        engines.put(EngineKind.parse(f.getKey()), terms(f.getValue(), source + " engines." + f.getKey(), version));
      }
      Map<Metric, Double> widths = new EnumMap<>(Metric.class);
      JsonNode w = object(root, "log_half_width", source);
      for (Iterator<Map.Entry<String, JsonNode>> it = w.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        widths.put(Metric.parse(f.getKey()), number(w, f.getKey(), source + " log_half_width"));
      }
      Map<EngineKind, Integer> rows = new EnumMap<>(EngineKind.class);
      JsonNode r = object(root, "rows", source);
      for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        double n = number(r, f.getKey(), source + " rows");
        rows.put(EngineKind.parse(f.getKey()), (int) InvalidInputException.requireInRange(
            source + " rows." + f.getKey(), n, 0, Integer.MAX_VALUE, "rows"));
      }
      return new ServingTerms(id, engines, pooled, level, widths, rows);
    } catch (InvalidInputException ex) {
      throw new ModelLoadException(source + ": " + ex.getMessage(), ex);
    }
  }

  private static EngineTerms terms(JsonNode n, String where, int version) {
    if (!n.isObject()) {
      throw new InvalidInputException(where, n.toString(), "an object of engine terms");
    }
    if (version == 1) {
      return new EngineTerms(number(n, "overhead_s", where), number(n, "bandwidth_efficiency", where),
          number(n, "compute_efficiency", where), number(n, "interconnect_efficiency", where));
    }
    return new EngineTerms(number(n, "overhead_s", where), number(n, "per_sequence_s", where),
        number(n, "bandwidth_efficiency", where), number(n, "kv_efficiency", where),
        number(n, "compute_efficiency", where), number(n, "interconnect_efficiency", where),
        version <= 4 ? number(n, "request_s", where) : 0, version == 3 ? number(n, "collective_s", where) : 0);
  }

  private static JsonNode object(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isObject()) {
      throw new InvalidInputException(where + " " + field, String.valueOf(v), "an object");
    }
    return v;
  }

  private static String text(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new InvalidInputException(where + " " + field, String.valueOf(v), "a string");
    }
    return v.asText();
  }

  private static double number(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw new InvalidInputException(where + " " + field, String.valueOf(v), "a number");
    }
    return v.asDouble();
  }
}
