package dev.tuner.serving.ingest;

import dev.tuner.core.ingest.RecordRejected;
import static dev.tuner.serving.ingest.ServingColumn.*;

import dev.tuner.core.ingest.RejectReason;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SGLang's {@code bench_one_batch} console (FORMATS.md §4.1): one static batch with no scheduler. One record per run
 * after {@code Benchmark ...} (the warm-up before it is skipped): {@code Prefill.} latency and throughput, the
 * {@code Decode i. Batch size: B} steps, the {@code Decode.} medians and the {@code Total.} line.
 */
final class SglangOneBatch implements Parser {
  private static final Pattern PREFILL = Pattern.compile(
      "^\\s*Prefill\\.\\s*latency:\\s*([0-9.]+)\\s*s,\\s*throughput:\\s*([0-9.]+)\\s*token/s");
  private static final Pattern STEP = Pattern.compile("^\\s*Decode\\s+\\d+\\.\\s*Batch size:\\s*(\\d+)");
  private static final Pattern DECODE = Pattern.compile(
      "^\\s*Decode\\.\\s*median latency:\\s*([0-9.]+)\\s*s,\\s*median throughput:\\s*([0-9.]+)\\s*token/s");
  private static final Pattern TOTAL = Pattern.compile(
      "^\\s*Total\\.\\s*latency:\\s*([0-9.]+)\\s*s,\\s*throughput:\\s*([0-9.]+)\\s*token/s");

  private final ServingIngestOptions options;

  SglangOneBatch(ServingIngestOptions options) {
    this.options = options;
  }

  @Override
  public void parse(Text text, Sink out) {
    boolean hasMarker = text.lines().stream().anyMatch(l -> l.strip().startsWith("Benchmark ..."));
    boolean measuring = !hasMarker;
    Run run = null;
    for (int i = 1; i <= text.lines().size(); i++) {
      String line = text.line(i);
      if (line.strip().startsWith("Warmup ...")) {
        measuring = false;
      } else if (line.strip().startsWith("Benchmark ...")) {
        measuring = true;
      }
      if (!measuring) {
        continue;
      }
      Matcher m;
      if ((m = PREFILL.matcher(line)).find()) {
        if (run != null) {
          out.reject(text.origin(run.line), RejectReason.MALFORMED, "a run without its Total. line");
        }
        run = new Run(i, m.group(1), m.group(2));
      } else if (run != null && (m = STEP.matcher(line)).find()) {
        run.batch = Long.parseLong(m.group(1));
      } else if (run != null && (m = DECODE.matcher(line)).find()) {
        run.decodeLatency = m.group(1);
        run.decodeTps = m.group(2);
      } else if (run != null && (m = TOTAL.matcher(line)).find()) {
        try {
          out.accept(map(run, m.group(1), m.group(2), new Draft(text.origin(run.line))));
        } catch (RecordRejected e) {
          out.reject(text.origin(run.line), e);
        }
        run = null;
      }
    }
    if (run != null) {
      out.reject(text.origin(run.line), RejectReason.MALFORMED, "a run without its Total. line (truncated?)");
    }
  }

  /** The lines of one run as read so far; confined to the parse. */
  private static final class Run {
    final int line;
    final String prefillLatency;
    final String prefillTps;
    Long batch;
    String decodeLatency;
    String decodeTps;

    Run(int line, String prefillLatency, String prefillTps) {
      this.line = line;
      this.prefillLatency = prefillLatency;
      this.prefillTps = prefillTps;
    }
  }

  private Draft map(Run r, String totalLatency, String totalTps, Draft d) throws RecordRejected {
    BigDecimal pl = positive("Prefill latency", r.prefillLatency);
    BigDecimal pt = positive("Prefill throughput", r.prefillTps);
    BigDecimal tl = positive("Total latency", totalLatency);
    BigDecimal tt = positive("Total throughput", totalTps);
    long batch;
    if (r.batch != null) {
      batch = r.batch;
    } else if (options.stated().containsKey(BATCH)) {
      batch = Long.parseLong(options.stated().get(BATCH));
    } else {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "no Decode step line states the batch size; pass --batch");
    }
    d.set(ENGINE, "SGLang").set(BATCH, batch);
    // prefill throughput = input_len × batch / prefill latency, to the precision both are printed with
    long isl = length("isl", ISL, (lo(pt) * lo(pl)) / batch, (hi(pt) * hi(pl)) / batch, 0, String.format(Locale.ROOT,
        "prefill throughput %s × latency %s s / batch %d", pt, pl, batch));
    // total throughput = (input_len + output_len) × batch / total latency
    long osl = length("osl", OSL, lo(tt) * lo(tl) / batch - isl, hi(tt) * hi(tl) / batch - isl, 1,
        String.format(Locale.ROOT, "total throughput %s × latency %s s / batch %d - isl %d", tt, tl, batch, isl));
    d.set(ISL, isl).set(OSL, osl);
    d.set(DATASET, "sglang bench_one_batch (fixed lengths); isl/osl from the printed throughputs and latencies");
    d.set(PREFILL_TPS, pt).set(TOTAL_TPS, tt).set(TTFT_MEAN_MS, pl.movePointRight(3));
    if (r.decodeTps != null) {
      d.set(DECODE_TPS, positive("Decode median throughput", r.decodeTps))
          .set(TPOT_MEDIAN_MS, positive("Decode median latency", r.decodeLatency).movePointRight(3));
    }
    d.note("static batching (sglang bench_one_batch, one run): prefill_tps = isl × batch / prefill latency (prompt"
        + " tokens); decode_tps = batch / median decode step latency (generated tokens); total_tps = (isl + osl) ×"
        + " batch / total latency; ttft_mean_ms = the batch's prefill latency; tpot_median_ms = median decode step"
        + " latency; whole deployment");
    d.note("total_latency_s=" + Draft.plain(tl));
    return d;
  }

  /**
   * The stated length when it lies within the printed figures' precision, else the one whole number that does; a
   * rejection when the stated one does not fit or several fit and none is stated.
   */
  private long length(String name, ServingColumn column, double lo, double hi, int slack, String how) throws RecordRejected {
    String stated = options.stated().get(column);
    String range = String.format(Locale.ROOT, "%s = %.2f to %.2f", how, lo, hi);
    if (stated != null) {
      long v = Long.parseLong(stated);
      // one token of slack for the output: the last step's timing is rounded into the total
      if (v < Math.floor(lo) - slack || v > Math.ceil(hi) + slack) {
        throw new RecordRejected(RejectReason.INCONSISTENT, column.flag().orElseThrow() + " " + v + " but " + range);
      }
      return v;
    }
    OptionalLong only = Figures.onlyInteger(lo, hi);
    if (only.isEmpty() || only.getAsLong() < 1) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, name + " not fixed by the printed figures (" + range
          + "); pass " + column.flag().orElseThrow());
    }
    return only.getAsLong();
  }

  private static double lo(BigDecimal printed) {
    return printed.doubleValue() - Figures.halfUnit(printed);
  }

  private static double hi(BigDecimal printed) {
    return printed.doubleValue() + Figures.halfUnit(printed);
  }

  private static BigDecimal positive(String label, String value) throws RecordRejected {
    BigDecimal v = Figures.number(label, value);
    if (v.signum() <= 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, label + " = " + value + " is not positive");
    }
    return v;
  }
}
