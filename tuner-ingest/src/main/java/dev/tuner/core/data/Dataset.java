package dev.tuner.core.data;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.TunerException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measurements resolved into scenarios with their rooflines, ready for training or evaluation, with an account of
 * every row: read, used, or left out and why. Rows flagged E2E or SUSPECT are left out unless the options include
 * them. No row is left out for its label: a row measured above its own roofline is a physics error to fix in the
 * roofline or the catalog, not a row to drop, so it is kept (and scored against the prediction, which the roofline
 * clamps) and counted in the summary.
 */
public final class Dataset {
  private Dataset() {}

  /** Which flagged rows to keep. */
  public record Options(boolean includeEndToEnd, boolean includeSuspect) {
    public static Options defaults() {
      return new Options(false, false);
    }
  }

  /** A usable measurement: the row, its scenario and its roofline. */
  public record Example(Measurement measurement, Scenario scenario, RooflineResult roofline) {
    public double efficiency() {
      return measurement.tokensPerSecond() / roofline.tokensPerSecond();
    }

    /** Measured above its own roofline: a physics or catalog error that the summary reports. */
    public boolean aboveRoof() {
      return measurement.tokensPerSecond() > roofline.tokensPerSecond();
    }
  }

  /** A row left out, with where it is and why. {@code reason} is a short category, {@code detail} the specifics. */
  public record Skipped(String origin, String reason, String detail) {}

  /** The usable examples plus the account of every row. */
  public record Prepared(List<String> files, int rowsRead, List<Example> examples, List<Skipped> skipped) {
    public Prepared {
      files = List.copyOf(files);
      examples = List.copyOf(examples);
      skipped = List.copyOf(skipped);
    }

    /**
     * Used rows that repeat an earlier used row in every column but their origin, each mapped to the origin of the
     * first one: a file read twice or rows pasted twice, which weigh a figure double and, split across
     * cross-validation folds, would let a model be tested on its own training rows.
     */
    public Map<String, String> repeats() {
      Map<List<Object>, String> first = new java.util.HashMap<>();
      Map<String, String> out = new java.util.LinkedHashMap<>();
      for (Example e : examples) {
        Measurement m = e.measurement();
        List<Object> key = List.of(m.scenario(), m.tokensPerSecond(), m.sourceId(), m.backend(), m.notes());
        String before = first.putIfAbsent(key, m.origin());
        if (before != null) {
          out.put(m.origin(), before);
        }
      }
      return out;
    }

    /** Skipped rows counted by reason, sorted by reason. */
    public Map<String, Integer> skippedByReason() {
      Map<String, Integer> out = new TreeMap<>();
      skipped.forEach(s -> out.merge(s.reason(), 1, Integer::sum));
      return out;
    }

    /** SHA-256 over the used rows in a canonical text form: the identity of the training data. */
    public String sha256() {
      try {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Example e : examples) {
          Measurement m = e.measurement();
          String line = String.join("|", m.deviceName(), m.modelName(), String.valueOf(m.scenario().paramsB()),
              m.scenario().quant(), String.valueOf(e.scenario().batch()), String.valueOf(e.scenario().context()),
              e.scenario().phase().id(), e.scenario().kvCache().id(), Double.toString(m.tokensPerSecond())) + "\n";
          md.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
      } catch (NoSuchAlgorithmException ex) {
        throw new IllegalStateException(ex);
      }
    }

    /** The used rows measured above their own roofline. */
    public List<Example> aboveRoof() {
      return examples.stream().filter(Example::aboveRoof).toList();
    }

    /** One line, e.g. "read 756 rows from 1 file(s); used 739 (2 above their roofline); skipped 17: E2E 17". */
    public String summary() {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "read %d rows from %d file(s); used %d",
          rowsRead, files.size(), examples.size()));
      long above = examples.stream().filter(Example::aboveRoof).count();
      if (above > 0) {
        b.append(" (").append(above).append(" above their roofline: a physics or catalog error)");
      }
      if (!skipped.isEmpty()) {
        b.append("; skipped ").append(skipped.size()).append(": ");
        List<String> parts = new ArrayList<>();
        skippedByReason().forEach((k, v) -> parts.add(k + " " + v));
        b.append(String.join(", ", parts));
      }
      int repeats = repeats().size();
      if (repeats > 0) {
        b.append(String.format(Locale.ROOT, "; %d used row(s) repeat an earlier row exactly (each kept in one"
            + " cross-validation fold with its original)", repeats));
      }
      return b.toString();
    }
  }

  public static Prepared load(List<Path> files, Catalog catalog, Roofline roofline, Options options) {
    if (files.isEmpty()) {
      throw new InvalidInputException("data files", "none", "at least one measurements CSV file");
    }
    dev.tuner.core.io.FileChecks.requireDistinct(
        files.stream().map(f -> new dev.tuner.core.io.FileChecks.Role("data file", f)).toList(), List.of());
    List<MeasurementCsv.Parsed> parsed = new ArrayList<>();
    for (Path f : files) {
      parsed.add(MeasurementCsv.read(f));
    }
    return prepare(files.stream().map(Path::toString).toList(), parsed, catalog, roofline, options);
  }

  public static Prepared load(Reader in, String source, Catalog catalog, Roofline roofline, Options options) {
    return prepare(List.of(source), List.of(MeasurementCsv.read(in, source)), catalog, roofline, options);
  }

  static Prepared prepare(List<String> files, List<MeasurementCsv.Parsed> parsed, Catalog catalog,
      Roofline roofline, Options options) {
    List<Example> examples = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    int rows = 0;
    for (MeasurementCsv.Parsed p : parsed) {
      rows += p.rows();
      for (MeasurementCsv.Rejection r : p.rejections()) {
        skipped.add(new Skipped(r.origin(), "invalid row", r.reason()));
      }
      for (Measurement m : p.measurements()) {
        if (m.isEndToEnd() && !options.includeEndToEnd()) {
          skipped.add(new Skipped(m.origin(), "E2E (not pure decode)", m.notes()));
          continue;
        }
        if (m.isSuspect() && !options.includeSuspect()) {
          skipped.add(new Skipped(m.origin(), "SUSPECT", m.notes()));
          continue;
        }
        Scenario s;
        try {
          s = withoutRedundantParams(m.scenario(), catalog).resolve(catalog);
        } catch (TunerException e) {
          skipped.add(new Skipped(m.origin(), "unresolvable scenario", e.getMessage()));
          continue;
        }
        RooflineResult r = roofline.compute(s);
        examples.add(new Example(m, s, r));
      }
    }
    return new Prepared(files, rows, examples, skipped);
  }

  /**
   * Data files repeat the catalog's parameter count next to the model name; treating that as an override would
   * turn every row into an anonymous model, so a value within 1% of the catalog's is dropped.
   */
  static ScenarioRequest withoutRedundantParams(ScenarioRequest r, Catalog catalog) {
    if (r.paramsB() == null || r.model() == null) {
      return r;
    }
    var known = catalog.models().find(r.model());
    if (known.isEmpty()) {
      return r;
    }
    ModelSpec m = known.get();
    if (Math.abs(r.paramsB() - m.paramsB()) > 0.01 * m.paramsB()) {
      return r;
    }
    return r.withParamsB(null);
  }
}
