package dev.tuner.core.ingest;

import dev.tuner.core.scenario.Phase;

/**
 * A measurement as a parser read it, before the checks every format shares. {@code device}, {@code model} and
 * {@code quant} are catalog names; {@code model} is null when only {@code paramsB} is known. {@code context} is the
 * measured window and {@code depth} the tokens cached before it. The engine settings ({@code nUbatch},
 * {@code flashAttn}, {@code build}, {@code buildDate} as YYYY-MM), the file size and the parallel layout
 * ({@code devices}, {@code tp}, {@code pp}, {@code ep}) are null when the file does not say them.
 */
record Candidate(
    String device,
    String model,
    Double paramsB,
    String quant,
    int batch,
    int context,
    Phase phase,
    String kvCacheType,
    String backend,
    double tokensPerSecond,
    String notes,
    Integer depth,
    Integer nUbatch,
    Boolean flashAttn,
    String build,
    Double modelSizeBytes,
    Integer devices,
    Integer tp,
    Integer pp,
    Integer ep,
    String buildDate) {

  /** A candidate on one device from an empty cache, with no engine settings or file size stated. */
  Candidate(
      String device, String model, Double paramsB, String quant, int batch, int context, Phase phase,
      String kvCacheType, String backend, double tokensPerSecond, String notes) {
    this(device, model, paramsB, quant, batch, context, phase, kvCacheType, backend, tokensPerSecond, notes, null,
        null, null, null, null, null, null, null, null, null);
  }
}
