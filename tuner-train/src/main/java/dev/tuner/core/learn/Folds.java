package dev.tuner.core.learn;

import dev.tuner.api.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How rows are split for cross-validation. {@code family} holds out every device of one chip family at a time (the
 * honest test for a hardware predictor: a sibling of the same die in training would flatter it), {@code device} one
 * device at a time, {@code model} every name of one model architecture at a time, {@code k} shuffles rows into k
 * folds.
 */
public record Folds(String method, List<String> names, List<int[]> testSets) {
  static final String LEAVE_ONE_MODEL_OUT = "leave-one-architecture-out";
  static final String LEAVE_ONE_FAMILY_OUT = "leave-one-family-out";

  public Folds {
    names = List.copyOf(names);
    testSets = List.copyOf(testSets);
  }

  public int count() {
    return testSets.size();
  }

  /** What the per-group results of a run are grouped by: the model when architectures are held out, else the device. */
  public String groupedBy() {
    return method.equals(LEAVE_ONE_MODEL_OUT) ? "model" : "device";
  }

  String[] groupLabels(Encoded data) {
    return method.equals(LEAVE_ONE_MODEL_OUT) ? data.models : data.devices;
  }

  /** 0 … n−1 shuffled by Fisher–Yates with a {@link SplittableRandom} of {@code seed}: the same order on every JVM. */
  public static int[] permutation(int n, long seed) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }

  /** Parses {@code family}, {@code device}, {@code model} or a number k ≥ 2. */
  public static Folds of(String spec, Encoded data, long seed) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "family":
      case "lofo":
        return grouped(LEAVE_ONE_FAMILY_OUT, data.families);
      case "device":
      case "lodo":
        return grouped("leave-one-device-out", data.devices);
      case "model":
      case "lomo":
      case "architecture":
        return grouped(LEAVE_ONE_MODEL_OUT, data.architectures);
      default:
        int k;
        try {
          k = Integer.parseInt(s);
        } catch (NumberFormatException e) {
          throw new InvalidInputException("cv", spec, "family, device, model, or a fold count k >= 2");
        }
        InvalidInputException.requireInRange("cv folds", k, 2, Math.max(2, data.rows()), "");
        return kFold(k, data.identicalRowGroups(), seed);
    }
  }

  static Folds grouped(String method, String[] groups) {
    Map<String, List<Integer>> byGroup = new LinkedHashMap<>();
    for (int i = 0; i < groups.length; i++) {
      byGroup.computeIfAbsent(groups[i], g -> new ArrayList<>()).add(i);
    }
    if (byGroup.size() < 2) {
      throw new InvalidInputException(method, byGroup.size() + " group(s)", "at least 2 distinct groups in the data");
    }
    List<String> names = new ArrayList<>();
    List<int[]> sets = new ArrayList<>();
    byGroup.forEach((g, idx) -> {
      names.add(g);
      sets.add(idx.stream().mapToInt(Integer::intValue).toArray());
    });
    return new Folds(method, names, sets);
  }

  static Folds kFold(int k, int rows, long seed) {
    int[] eachAlone = new int[rows];
    for (int i = 0; i < rows; i++) {
      eachAlone[i] = i;
    }
    return kFold(k, eachAlone, seed);
  }

  /**
   * K folds of shuffled groups: rows sharing a group number (identical rows) always land in one fold, so a model is
   * never tested on a copy of a training row. Groups are numbered 0, 1, 2... by first appearance; with every row
   * its own group this is a plain shuffled k-fold split.
   */
  static Folds kFold(int k, int[] groupOfRow, long seed) {
    int rows = groupOfRow.length;
    int groups = 0;
    for (int g : groupOfRow) {
      groups = Math.max(groups, g + 1);
    }
    List<List<Integer>> members = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      members.add(new ArrayList<>());
    }
    for (int i = 0; i < rows; i++) {
      members.get(groupOfRow[i]).add(i);
    }
    int[] perm = permutation(groups, seed);
    List<List<Integer>> folds = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      folds.add(new ArrayList<>());
    }
    // a group goes to the fold whose share [rows*f/k, rows*(f+1)/k) of the shuffled order its first row falls in
    int placed = 0;
    int f = 0;
    for (int g : perm) {
      while (f < k - 1 && placed >= (int) ((long) rows * (f + 1) / k)) {
        f++;
      }
      folds.get(f).addAll(members.get(g));
      placed += members.get(g).size();
    }
    List<String> names = new ArrayList<>();
    List<int[]> sets = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      int[] idx = folds.get(i).stream().mapToInt(Integer::intValue).toArray();
      java.util.Arrays.sort(idx);
      names.add("fold " + (i + 1));
      sets.add(idx);
    }
    return new Folds(k + "-fold", names, sets);
  }

  /** Every row not in fold {@code f}. */
  public int[] trainSet(int f, int rows) {
    boolean[] test = new boolean[rows];
    for (int i : testSets.get(f)) {
      test[i] = true;
    }
    int[] out = new int[rows - testSets.get(f).length];
    int n = 0;
    for (int i = 0; i < rows; i++) {
      if (!test[i]) {
        out[n++] = i;
      }
    }
    return out;
  }
}
