package dev.tuner.core.artifact;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.TunerApi;
import dev.tuner.core.plugin.testing.ConstantProvider;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds model artifacts for tests, and re-seals hand-edited ones so that only the edit is under test. */
public final class TestArtifacts {
  private TestArtifacts() {}

  /** A calibrated header for the test-constant provider on the default schema. */
  public static ArtifactHeader header() {
    return header(TunerApi.VERSION, ConstantProvider.ID, FeatureSchemas.tunerV1().ref(),
        FeatureSchemas.tunerV1().width());
  }

  public static ArtifactHeader header(String api, String provider, SchemaRef schema, int width) {
    float[] lo = new float[width];
    float[] hi = new float[width];
    for (int i = 0; i < width; i++) {
      lo[i] = i / (float) (3 * width);
      hi[i] = 1f - i / (float) (7 * width);
    }
    Calibration calibration = new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL,
        new double[] {0.3339, 0.0371, 0.1113, 0.2227}, new double[] {0.4441, 0.2553}, lo, hi);
    ObjectNode cv = JsonNodeFactory.instance.objectNode();
    cv.put("method", "5-fold by device");
    cv.putObject("decode").put("mape", 0.12).put("coverage", 0.91);
    return new ArtifactHeader(1, api, "test-model-1", provider, "1.0.0", schema,
        OutputKind.LOG_ROOFLINE_FRACTION, width, Map.of("lambda", "0.5", "depth", "3"), 42L,
        new ArtifactHeader.TrainingData(List.of("data/measurements.csv"), "ab".repeat(32), 700,
            List.of("E2E excluded", "SUSPECT excluded")),
        cv, calibration, Map.of("java", "17", "os", "linux"), "2025-01-01T00:00:00Z", Map.of("note", "test"));
  }

  /** The constant model's artifact: predicts {@code value} (raw) for every input. */
  public static ModelArtifact artifact(ArtifactHeader header, double value) {
    return new ModelArtifact(header, ConstantProvider.payload(value));
  }

  public static ModelArtifact artifact() {
    return artifact(header(), Math.log(0.5));
  }

  /**
   * SHA-256 of the header as {@link ArtifactCodec} checks it: of its bytes as they stand in the document (format
   * version 2), or of the compact JSON of the parsed header (version 1).
   */
  public static String headerDigest(String json) {
    try {
      byte[] document = json.getBytes(StandardCharsets.UTF_8);
      JsonNode root = new ObjectMapper().readTree(document);
      byte[] hashed = root.path("format_version").asInt() == 1
          ? new ObjectMapper().writeValueAsBytes(root.get("header"))
          : headerSpan(document);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(hashed));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The bytes of the last top-level {@code header} value, from its opening to its closing brace. */
  private static byte[] headerSpan(byte[] document) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(document)) {
      p.nextToken();
      byte[] span = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean header = p.currentName().equals("header");
        p.nextToken();
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        if (header) {
          span = Arrays.copyOfRange(document, (int) start, (int) p.currentTokenLocation().getByteOffset() + 1);
        }
      }
      if (span == null) {
        throw new IllegalStateException("no header in the document");
      }
      return span;
    }
  }

  /**
   * Applies a textual edit to an encoded artifact and then records the edited header's digest, as a forger (or
   * a buggy writer) would: the integrity check passes, so what the test sees is the codec's own validation.
   */
  public static byte[] editAndReseal(byte[] encoded, UnaryOperator<String> edit) {
    String json = edit.apply(new String(encoded, StandardCharsets.UTF_8));
    String digest = headerDigest(json);
    Matcher m = Pattern.compile("(\"header_sha256\"\\s*:\\s*\")[0-9a-f]{64}(\")").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no header_sha256 in " + json);
    }
    return m.replaceFirst("$1" + digest + "$2").getBytes(StandardCharsets.UTF_8);
  }

  /** Replaces the one occurrence of {@code from} in the text; fails when there is none or several. */
  public static String replaceOnce(String text, String from, String to) {
    int at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) {
      throw new IllegalStateException("\"" + from + "\" occurs " + (at < 0 ? "nowhere" : "more than once"));
    }
    return text.substring(0, at) + to + text.substring(at + from.length());
  }

  static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static float[] copy(float[] a) {
    return Arrays.copyOf(a, a.length);
  }
}
