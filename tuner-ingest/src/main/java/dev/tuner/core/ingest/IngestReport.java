package dev.tuner.core.ingest;

import dev.tuner.core.data.Measurement;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one ingestion: every record seen is either accepted as a measurement or rejected with its location
 * and reason. A file that yields no record at all (empty, binary, not this tool's output) counts as one rejected
 * record, so nothing disappears from the counts.
 */
public record IngestReport(List<Measurement> accepted, List<Rejection> rejected) {

  /** A record that did not become a measurement: where it is ({@code file:line}), why, and the specifics. */
  public record Rejection(String origin, RejectReason reason, String detail) {
    public Rejection {
      Objects.requireNonNull(origin, "origin");
      Objects.requireNonNull(reason, "reason");
      detail = detail == null ? "" : detail;
    }

    /** {@code reason: detail}, as printed. */
    public String message() {
      return detail.isEmpty() ? reason.text() : reason.text() + ": " + detail;
    }
  }

  public IngestReport {
    accepted = List.copyOf(accepted);
    rejected = List.copyOf(rejected);
  }

  public int recordsSeen() {
    return accepted.size() + rejected.size();
  }

  /** Rejections counted by reason, in the order of {@link RejectReason}; reasons that did not occur are absent. */
  public Map<RejectReason, Integer> rejectedByReason() {
    return byReason(rejected);
  }

  /** {@code rejected} counted by reason, as every ingestion's report counts them (serving ingestion's too). */
  public static Map<RejectReason, Integer> byReason(List<Rejection> rejected) {
    Map<RejectReason, Integer> counts = new EnumMap<>(RejectReason.class);
    for (Rejection r : rejected) {
      counts.merge(r.reason(), 1, Integer::sum);
    }
    return Collections.unmodifiableMap(counts);
  }
}
