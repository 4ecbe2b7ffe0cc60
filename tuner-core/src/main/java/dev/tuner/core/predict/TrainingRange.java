package dev.tuner.core.predict;

import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.Normalisation;
import dev.tuner.core.schema.Quantity;
import dev.tuner.core.schema.Slot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a model's training rows end along the axes a user sweeps (batch, context, depth, model size, bandwidth,
 * compute peak), read from the calibration's feature ranges. A scenario beyond the largest value of such an axis has
 * no row to learn from: a forest holds its answer from the edge of its data, so the prediction follows the axis only
 * as far as its reference's physics does (a batched decode step's reference is one sequence's, so there aggregate
 * tokens/s stays at the largest trained batch's). Saying so lets a user read such a curve as what it is. Immutable and
 * thread-safe.
 */
final class TrainingRange {
  /**
   * An axis: its slot index, its normalisation, how a raw value of it reads in a sentence, how the largest trained
   * value reads beside it, and what holding the learned part means where the reference does not move along it.
   */
  private record Axis(int slot, Normalisation normalisation, String phrase, String figure, String consequence) {}

  private final List<Axis> axes;
  private final float[] max;

  TrainingRange(FeatureSchema schema, Calibration calibration) {
    this.max = calibration.featureMax();
    List<Axis> found = new ArrayList<>();
    List<Slot> slots = schema.slots();
    for (int i = 0; i < slots.size() && max.length == slots.size(); i++) {
      Slot s = slots.get(i);
      String[] words = words(s.quantity());
      if (words != null && invertible(s.normalisation())) {
        found.add(new Axis(i, s.normalisation(), words[0], words[1], words[2]));
      }
    }
    this.axes = List.copyOf(found);
  }

  /**
   * The phrase, the figure format and what holding the learned part means for a quantity a user sweeps; null for the
   * others.
   */
  private static String[] words(Quantity q) {
    return switch (q) {
      case BATCH -> new String[] {"a batch of %.0f", "%.0f", " (here not at all: a batched decode step's reference is"
          + " one sequence's, so aggregate tokens/s stays at the largest trained batch's)"};
      case CONTEXT -> new String[] {"%.0f tokens of context", "%.0f", ""};
      case DEPTH -> new String[] {"%.0f cached tokens", "%.0f", ""};
      case PARAMS_B -> new String[] {"%.3g B parameters", "%.3g B", ""};
      case MEM_BANDWIDTH -> new String[] {"%.0f GB/s of memory bandwidth", "%.0f GB/s", ""};
      case PEAK_TFLOPS -> new String[] {"a compute peak of %.4g TFLOPS", "%.4g TFLOPS", ""};
      default -> null;
    };
  }

  private static boolean invertible(Normalisation n) {
    return n instanceof Normalisation.Log || n instanceof Normalisation.Linear;
  }

  /** The raw value a normalised one stands for (inside the normalisation's own range). */
  private static double raw(Normalisation n, double v) {
    if (n instanceof Normalisation.Log log) {
      return log.min() * Math.pow(log.max() / log.min(), v);
    }
    return v * ((Normalisation.Linear) n).max();
  }

  /**
   * One sentence per axis on which {@code x} lies above every training row; empty inside the range.
   * {@code referenceFixedInBatch}: whether the step's reference does not move with the batch (a batched decode step
   * taken relative to one sequence's), so that a held learned part holds the prediction itself.
   */
  List<String> beyond(float[] x, boolean referenceFixedInBatch) {
    List<String> out = List.of();
    for (Axis a : axes) {
      // a value the normalisation clamped at 1 cannot be read back; the training rows never reach that far
      if (x[a.slot()] > max[a.slot()] && max[a.slot()] < 1) {
        if (out.isEmpty()) {
          out = new ArrayList<>(2);
        }
        out.add(String.format(Locale.ROOT, a.phrase(), raw(a.normalisation(), x[a.slot()]))
            + " is beyond the largest among the model's training rows ("
            + String.format(Locale.ROOT, a.figure(), raw(a.normalisation(), max[a.slot()]))
            + "): no row shows what lies past it, so the learned part holds its answer from there and the prediction"
            + " follows the axis only through its reference's physics" + (referenceFixedInBatch ? a.consequence()
                : ""));
      }
    }
    return out;
  }
}
