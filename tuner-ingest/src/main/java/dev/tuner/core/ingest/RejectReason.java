package dev.tuner.core.ingest;

/** Why a record did not become a measurement. The text is what the summary counts by; the detail says the rest. */
public enum RejectReason {
  MIXED_PHASE("mixed prefill+decode figure"),
  CPU_ONLY("CPU-only run (no GPU offload)"),
  PARTIAL_OFFLOAD("partial GPU offload"),
  MULTI_GPU("several GPUs that make no one layout (RPC servers, GPUs of different kinds, counts that disagree)"),
  NO_DEVICE("no device named; pass --device"),
  UNKNOWN_DEVICE("unknown device; pass --device"),
  NO_MODEL("no model or parameter count; pass --model"),
  UNKNOWN_MODEL("unknown model; pass --model"),
  NO_QUANT("no quantization named; pass --quant"),
  UNKNOWN_QUANT("unknown quantization; pass --quant"),
  UNSUPPORTED_KV_CACHE("KV-cache type tuner does not model"),
  MISSING_FIELD("missing field"),
  BAD_VALUE("invalid value"),
  INCONSISTENT("figures contradict each other"),
  ABOVE_ROOFLINE("far above the physical bound"),
  MALFORMED("malformed record"),
  UNSUPPORTED("not an ingestible record"),
  NO_RECORDS("no records in the file"),
  NOT_TEXT("not a text file"),
  TOO_LARGE("file too large");

  private final String text;

  RejectReason(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }
}
