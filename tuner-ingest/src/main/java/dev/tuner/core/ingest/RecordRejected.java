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

  /**
   * An option naming another {@code field} than the output states (both as catalog names): one of the two is wrong,
   * and a row labelled with either could describe a run that never happened.
   */
  public static RecordRejected contradicted(String field, String stated, String flag, String given) {
    return new RecordRejected(RejectReason.INCONSISTENT, "the output states " + field + " " + stated + " but " + flag
        + " is " + given);
  }

  public RejectReason reason() {
    return reason;
  }

  public String detail() {
    return detail;
  }
}
