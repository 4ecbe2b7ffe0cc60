package dev.tuner.linear;

import dev.tuner.api.OutputKind;
import dev.tuner.api.TrainingSet;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.learn.Encoded;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The shipped measurements (data/measurements.csv), prepared and encoded by the host as `tuner train` does. */
final class ShippedData {
  private ShippedData() {}

  /** Every usable shipped row in the default schema, with the default target, grouped by device. */
  static TrainingSet trainingSet() {
    return new Encoded(FeatureSchemas.tunerV1(), prepared().examples()).trainingSet(OutputKind.LOG_ROOFLINE_FRACTION);
  }

  /** The shipped rows prepared against the shipped catalog, as `tuner train --data data/measurements.csv` does. */
  static Dataset.Prepared prepared() {
    Catalog catalog = Catalog.shipped();
    try (InputStream in = ShippedData.class.getClassLoader().getResourceAsStream("dev/tuner/data/measurements.csv")) {
      if (in == null) {
        throw new IllegalStateException("dev/tuner/data/measurements.csv is not on the class path");
      }
      return Dataset.load(new InputStreamReader(in, StandardCharsets.UTF_8), "measurements.csv", catalog,
          new Roofline(catalog), Dataset.Options.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
