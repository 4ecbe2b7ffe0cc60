package dev.tuner.serving.ingest;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one record of benchmark output states, column by column, before the options fill the gaps and the catalog
 * resolves the names. Engine, device, model and precision hold the words the tool printed; numbers are kept as
 * printed (plain decimal). Confined to the parse of one record.
 */
final class Draft {
  private final String origin;
  private final Map<ServingColumn, String> cells = new EnumMap<>(ServingColumn.class);
  private final List<String> notes = new ArrayList<>();

  Draft(String origin) {
    this.origin = origin;
  }

  String origin() {
    return origin;
  }

  Draft set(ServingColumn column, String value) {
    if (value != null && !value.isBlank()) {
      cells.put(column, value.strip());
    }
    return this;
  }

  Draft set(ServingColumn column, BigDecimal value) {
    if (value != null) {
      cells.put(column, plain(value));
    }
    return this;
  }

  Draft set(ServingColumn column, long value) {
    cells.put(column, Long.toString(value));
    return this;
  }

  boolean has(ServingColumn column) {
    return cells.containsKey(column);
  }

  String get(ServingColumn column) {
    return cells.get(column);
  }

  Draft note(String note) {
    notes.add(note);
    return this;
  }

  Map<ServingColumn, String> cells() {
    return cells;
  }

  List<String> notes() {
    return notes;
  }

  /** {@code value} in plain decimal notation without trailing zeros: {@code 1.1684E+17} → {@code 116840000000000000}. */
  static String plain(BigDecimal value) {
    BigDecimal v = value.stripTrailingZeros();
    return (v.scale() < 0 ? v.setScale(0) : v).toPlainString();
  }
}
