package dev.tuner.core.ingest;

import dev.tuner.core.scenario.Phase;

/**
 * A measurement as a parser read it, before the checks every format shares. {@code device}, {@code model} and
 * {@code quant} are catalog names; {@code model} is null when only {@code paramsB} is known.
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
    String notes) {}
