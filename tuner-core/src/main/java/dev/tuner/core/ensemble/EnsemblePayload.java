package dev.tuner.core.ensemble;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.api.ModelLoadException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ensemble's payload: JSON naming, per phase, each member's provider, model id, weight and properties, with the
 * member's own payload in base64. Untrusted on load: every field is checked before a member provider sees its bytes.
 */
public final class EnsemblePayload {
  static final String FORMAT = "tuner-ensemble";
  static final int FORMAT_VERSION = 1;
  /** More members than this in one phase is not a blend anyone trained with tuner. */
  static final int MAX_MEMBERS = 16;
  private static final double WEIGHT_SUM_TOLERANCE = 1e-6;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("format_version", FORMAT_VERSION);
    root.put("phase_feature", c.phaseFeature());
    ObjectNode phases = root.putObject("phases");
    writeMembers(phases.putArray("decode"), c.decode());
    writeMembers(phases.putArray("prefill"), c.prefill());
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the ensemble payload", e);
    }
  }

  private static void writeMembers(ArrayNode out, List<StoredMember> members) {
    for (StoredMember m : members) {
      ObjectNode n = out.addObject();
      n.put("provider", m.providerId());
      n.put("provider_version", m.providerVersion());
      n.put("model_id", m.modelId());
      n.put("weight", m.weight());
      ObjectNode props = n.putObject("properties");
      new TreeMap<>(m.properties()).forEach(props::put);
      n.put("payload", Base64.getEncoder().encodeToString(m.payload()));
    }
  }

  /** Parses and validates {@code bytes}; {@code source} names them in errors. */
  public static Contents read(byte[] bytes, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new ModelLoadException("ensemble payload of " + source + " is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ModelLoadException("ensemble payload of " + source + " is not a JSON object");
    }
    if (!FORMAT.equals(text(root, "format", source))) {
      throw new ModelLoadException("ensemble payload of " + source + ": format is \"" + text(root, "format", source)
          + "\", expected \"" + FORMAT + "\"");
    }
    JsonNode version = root.get("format_version");
    if (version == null || !version.isInt() || version.intValue() != FORMAT_VERSION) {
      throw new ModelLoadException("ensemble payload of " + source + ": format_version is " + version
          + ", this tuner reads " + FORMAT_VERSION);
    }
    String phaseFeature = text(root, "phase_feature", source);
    JsonNode phases = root.get("phases");
    if (phases == null || !phases.isObject()) {
      throw new ModelLoadException("ensemble payload of " + source + " has no \"phases\" object");
    }
    return new Contents(phaseFeature, members(phases, "decode", source), members(phases, "prefill", source));
  }

  private static List<StoredMember> members(JsonNode phases, String phase, String source) {
    JsonNode list = phases.get(phase);
    String where = "ensemble payload of " + source + ", phase " + phase;
    if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_MEMBERS) {
      throw new ModelLoadException(where + ": needs a list of 1 to " + MAX_MEMBERS + " members");
    }
    List<StoredMember> out = new ArrayList<>();
    double sum = 0;
    for (int i = 0; i < list.size(); i++) {
      JsonNode n = list.get(i);
      String at = where + ", member " + (i + 1);
      if (!n.isObject()) {
        throw new ModelLoadException(at + " is not a JSON object");
      }
      JsonNode w = n.get("weight");
      if (w == null || !w.isNumber() || !Double.isFinite(w.doubleValue()) || w.doubleValue() < 0
          || w.doubleValue() > 1) {
        throw new ModelLoadException(at + ": weight is " + w + ", allowed: a number in [0, 1]");
      }
      Map<String, String> properties = new TreeMap<>();
      JsonNode props = n.get("properties");
      if (props == null || !props.isObject()) {
        throw new ModelLoadException(at + " has no \"properties\" object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw new ModelLoadException(at + ": property " + e.getKey() + " is not text");
        }
        properties.put(e.getKey(), e.getValue().textValue());
      }
      byte[] payload;
      try {
        payload = Base64.getDecoder().decode(text(n, "payload", at));
      } catch (IllegalArgumentException e) {
        throw new ModelLoadException(at + ": payload is not base64: " + e.getMessage());
      }
      sum += w.doubleValue();
      out.add(new StoredMember(text(n, "provider", at), text(n, "provider_version", at), text(n, "model_id", at),
          w.doubleValue(), properties, payload));
    }
    if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
      throw new ModelLoadException(where + ": weights sum to " + sum + ", they must sum to 1");
    }
    return out;
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
      throw new ModelLoadException(where + ": \"" + field + "\" must be non-empty text");
    }
    return v.textValue();
  }
}
