package dev.tuner.core.ingest;

import dev.tuner.core.data.Measurement;
import dev.tuner.core.ingest.IngestReport.Rejection;
import java.util.ArrayList;
import java.util.List;

/** Collects what the parsers decide, in input order. */
final class Sink {
  private final List<Measurement> accepted = new ArrayList<>();
  private final List<Rejection> rejected = new ArrayList<>();

  void accept(Measurement m) {
    accepted.add(m);
  }

  void reject(String origin, RejectReason reason, String detail) {
    rejected.add(new Rejection(origin, reason, detail));
  }

  void reject(Rejection r) {
    rejected.add(r);
  }

  int size() {
    return accepted.size() + rejected.size();
  }

  IngestReport report() {
    return new IngestReport(accepted, rejected);
  }
}
