package dev.tuner.core.catalog;

import dev.tuner.api.InvalidInputException;
import java.io.Reader;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The architecture of each chip family (data/chip_families.csv): the instruction-set generation engines compile
 * their kernels for, which several dies share (GA102 and GA104 are both "Ampere sm_86"). A model learns how well
 * one architecture's kernels do from its siblings; a device of an architecture none of its training rows ran on has
 * no sibling to learn from, and {@link dev.tuner.core.predict.Predictor} says so and widens its interval.
 */
public final class ChipFamilies {
  private final Map<String, String> architectures;

  private ChipFamilies(Map<String, String> architectures) {
    this.architectures = Collections.unmodifiableMap(new TreeMap<>(architectures));
  }

  /** The table shipped inside tuner-core. */
  public static ChipFamilies shipped() {
    return Shipped.TABLE;
  }

  /** The architecture of {@code chipFamily}, when the table has it. */
  public Optional<String> architecture(String chipFamily) {
    return Optional.ofNullable(chipFamily == null ? null : architectures.get(chipFamily.trim()));
  }

  static ChipFamilies read(Reader in, String source) {
    Map<String, String> out = new TreeMap<>();
    List<Map<String, String>> rows = Catalog.table(in, source, "chip_family", "vendor", "architecture");
    for (Map<String, String> m : rows) {
      String where = m.get("#line");
      String family = m.get("chip_family");
      String architecture = m.get("architecture");
      if (family.isEmpty()) {
        throw new InvalidInputException(where + " chip_family", "blank", "the die's name, e.g. GA102");
      }
      if (architecture.isEmpty()) {
        throw new InvalidInputException(where + " architecture", "blank",
            "the architecture the chip family's kernels are compiled for, e.g. Ampere sm_86");
      }
      if (out.put(family, architecture) != null) {
        throw new InvalidInputException(where + " chip_family", family, "a chip family listed once");
      }
    }
    return new ChipFamilies(out);
  }

  /** Read once, on first use: the table is immutable. */
  private static final class Shipped {
    static final ChipFamilies TABLE = read(Catalog.resource("chip_families.csv"), "chip_families.csv");
  }
}
