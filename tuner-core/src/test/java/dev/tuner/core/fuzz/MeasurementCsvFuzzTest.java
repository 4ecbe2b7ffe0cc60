package dev.tuner.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.data.Measurement;
import dev.tuner.core.roofline.Roofline;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * The measurements CSV reader and the dataset preparation behind {@code tuner train --data}, fed arbitrary bytes.
 * Contract (MeasurementCsv, Csv, Dataset): a file-level problem (no header, a missing required column, an unterminated
 * quote, an oversized field) is an {@link InvalidInputException}; a bad row becomes a rejection; every row is
 * accounted for; anything that becomes an example has a finite positive figure and a finite roofline. Anything else
 * escaping (NumberFormatException, ArithmeticException, IndexOutOfBounds...) fails the fuzz test.
 *
 * <p>Regression inputs: src/test/resources/dev/tuner/core/fuzz/MeasurementCsvFuzzTestInputs/readAndPrepare/.
 */
class MeasurementCsvFuzzTest {
  private static final Catalog CATALOG = Catalog.shipped();
  private static final Roofline ROOFLINE = new Roofline(CATALOG);
  private static final Dataset.Options ALL = new Dataset.Options(true, true);

  @FuzzTest(maxDuration = "60s")
  void readAndPrepare(byte[] input) {
    // MeasurementCsv.read(Path) decodes UTF-8 with replacement, as this does
    String text = new String(input, StandardCharsets.UTF_8);
    for (Dataset.Options options : new Dataset.Options[] {Dataset.Options.defaults(), ALL}) {
      Dataset.Prepared p;
      try {
        p = Dataset.load(new StringReader(text), "fuzz.csv", CATALOG, ROOFLINE, options);
      } catch (InvalidInputException expected) {
        return;
      }
      assertThat(p.examples().size() + p.skipped().size()).as("every row is used or skipped").isEqualTo(p.rowsRead());
      for (Dataset.Example e : p.examples()) {
        Measurement m = e.measurement();
        assertThat(m.tokensPerSecond()).isFinite().isPositive();
        assertThat(e.roofline().tokensPerSecond()).isFinite().isPositive();
        assertThat(e.efficiency()).isFinite().isPositive();
      }
      // the summary and the data hash are written into every artifact's header
      assertThat(p.summary()).isNotEmpty();
      assertThat(p.sha256()).hasSize(64);
    }
  }
}
