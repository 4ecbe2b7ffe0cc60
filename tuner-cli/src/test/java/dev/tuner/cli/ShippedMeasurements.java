package dev.tuner.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shipped measurements (the catalog's resource), copied to a file a test trains on. */
final class ShippedMeasurements {
  private ShippedMeasurements() {}

  /** Copies them to {@code file} and returns it. */
  static Path copyTo(Path file) {
    try (InputStream in = ShippedMeasurements.class.getClassLoader()
        .getResourceAsStream("dev/tuner/data/measurements.csv")) {
      if (in == null) {
        throw new IllegalStateException("no resource dev/tuner/data/measurements.csv on the test class path");
      }
      Files.copy(in, file);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
