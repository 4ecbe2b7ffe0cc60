package dev.tuner.core.ingest;

import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The timing block {@code ollama run --verbose} prints after each reply (FORMATS.md §6); a file may hold several.
 * {@code prompt eval rate} → prefill with context = prompt eval count; {@code eval rate} → decode with context = prompt
 * eval count + eval count; batch 1. The output names no device, model or quantization, so all three must be stated.
 */
final class OllamaVerbose {
  private static final Pattern KEY_LINE = Pattern.compile(
      "(?i)^\\s*(total duration|load duration|prompt eval count|prompt eval duration|prompt eval rate|eval count"
          + "|eval duration|eval rate|llm library|gpu loaded layers):\\s*(.*?)\\s*$");
  private static final Pattern COUNT = Pattern.compile("(?i)^(\\d{1,9})\\s*tokens?(?:\\(s\\))?$");
  private static final Pattern RATE = Pattern.compile("(?i)^(\\S+)\\s*tokens?/s$");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)(h|ms|m|s|µs|μs|us|ns)");
  private static final Pattern LAYERS = Pattern.compile("^(\\d{1,6})\\s*/\\s*(\\d{1,6})$");
  private static final Pattern API_JSON_KEY = Pattern.compile("^\\s*\"(eval_count|prompt_eval_count)\"\\s*:");
  /** The printed rate has two decimals and the duration is rounded; beyond this the block has been edited. */
  private static final double RATE_TOLERANCE = 0.02;

  private final Stated stated;

  OllamaVerbose(Stated stated) {
    this.stated = stated;
  }

  private record Value(String text, int line) {}

  void parse(SourceText src, Emitter out) {
    Map<String, Value> block = new LinkedHashMap<>();
    int blocks = 0;
    boolean apiJsonSeen = false;
    for (int i = 1; i <= src.lines().size(); i++) {
      String line = src.line(i);
      Matcher m = KEY_LINE.matcher(line);
      if (m.matches()) {
        String key = m.group(1).toLowerCase(Locale.ROOT);
        if (block.containsKey(key) || key.equals("total duration") && !block.isEmpty()) {
          blocks += flush(src, block, out);
        }
        block.put(key, new Value(m.group(2), i));
        continue;
      }
      if (!block.isEmpty()) {
        blocks += flush(src, block, out);
      }
      if (API_JSON_KEY.matcher(line).find() && !apiJsonSeen) {
        // the /api/generate payload has the same figures in nanoseconds, but it is a different format
        apiJsonSeen = true;
        out.reject(src.origin(i), RejectReason.UNSUPPORTED, "an Ollama API JSON payload, not --verbose output;"
            + " it is not read");
        blocks++;
      }
    }
    if (!block.isEmpty()) {
      blocks += flush(src, block, out);
    }
    if (blocks == 0) {
      out.reject(src.name(), RejectReason.UNSUPPORTED, "no Ollama --verbose block (\"eval rate: … tokens/s\") found");
    }
  }

  /** Emits the block's records and clears it; returns how many there were. */
  private int flush(SourceText src, Map<String, Value> block, Emitter out) {
    Map<String, Value> b = new LinkedHashMap<>(block);
    block.clear();
    Value prefill = b.get("prompt eval rate");
    Value decode = b.get("eval rate");
    if (prefill == null && decode == null) {
      Value first = b.values().iterator().next();
      out.reject(src.origin(first.line()), RejectReason.MISSING_FIELD, "a timing block without \"prompt eval rate\" or"
          + " \"eval rate\"");
      return 1;
    }
    for (Value rate : new Value[] {prefill, decode}) {
      if (rate == null) {
        continue;
      }
      String origin = src.origin(rate.line());
      try {
        out.accept(origin, map(b, rate == prefill ? Phase.PREFILL : Phase.DECODE));
      } catch (RecordRejected e) {
        out.reject(origin, e);
      }
    }
    return (prefill == null ? 0 : 1) + (decode == null ? 0 : 1);
  }

  private Candidate map(Map<String, Value> b, Phase phase) throws RecordRejected {
    boolean prefill = phase == Phase.PREFILL;
    String prefix = prefill ? "prompt eval" : "eval";
    double rate = rate(b.get(prefix + " rate"));
    Long count = count(b, prefix + " count");
    if (count == null) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "\"" + prefix + " count\" is missing");
    }
    Double seconds = duration(b, prefix + " duration");
    if (seconds != null && seconds > 0 && count > 0
        && Math.abs(count / seconds - rate) > RATE_TOLERANCE * rate + 0.01) {
      throw new RecordRejected(RejectReason.INCONSISTENT, String.format(Locale.ROOT,
          "%s count %d / duration %.6f s = %.2f tokens/s, but the rate says %.2f", prefix, count, seconds,
          count / seconds, rate));
    }
    Long promptCount = prefill ? count : count(b, "prompt eval count");
    if (promptCount == null) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "\"prompt eval count\" is missing, so the context is unknown");
    }
    long context = prefill ? promptCount : promptCount + count;
    if (context < 1 || context > Scenario.MAX_CONTEXT) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "context " + context + " tokens: expected 1 to "
          + Scenario.MAX_CONTEXT);
    }
    checkOffload(b);
    List<String> missing = stated.missing(true, true, true);
    if (!missing.isEmpty()) {
      RejectReason reason = stated.device().isEmpty() ? RejectReason.NO_DEVICE
          : stated.model().isEmpty() ? RejectReason.NO_MODEL : RejectReason.NO_QUANT;
      throw new RecordRejected(reason, "Ollama prints no device, model or quantization (its default tags are Q4_K_M,"
          + " but that is an assumption); pass " + String.join(", ", missing));
    }
    List<String> notes = new ArrayList<>();
    notes.add("ollama --verbose " + prefix + " rate");
    notes.add(prefix + " count " + count + (seconds == null ? "" : String.format(Locale.ROOT, " in %.3f s", seconds)));
    if (!prefill) {
      notes.add("context = prompt eval count " + promptCount + " + eval count " + count
          + " (this turn only: earlier turns reused from cache are not counted)");
    }
    // an "llm library:" line with nothing after it would leave a trailing blank in the notes, which the
    // measurements CSV cannot hold as given (MeasurementWriter refuses such a row)
    if (b.containsKey("llm library") && !b.get("llm library").text().isEmpty()) {
      notes.add("llm library " + b.get("llm library").text());
    }
    return new Candidate(stated.device().get().name(), stated.model().get().name(), null, stated.quant().get().name(),
        1, (int) context, phase, null, "Ollama", rate, String.join("; ", notes));
  }

  /** "GPU loaded layers: 1/27" (a 2024 build's line) shows a hybrid CPU/GPU run. */
  private static void checkOffload(Map<String, Value> b) throws RecordRejected {
    Value library = b.get("llm library");
    if (library != null && library.text().toLowerCase(Locale.ROOT).startsWith("cpu")) {
      throw new RecordRejected(RejectReason.CPU_ONLY, "llm library " + library.text());
    }
    Value layers = b.get("gpu loaded layers");
    if (layers == null) {
      return;
    }
    Matcher m = LAYERS.matcher(layers.text());
    if (!m.matches()) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "GPU loaded layers = \"" + layers.text() + "\": expected n/m");
    }
    int loaded = Integer.parseInt(m.group(1));
    int total = Integer.parseInt(m.group(2));
    if (loaded == 0) {
      throw new RecordRejected(RejectReason.CPU_ONLY, "GPU loaded layers " + layers.text());
    }
    if (loaded < total) {
      throw new RecordRejected(RejectReason.PARTIAL_OFFLOAD, "GPU loaded layers " + layers.text());
    }
  }

  private static double rate(Value v) throws RecordRejected {
    Matcher m = RATE.matcher(v.text());
    if (!m.matches()) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "rate \"" + v.text() + "\": expected \"<number> tokens/s\"");
    }
    double r;
    try {
      r = Double.parseDouble(m.group(1));
    } catch (NumberFormatException e) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "rate \"" + v.text() + "\": expected \"<number> tokens/s\"");
    }
    if (!Double.isFinite(r) || r <= 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "rate " + m.group(1) + " tokens/s: expected a positive finite"
          + " number");
    }
    return r;
  }

  private static Long count(Map<String, Value> b, String key) throws RecordRejected {
    Value v = b.get(key);
    if (v == null) {
      return null;
    }
    Matcher m = COUNT.matcher(v.text());
    if (!m.matches()) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " \"" + v.text() + "\": expected \"<n> token(s)\"");
    }
    return Long.parseLong(m.group(1));
  }

  /** A Go duration such as {@code 5.088275983s}, {@code 204.563ms}, {@code 452.875µs} or {@code 2m27.9s}. */
  private static Double duration(Map<String, Value> b, String key) throws RecordRejected {
    Value v = b.get(key);
    if (v == null) {
      return null;
    }
    String text = v.text();
    Matcher m = DURATION_PART.matcher(text);
    double seconds = 0;
    int at = 0;
    while (at < text.length() && m.find(at) && m.start() == at) {
      double n = Double.parseDouble(m.group(1));
      seconds += n * switch (m.group(2)) {
        case "h" -> 3600;
        case "m" -> 60;
        case "s" -> 1;
        case "ms" -> 1e-3;
        case "ns" -> 1e-9;
        default -> 1e-6;
      };
      at = m.end();
    }
    if (at != text.length() || text.isEmpty()) {
      throw new RecordRejected(RejectReason.BAD_VALUE, key + " \"" + text + "\": expected a Go duration such as 1.5s"
          + " or 204.563ms");
    }
    return seconds;
  }
}
