package dev.tuner.core.ensemble;

import dev.tuner.api.FeatureImportance;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ThroughputModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * A weighted blend of other providers' models, chosen per phase: a scenario whose phase flag is set is predicted by
 * the prefill members, any other by the decode members. The raw output is the weighted mean of the members' raw
 * outputs (all of one output kind), so for the log kinds it is a weighted geometric mean of tokens/s.
 *
 * <p>The spread is that of the mixture the weights describe (law of total variance): each member contributes its
 * own spread, when it has one, and its distance from the blend. Members that disagree widen the interval, which is
 * where a blend of a forest (which cannot extrapolate) and a linear model (which can) is least certain.
 */
public final class PhaseEnsemble implements ThroughputModel {
  /** One model of a phase and its weight; the weights of a phase sum to 1. */
  public record Member(ThroughputModel model, double weight) {}

  private final ModelInfo info;
  private final int phaseSlot;
  private final Member[] decode;
  private final Member[] prefill;

  /** {@code phaseSlot} is the index of the phase flag (1 for prefill) in the model's features. */
  public PhaseEnsemble(ModelInfo info, int phaseSlot, List<Member> decode, List<Member> prefill) {
    this.info = info;
    this.phaseSlot = phaseSlot;
    this.decode = decode.toArray(Member[]::new);
    this.prefill = prefill.toArray(Member[]::new);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  /** The members of one phase, in their stored order. */
  public List<Member> members(boolean prefillPhase) {
    return List.of(prefillPhase ? prefill : decode);
  }

  @Override
  public double predict(float[] features) {
    double sum = 0;
    for (Member m : membersFor(features)) {
      sum += m.weight() * m.model().predict(features);
    }
    return sum;
  }

  /**
   * Each member predicts the whole batch of its phase at once (members are fastest in batches); rows are gathered
   * per phase first when the batch mixes phases.
   */
  @Override
  public void predictBatch(float[] features, int rows, double[] out) {
    int width = info.featureCount();
    int prefillRows = 0;
    for (int r = 0; r < rows; r++) {
      if (features[r * width + phaseSlot] > 0.5f) {
        prefillRows++;
      }
    }
    if (prefillRows == 0 || prefillRows == rows) {
      blend(prefillRows == 0 ? decode : prefill, features, rows, out);
      return;
    }
    int[] prefillIndex = new int[prefillRows];
    int[] decodeIndex = new int[rows - prefillRows];
    int p = 0;
    int d = 0;
    for (int r = 0; r < rows; r++) {
      if (features[r * width + phaseSlot] > 0.5f) {
        prefillIndex[p++] = r;
      } else {
        decodeIndex[d++] = r;
      }
    }
    blendRows(prefill, features, prefillIndex, out);
    blendRows(decode, features, decodeIndex, out);
  }

  private void blendRows(Member[] members, float[] features, int[] index, double[] out) {
    int width = info.featureCount();
    float[] gathered = new float[index.length * width];
    for (int i = 0; i < index.length; i++) {
      System.arraycopy(features, index[i] * width, gathered, i * width, width);
    }
    double[] blended = new double[index.length];
    blend(members, gathered, index.length, blended);
    for (int i = 0; i < index.length; i++) {
      out[index[i]] = blended[i];
    }
  }

  private static void blend(Member[] members, float[] features, int rows, double[] out) {
    java.util.Arrays.fill(out, 0, rows, 0.0);
    double[] one = new double[rows];
    for (Member m : members) {
      m.model().predictBatch(features, rows, one);
      for (int r = 0; r < rows; r++) {
        out[r] += m.weight() * one[r];
      }
    }
  }

  @Override
  public OptionalDouble spread(float[] features) {
    Member[] members = membersFor(features);
    double[] raw = new double[members.length];
    double mean = 0;
    for (int i = 0; i < members.length; i++) {
      raw[i] = members[i].model().predict(features);
      mean += members[i].weight() * raw[i];
    }
    double variance = 0;
    boolean any = members.length > 1;
    for (int i = 0; i < members.length; i++) {
      OptionalDouble own = members[i].model().spread(features);
      double s = own.orElse(0);
      any |= own.isPresent();
      double d = raw[i] - mean;
      variance += members[i].weight() * (s * s + d * d);
    }
    return any ? OptionalDouble.of(Math.sqrt(variance)) : OptionalDouble.empty();
  }

  /** The members' attributions, each scaled by its weight, summed per feature. */
  @Override
  public List<FeatureImportance> attribution(float[] features, int limit) {
    Map<String, Double> total = new TreeMap<>();
    for (Member m : membersFor(features)) {
      for (FeatureImportance f : m.model().attribution(features, info.featureCount())) {
        total.merge(f.feature(), m.weight() * f.importance(), Double::sum);
      }
    }
    List<FeatureImportance> out = new ArrayList<>();
    total.forEach((feature, share) -> out.add(new FeatureImportance(feature, Math.min(1.0, share))));
    out.sort(Comparator.comparingDouble(FeatureImportance::importance).reversed());
    return List.copyOf(out.subList(0, Math.min(limit, out.size())));
  }

  @Override
  public void close() {
    for (Member m : decode) {
      m.model().close();
    }
    for (Member m : prefill) {
      m.model().close();
    }
  }

  @Override
  public String toString() {
    return info.modelId() + " (decode " + describe(decode) + "; prefill " + describe(prefill) + ")";
  }

  private Member[] membersFor(float[] features) {
    return features[phaseSlot] > 0.5f ? prefill : decode;
  }

  static String describe(Member[] members) {
    StringBuilder b = new StringBuilder();
    for (Member m : members) {
      if (b.length() > 0) {
        b.append(" + ");
      }
      b.append(String.format(java.util.Locale.ROOT, "%.2f × %s", m.weight(), m.model().info().providerId()));
    }
    return b.toString();
  }
}
