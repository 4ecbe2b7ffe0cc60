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
 * vLLM's offline throughput benchmark ({@code benchmark_throughput.py}, {@code vllm bench throughput}): one record per
 * {@code Throughput:} line. Since vLLM PR #8914 it reads {@code X requests/s, Y total tokens/s, Z output tokens/s};
 * before, {@code X requests/s, Y tokens/s} where Y already counted prompt and output tokens (FORMATS.md §7.1).
 */
final class VllmThroughput implements Parser {
  private static final Pattern LINE = Pattern.compile("Throughput:\\s*([0-9.]+)\\s*requests/s,\\s*([0-9.]+)\\s*"
      + "(total\\s+)?tokens/s(?:,\\s*([0-9.]+)\\s*output tokens/s)?", Pattern.CASE_INSENSITIVE);

  private final ServingIngestOptions options;

  VllmThroughput(ServingIngestOptions options) {
    this.options = options;
  }

  @Override
  public void parse(Text text, Sink out) {
    for (int i = 1; i <= text.lines().size(); i++) {
      Matcher m = LINE.matcher(text.line(i));
      if (!m.find()) {
        continue;
      }
      try {
        out.accept(map(m, new Draft(text.origin(i))));
      } catch (RecordRejected e) {
        out.reject(text.origin(i), e);
      }
    }
  }

  private Draft map(Matcher m, Draft d) throws RecordRejected {
    BigDecimal req = Figures.number("requests/s", m.group(1));
    BigDecimal total = Figures.number("tokens/s", m.group(2));
    BigDecimal output = m.group(4) == null ? null : Figures.number("output tokens/s", m.group(4));
    if (req.signum() <= 0 || total.signum() <= 0) {
      throw new RecordRejected(RejectReason.BAD_VALUE, "requests/s " + req + " and tokens/s " + total
          + " must be positive");
    }
    d.set(ENGINE, "vLLM").set(REQUEST_RATE, "inf").set(REQ_PER_S, req).set(TOTAL_TPS, total).set(OUTPUT_TPS, output);
    d.note("vllm benchmark_throughput (offline: every prompt handed to the engine at once; engine vLLM, the"
        + " script's default backend); total_tps counts prompt and output tokens, output_tps output tokens only,"
        + " both for the whole deployment");
    d.set(DATASET, "vllm benchmark_throughput; isl/osl = tokens per request from the throughputs' ratios");
    // tokens/s ÷ requests/s = tokens per request: the elapsed time cancels, so the lengths follow from the ratios
    double perRequest = total.doubleValue() / req.doubleValue();
    if (output == null) {
      d.note("old output: the single tokens/s figure counts prompt and output tokens (" + Figures.fmt(perRequest)
          + " per request)");
      return lengthsFromSum(d, total, req);
    }
    long osl = Math.round(output.doubleValue() / req.doubleValue());
    long isl = Math.round(perRequest) - osl;
    if (isl < 1 || osl < 1) {
      throw new RecordRejected(RejectReason.INCONSISTENT, "output tokens/s " + output + " is not below total tokens/s "
          + total);
    }
    d.note(String.format(Locale.ROOT, "isl %d = (total - output tokens/s) / requests/s = %.2f; osl %d = output"
        + " tokens/s / requests/s = %.2f", isl, (total.doubleValue() - output.doubleValue()) / req.doubleValue(), osl,
        output.doubleValue() / req.doubleValue()));
    return d.set(ISL, isl).set(OSL, osl);
  }

  /** Before PR #8914 only isl + osl follows from the line; --isl or --osl gives the other. */
  private Draft lengthsFromSum(Draft d, BigDecimal total, BigDecimal req) throws RecordRejected {
    double lo = (total.doubleValue() - Figures.halfUnit(total)) / (req.doubleValue() + Figures.halfUnit(req));
    double hi = (total.doubleValue() + Figures.halfUnit(total)) / (req.doubleValue() - Figures.halfUnit(req));
    OptionalLong sum = Figures.onlyInteger(lo, hi);
    if (sum.isEmpty()) {
      throw new RecordRejected(RejectReason.INCONSISTENT, String.format(Locale.ROOT, "tokens/s %s ÷ requests/s %s = %.2f"
          + " to %.2f tokens per request: no single whole number", total, req, lo, hi));
    }
    String isl = options.stated().get(ISL);
    String osl = options.stated().get(OSL);
    if (isl == null && osl == null) {
      throw new RecordRejected(RejectReason.MISSING_FIELD, "this line gives only isl + osl = " + sum.getAsLong()
          + " tokens per request; pass --isl or --osl");
    }
    long s = sum.getAsLong();
    long in = isl != null ? Long.parseLong(isl) : s - Long.parseLong(osl);
    long out = osl != null ? Long.parseLong(osl) : s - Long.parseLong(isl);
    if (in < 1 || out < 1 || in + out != s) {
      throw new RecordRejected(RejectReason.INCONSISTENT, "isl " + in + " + osl " + out + " ≠ " + s
          + " tokens per request from tokens/s ÷ requests/s");
    }
    d.note("isl + osl = " + s + " from tokens/s ÷ requests/s, split by the stated " + (isl != null ? "--isl"
        : "--osl"));
    return d.set(ISL, in).set(OSL, out);
  }
}
