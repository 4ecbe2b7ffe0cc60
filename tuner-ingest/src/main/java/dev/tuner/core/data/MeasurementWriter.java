package dev.tuner.core.data;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.TunerException;
import dev.tuner.core.catalog.NameIndex;
import dev.tuner.core.io.AtomicFiles;
import dev.tuner.core.io.Csv;
import dev.tuner.core.io.FileChecks;
import dev.tuner.core.scenario.ScenarioRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Writes measurements in the measurements CSV format so that {@link MeasurementCsv#read} gives them back equal (all
 * but the origin, which becomes {@code file:line}). The header is {@link MeasurementCsv#HEADER} plus the
 * {@link MeasurementCsv#OPTIONAL} columns some row needs. A row whose values the format cannot hold (a zero-copy flag,
 * a value with surrounding blanks, a non-positive tokens/s…) is refused before anything is written.
 *
 * <p>Files are written whole to a temporary file and then moved over the target, so a failure leaves the old file as
 * it was. An existing file is replaced only with {@code force}; in {@code append} mode every existing row is kept
 * byte for byte — when new rows need columns the old header lacks, only the header line changes (old rows, being
 * shorter, read those columns as empty). Duplicates (same device, model, parameters, quantization, batch, context,
 * phase and tokens/s as an existing or earlier row) are reported, and by default not written again.
 */
public final class MeasurementWriter {
  private static final Map<String, Function<Measurement, Object>> COLUMNS = columns();

  private final UnaryOperator<OutputStream> streams;

  public MeasurementWriter() {
    this(UnaryOperator.identity());
  }

  /** With every output stream passed through {@code streams} first; tests use it to fail part-way. */
  MeasurementWriter(UnaryOperator<OutputStream> streams) {
    this.streams = streams;
  }

  /** How to treat an existing target. {@code append} wins over {@code force}. */
  public record WriteOptions(boolean append, boolean force, boolean writeDuplicates) {
    public static WriteOptions create() {
      return new WriteOptions(false, false, false);
    }
  }

  /** A new row equal to one already there ({@code kept}: an existing row or an earlier new one). */
  public record Duplicate(Measurement kept, Measurement duplicate) {}

  /**
   * What a write did. {@code target} is empty for a stream; {@code duplicatesWritten} says whether the duplicates were
   * written anyway; {@code columnsAdded} lists columns appended to an existing header.
   */
  public record WriteReport(
      Optional<Path> target, int rowsKept, int rowsAdded, List<Duplicate> duplicates, boolean duplicatesWritten,
      List<String> columnsAdded) {
    public WriteReport {
      duplicates = List.copyOf(duplicates);
      columnsAdded = List.copyOf(columnsAdded);
    }
  }

  /** The header for {@code rows}: the canonical columns, then each optional column some row has a value for. */
  public static List<String> header(List<Measurement> rows) {
    List<String> out = new ArrayList<>(MeasurementCsv.HEADER);
    for (String column : MeasurementCsv.OPTIONAL) {
      if (rows.stream().anyMatch(m -> COLUMNS.get(column).apply(m) != null)) {
        out.add(column);
      }
    }
    return out;
  }

  /** Writes a whole CSV (header and rows) to {@code out}, skipping duplicates unless {@code writeDuplicates}. */
  public WriteReport write(Appendable out, List<Measurement> rows, boolean writeDuplicates) {
    rows.forEach(MeasurementWriter::checkRoundTrip);
    Dedup dedup = new Dedup(List.of(), rows, writeDuplicates);
    try {
      out.append(render(header(dedup.toWrite), dedup.toWrite, "\n", true));
    } catch (IOException e) {
      throw new UncheckedIOException("writing measurements: " + e.getMessage(), e);
    }
    return new WriteReport(Optional.empty(), 0, dedup.toWrite.size(), dedup.duplicates, writeDuplicates, List.of());
  }

  public WriteReport write(Path target, List<Measurement> rows, WriteOptions options) {
    Objects.requireNonNull(options, "options");
    rows.forEach(MeasurementWriter::checkRoundTrip);
    boolean exists = Files.exists(target);
    if (options.append() && exists) {
      return append(target, rows, options.writeDuplicates());
    }
    if (exists && !options.force()) {
      throw new TunerException("refusing to replace existing file " + target
          + " (pass --force to replace it, or --append to add to it)");
    }
    return writeNew(target, rows, options.force(), options.writeDuplicates());
  }

  private WriteReport writeNew(Path target, List<Measurement> rows, boolean overwrite, boolean writeDuplicates) {
    Dedup dedup = new Dedup(List.of(), rows, writeDuplicates);
    byte[] content = render(header(dedup.toWrite), dedup.toWrite, "\n", true).getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(target, overwrite, out -> streams.apply(out).write(content));
    return new WriteReport(Optional.of(target), 0, dedup.toWrite.size(), dedup.duplicates, writeDuplicates, List.of());
  }

  private WriteReport append(Path target, List<Measurement> rows, boolean writeDuplicates) {
    byte[] old;
    try {
      old = Files.readAllBytes(target);
    } catch (IOException e) {
      throw new InvalidInputException("measurements file", target + " (" + FileChecks.reason(e) + ")",
          "a readable file");
    }
    String text = new String(old, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return writeNew(target, rows, true, writeDuplicates);
    }
    MeasurementCsv.Parsed existing = MeasurementCsv.read(new StringReader(text), target.toString());
    List<Csv.Row> records = Csv.read(new StringReader(text), target.toString());
    List<String> oldHeader = records.get(0).fields();
    List<String> known = oldHeader.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
    Dedup dedup = new Dedup(existing.measurements(), rows, writeDuplicates);
    List<String> added = new ArrayList<>();
    for (String column : header(dedup.toWrite)) {
      // a file of an older format gains only the columns its new rows fill, not every canonical one
      if (!known.contains(column) && dedup.toWrite.stream().anyMatch(m -> COLUMNS.get(column).apply(m) != null)) {
        added.add(column);
      }
    }
    int lineEnd = indexOf(old, (byte) '\n');
    boolean crlf = lineEnd > 0 && old[lineEnd - 1] == '\r';
    String eol = crlf ? "\r\n" : "\n";
    int headerEnd = lineEnd < 0 ? old.length : crlf ? lineEnd - 1 : lineEnd;
    List<String> columns = new ArrayList<>(known);
    columns.addAll(added);
    byte[] extra = added.isEmpty() ? new byte[0] : headerExtension(target, old, headerEnd, records, oldHeader, added);
    String separator = old[old.length - 1] == '\n' ? "" : eol;
    byte[] tail = (separator + render(columns, dedup.toWrite, eol, false)).getBytes(StandardCharsets.UTF_8);
    byte[] content = new byte[old.length + extra.length + tail.length];
    // old bytes verbatim, with the header extension spliced in at the end of the header line
    System.arraycopy(old, 0, content, 0, headerEnd);
    System.arraycopy(extra, 0, content, headerEnd, extra.length);
    System.arraycopy(old, headerEnd, content, headerEnd + extra.length, old.length - headerEnd);
    System.arraycopy(tail, 0, content, old.length + extra.length, tail.length);
    AtomicFiles.write(target, true, out -> streams.apply(out).write(content));
    return new WriteReport(Optional.of(target), existing.rows(), dedup.toWrite.size(), dedup.duplicates,
        writeDuplicates, added);
  }

  /**
   * The bytes to add at the end of the header line for the new columns. Refused when the header spans several lines
   * or an old row has more fields than the header (the extra fields would land in the new columns).
   */
  private static byte[] headerExtension(
      Path target, byte[] old, int headerEnd, List<Csv.Row> records, List<String> oldHeader, List<String> added) {
    String headerLine = new String(old, 0, headerEnd, StandardCharsets.UTF_8);
    List<Csv.Row> alone;
    try {
      alone = Csv.read(new StringReader(headerLine), target.toString());
    } catch (InvalidInputException e) {
      alone = List.of();
    }
    if (alone.size() != 1 || !alone.get(0).fields().equals(oldHeader)) {
      throw new InvalidInputException(target + " header", "a header spanning several lines",
          "a one-line header, so that columns " + added + " can be added");
    }
    for (Csv.Row row : records.subList(1, records.size())) {
      if (row.fields().size() > oldHeader.size()) {
        throw new InvalidInputException(target + ":" + row.line(), row.fields().size() + " fields",
            "at most the header's " + oldHeader.size() + ", so that columns " + added + " can be added");
      }
    }
    return ("," + Csv.line(added)).getBytes(StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static String render(List<String> columns, List<Measurement> rows, String eol, boolean withHeader) {
    StringBuilder b = new StringBuilder();
    if (withHeader) {
      b.append(Csv.line(columns)).append(eol);
    }
    for (Measurement m : rows) {
      List<String> cells = new ArrayList<>(columns.size());
      for (String column : columns) {
        Function<Measurement, Object> getter = COLUMNS.get(column);
        cells.add(getter == null ? "" : format(getter.apply(m)));
      }
      b.append(Csv.line(cells)).append(eol);
    }
    return b.toString();
  }

  /**
   * Shortest decimal text that parses back to the same double; integers, booleans and non-finite doubles (which the
   * round-trip check then refuses) as Java prints them.
   */
  private static String format(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof Double && Double.isFinite((Double) v)) {
      return BigDecimal.valueOf((Double) v).stripTrailingZeros().toPlainString();
    }
    return v.toString();
  }

  /** Refuses a measurement that would not read back equal, naming what would change. */
  private static void checkRoundTrip(Measurement m) {
    Map<String, String> cells = new HashMap<>();
    for (var e : COLUMNS.entrySet()) {
      String v = format(e.getValue().apply(m)).trim();
      if (!v.isEmpty()) {
        cells.put(e.getKey(), v);
      }
    }
    Measurement back;
    try {
      back = MeasurementCsv.parse(cells, m.origin());
    } catch (InvalidInputException e) {
      throw new InvalidInputException("measurement from " + m.origin(), e.getMessage(), "a row the measurements CSV"
          + " can hold");
    }
    if (!Objects.equals(back.sourceId(), m.sourceId()) || !Objects.equals(back.backend(), m.backend())
        || !Objects.equals(back.notes(), m.notes()) || back.tokensPerSecond() != m.tokensPerSecond()
        || !back.scenario().equals(m.scenario())) {
      throw new InvalidInputException("measurement from " + m.origin(), difference(m, back),
          "values the measurements CSV holds as given (no surrounding blanks, no empty names, no zero-copy flag)");
    }
  }

  private static String difference(Measurement wrote, Measurement read) {
    if (!Objects.equals(wrote.sourceId(), read.sourceId())) {
      return "source_id \"" + wrote.sourceId() + "\" would read back as \"" + read.sourceId() + "\"";
    }
    if (!Objects.equals(wrote.backend(), read.backend())) {
      return "backend \"" + wrote.backend() + "\" would read back as \"" + read.backend() + "\"";
    }
    if (!Objects.equals(wrote.notes(), read.notes())) {
      return "notes \"" + wrote.notes() + "\" would read back as \"" + read.notes() + "\"";
    }
    if (wrote.tokensPerSecond() != read.tokensPerSecond()) {
      return "tokens_per_s " + wrote.tokensPerSecond() + " would read back as " + read.tokensPerSecond();
    }
    for (RecordComponent c : ScenarioRequest.class.getRecordComponents()) {
      try {
        Object a = c.getAccessor().invoke(wrote.scenario());
        Object b = c.getAccessor().invoke(read.scenario());
        if (!Objects.equals(a, b)) {
          return c.getName() + " " + (a instanceof String ? "\"" + a + "\"" : a) + " would read back as "
              + (b instanceof String ? "\"" + b + "\"" : b);
        }
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("record accessor " + c.getName(), e);
      }
    }
    return "a value";
  }

  /** Which new rows to write, and the duplicates among them. */
  private static final class Dedup {
    final List<Measurement> toWrite = new ArrayList<>();
    final List<Duplicate> duplicates = new ArrayList<>();

    Dedup(List<Measurement> existing, List<Measurement> rows, boolean writeDuplicates) {
      Map<Key, Measurement> seen = new HashMap<>();
      for (Measurement m : existing) {
        seen.putIfAbsent(Key.of(m), m);
      }
      for (Measurement m : rows) {
        Measurement earlier = seen.putIfAbsent(Key.of(m), m);
        if (earlier != null) {
          duplicates.add(new Duplicate(earlier, m));
          if (!writeDuplicates) {
            continue;
          }
        }
        toWrite.add(m);
      }
    }
  }

  /** What makes two rows the same measurement; names compare as catalog lookups do. */
  private record Key(
      String device, String model, Double paramsB, String quant, Integer batch, Integer context, String phase,
      double tokensPerSecond) {
    static Key of(Measurement m) {
      ScenarioRequest s = m.scenario();
      return new Key(name(s.device()), name(s.model()), s.paramsB(), name(s.quant()), s.batch(), s.context(),
          s.phase() == null ? null : s.phase().trim().toLowerCase(Locale.ROOT), m.tokensPerSecond());
    }

    private static String name(String n) {
      return n == null ? null : NameIndex.normalise(n);
    }
  }

  private static Map<String, Function<Measurement, Object>> columns() {
    Map<String, Function<Measurement, Object>> c = new LinkedHashMap<>();
    c.put("source_id", Measurement::sourceId);
    c.put("device", m -> m.scenario().device());
    c.put("backend", Measurement::backend);
    c.put("model", m -> m.scenario().model());
    c.put("params_b", m -> m.scenario().paramsB());
    c.put("quant", m -> m.scenario().quant());
    c.put("batch", m -> m.scenario().batch());
    c.put("context", m -> m.scenario().context());
    c.put("depth", m -> m.scenario().depth());
    c.put("phase", m -> m.scenario().phase());
    c.put("tokens_per_s", Measurement::tokensPerSecond);
    c.put("n_ubatch", m -> m.scenario().nUbatch());
    c.put("flash_attn", m -> m.scenario().flashAttn() == null ? null : m.scenario().flashAttn() ? 1 : 0);
    c.put("kv_type", m -> m.scenario().kvCacheType());
    c.put("build", m -> m.scenario().build());
    c.put("build_date", m -> m.scenario().buildDate());
    c.put("blas", m -> m.scenario().blas());
    c.put("model_size_bytes", m -> m.scenario().modelSizeBytes());
    c.put("num_devices", m -> m.scenario().devices());
    c.put("tp", m -> m.scenario().tp());
    c.put("pp", m -> m.scenario().pp());
    c.put("ep", m -> m.scenario().ep());
    c.put("notes", Measurement::notes);
    c.put("mem_bw_gbs", m -> m.scenario().memBandwidthGBs());
    c.put("fp16_tflops", m -> m.scenario().fp16Tflops());
    c.put("fp32_tflops", m -> m.scenario().fp32Tflops());
    c.put("sm_or_cores", m -> m.scenario().computeUnits());
    c.put("l2_mb", m -> m.scenario().l2CacheMb());
    c.put("mem_gb", m -> m.scenario().memoryGb());
    c.put("hidden", m -> m.scenario().hidden());
    c.put("layers", m -> m.scenario().layers());
    c.put("heads", m -> m.scenario().heads());
    c.put("kv_heads", m -> m.scenario().kvHeads());
    c.put("head_dim", m -> m.scenario().headDim());
    c.put("vocab", m -> m.scenario().vocab());
    c.put("cuda_graphs", m -> m.scenario().cudaGraphs());
    c.put("kernel", m -> m.scenario().kernel());
    return Map.copyOf(c);
  }
}
