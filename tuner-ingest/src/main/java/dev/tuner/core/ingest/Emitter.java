package dev.tuner.core.ingest;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.data.Measurement;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import java.util.Locale;

/**
 * Where the parsers of one file send their records. A candidate becomes a measurement only if it resolves to a valid
 * scenario against the catalog and is not far above that scenario's roofline.
 */
final class Emitter {
  /**
   * A figure this far above the roofline is a timing bug (old Ollama builds timed only the last prompt batch) or a
   * wrong device or model. The margin is wide because the roofline's FP16 peak is below the int8 peak llama.cpp's
   * quantized kernels can use.
   */
  static final double ROOF_MARGIN = 4.0;

  private final Sink sink;
  private final Catalog catalog;
  private final Roofline roofline;
  private final String sourceId;

  Emitter(Sink sink, Catalog catalog, Roofline roofline, String sourceId) {
    this.sink = sink;
    this.catalog = catalog;
    this.roofline = roofline;
    this.sourceId = sourceId;
  }

  void reject(String origin, RejectReason reason, String detail) {
    sink.reject(origin, reason, detail);
  }

  void reject(String origin, RecordRejected e) {
    sink.reject(origin, e.reason(), e.detail());
  }

  void accept(String origin, Candidate c) {
    ScenarioRequest request = new ScenarioRequest(
        c.model(), c.device(), c.quant(), c.batch(), c.context(), c.phase().id(), c.kvCacheType(), null, null, null,
        c.model() == null ? c.paramsB() : null, null, null, null, null, null, null, null, null, null, null, null,
        null, c.depth(), c.devices(), c.tp(), c.pp(), c.ep(), c.nUbatch(), c.flashAttn(), null, c.build(),
        c.modelSizeBytes(), null, c.buildDate(), null);
    Scenario scenario;
    try {
      scenario = request.resolve(catalog);
    } catch (InvalidInputException e) {
      sink.reject(origin, RejectReason.BAD_VALUE, e.getMessage());
      return;
    }
    double roof = roofline.compute(scenario).tokensPerSecond();
    if (c.tokensPerSecond() > ROOF_MARGIN * roof) {
      sink.reject(origin, RejectReason.ABOVE_ROOFLINE, String.format(Locale.ROOT,
          "%.2f tokens/s is more than %.0f× the roofline bound of %.2f tokens/s for %s %s on %s%s (batch %d, context"
              + " %d, depth %d): a timing bug or the wrong device or model", c.tokensPerSecond(), ROOF_MARGIN, roof,
          c.phase().id(), scenario.model().name(), scenario.parallel().isSingle() ? "" : scenario.parallel().devices()
              + " × ", scenario.device().name(), c.batch(), c.context(), scenario.depth()));
      return;
    }
    sink.accept(new Measurement(origin, csvText(sourceId), csvText(c.backend()), request, c.tokensPerSecond(),
        csvText(c.notes())));
  }

  /**
   * Text copied from a benchmark file (a library name, a file name) may start or end with control characters or
   * blanks. The measurements CSV trims every cell with {@link String#trim()}, so such a value would not read back as
   * written and MeasurementWriter would refuse the row; trimmed the same way here, an accepted row always survives
   * the CSV, as the class documentation of {@link Ingestor} promises.
   */
  private static String csvText(String text) {
    return text == null ? null : text.trim();
  }
}
