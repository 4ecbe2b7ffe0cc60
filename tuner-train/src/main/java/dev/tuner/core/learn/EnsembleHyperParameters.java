package dev.tuner.core.learn;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.ensemble.EnsemblePayload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The ensemble's own settings, parsed from text, and the settings it passes on to its members.
 *
 * @param decodeMembers provider ids blended for decode, in order
 * @param prefillMembers provider ids blended for prefill, in order
 * @param decodeWeights the decode members' weights, or empty to choose them on held-out devices ({@code auto})
 * @param prefillWeights the prefill members' weights, or empty to choose them on held-out devices ({@code auto})
 * @param innerFolds how many parts a phase's groups (devices) are dealt into to choose {@code auto} weights
 * @param weightStep the grid step of {@code auto} weights, which are searched on the simplex
 * @param memberSettings per provider id, the hyper-parameters given as {@code <provider>.<name>=<value>}
 * @param physics whether every member is trained under {@link dev.tuner.core.learn.PhysicsConstraints} for its phase
 *     ({@code monotone=physics}), so that the blend never moves against physics; {@code monotone=none} trains them
 *     unconstrained
 */
public record EnsembleHyperParameters(List<String> decodeMembers, List<String> prefillMembers,
    Optional<double[]> decodeWeights, Optional<double[]> prefillWeights, int innerFolds, double weightStep,
    Map<String, Map<String, String>> memberSettings, boolean physics) {
  static final String MEMBERS = "members";
  static final String DECODE_MEMBERS = "decode.members";
  static final String PREFILL_MEMBERS = "prefill.members";
  static final String WEIGHTS = "weights";
  static final String DECODE_WEIGHTS = "decode.weights";
  static final String PREFILL_WEIGHTS = "prefill.weights";
  /** Every member of a phase weighs the same: plain model averaging, which needs no held-out choice. */
  static final String EQUAL = "equal";
  static final String AUTO = "auto";
  static final String INNER_FOLDS = "inner_folds";
  static final String WEIGHT_STEP = "weight_step";
  static final String MONOTONE = dev.tuner.api.MonotoneConstraints.KEY;
  static final String PHYSICS = "physics";
  static final String NONE = "none";
  static final int DEFAULT_INNER_FOLDS = 10;
  static final double DEFAULT_WEIGHT_STEP = 0.05;

  /** Members trained without physics constraints. */
  public EnsembleHyperParameters(List<String> decodeMembers, List<String> prefillMembers,
      Optional<double[]> decodeWeights, Optional<double[]> prefillWeights, int innerFolds, double weightStep,
      Map<String, Map<String, String>> memberSettings) {
    this(decodeMembers, prefillMembers, decodeWeights, prefillWeights, innerFolds, weightStep, memberSettings, false);
  }

  public EnsembleHyperParameters {
    decodeMembers = List.copyOf(decodeMembers);
    prefillMembers = List.copyOf(prefillMembers);
    Map<String, Map<String, String>> copy = new TreeMap<>();
    memberSettings.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    memberSettings = java.util.Collections.unmodifiableMap(copy);
  }

  static Map<String, String> defaults() {
    Map<String, String> m = new TreeMap<>();
    m.put(WEIGHTS, EQUAL);
    m.put(INNER_FOLDS, Integer.toString(DEFAULT_INNER_FOLDS));
    m.put(WEIGHT_STEP, Double.toString(DEFAULT_WEIGHT_STEP));
    m.put(MONOTONE, NONE);
    return m;
  }

  /**
   * Parses the settings. {@code members} names the providers of both phases; {@code decode.members} and
   * {@code prefill.members} override it per phase. A key with a dot and any other prefix goes to that member.
   */
  static EnsembleHyperParameters parse(Map<String, String> given) {
    Map<String, String> own = new TreeMap<>(defaults());
    Map<String, Map<String, String>> members = new TreeMap<>();
    for (Map.Entry<String, String> e : given.entrySet()) {
      String key = e.getKey().trim();
      int dot = key.indexOf('.');
      boolean ownKey = key.equals(MEMBERS) || key.equals(DECODE_MEMBERS) || key.equals(PREFILL_MEMBERS)
          || key.equals(WEIGHTS) || key.equals(DECODE_WEIGHTS) || key.equals(PREFILL_WEIGHTS)
          || key.equals(INNER_FOLDS) || key.equals(WEIGHT_STEP) || key.equals(MONOTONE);
      if (ownKey) {
        own.put(key, e.getValue().trim());
      } else if (dot > 0 && dot < key.length() - 1) {
        members.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>())
            .put(key.substring(dot + 1), e.getValue().trim());
      } else {
        throw new InvalidInputException("ensemble hyper-parameter", key, MEMBERS + ", " + DECODE_MEMBERS + ", "
            + PREFILL_MEMBERS + ", " + WEIGHTS + ", " + DECODE_WEIGHTS + ", " + PREFILL_WEIGHTS + ", " + INNER_FOLDS
            + ", " + WEIGHT_STEP + ", " + MONOTONE + " or <provider>.<its hyper-parameter>");
      }
    }
    List<String> decode = ids(DECODE_MEMBERS, own.getOrDefault(DECODE_MEMBERS, own.get(MEMBERS)));
    List<String> prefill = ids(PREFILL_MEMBERS, own.getOrDefault(PREFILL_MEMBERS, own.get(MEMBERS)));
    for (String id : members.keySet()) {
      if (!decode.contains(id) && !prefill.contains(id)) {
        throw new InvalidInputException("ensemble hyper-parameter", id + ".*",
            "settings of a member provider: one of " + union(decode, prefill));
      }
    }
    Optional<double[]> decodeWeights = weights(DECODE_WEIGHTS, own.getOrDefault(DECODE_WEIGHTS, own.get(WEIGHTS)),
        decode.size());
    Optional<double[]> prefillWeights = weights(PREFILL_WEIGHTS,
        own.getOrDefault(PREFILL_WEIGHTS, own.get(WEIGHTS)), prefill.size());
    int folds = integer(INNER_FOLDS, own.get(INNER_FOLDS), 2, 100);
    double step = number(WEIGHT_STEP, own.get(WEIGHT_STEP));
    String monotone = own.get(MONOTONE).toLowerCase(Locale.ROOT);
    if (!monotone.equals(PHYSICS) && !monotone.equals(NONE)) {
      throw new InvalidInputException(MONOTONE, own.get(MONOTONE), PHYSICS + " (every member constrained so that"
          + " predictions never move against physics) or " + NONE);
    }
    return new EnsembleHyperParameters(decode, prefill, decodeWeights, prefillWeights, folds, step, members,
        monotone.equals(PHYSICS));
  }

  /** {@code equal}, {@code auto} (empty: chosen on held-out devices) or one weight per member, summing to 1. */
  private static Optional<double[]> weights(String key, String text, int members) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals(AUTO)) {
      return Optional.empty();
    }
    double[] w = new double[members];
    if (t.equals(EQUAL)) {
      java.util.Arrays.fill(w, 1.0 / members);
      return Optional.of(w);
    }
    String allowed = EQUAL + ", " + AUTO + " or " + members + " numbers in [0, 1], one per member, summing to 1";
    String[] parts = t.split(",");
    if (parts.length != members) {
      throw new InvalidInputException(key, text, allowed);
    }
    double sum = 0;
    for (int i = 0; i < members; i++) {
      try {
        w[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new InvalidInputException(key, text, allowed);
      }
      if (!(w[i] >= 0 && w[i] <= 1)) {
        throw new InvalidInputException(key, text, allowed);
      }
      sum += w[i];
    }
    if (Math.abs(sum - 1) > 1e-9) {
      throw new InvalidInputException(key, text, allowed);
    }
    return Optional.of(w);
  }

  /** Every setting as text, members' settings with their prefix: what the artifact records. */
  Map<String, String> asText() {
    Map<String, String> m = new TreeMap<>();
    m.put(DECODE_MEMBERS, String.join(",", decodeMembers));
    m.put(PREFILL_MEMBERS, String.join(",", prefillMembers));
    m.put(DECODE_WEIGHTS, decodeWeights.map(EnsembleHyperParameters::join).orElse(AUTO));
    m.put(PREFILL_WEIGHTS, prefillWeights.map(EnsembleHyperParameters::join).orElse(AUTO));
    m.put(INNER_FOLDS, Integer.toString(innerFolds));
    m.put(WEIGHT_STEP, Double.toString(weightStep));
    m.put(MONOTONE, physics ? PHYSICS : NONE);
    memberSettings.forEach((id, settings) -> settings.forEach((k, v) -> m.put(id + "." + k, v)));
    return m;
  }

  private static String join(double[] weights) {
    StringBuilder b = new StringBuilder();
    for (double w : weights) {
      b.append(b.length() == 0 ? "" : ",").append(w);
    }
    return b.toString();
  }

  private static List<String> ids(String key, String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(key, text == null ? "(not set)" : text,
          "comma-separated ids of providers that can train, e.g. forest,linear (set " + MEMBERS
              + " for both phases)");
    }
    List<String> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String id = part.trim().toLowerCase(Locale.ROOT);
      if (id.isEmpty() || out.contains(id)) {
        throw new InvalidInputException(key, text, "distinct, non-empty provider ids separated by commas");
      }
      out.add(id);
    }
    if (out.size() > EnsemblePayload.MAX_MEMBERS) {
      throw new InvalidInputException(key, text, "at most " + EnsemblePayload.MAX_MEMBERS + " providers");
    }
    return out;
  }

  /** Every member provider, decode's first, each once. */
  List<String> allMembers() {
    return union(decodeMembers, prefillMembers);
  }

  private static List<String> union(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    b.stream().filter(x -> !out.contains(x)).forEach(out::add);
    return out;
  }

  private static int integer(String key, String text, int min, int max) {
    int v;
    try {
      v = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(key, text, "an integer in [" + min + ", " + max + "]");
    }
    return InvalidInputException.requireInRange(key, v, min, max, "");
  }

  private static double number(String key, String text) {
    try {
      double v = Double.parseDouble(text);
      if (v >= 0.01 && v <= 1 && Math.abs(1 / v - Math.rint(1 / v)) < 1e-9) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below with the allowed range
    }
    throw new InvalidInputException(key, text, "a number in [0.01, 1] that divides 1 (e.g. 0.05, 0.1, 0.25)");
  }
}
