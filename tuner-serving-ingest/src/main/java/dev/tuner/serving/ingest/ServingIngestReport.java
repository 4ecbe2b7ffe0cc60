package dev.tuner.serving.ingest;

import dev.tuner.core.ingest.IngestReport;
import dev.tuner.core.ingest.IngestReport.Rejection;
import dev.tuner.core.ingest.RejectReason;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one serving ingestion: every record seen is a row or a rejection with its location and reason. A
 * file that yields no record at all counts as one rejected record, so nothing disappears from the counts.
 */
public record ServingIngestReport(List<ServingResult> rows, List<Rejection> rejected) {
  public ServingIngestReport {
    rows = List.copyOf(rows);
    rejected = List.copyOf(rejected);
  }

  public int recordsSeen() {
    return rows.size() + rejected.size();
  }

  /** Rejections counted by reason, in the order of {@link RejectReason}; reasons that did not occur are absent. */
  public Map<RejectReason, Integer> rejectedByReason() {
    return IngestReport.byReason(rejected);
  }
}
