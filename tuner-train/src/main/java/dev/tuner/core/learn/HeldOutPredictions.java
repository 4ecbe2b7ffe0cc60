package dev.tuner.core.learn;

import dev.tuner.core.data.Dataset;
import dev.tuner.core.io.AtomicFiles;
import dev.tuner.core.io.Csv;
import dev.tuner.core.scenario.Scenario;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every row's held-out prediction from a cross-validation, with where the row came from, so that users can break
 * the errors down by whatever they care about (batch, quantization, backend) instead of the phases and devices
 * the report shows.
 */
public record HeldOutPredictions(String method, List<Row> rows) {
  public static final List<String> HEADER = List.of("origin", "fold", "device", "model", "quant", "batch", "context",
      "phase", "backend", "measured_tokens_per_s", "predicted_tokens_per_s", "low", "high", "roofline_tokens_per_s",
      "ape");

  /** One measurement and what the model that did not train on it predicted. */
  public record Row(Dataset.Example example, String fold, double predicted, double low, double high) {
    public double ape() {
      double measured = example.measurement().tokensPerSecond();
      return Math.abs(predicted - measured) / measured;
    }
  }

  public HeldOutPredictions {
    rows = List.copyOf(rows);
  }

  static HeldOutPredictions of(List<Dataset.Example> examples, Folds folds, CvResult r) {
    String[] foldOf = new String[examples.size()];
    for (int f = 0; f < folds.count(); f++) {
      for (int i : folds.testSets().get(f)) {
        foldOf[i] = folds.names().get(f);
      }
    }
    List<Row> rows = new ArrayList<>(examples.size());
    for (int i = 0; i < examples.size(); i++) {
      rows.add(new Row(examples.get(i), foldOf[i], r.predicted()[i], r.low()[i], r.high()[i]));
    }
    return new HeldOutPredictions(folds.method(), rows);
  }

  /** Writes the rows as CSV, atomically; an existing file is replaced only when {@code overwrite}. */
  public void writeCsv(Path target, boolean overwrite) {
    AtomicFiles.write(target, overwrite, out -> {
      Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
      w.write(Csv.line(HEADER) + "\n");
      for (Row row : rows) {
        Scenario s = row.example().scenario();
        w.write(Csv.line(List.of(
            row.example().measurement().origin(),
            row.fold(),
            s.device().name(),
            s.model().name(),
            s.quant().name(),
            Integer.toString(s.batch()),
            Integer.toString(s.context()),
            s.phase().id(),
            row.example().measurement().backend(),
            number(row.example().measurement().tokensPerSecond()),
            number(row.predicted()),
            number(row.low()),
            number(row.high()),
            number(row.example().roofline().tokensPerSecond()),
            String.format(Locale.ROOT, "%.6f", row.ape()))) + "\n");
      }
      w.flush();
    });
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
