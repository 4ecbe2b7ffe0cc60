package dev.tuner.cli;

import dev.tuner.core.io.Csv;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Rows of text under a header, printed as aligned columns (numbers right-aligned) or as CSV. A header of empty
 * names is not printed, which makes name/value lists.
 */
final class Table {
  /** A cell that reads as a number, which is right-aligned; compiled once rather than for every cell. */
  private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9][0-9.,]*(e[-+]?[0-9]+)?%?");

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... header) {
    this.header = List.of(header);
  }

  Table row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException(cells.length + " cells for " + header.size() + " columns");
    }
    List<String> r = new ArrayList<>(cells.length);
    for (Object c : cells) {
      r.add(c == null ? "" : c.toString());
    }
    rows.add(r);
    return this;
  }

  void printText(PrintWriter out, String indent) {
    int n = header.size();
    int[] width = new int[n];
    boolean[] numeric = new boolean[n];
    for (int c = 0; c < n; c++) {
      width[c] = header.get(c).length();
      numeric[c] = !rows.isEmpty();
      for (List<String> r : rows) {
        width[c] = Math.max(width[c], r.get(c).length());
        numeric[c] &= r.get(c).isEmpty() || NUMBER.matcher(r.get(c)).matches();
      }
    }
    if (header.stream().anyMatch(h -> !h.isEmpty())) {
      printLine(out, indent, header, width, numeric);
    }
    for (List<String> r : rows) {
      printLine(out, indent, r, width, numeric);
    }
  }

  void printCsv(PrintWriter out) {
    out.println(Csv.line(header));
    for (List<String> r : rows) {
      out.println(Csv.line(r));
    }
  }

  private static void printLine(PrintWriter out, String indent, List<String> cells, int[] width, boolean[] numeric) {
    StringBuilder b = new StringBuilder(indent);
    for (int c = 0; c < cells.size(); c++) {
      String cell = cells.get(c);
      boolean last = c == cells.size() - 1;
      String pad = " ".repeat(width[c] - cell.length());
      if (numeric[c]) {
        b.append(pad).append(cell);
      } else {
        b.append(cell).append(last ? "" : pad);
      }
      if (!last) {
        b.append("  ");
      }
    }
    out.println(b.toString().stripTrailing());
  }
}
