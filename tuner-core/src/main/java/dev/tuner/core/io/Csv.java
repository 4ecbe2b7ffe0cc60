package dev.tuner.core.io;

import dev.tuner.api.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV: comma-separated, double-quoted fields may hold commas, quotes ("") and line breaks. Records are
 * numbered by the physical line they start on so that errors can point at {@code file:line}.
 */
public final class Csv {
  /** Longest field accepted; a larger one means the file is not CSV (or is hostile). */
  public static final int MAX_FIELD_CHARS = 1 << 16;
  /** Most fields in one record. */
  public static final int MAX_FIELDS = 1024;

  private Csv() {}

  /** One parsed record and the 1-based line it starts on. */
  public record Row(int line, List<String> fields) {
    public Row {
      fields = List.copyOf(fields);
    }
  }

  /** Reads every record. An unterminated quote or an oversized field is an error naming the source and line. */
  public static List<Row> read(Reader in, String source) {
    try (BufferedReader r = new BufferedReader(in)) {
      List<Row> rows = new ArrayList<>();
      List<String> fields = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      int line = 1;
      int recordLine = 1;
      boolean quoted = false;
      boolean fieldStarted = false;
      boolean any = false;
      int c;
      while ((c = r.read()) != -1) {
        any = true;
        if (quoted) {
          if (c == '"') {
            r.mark(1);
            int next = r.read();
            if (next == '"') {
              field.append('"');
            } else {
              quoted = false;
              if (next != -1) {
                r.reset();
              }
            }
          } else {
            if (c == '\n') {
              line++;
            }
            append(field, (char) c, source, recordLine);
          }
          continue;
        }
        if (c == '"' && field.length() == 0 && !fieldStarted) {
          quoted = true;
          fieldStarted = true;
        } else if (c == ',') {
          addField(fields, field, source, recordLine);
          fieldStarted = false;
        } else if (c == '\r') {
          // tolerated before \n; a lone CR is treated as part of the line ending too
        } else if (c == '\n') {
          addField(fields, field, source, recordLine);
          if (!(fields.size() == 1 && fields.get(0).isEmpty())) {
            rows.add(new Row(recordLine, fields));
          }
          fields = new ArrayList<>();
          fieldStarted = false;
          line++;
          recordLine = line;
        } else {
          fieldStarted = true;
          append(field, (char) c, source, recordLine);
        }
      }
      if (quoted) {
        throw new InvalidInputException(source + ":" + recordLine, "an unterminated quoted field", "a closing \"");
      }
      if (any && (fieldStarted || field.length() > 0 || !fields.isEmpty())) {
        addField(fields, field, source, recordLine);
        if (!(fields.size() == 1 && fields.get(0).isEmpty())) {
          rows.add(new Row(recordLine, fields));
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + source + ": " + e.getMessage(), e);
    }
  }

  private static void append(StringBuilder field, char c, String source, int line) {
    if (field.length() >= MAX_FIELD_CHARS) {
      throw new InvalidInputException(
          source + ":" + line, "a field longer than " + MAX_FIELD_CHARS + " characters", "shorter fields");
    }
    field.append(c);
  }

  private static void addField(List<String> fields, StringBuilder field, String source, int line) {
    if (fields.size() >= MAX_FIELDS) {
      throw new InvalidInputException(source + ":" + line, "more than " + MAX_FIELDS + " fields", "fewer fields");
    }
    fields.add(field.toString());
    field.setLength(0);
  }

  /** Quotes a field when it needs it. */
  public static String quote(String field) {
    if (field.indexOf(',') >= 0 || field.indexOf('"') >= 0 || field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0) {
      return '"' + field.replace("\"", "\"\"") + '"';
    }
    return field;
  }

  /** Joins fields into one CSV line (no line break). */
  public static String line(List<String> fields) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(quote(fields.get(i)));
    }
    return b.toString();
  }
}
