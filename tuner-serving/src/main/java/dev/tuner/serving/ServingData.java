package dev.tuner.serving;

import java.util.List;

/** What reading serving rows gave: every data row either used or rejected with its reason. */
public record ServingData(int rows, List<ServingRow> used, List<Rejected> rejected) {
  /** A row that was not used, and why. */
  public record Rejected(String where, String reason) {}

  public ServingData {
    used = List.copyOf(used);
    rejected = List.copyOf(rejected);
  }
}
