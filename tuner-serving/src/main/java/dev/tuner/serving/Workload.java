package dev.tuner.serving;

import java.util.Objects;

/** Input and output lengths per request and how the requests arrive. */
public record Workload(Lengths input, Lengths output, Load load) {
  public Workload {
    Objects.requireNonNull(input, "input lengths");
    Objects.requireNonNull(output, "output lengths");
    Objects.requireNonNull(load, "load");
  }

  public Workload withLoad(Load l) {
    return new Workload(input, output, l);
  }
}
