package dev.tuner.serving.ingest;

import dev.tuner.core.ingest.RejectReason;

/** Thrown inside a parser when one record cannot become a serving row; the caller records it with its origin. */
final class Rejected extends Exception {
  private static final long serialVersionUID = 1L;
  private final RejectReason reason;
  private final String detail;

  Rejected(RejectReason reason, String detail) {
    // rejections are expected outcomes, so the stack trace is not worth capturing
    super(reason.text() + ": " + detail, null, false, false);
    this.reason = reason;
    this.detail = detail;
  }

  RejectReason reason() {
    return reason;
  }

  String detail() {
    return detail;
  }
}
