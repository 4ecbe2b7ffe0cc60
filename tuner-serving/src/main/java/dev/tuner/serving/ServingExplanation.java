package dev.tuner.serving;

/**
 * What a serving prediction rests on, for people ({@code tuner predict --explain}): the engine terms it ran with and
 * where they come from ({@code termsSource}), and one decode iteration of its {@code sequences} running requests over
 * a mean context of {@code meanContext} tokens each: every part's roofline seconds ({@code atPeak}) and its seconds
 * under the terms. Seconds are of one iteration of one instance.
 */
public record ServingExplanation(String termsSource, EngineTerms terms, double sequences, double meanContext,
    StepTimes atPeak) {

  /** The weights' reads at the terms' bandwidth share. */
  public double weightsS() {
    return terms.weights(atPeak);
  }

  /** The linear layers' arithmetic at the terms' compute share. */
  public double linearS() {
    return terms.linear(atPeak);
  }

  /** The KV cache's reads at the terms' KV bandwidth share. */
  public double kvS() {
    return terms.kv(atPeak);
  }

  /** Attention's arithmetic at the terms' compute share. */
  public double attentionS() {
    return terms.attentionArithmetic(atPeak);
  }

  /** The collectives: their bytes at the terms' link share, plus their latency. */
  public double collectivesS() {
    return terms.network(atPeak);
  }

  /** The engine's own time: the overhead per iteration and per running sequence. */
  public double overheadS() {
    return terms.engine(sequences);
  }

  /**
   * The iteration: the longer of the weights' reads and the linear layers' arithmetic, the longer of the KV cache's
   * reads and attention's arithmetic, the collectives and the engine's overhead ({@link EngineTerms#seconds}).
   */
  public double iterationS() {
    return terms.seconds(atPeak, sequences);
  }
}
