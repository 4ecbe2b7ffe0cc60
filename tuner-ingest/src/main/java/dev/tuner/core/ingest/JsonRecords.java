package dev.tuner.core.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.core.io.JsonErrors;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits JSON benchmark output into records and parses each on its own, so one broken record costs only itself. Reads
 * a JSON array of objects (also one cut short by a crash: the complete objects are kept), JSONL, and objects
 * concatenated one after another. Text outside the JSON (backend banners before it, log lines after) is skipped.
 */
final class JsonRecords {
  static final int MAX_DEPTH = 64;
  private static final int MAX_STRING = 1 << 20;
  private static final int MAX_NUMBER = 100;
  private static final int MAX_MESSAGE = 160;

  // An ObjectReader is immutable once built, so sharing one is safe.
  private static final ObjectReader READER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxStringLength(MAX_STRING)
          .maxNumberLength(MAX_NUMBER)
          .build())
      // Python's json.dump writes NaN and Infinity (vLLM's request_rate); they are read here and refused per field
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build())
      .reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonRecords() {}

  /** One record: its object, or why it could not be parsed. {@code line} is where it starts. */
  record Item(int line, ObjectNode node, RejectReason reason, String detail) {
    boolean ok() {
      return node != null;
    }
  }

  /** Every record in {@code src}, in order. Empty when the text holds no JSON object or array at a line start. */
  static List<Item> read(SourceText src) {
    int first = firstJsonLine(src);
    if (first < 0) {
      return List.of();
    }
    String head = src.line(first).trim();
    if (head.startsWith("{") && head.endsWith("}") && parse(head, first, 1).ok()) {
      return readLines(src, first);
    }
    return split(src);
  }

  private static int firstJsonLine(SourceText src) {
    for (int i = 1; i <= src.lines().size(); i++) {
      String t = src.line(i).stripLeading();
      if (t.startsWith("{") || t.startsWith("[")) {
        return i;
      }
    }
    return -1;
  }

  /** JSONL: each line starting with '{' is one record; other lines are noise between them. */
  private static List<Item> readLines(SourceText src, int first) {
    List<Item> out = new ArrayList<>();
    for (int i = first; i <= src.lines().size(); i++) {
      String line = src.line(i);
      int indent = line.length() - line.stripLeading().length();
      if (line.stripLeading().startsWith("{")) {
        out.add(parse(line.strip(), i, indent + 1));
      }
    }
    return out;
  }

  private enum State { OUTSIDE, IN_ARRAY, IN_RECORD }

  /**
   * Scans for top-level objects and objects directly inside a top-level array, tracking strings and nesting only as
   * far as needed to find where each object ends.
   */
  private static List<Item> split(SourceText src) {
    String text = src.text();
    List<Item> out = new ArrayList<>();
    State state = State.OUTSIDE;
    State returnTo = State.OUTSIDE;
    int line = 1;
    int lineStart = 0;
    boolean lineFresh = true;
    int strayLine = -1;
    int start = 0;
    int startLine = 0;
    int startColumn = 0;
    int depth = 0;
    boolean inString = false;
    boolean escaped = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (state == State.IN_RECORD) {
        if (inString) {
          if (escaped) {
            escaped = false;
          } else if (c == '\\') {
            escaped = true;
          } else if (c == '"') {
            inString = false;
          } else if (c == '\n') {
            out.add(new Item(startLine, null, RejectReason.MALFORMED,
                "line break inside a string at line " + line + " (a broken or truncated line)"));
            state = returnTo;
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          depth--;
          if (depth == 0) {
            out.add(parse(text.substring(start, i + 1), startLine, startColumn));
            state = returnTo;
            // objects written back to back on one line ("}{") are still records
            lineFresh = returnTo == State.OUTSIDE;
          }
        }
      } else if (state == State.IN_ARRAY) {
        if (c == '{') {
          state = State.IN_RECORD;
          returnTo = State.IN_ARRAY;
          start = i;
          startLine = line;
          startColumn = i - lineStart + 1;
          depth = 1;
        } else if (c == ']') {
          state = State.OUTSIDE;
          lineFresh = false;
        } else if (!Character.isWhitespace(c) && c != ',' && strayLine != line) {
          strayLine = line;
          out.add(new Item(line, null, RejectReason.MALFORMED,
              "unexpected text in the JSON array at line " + line + ": " + snippet(text, i)));
        }
      } else if (!Character.isWhitespace(c)) {
        if (lineFresh && c == '{') {
          state = State.IN_RECORD;
          returnTo = State.OUTSIDE;
          start = i;
          startLine = line;
          startColumn = i - lineStart + 1;
          depth = 1;
        } else if (lineFresh && c == '[') {
          state = State.IN_ARRAY;
        }
        lineFresh = false;
      }
      if (c == '\n') {
        line++;
        lineStart = i + 1;
        lineFresh = true;
      }
    }
    if (state == State.IN_RECORD) {
      out.add(new Item(startLine, null, RejectReason.MALFORMED,
          "truncated JSON: the record starting at line " + startLine + " is never closed"));
    }
    return out;
  }

  /** Parses one record's text, which starts at {@code line}, {@code column} of the file. */
  private static Item parse(String json, int line, int column) {
    try {
      JsonNode node = READER.readTree(json);
      if (node instanceof ObjectNode) {
        return new Item(line, (ObjectNode) node, null, null);
      }
      return new Item(line, null, RejectReason.MALFORMED, "not a JSON object");
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = "";
      if (at != null && at.getLineNr() > 0) {
        int l = line + at.getLineNr() - 1;
        int col = at.getLineNr() == 1 ? column + at.getColumnNr() - 1 : at.getColumnNr();
        where = " at line " + l + ", column " + col;
      }
      return new Item(line, null, RejectReason.MALFORMED, "invalid JSON" + where + ": "
          + shorten(JsonErrors.clean(e.getOriginalMessage())));
    }
  }

  private static String snippet(String text, int from) {
    int end = from;
    while (end < text.length() && end - from < 40 && text.charAt(end) != '\n') {
      end++;
    }
    return "\"" + text.substring(from, end).strip() + "\"";
  }

  static String shorten(String message) {
    String m = message == null ? "" : message.replaceAll("\\s+", " ").trim();
    return m.length() <= MAX_MESSAGE ? m : m.substring(0, MAX_MESSAGE) + "…";
  }
}
