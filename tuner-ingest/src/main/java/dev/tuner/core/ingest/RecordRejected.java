package dev.tuner.core.ingest;

/**
 * Thrown inside a parser when one record cannot become a row (a measurement, or a serving row of tuner-serving's
 * ingesters); the caller records it with its origin.
 */
public final class RecordRejected extends Exception {
  private static final long serialVersionUID = 1L;
  private final RejectReason reason;
  private final String detail;

  public RecordRejected(RejectReason reason, String detail) {
    // rejections are expected outcomes, so the stack trace is not worth capturing
    super(reason.text() + ": " + detail, null, false, false);
    this.reason = reason;
    this.detail = detail;
  }

  public RejectReason reason() {
    return reason;
  }

  public String detail() {
    return detail;
  }
}
