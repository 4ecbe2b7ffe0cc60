package dev.tuner.serving.ingest;

import dev.tuner.core.ingest.RecordRejected;
import dev.tuner.core.ingest.IngestReport.Rejection;
import dev.tuner.core.ingest.RejectReason;
import java.util.ArrayList;
import java.util.List;

/** Collects what the parsers of one file make: drafts of rows and rejected records. Confined to one ingestion. */
final class Sink {
  private final List<Draft> drafts = new ArrayList<>();
  private final List<Rejection> rejected = new ArrayList<>();

  void accept(Draft d) {
    drafts.add(d);
  }

  void reject(String origin, RecordRejected e) {
    rejected.add(new Rejection(origin, e.reason(), e.detail()));
  }

  void reject(String origin, RejectReason reason, String detail) {
    rejected.add(new Rejection(origin, reason, detail));
  }

  List<Draft> drafts() {
    return drafts;
  }

  List<Rejection> rejected() {
    return rejected;
  }

  int size() {
    return drafts.size() + rejected.size();
  }
}
