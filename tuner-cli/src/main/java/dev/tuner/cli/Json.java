package dev.tuner.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.OptionalDouble;

/** JSON output built as trees, so every key is spelled out here and nothing depends on reflection. */
final class Json {
  private Json() {}

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  /** A number, or null when it is not finite (JSON has no infinity). */
  static void put(ObjectNode node, String key, double v) {
    if (Double.isFinite(v)) {
      node.put(key, v);
    } else {
      node.putNull(key);
    }
  }

  static void put(ObjectNode node, String key, OptionalDouble v) {
    if (v.isPresent()) {
      put(node, key, v.getAsDouble());
    } else {
      node.putNull(key);
    }
  }

  /** An interval under {@code key}: its level and its two ends. */
  static void put(ObjectNode node, String key, dev.tuner.api.Interval i) {
    node.putObject(key).put("level", i.level()).put("low", i.low()).put("high", i.high());
  }

  static ArrayNode strings(List<String> values) {
    ArrayNode a = array();
    values.forEach(a::add);
    return a;
  }

  static void print(PrintWriter out, Object tree) {
    try {
      out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
