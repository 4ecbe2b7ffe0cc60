package dev.tuner.serving.ingest;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One serving row made from benchmark output: where it comes from ({@code file:line}) and its cells by column, every
 * value as written to serving.csv (numbers in plain decimal notation); a column without a cell is blank (not stated).
 */
public record ServingResult(String origin, Map<ServingColumn, String> cells) {
  public ServingResult {
    Objects.requireNonNull(origin, "origin");
    EnumMap<ServingColumn, String> copy = new EnumMap<>(ServingColumn.class);
    cells.forEach((k, v) -> {
      if (v != null && !v.isEmpty()) {
        copy.put(k, v);
      }
    });
    cells = Collections.unmodifiableMap(copy);
  }

  /** The cell of {@code column}, {@code ""} when blank. */
  public String get(ServingColumn column) {
    return cells.getOrDefault(column, "");
  }
}
