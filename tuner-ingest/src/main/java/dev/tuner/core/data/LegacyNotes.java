package dev.tuner.core.data;

import dev.tuner.core.io.Csv;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the settings a measurement row of the older layout states only in its notes: the eleven columns
 * {@code source_id, device, backend, model, params_b, quant, batch, context, phase, tokens_per_s, notes} in which the
 * published data arrive, where a llama-bench {@code pp512 @ depth 4096} row counts the cached tokens in its context
 * and n_ubatch, flash attention, the KV-cache type, the build, its date, the BLAS library and the file's size are
 * words of the notes. The rules are those of {@code data/scripts/migrate_measurements.py}, which wrote the shipped
 * {@code data/measurements.csv} from such files, so a file of this layout is predicted as its migrated copy is.
 *
 * <p>Only a column the file's header lacks is read from the notes; a stated cell is never replaced. Where the notes
 * state a setting twice with different values, or a llama-bench test length that is not the row's context, the
 * setting stays unknown.
 */
final class LegacyNotes {
  /** The columns this reader can fill. */
  static final List<String> COLUMNS = List.of("depth", "n_ubatch", "flash_attn", "kv_type", "build", "build_date",
      "blas", "model_size_bytes");
  private static final String MONTHS = "source-build-months.csv";

  private static final Pattern BENCH_DEPTH = Pattern.compile("llama-bench (?:pp|tg)(\\d+) @ depth (\\d+)");
  private static final Pattern BATCHED_TG = Pattern.compile("S_TG B=\\d+ PP=(\\d+) TG=(\\d+)");
  private static final Pattern BATCHED_TG_WORDS =
      Pattern.compile("S_TG: \\d+ sequences each generating (\\d+) tokens after a (\\d+)-token prompt");
  private static final Pattern BATCHED_PP = Pattern.compile("S_PP B=\\d+ PP=(\\d+)");
  private static final Pattern BATCHED_PP_WORDS = Pattern.compile("S_PP: \\d+ sequences x (\\d+) prompt tokens");
  private static final Pattern ISL_OSL = Pattern.compile("ISL=(\\d+) OSL=(\\d+)");
  private static final Pattern ISL_ONLY = Pattern.compile("ISL=(\\d+), OSL not stated");
  private static final Pattern DERIVED = Pattern.compile("DERIVED: (\\d+) / published 1st-token latency");
  private static final Pattern BENCH_TEST = Pattern.compile("\\b(?:pp|tg)(\\d+)\\b");
  private static final Pattern MAIN_RUN = Pattern.compile("llama\\.cpp \\./main");
  private static final Pattern BUILD_NUMBER = Pattern.compile("\\bbuild ~?b?([0-9a-f]{7,}) \\((\\d+)\\)");
  private static final Pattern COMMIT = Pattern.compile("llama\\.cpp commit ([0-9a-f]{7,})\\b");
  private static final Pattern TEST_TIME = Pattern.compile("test_time (\\d{4}-\\d{2})");
  private static final Pattern APPLE_M1_M2 = Pattern.compile("^Apple M[12] ");
  private static final Map<String, Pattern> SETTINGS = Map.of(
      "n_ubatch", Pattern.compile("n_ubatch=(\\d+)"),
      "flash_attn", Pattern.compile("flash_attn=([01])\\b"),
      "kv_type", Pattern.compile("type_k=(\\w+)"),
      "model_size_bytes", Pattern.compile("model_size (\\d+) bytes"));

  private final Map<String, String> sourceMonths;

  private LegacyNotes(Map<String, String> sourceMonths) {
    this.sourceMonths = Map.copyOf(sourceMonths);
  }

  /** The reader with the shipped table of the month each source dates its build in. */
  static LegacyNotes shipped() {
    try (InputStream in = LegacyNotes.class.getResourceAsStream(MONTHS)) {
      Objects.requireNonNull(in, MONTHS + " is missing from the jar");
      List<Csv.Row> rows = Csv.read(new InputStreamReader(in, StandardCharsets.UTF_8), MONTHS);
      Map<String, String> months = new HashMap<>();
      for (Csv.Row r : rows.subList(1, rows.size())) {
        months.put(r.fields().get(0).trim(), r.fields().get(1).trim());
      }
      return new LegacyNotes(months);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether a file with this header is of the older layout: notes, and none of the settings' columns. */
  static boolean applies(List<String> header) {
    return header.contains("notes") && COLUMNS.stream().noneMatch(header::contains);
  }

  /**
   * {@code row} (cells by column, blank cells absent) with what its notes state filled in, for the columns its file
   * lacks: the settings, and the context split into the measured window and the depth before it.
   */
  Map<String, String> fill(Map<String, String> row) {
    String notes = row.get("notes");
    if (notes == null) {
      return row;
    }
    Map<String, String> out = new HashMap<>(row);
    String[] window = windowAndDepth(notes, row.get("context"), row.get("phase"));
    if (window != null) {
      put(out, "context", window[0]);
      put(out, "depth", window[1]);
    }
    SETTINGS.forEach((column, pattern) -> put(out, column, one(pattern, notes)));
    put(out, "build", build(notes));
    put(out, "build_date", buildMonth(row.get("source_id"), row.get("device"), notes));
    if (notes.contains("ROCBLAS_USE_HIPBLASLT=1")) {
      out.put("blas", "hipblaslt");
    }
    return out;
  }

  private static void put(Map<String, String> out, String column, String value) {
    if (value == null || value.isEmpty()) {
      out.remove(column);
    } else {
      out.put(column, value);
    }
  }

  /** {window, depth} by the depth rules of the migration script; null where the notes leave the row as it is. */
  private static String[] windowAndDepth(String notes, String context, String phase) {
    Matcher m = BENCH_DEPTH.matcher(notes);
    if (m.find()) {
      return new String[] {m.group(1), m.group(2)};
    }
    if ((m = BATCHED_TG.matcher(notes)).find()) {
      return new String[] {m.group(2), m.group(1)};
    }
    if ((m = BATCHED_TG_WORDS.matcher(notes)).find()) {
      return new String[] {m.group(1), m.group(2)};
    }
    if ((m = BATCHED_PP.matcher(notes)).find() || (m = BATCHED_PP_WORDS.matcher(notes)).find()) {
      return new String[] {m.group(1), "0"};
    }
    if ((m = ISL_OSL.matcher(notes)).find()) {
      return new String[] {m.group(2), m.group(1)};
    }
    if ((m = ISL_ONLY.matcher(notes)).find()) {
      return new String[] {"", m.group(1)};
    }
    if ((m = DERIVED.matcher(notes)).find()) {
      return new String[] {m.group(1), "0"};
    }
    if (notes.contains("llama-bench") && (m = BENCH_TEST.matcher(notes)).find()) {
      // a test length that is not the row's context: which of the two is wrong is not for a reader to guess
      return m.group(1).equals(context) ? new String[] {context, "0"} : null;
    }
    if (MAIN_RUN.matcher(notes).find() && "prefill".equals(phase)) {
      return new String[] {context, "0"};
    }
    return null;
  }

  /** The one value {@code pattern} captures in {@code notes}; null when none, or when it captures different ones. */
  private static String one(Pattern pattern, String notes) {
    Set<String> found = new LinkedHashSet<>();
    Matcher m = pattern.matcher(notes);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found.size() == 1 ? found.iterator().next() : null;
  }

  /** The release tag bNNNN where the build number is printed, else a stated commit hash. */
  private static String build(String notes) {
    Matcher m = BUILD_NUMBER.matcher(notes);
    if (m.find()) {
      return "b" + m.group(2);
    }
    m = COMMIT.matcher(notes);
    return m.find() ? m.group(1) : null;
  }

  /** The build's month: llama-bench's test time, else the month the row's source dates its builds in. */
  private String buildMonth(String source, String device, String notes) {
    Matcher m = TEST_TIME.matcher(notes);
    if (m.find()) {
      return m.group(1);
    }
    if ("xd_llama12".equals(source)) {
      return notes.contains("Aug 2023 build") ? "2023-08" : "2023-12";
    }
    if ("llamacpp_disc4167".equals(source)) {
      // the reference build 8e672ef (Nov 2023) ran the M1 and M2 chips; later chips ran on later, undated builds
      return device != null && APPLE_M1_M2.matcher(device).find() ? "2023-11" : null;
    }
    return source == null ? null : sourceMonths.get(source);
  }
}
