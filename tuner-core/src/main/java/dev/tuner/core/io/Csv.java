package dev.tuner.core.io;

import dev.tuner.api.InvalidInputException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * RFC 4180 CSV through Apache Commons CSV: comma-separated, double-quoted fields may hold commas, quotes ("") and
 * line breaks. The parser is strict: an unterminated quote, text after a closing quote and a quote inside a field that
 * does not start with one are errors, never a silently merged, shortened or literally read row. Records are numbered
 * by the physical line they start on so that every error points at {@code file:line}.
 */
public final class Csv {
  /** Longest field accepted; a larger one means the file is not CSV (or is hostile). */
  public static final int MAX_FIELD_CHARS = 1 << 16;
  /** Most fields in one record. */
  public static final int MAX_FIELDS = 1024;

  /**
   * RFC 4180 without Commons' leniencies: no trailing data after a closing quote, no end of file inside a quoted
   * field. Empty lines are read as records (and dropped here) so that line numbers stay exact.
   */
  private static final CSVFormat STRICT = CSVFormat.RFC4180.builder()
      .setIgnoreEmptyLines(false)
      .setTrailingData(false)
      .setLenientEof(false)
      .get();

  private Csv() {}

  /** One parsed record and the 1-based line it starts on. */
  public record Row(int line, List<String> fields) {
    public Row {
      fields = List.copyOf(fields);
    }
  }

  /**
   * Reads every record. An unterminated quote, text after a closing quote or an oversized field is an error naming
   * the source and line.
   */
  public static List<Row> read(Reader in, String source) {
    List<Row> rows = new ArrayList<>();
    long lineBefore = 0;
    FieldLimit limited = new FieldLimit(in);
    try (CSVParser parser = CSVParser.builder().setReader(limited).setFormat(STRICT).get()) {
      var records = parser.iterator();
      while (true) {
        int start = (int) lineBefore + 1;
        CSVRecord record;
        try {
          if (!records.hasNext()) {
            break;
          }
          record = records.next();
        } catch (UncheckedIOException e) {
          throw malformed(source, start, e.getCause());
        } catch (IllegalStateException e) {
          throw malformed(source, start, e.getCause() instanceof IOException io ? io : new IOException(e));
        }
        lineBefore = parser.getCurrentLineNumber();
        // The reader runs ahead of the parser, so a quote it saw may lie in a later record: it is reported once the
        // parser has reached its record, when the header can name its column.
        Optional<StrayQuote> stray = limited.strayQuote();
        if (stray.isPresent() && stray.get().line() <= Math.max(start, lineBefore)) {
          throw strayQuote(source, stray.get(), rows.isEmpty() ? List.of() : rows.get(0).fields());
        }
        if (record.size() > MAX_FIELDS) {
          throw new InvalidInputException(source + ":" + start, "more than " + MAX_FIELDS + " fields", "fewer fields");
        }
        List<String> fields = record.toList();
        for (String f : fields) {
          if (f.length() > MAX_FIELD_CHARS) {
            throw new InvalidInputException(
                source + ":" + start, "a field longer than " + MAX_FIELD_CHARS + " characters", "shorter fields");
          }
        }
        if (!(fields.size() == 1 && fields.get(0).isEmpty())) {
          rows.add(new Row(start, fields));
        }
      }
      Optional<StrayQuote> stray = limited.strayQuote();
      if (stray.isPresent()) {
        throw strayQuote(source, stray.get(), rows.isEmpty() ? List.of() : rows.get(0).fields());
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + source + ": " + FileChecks.reason(e), e);
    }
  }

  /** Commons' message says what broke ("invalid char between encapsulated token and delimiter", "EOF reached..."). */
  private static InvalidInputException malformed(String source, int line, Throwable cause) {
    if (cause instanceof FieldTooLong) {
      return new InvalidInputException(
          source + ":" + line, "a field longer than " + MAX_FIELD_CHARS + " characters", "shorter fields");
    }
    if (cause instanceof java.io.CharConversionException || !(cause instanceof IOException)) {
      return new InvalidInputException(source + ":" + line, String.valueOf(cause), "well-formed CSV");
    }
    String m = String.valueOf(cause.getMessage());
    if (m.contains("EOF reached before encapsulated token finished")) {
      return new InvalidInputException(source + ":" + line, "an unterminated quoted field (a stray \"?)",
          "a closing \" for every opening one; a quote inside a field is written \"\" within a quoted field");
    }
    if (m.contains("Invalid character between encapsulated token and delimiter")
        || m.contains("Invalid char between encapsulated token and delimiter")) {
      return new InvalidInputException(source + ":" + line, "text after a closing quote (a stray \"?)",
          "a comma or the end of the line right after a closing \"; a quote inside a field is written \"\" within a"
              + " quoted field");
    }
    return new InvalidInputException(source + ":" + line, m, "well-formed CSV");
  }

  /**
   * RFC 4180 allows a quote only around a whole field, doubled inside it. Commons CSV reads a quote in a field that
   * does not start with one as a literal character, so {@code 5" screen} would pass, and so would {@code x, "y"} where
   * a space came before the opening quote; both are refused instead.
   */
  private static InvalidInputException strayQuote(String source, StrayQuote q, List<String> header) {
    String column = q.field() < header.size() && !header.get(q.field()).isBlank()
        ? "column " + header.get(q.field()).trim() + " (field " + (q.field() + 1) + ")"
        : "field " + (q.field() + 1);
    return new InvalidInputException(source + ":" + q.line() + " " + column,
        "a \" inside a field that is not quoted as a whole: " + q.text(),
        "quotes only around a whole field, doubled inside it (RFC 4180), e.g. \"5\"\" screen\" for 5\" screen");
  }

  /** The first quote inside an unquoted field: its physical line, 0-based field index and the field's text. */
  private record StrayQuote(int line, int field, String text) {}

  private static final class FieldTooLong extends IOException {
    private static final long serialVersionUID = 1L;

    FieldTooLong() {
      super("a field longer than " + MAX_FIELD_CHARS + " characters");
    }
  }

  /**
   * Stops a stream that never ends a field before the parser buffers it all. Fields end only at commas and line
   * breaks, so a longer run of other characters lies inside one field; quotes around it are allowed for. Follows the
   * RFC 4180 grammar as it goes, to find what the parser lets pass: a quote inside a field that did not start with one.
   */
  private static final class FieldLimit extends java.io.FilterReader {
    /** Where in the grammar the last character left the reader. */
    private enum State { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED }

    /** How much of a field with a stray quote the error shows. */
    private static final int SHOWN_CHARS = 80;

    // Fields are final (ArchitectureTest); the reader's position lives in the mutable holders they point to.
    /** Characters since the last comma or line break; a cell, as every field in tuner is final. */
    private final int[] run = new int[1];
    private final AtomicReference<State> state = new AtomicReference<>(State.FIELD_START);
    /** Physical line of the next character, 1-based; a CR LF pair is one line break. */
    private final AtomicInteger line = new AtomicInteger(1);
    private final AtomicBoolean afterCr = new AtomicBoolean();
    /** 0-based index of the current field in its record. */
    private final AtomicInteger field = new AtomicInteger();
    /** The current field's first characters, for the message should a stray quote follow. */
    private final StringBuilder fieldSoFar = new StringBuilder();
    /** The text of the field with the first stray quote, while that field is being read. */
    private final AtomicReference<StringBuilder> strayText = new AtomicReference<>();
    private final AtomicInteger strayLine = new AtomicInteger();
    private final AtomicInteger strayField = new AtomicInteger();
    /** The first stray quote, once its field has ended. */
    private final AtomicReference<StrayQuote> found = new AtomicReference<>();

    FieldLimit(Reader in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int c = super.read();
      if (c >= 0) {
        count((char) c);
      }
      return c;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      for (int i = 0; i < n; i++) {
        count(buf[off + i]);
      }
      return n;
    }

    private void count(char c) throws FieldTooLong {
      if (c == ',' || c == '\n' || c == '\r') {
        run[0] = 0;
      } else if (++run[0] > MAX_FIELD_CHARS + 2) {
        throw new FieldTooLong();
      }
      follow(c);
      if (c == '\n' && !afterCr.get() || c == '\r') {
        line.incrementAndGet();
      }
      afterCr.set(c == '\r');
    }

    /** The first stray quote, as soon as it is seen (its text complete once its field has ended). */
    Optional<StrayQuote> strayQuote() {
      if (found.get() != null) {
        return Optional.of(found.get());
      }
      return strayText.get() == null ? Optional.empty()
          : Optional.of(new StrayQuote(strayLine.get(), strayField.get(), shown()));
    }

    private void follow(char c) {
      boolean ends = c == ',' || c == '\n' || c == '\r';
      State before = state.get();
      State after = switch (before) {
        case FIELD_START -> c == '"' ? State.QUOTED : ends ? State.FIELD_START : State.UNQUOTED;
        case UNQUOTED -> ends ? State.FIELD_START : State.UNQUOTED;
        case QUOTED -> c == '"' ? State.QUOTE_IN_QUOTED : State.QUOTED;
        // text after a closing quote is the parser's to refuse; the field goes on as if unquoted
        case QUOTE_IN_QUOTED -> c == '"' ? State.QUOTED : ends ? State.FIELD_START : State.UNQUOTED;
      };
      state.set(after);
      if (before == State.UNQUOTED && c == '"' && found.get() == null && strayText.get() == null) {
        strayText.set(new StringBuilder(fieldSoFar));
        strayLine.set(line.get());
        strayField.set(field.get());
      }
      if (after == State.FIELD_START) {
        if (strayText.get() != null) {
          found.set(new StrayQuote(strayLine.get(), strayField.get(), shown()));
          strayText.set(null);
        }
        fieldSoFar.setLength(0);
        field.set(c == ',' ? field.get() + 1 : 0);
      } else {
        if (fieldSoFar.length() < SHOWN_CHARS) {
          fieldSoFar.append(c);
        }
        StringBuilder stray = strayText.get();
        if (stray != null && stray.length() < SHOWN_CHARS) {
          stray.append(c);
        }
      }
    }

    private String shown() {
      StringBuilder stray = strayText.get();
      return stray.length() < SHOWN_CHARS ? stray.toString() : stray + "...";
    }
  }

  /**
   * The header's column names, trimmed and in lower case. A name given twice is refused: with two columns of one
   * name, one of them would silently win.
   */
  public static List<String> header(Row row, String source) {
    List<String> names = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < row.fields().size(); i++) {
      String name = row.fields().get(i).trim().toLowerCase(Locale.ROOT);
      Integer before = seen.putIfAbsent(name, i + 1);
      if (before != null && !name.isEmpty()) {
        throw new InvalidInputException(source + ":" + row.line() + " header", "column " + name + " twice (columns "
            + before + " and " + (i + 1) + ")", "each column name once");
      }
      names.add(name);
    }
    return names;
  }

  /**
   * Refuses a record with more fields than the header: an extra comma or a stray quote would otherwise shift values
   * into the wrong columns or drop them. Fewer fields are blank trailing columns (as after a header was extended).
   */
  public static void requireWidth(Row row, int width, String source) {
    if (row.fields().size() > width) {
      throw new InvalidInputException(source + ":" + row.line(), row.fields().size() + " fields",
          "at most " + width + ", one per header column (an extra comma, or a stray quote?)");
    }
  }

  /**
   * Refuses a field whose lines look like whole records of a table {@code width} columns wide: the mark of a stray
   * quote that swallowed the following rows into one field. A multi-line note (RFC 4180 allows it) has no such line.
   */
  public static void requireNoSwallowedRecords(Row row, int width, String source) {
    for (String f : row.fields()) {
      String[] lines = f.split("\\R", -1);
      for (int i = 1; i < lines.length; i++) {
        long commas = lines[i].chars().filter(c -> c == ',').count();
        if (width > 2 && commas >= width - 2) {
          throw new InvalidInputException(source + ":" + row.line(), "a quoted field running over lines "
              + row.line() + "-" + (row.line() + lines.length - 1) + " that holds what look like whole records"
              + " (a stray \"?)", "a closing \" on the line the quote opens, or \"\" for a quote inside a field");
        }
      }
    }
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
