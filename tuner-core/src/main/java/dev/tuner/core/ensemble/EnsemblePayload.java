package dev.tuner.core.ensemble;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.tuner.api.ModelLoadException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ensemble's payload: a 4-byte big-endian length, that many bytes of JSON naming, per phase, each member's
 * provider, model id, weight, properties and payload size, then the members' own payloads back to back in the same
 * order. Raw bytes rather than base64 inside the JSON: the artifact already base64-encodes this payload, and the
 * embedded default model is an ensemble, so a second encoding would cost every command start-up time and a third
 * more size. The JSON is read with Jackson's streaming API only (an object mapper's class loading would cost
 * start-up time too). Untrusted on load: every field and size is checked before a member provider sees its bytes.
 */
public final class EnsemblePayload {
  static final String FORMAT = "tuner-ensemble";
  static final int FORMAT_VERSION = 1;
  /** More members than this in one phase is not a blend anyone trained with tuner. */
  public static final int MAX_MEMBERS = 16;
  private static final double WEIGHT_SUM_TOLERANCE = 1e-6;
  /** Deep enough for the payload's shape, and nothing a member payload needs more of than its own size. */
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(64)
          .maxStringLength(Integer.MAX_VALUE).build())
      .build();

  private EnsemblePayload() {}

  /** One member as stored. */
  public record StoredMember(String providerId, String providerVersion, String modelId, double weight,
      Map<String, String> properties, byte[] payload) {
    public StoredMember {
      properties = Map.copyOf(properties);
    }
  }

  /** The payload's contents: the name of the phase flag feature and the members of each phase. */
  public record Contents(String phaseFeature, List<StoredMember> decode, List<StoredMember> prefill) {
    public Contents {
      decode = List.copyOf(decode);
      prefill = List.copyOf(prefill);
    }
  }

  public static byte[] write(Contents c) {
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(json)) {
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      g.writeNumberField("format_version", FORMAT_VERSION);
      g.writeStringField("phase_feature", c.phaseFeature());
      g.writeObjectFieldStart("phases");
      writeMembers(g, "decode", c.decode());
      writeMembers(g, "prefill", c.prefill());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ensemble payload", e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ByteBuffer.allocate(4).putInt(json.size()).array());
    out.writeBytes(json.toByteArray());
    for (List<StoredMember> phase : List.of(c.decode(), c.prefill())) {
      for (StoredMember m : phase) {
        out.writeBytes(m.payload());
      }
    }
    return out.toByteArray();
  }

  private static void writeMembers(JsonGenerator g, String phase, List<StoredMember> members) throws IOException {
    g.writeArrayFieldStart(phase);
    for (StoredMember m : members) {
      g.writeStartObject();
      g.writeStringField("provider", m.providerId());
      g.writeStringField("provider_version", m.providerVersion());
      g.writeStringField("model_id", m.modelId());
      g.writeNumberField("weight", m.weight());
      g.writeObjectFieldStart("properties");
      for (Map.Entry<String, String> e : new TreeMap<>(m.properties()).entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("payload_bytes", m.payload().length);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** Parses and validates {@code bytes}; {@code source} names them in errors. */
  public static Contents read(byte[] bytes, String source) {
    if (bytes.length < 4) {
      throw new ModelLoadException("ensemble payload of " + source + " has " + bytes.length
          + " bytes, fewer than its 4-byte header length");
    }
    int jsonLength = ByteBuffer.wrap(bytes).getInt();
    if (jsonLength < 2 || jsonLength > bytes.length - 4) {
      throw new ModelLoadException("ensemble payload of " + source + " declares " + jsonLength
          + " bytes of header, allowed: 2 to " + (bytes.length - 4) + " (what follows the length)");
    }
    Object parsed;
    try (JsonParser p = JSON.createParser(bytes, 4, jsonLength)) {
      JsonToken first = p.nextToken();
      parsed = value(p, first);
      if (p.nextToken() != null) {
        throw new ModelLoadException("ensemble payload of " + source + " has content after its JSON object");
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ModelLoadException m) {
        throw m;
      }
      throw new ModelLoadException("ensemble payload of " + source + " is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> root)) {
      throw new ModelLoadException("ensemble payload of " + source + " is not a JSON object");
    }
    String format = text(root, "format", "ensemble payload of " + source);
    if (!FORMAT.equals(format)) {
      throw new ModelLoadException("ensemble payload of " + source + ": format is \"" + format + "\", expected \""
          + FORMAT + "\"");
    }
    Object version = root.get("format_version");
    if (!(version instanceof Long v) || v != FORMAT_VERSION) {
      throw new ModelLoadException("ensemble payload of " + source + ": format_version is " + version
          + ", this tuner reads " + FORMAT_VERSION);
    }
    String phaseFeature = text(root, "phase_feature", "ensemble payload of " + source);
    if (!(root.get("phases") instanceof Map<?, ?> phases)) {
      throw new ModelLoadException("ensemble payload of " + source + " has no \"phases\" object");
    }
    int[] next = {4 + jsonLength};
    List<StoredMember> decode = members(phases, "decode", source, bytes, next);
    List<StoredMember> prefill = members(phases, "prefill", source, bytes, next);
    if (next[0] != bytes.length) {
      throw new ModelLoadException("ensemble payload of " + source + ": its members' payloads take "
          + (next[0] - 4 - jsonLength) + " bytes but " + (bytes.length - 4 - jsonLength) + " follow the header");
    }
    return new Contents(phaseFeature, decode, prefill);
  }

  /**
   * The JSON value starting at {@code token} as plain Java values: objects as maps, arrays as lists, strings,
   * integers as {@link Long}, other numbers as {@link Double}, {@code null} and booleans as themselves.
   */
  private static Object value(JsonParser p, JsonToken token) throws IOException {
    if (token == null) {
      throw new IOException("no JSON value");
    }
    switch (token) {
      case START_OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
          String name = p.currentName();
          if (map.put(name, value(p, p.nextToken())) != null) {
            throw new IOException("field \"" + name + "\" appears twice");
          }
        }
        return map;
      }
      case START_ARRAY: {
        List<Object> list = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          list.add(value(p, t));
        }
        return list;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected " + token);
    }
  }

  /** The members of one phase; their payloads are read from {@code bytes} at {@code next[0]}, which advances. */
  private static List<StoredMember> members(Map<?, ?> phases, String phase, String source, byte[] bytes,
      int[] next) {
    String where = "ensemble payload of " + source + ", phase " + phase;
    if (!(phases.get(phase) instanceof List<?> list) || list.isEmpty() || list.size() > MAX_MEMBERS) {
      throw new ModelLoadException(where + ": needs a list of 1 to " + MAX_MEMBERS + " members");
    }
    List<StoredMember> out = new ArrayList<>();
    double sum = 0;
    for (int i = 0; i < list.size(); i++) {
      String at = where + ", member " + (i + 1);
      if (!(list.get(i) instanceof Map<?, ?> n)) {
        throw new ModelLoadException(at + " is not a JSON object");
      }
      Object w = n.get("weight");
      double weight = w instanceof Number number ? number.doubleValue() : Double.NaN;
      if (!(weight >= 0 && weight <= 1)) {
        throw new ModelLoadException(at + ": weight is " + w + ", allowed: a number in [0, 1]");
      }
      if (!(n.get("properties") instanceof Map<?, ?> props)) {
        throw new ModelLoadException(at + " has no \"properties\" object");
      }
      Map<String, String> properties = new TreeMap<>();
      for (Map.Entry<?, ?> e : props.entrySet()) {
        if (!(e.getValue() instanceof String value)) {
          throw new ModelLoadException(at + ": property " + e.getKey() + " is not text");
        }
        properties.put((String) e.getKey(), value);
      }
      Object size = n.get("payload_bytes");
      if (!(size instanceof Long length) || length < 1 || length > bytes.length - next[0]) {
        throw new ModelLoadException(at + ": payload_bytes is " + size + ", allowed: 1 to " + (bytes.length - next[0])
            + " (the bytes left)");
      }
      byte[] payload = java.util.Arrays.copyOfRange(bytes, next[0], next[0] + length.intValue());
      next[0] += length.intValue();
      sum += weight;
      out.add(new StoredMember(text(n, "provider", at), text(n, "provider_version", at), text(n, "model_id", at),
          weight, properties, payload));
    }
    if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
      throw new ModelLoadException(where + ": weights sum to " + sum + ", they must sum to 1");
    }
    return out;
  }

  private static String text(Map<?, ?> node, String field, String where) {
    if (!(node.get(field) instanceof String v) || v.isEmpty()) {
      throw new ModelLoadException(where + ": \"" + field + "\" must be non-empty text");
    }
    return v;
  }
}
