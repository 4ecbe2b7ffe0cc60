package dev.tuner.core.learn;

import dev.tuner.core.Fixtures;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/** The shipped measurements' usable rows, encoded in tuner-v2, for tests that need real rows. */
final class ShippedRows {
  private ShippedRows() {}

  /** A fresh copy each call: tests may change its measured values. */
  static Encoded encoded() throws IOException {
    try (Reader in = new InputStreamReader(ShippedRows.class.getClassLoader()
        .getResourceAsStream("dev/tuner/data/measurements.csv"), StandardCharsets.UTF_8)) {
      Dataset.Prepared p = Dataset.load(in, "measurements.csv", Fixtures.CATALOG, new Roofline(Fixtures.CATALOG),
          Dataset.Options.defaults());
      return new Encoded(FeatureSchemas.tunerV2(), p.examples());
    }
  }
}
