package dev.tuner.core.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A record's fields as text, whatever the file format printed (JSON types, CSV strings, markdown cells), with typed
 * readers that reject the record naming the field and value. Unknown fields are simply never asked for.
 */
final class Fields {
  private final Map<String, String> values;
  private final Map<String, List<Double>> numberLists;

  private Fields(Map<String, String> values, Map<String, List<Double>> numberLists) {
    this.values = values;
    this.numberLists = numberLists;
  }

  static Fields of(Map<String, String> values) {
    Map<String, String> copy = new HashMap<>();
    values.forEach((k, v) -> {
      if (k != null && v != null && !v.isBlank()) {
        copy.put(k.trim().toLowerCase(Locale.ROOT), v.trim());
      }
    });
    return new Fields(copy, Map.of());
  }

  /** Scalars as text (booleans as true/false), arrays of numbers as lists; nulls and nested objects are left out. */
  static Fields of(ObjectNode node) {
    Map<String, String> values = new HashMap<>();
    Map<String, List<Double>> lists = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      JsonNode v = e.getValue();
      String key = e.getKey().trim().toLowerCase(Locale.ROOT);
      if (v.isValueNode() && !v.isNull()) {
        String text = v.asText().trim();
        if (!text.isEmpty()) {
          values.put(key, text);
        }
      } else if (v.isArray()) {
        List<Double> numbers = new ArrayList<>();
        boolean allNumbers = true;
        for (JsonNode item : v) {
          allNumbers &= item.isNumber();
          numbers.add(item.asDouble());
        }
        if (allNumbers && !numbers.isEmpty()) {
          lists.put(key, List.copyOf(numbers));
        }
      }
    }
    return new Fields(values, lists);
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  /** The text of {@code key}, or null when absent or blank. */
  String text(String key) {
    return values.get(key);
  }

  Optional<List<Double>> numbers(String key) {
    return Optional.ofNullable(numberLists.get(key));
  }

  /** A finite number, or null when absent. */
  Double number(String key) throws RecordRejected {
    String v = values.get(key);
    if (v == null) {
      return null;
    }
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " = \"" + v + "\": expected a number");
    }
    if (!Double.isFinite(d)) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " = " + v + ": expected a finite number");
    }
    return d;
  }

  Double positive(String key) throws RecordRejected {
    Double d = number(key);
    if (d != null && !(d > 0)) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " = " + values.get(key) + ": expected a positive number");
    }
    return d;
  }

  /** A whole number in {@code [min, max]}, or null when absent. Accepts {@code 512.0}, as Python prints counts. */
  Long integer(String key, long min, long max) throws RecordRejected {
    String v = values.get(key);
    if (v == null) {
      return null;
    }
    long n;
    try {
      n = Long.parseLong(v.endsWith(".0") ? v.substring(0, v.length() - 2) : v);
    } catch (NumberFormatException e) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " = \"" + v + "\": expected a whole number");
    }
    if (n < min || n > max) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " = " + n + ": expected a whole number in [" + min + ", "
          + max + "]");
    }
    return n;
  }

  /** true/false or 1/0, or null when absent. */
  Boolean bool(String key) throws RecordRejected {
    String v = values.get(key);
    if (v == null) {
      return null;
    }
    switch (v.toLowerCase(Locale.ROOT)) {
      case "true":
      case "1":
      case "yes":
        return true;
      case "false":
      case "0":
      case "no":
        return false;
      default:
        throw new RecordRejected(RejectReason.BAD_VALUE, key + " = \"" + v + "\": expected true/false or 1/0");
    }
  }
}
