package dev.tuner.serving;

import java.util.Objects;

/** Input and output lengths per request and how the requests arrive. */
public record Workload(Lengths input, Lengths output, Load load) {
  public Workload {
    Objects.requireNonNull(input, "input lengths");
    Objects.requireNonNull(output, "output lengths");
    Objects.requireNonNull(load, "load");
  }

  /** Tokens the longest request may hold ({@link Lengths#longestSequence}). */
  public long longestSequence() {
    return Lengths.longestSequence(input, output);
  }

  public Workload withLoad(Load l) {
    return new Workload(input, output, l);
  }
}
