package dev.tuner.core.ensemble;

import dev.tuner.api.FeatureImportance;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.PortableModel;
import dev.tuner.api.ThroughputModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    Member[] members = membersFor(features);
    if (alone(members)) {
      return members[0].model().predict(features);
    }
    double sum = 0;
    for (Member m : members) {
      sum += m.weight() * m.model().predict(features);
    }
    return sum;
  }

  /** A phase with one member of weight 1 is that member: its output is passed on untouched, one row or a batch. */
  private static boolean alone(Member[] members) {
    return members.length == 1 && members[0].weight() == 1.0;
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
    if (alone(members)) {
      members[0].model().predictBatch(features, rows, out);
      return;
    }
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

  /**
   * The exact portable form when every member has a linear or tree-ensemble form: each member tree gets a new root
   * that sends the other phase to a zero leaf, leaf values carry the member's weight and scale, the members' bases
   * sit in one stump on the phase flag, and each phase's linear members sum into one linear model.
   */
  @Override
  public Optional<PortableModel> portable() {
    int width = info.featureCount();
    Folded folded = new Folded(width, phaseSlot);
    for (int side = 0; side < 2; side++) {
      for (Member m : side == 1 ? prefill : decode) {
        Optional<PortableModel> p = m.model().portable();
        if (p.isEmpty()) {
          return Optional.empty();
        }
        if (p.get() instanceof PortableModel.Linear linear) {
          folded.addLinear(side, m.weight(), linear);
        } else if (p.get() instanceof PortableModel.TreeEnsemble trees) {
          folded.addTrees(side, m.weight(), trees);
        } else {
          return Optional.empty();
        }
      }
    }
    return Optional.of(folded.build());
  }

  /** Accumulates the folded arrays; nodes are appended so that every child comes after its parent. */
  private static final class Folded {
    private final int width;
    private final int flag;
    private final double[][] linear;
    private final double[] intercept = new double[2];
    private final double[] base = new double[2];
    private final List<Integer> roots = new ArrayList<>();
    private final List<Integer> feature = new ArrayList<>();
    private final List<Float> threshold = new ArrayList<>();
    private final List<Integer> left = new ArrayList<>();
    private final List<Integer> right = new ArrayList<>();
    private final List<Double> value = new ArrayList<>();

    Folded(int width, int flag) {
      this.width = width;
      this.flag = flag;
      this.linear = new double[2][width];
      roots.add(0);
      node(flag, 0.5f, 1, 2, 0);
      node(-1, 0, 0, 0, 0);
      node(-1, 0, 0, 0, 0);
    }

    private int node(int f, float t, int l, int r, double v) {
      feature.add(f);
      threshold.add(t);
      left.add(l);
      right.add(r);
      value.add(v);
      return feature.size() - 1;
    }

    void addLinear(int side, double weight, PortableModel.Linear l) {
      double[] w = l.weights();
      for (int i = 0; i < width; i++) {
        linear[side][i] += weight * w[i];
      }
      intercept[side] += weight * l.intercept();
    }

    void addTrees(int side, double weight, PortableModel.TreeEnsemble e) {
      base[side] += weight * e.base();
      int[] memberRoots = e.roots();
      int firstRoot = feature.size();
      int zeroLeaf = firstRoot + memberRoots.length;
      int offset = zeroLeaf + 1;
      for (int root : memberRoots) {
        int copied = offset + root;
        roots.add(node(flag, 0.5f, side == 0 ? copied : zeroLeaf, side == 0 ? zeroLeaf : copied, 0));
      }
      node(-1, 0, 0, 0, 0);
      int[] f = e.feature();
      float[] t = e.threshold();
      int[] l = e.left();
      int[] r = e.right();
      double[] v = e.value();
      double factor = weight * e.scale();
      for (int n = 0; n < f.length; n++) {
        if (f[n] >= 0) {
          node(f[n], t[n], offset + l[n], offset + r[n], 0);
        } else {
          node(-1, 0, 0, 0, factor * v[n]);
        }
      }
    }

    PortableModel build() {
      value.set(1, base[0]);
      value.set(2, base[1]);
      int n = feature.size();
      int[] f = new int[n];
      float[] t = new float[n];
      int[] l = new int[n];
      int[] r = new int[n];
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        f[i] = feature.get(i);
        t[i] = threshold.get(i);
        l[i] = left.get(i);
        r[i] = right.get(i);
        v[i] = value.get(i);
      }
      var trees = new PortableModel.TreeEnsemble(width, roots.stream().mapToInt(Integer::intValue).toArray(), f, t,
          l, r, v, 0, 1);
      // the flag's values are exactly 0 and 1: at most 0.5 is decode's linear part, above it prefill's
      return new PortableModel.Sum(List.of(trees, new PortableModel.Select(flag, 0.5f,
          new PortableModel.Linear(linear[0], intercept[0]), new PortableModel.Linear(linear[1], intercept[1]))));
    }
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

  /** The blend as text, such as "0.50 × forest + 0.50 × linear", for a model's properties. */
  public static String describe(Member[] members) {
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
