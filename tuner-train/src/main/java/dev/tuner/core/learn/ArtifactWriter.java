package dev.tuner.core.learn;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.artifact.ArtifactHeader;
import dev.tuner.core.artifact.ModelArtifact;
import dev.tuner.core.io.AtomicFiles;
import dev.tuner.core.artifact.Calibration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes model artifacts in the layout {@link ArtifactCodec} reads: the readable {@code header}, an
 * {@code integrity} block with the SHA-256 digests the reader checks (of the header's bytes as written here and
 * of the payload), and the payload in base64. Lives beside the
 * training that makes artifacts, so that the prediction runtime only reads them. Thread-safe.
 */
public final class ArtifactWriter {
  private final ObjectMapper mapper = new ObjectMapper();

  public byte[] encode(ModelArtifact artifact) {
    byte[] payload = artifact.payload();
    try {
      // indented one level, so that the header nests in the document as the rest of it does
      String header = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(headerNode(artifact.header()))
          .replace("\n", "\n  ");
      byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length * 4 / 3 + headerBytes.length + 512);
      try (JsonGenerator g = mapper.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
        g.useDefaultPrettyPrinter();
        g.writeStartObject();
        g.writeStringField("format", ArtifactCodec.FORMAT);
        g.writeNumberField("format_version", ArtifactCodec.FORMAT_VERSION);
        // the digest is of these bytes as they stand in the file, which the reader hashes without re-serialising
        g.writeFieldName("header");
        g.writeRawValue(header);
        g.writeObjectFieldStart("integrity");
        g.writeStringField("header_sha256", ArtifactCodec.sha256(headerBytes));
        g.writeStringField("payload_sha256", ArtifactCodec.sha256(payload));
        g.writeNumberField("payload_bytes", payload.length);
        g.writeEndObject();
        g.writeStringField("payload", Base64.getEncoder().encodeToString(payload));
        g.writeEndObject();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write artifact JSON", e);
    }
  }

  public void write(ModelArtifact artifact, Path target, boolean overwrite) {
    AtomicFiles.write(target, overwrite, encode(artifact));
  }

  private static ObjectNode headerNode(ArtifactHeader h) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("format_version", h.formatVersion());
    n.put("api_version", h.apiVersion());
    n.put("model_id", h.modelId());
    n.put("provider", h.providerId());
    n.put("provider_version", h.providerVersion());
    ObjectNode schema = n.putObject("schema");
    schema.put("id", h.schema().id());
    schema.put("hash", h.schema().hash());
    n.put("output_kind", h.outputKind().id());
    n.put("feature_count", h.featureCount());
    n.set("hyper_parameters", map(h.hyperParameters()));
    n.put("seed", h.seed());
    ObjectNode data = n.putObject("training_data");
    strings(data.putArray("files"), h.trainingData().files());
    data.put("sha256", h.trainingData().sha256());
    data.put("rows", h.trainingData().rows());
    strings(data.putArray("filters"), h.trainingData().filters());
    n.set("cross_validation", h.crossValidation() == null ? JsonNodeFactory.instance.nullNode() : h.crossValidation());
    Calibration c = h.calibration();
    ObjectNode cal = n.putObject("calibration");
    cal.put("method", c.method().name().toLowerCase(Locale.ROOT));
    // artifacts without device scores keep the layout from before they existed
    Calibration.Stratum seen = c.seenArchitecture();
    scores(cal, seen, seen.decodeDeviceScores().length + seen.prefillDeviceScores().length > 0);
    if (!c.spreadOffset().equals(Calibration.SpreadOffset.NONE)) {
      ObjectNode offset = cal.putObject("spread_offset");
      offset.put("decode", c.spreadOffset().decode());
      offset.put("prefill", c.spreadOffset().prefill());
    }
    floats(cal.putArray("feature_min"), c.featureMin());
    floats(cal.putArray("feature_max"), c.featureMax());
    if (!c.trainingArchitectures().isEmpty()) {
      strings(cal.putArray("training_architectures"), c.trainingArchitectures());
      scores(cal.putObject("new_architecture"), c.newArchitecture(), true);
    }
    n.set("environment", map(h.environment()));
    n.put("created", h.created());
    n.set("properties", map(h.properties()));
    return n;
  }

  private static void scores(ObjectNode n, Calibration.Stratum s, boolean devices) {
    doubles(n.putArray("decode_scores"), s.decodeScores());
    doubles(n.putArray("prefill_scores"), s.prefillScores());
    if (devices) {
      doubles(n.putArray("decode_device_scores"), s.decodeDeviceScores());
      doubles(n.putArray("prefill_device_scores"), s.prefillDeviceScores());
    }
  }

  private static ObjectNode map(Map<String, String> m) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    new TreeMap<>(m).forEach(n::put);
    return n;
  }

  private static void strings(ArrayNode a, List<String> values) {
    values.forEach(a::add);
  }

  private static void doubles(ArrayNode a, double[] values) {
    for (double v : values) {
      a.add(v);
    }
  }

  private static void floats(ArrayNode a, float[] values) {
    for (float v : values) {
      a.add(v);
    }
  }
}
