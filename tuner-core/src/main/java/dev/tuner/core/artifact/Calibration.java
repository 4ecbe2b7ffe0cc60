package dev.tuner.core.artifact;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.stats.Median;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Held-out nonconformity scores of a model, per phase, from which split-conformal intervals are built at any
 * level: {@code |target − raw|} in the model's output units ({@link Method#ABSOLUTE_RESIDUAL}), or that divided by
 * the model's own spread ({@link Method#SPREAD_NORMALISED}). {@code featureMin}/{@code featureMax} bound the training
 * inputs, so a prediction can tell how far it extrapolates. {@link Method#NONE} means no held-out data exists: the
 * interval then spans everything the roofline allows.
 *
 * <p>Group-aware term: residuals of one device are correlated (a device the model misjudges is misjudged on every
 * row), so row-level scores alone give intervals that cover 90% of rows pooled yet far less on some devices. {@code
 * decodeDeviceScores} / {@code prefillDeviceScores} hold, per held-out device, the {@value #DEVICE_COVERAGE} quantile
 * of its own scores; the half-width used is the larger of the row-level quantile and the split-conformal quantile,
 * at {@value #DEVICE_SHARE}, of those device scores, so that an unseen device exchangeable with the calibration
 * devices gets {@value #DEVICE_COVERAGE} coverage or more with probability {@value #DEVICE_SHARE}, the protocol's
 * per-device goal fixed in advance. A prediction resting on imputed figures is treated as a worst-case device: the
 * device quantile is taken at {@value #IMPUTED_DEVICE_SHARE}. Both arrays are empty for artifacts written before
 * they existed, which then get the row-level quantile alone.
 *
 * <p>Devices of an architecture the training rows never ran on ({@link #unseenArchitecture}) have no sibling the
 * model learned their kernels' efficiency from, and their errors are of another size: on leave-one-family-out folds
 * the prompts of such devices were about twice as far off as those of devices with a sibling in training. So
 * the calibration is split in two (Mondrian conformal): {@code trainingArchitectures} lists the architectures ({@link
 * dev.tuner.core.scenario.DeviceSpec#architecture}) of the training rows; the scores above are those of held-out rows
 * whose architecture their fold had trained on, and {@code newArchitecture} holds the scores of the others, from which
 * a device of an unseen architecture takes its interval ({@link #newArchitectureQuantile}). An artifact written before
 * the split has no architectures and an empty {@code newArchitecture}: its scores are all rows', and no device is
 * taken for one of an unseen architecture.
 *
 * <p>{@code spreadOffset}: under {@link Method#SPREAD_NORMALISED} a residual is divided by the model's spread plus
 * this offset, per phase (normalised conformal prediction with a sensitivity term). Without it, a held-out row on
 * which every tree agreed (spread near 0) yet missed gets a score of dozens, and since the worst-case device quantile
 * is the largest device score, every prediction resting on imputed figures took that score times its own spread: a
 * prompt interval from 0.3 to 12 419 tokens/s. The offset is fixed in advance as the median held-out spread of the
 * phase ({@link SpreadOffset#median}), not tuned; it is {@link SpreadOffset#NONE} for artifacts written before it.
 */
public record Calibration(Method method, Stratum seenArchitecture, float[] featureMin, float[] featureMax,
    List<String> trainingArchitectures, Stratum newArchitecture, SpreadOffset spreadOffset) {
  /** The within-device coverage each held-out device's score stands for. */
  public static final double DEVICE_COVERAGE = 0.7;
  /** The share of unseen devices that should reach {@link #DEVICE_COVERAGE}. */
  public static final double DEVICE_SHARE = 0.8;
  /** The same share for a prediction that rests on imputed figures. */
  public static final double IMPUTED_DEVICE_SHARE = 0.95;

  public enum Method {
    ABSOLUTE_RESIDUAL,
    SPREAD_NORMALISED,
    NONE
  }

  /** Row-level scores only (no device term). */
  public Calibration(Method method, double[] decodeScores, double[] prefillScores, float[] featureMin,
      float[] featureMax) {
    this(method, decodeScores, prefillScores, featureMin, featureMax, new double[0], new double[0]);
  }

  /** Without the training rows' architectures: no device is taken for one of an unseen architecture. */
  public Calibration(Method method, double[] decodeScores, double[] prefillScores, float[] featureMin,
      float[] featureMax, double[] decodeDeviceScores, double[] prefillDeviceScores) {
    this(method, new Stratum(decodeScores, prefillScores, decodeDeviceScores, prefillDeviceScores), featureMin,
        featureMax, List.of(), Stratum.EMPTY, SpreadOffset.NONE);
  }

  /**
   * What {@link Method#SPREAD_NORMALISED} adds to the model's spread, per phase, before dividing a residual by it:
   * finite and {@code >= 0}.
   */
  public record SpreadOffset(double decode, double prefill) {
    public static final SpreadOffset NONE = new SpreadOffset(0, 0);

    public SpreadOffset {
      requireOffset("decode", decode);
      requireOffset("prefill", prefill);
    }

    private static void requireOffset(String phase, double v) {
      if (!Double.isFinite(v) || v < 0) {
        throw new InvalidInputException("calibration spread offset (" + phase + ")", v, "a finite number >= 0");
      }
    }

    /** The median of each phase's held-out spreads (0 for a phase without rows). */
    public static SpreadOffset median(Phase[] phases, double[] spreads) {
      return new SpreadOffset(median(phases, spreads, Phase.DECODE), median(phases, spreads, Phase.PREFILL));
    }

    private static double median(Phase[] phases, double[] spreads, Phase phase) {
      return Median.of(IntStream.range(0, spreads.length).filter(i -> phases[i] == phase)
          .mapToDouble(i -> spreads[i]).toArray(), 0);
    }

    public double of(Phase phase) {
      return phase == Phase.DECODE ? decode : prefill;
    }
  }

  /**
   * Held-out scores of one group of rows, in the calibration's units: per row, and per device the {@value
   * #DEVICE_COVERAGE} quantile of its rows' scores; each array sorted.
   */
  public record Stratum(double[] decodeScores, double[] prefillScores, double[] decodeDeviceScores,
      double[] prefillDeviceScores) {
    public static final Stratum EMPTY = new Stratum(new double[0], new double[0], new double[0], new double[0]);

    public Stratum {
      decodeScores = sorted(decodeScores, "decode");
      prefillScores = sorted(prefillScores, "prefill");
      decodeDeviceScores = sorted(decodeDeviceScores, "decode device");
      prefillDeviceScores = sorted(prefillDeviceScores, "prefill device");
    }

    public boolean isEmpty() {
      return decodeScores.length + prefillScores.length == 0;
    }

    public double[] scores(Phase phase) {
      return (phase == Phase.DECODE ? decodeScores : prefillScores).clone();
    }

    @Override
    public double[] decodeScores() {
      return decodeScores.clone();
    }

    @Override
    public double[] prefillScores() {
      return prefillScores.clone();
    }

    @Override
    public double[] decodeDeviceScores() {
      return decodeDeviceScores.clone();
    }

    @Override
    public double[] prefillDeviceScores() {
      return prefillDeviceScores.clone();
    }
  }

  public Calibration {
    Objects.requireNonNull(method, "calibration method");
    Objects.requireNonNull(seenArchitecture, "scores of devices of an architecture the training rows ran on");
    featureMin = featureMin.clone();
    featureMax = featureMax.clone();
    if (featureMin.length != featureMax.length) {
      throw new InvalidInputException("calibration feature range", featureMin.length + " vs " + featureMax.length,
          "minimum and maximum of the same width");
    }
    Objects.requireNonNull(trainingArchitectures, "training architectures");
    for (String a : trainingArchitectures) {
      if (a == null || a.isBlank()) {
        throw new InvalidInputException("calibration training architecture", String.valueOf(a),
            "an architecture name such as Ampere sm_86");
      }
    }
    trainingArchitectures = List.copyOf(new TreeSet<>(trainingArchitectures));
    Objects.requireNonNull(newArchitecture, "scores of devices of an unseen architecture");
    if (trainingArchitectures.isEmpty() && !newArchitecture.isEmpty()) {
      throw new InvalidInputException("calibration new-architecture scores", "present",
          "none when the training rows' architectures are not recorded");
    }
    Objects.requireNonNull(spreadOffset, "calibration spread offset");
  }

  /**
   * What a score in this calibration's units is multiplied by to give a half-width in the model's output units: the
   * model's {@code spread} plus the phase's offset under {@link Method#SPREAD_NORMALISED}, 1 otherwise.
   */
  public double scale(Phase phase, double spread) {
    return method == Method.SPREAD_NORMALISED ? spread + spreadOffset.of(phase) : 1;
  }

  /**
   * The half-width quantile for a device of an unseen architecture: the conformal quantile at {@code level} of the
   * held-out rows whose architecture their fold had not trained on and, when larger, that of those devices' own
   * scores at {@value #DEVICE_SHARE}; at least {@link #groupQuantile} for imputed figures when {@code imputed}. With
   * no such held-out row, or too few such devices for that device quantile (fewer than 4 at 0.8), the worst-case
   * device quantile of the others stands in for what is missing.
   */
  public double newArchitectureQuantile(Phase phase, double level, boolean imputed) {
    double worst = groupQuantile(phase, level, true);
    // the stratum's own sorted arrays, read in place: this runs for every prediction on such a device
    boolean decode = phase == Phase.DECODE;
    double[] rows = decode ? newArchitecture.decodeScores : newArchitecture.prefillScores;
    if (method == Method.NONE || rows.length == 0) {
      return worst;
    }
    double[] devices = decode ? newArchitecture.decodeDeviceScores : newArchitecture.prefillDeviceScores;
    double device = devices.length == 0 ? 0 : conformal(devices, DEVICE_SHARE);
    double q = Math.max(conformal(rows, level), Double.isInfinite(device) ? worst : device);
    return imputed ? Math.max(q, worst) : q;
  }

  /**
   * Whether a device of {@code architecture} has no architecture sibling among the training rows: one the model
   * never saw, or an unknown one (empty). False when the training rows' architectures were not recorded.
   */
  public boolean unseenArchitecture(String architecture) {
    return unseenArchitecture(trainingArchitectures, architecture);
  }

  /** {@link #unseenArchitecture(String)} for training rows of {@code trainingArchitectures}. */
  public static boolean unseenArchitecture(List<String> trainingArchitectures, String architecture) {
    return !trainingArchitectures.isEmpty()
        && (architecture == null || architecture.isBlank() || !trainingArchitectures.contains(architecture.trim()));
  }

  public static Calibration none(int width) {
    float[] lo = new float[width];
    float[] hi = new float[width];
    Arrays.fill(hi, 1f);
    return new Calibration(Method.NONE, new double[0], new double[0], lo, hi);
  }

  private static double[] sorted(double[] scores, String phase) {
    double[] s = scores.clone();
    for (double v : s) {
      if (!Double.isFinite(v) || v < 0) {
        throw new InvalidInputException("calibration score (" + phase + ")", v, "a finite number >= 0");
      }
    }
    Arrays.sort(s);
    return s;
  }

  public double[] scores(Phase phase) {
    return seenArchitecture.scores(phase);
  }

  /** Row scores of decode ({@link #seenArchitecture}'s). */
  public double[] decodeScores() {
    return seenArchitecture.decodeScores();
  }

  /** Row scores of prefill ({@link #seenArchitecture}'s). */
  public double[] prefillScores() {
    return seenArchitecture.prefillScores();
  }

  /** Device scores of decode ({@link #seenArchitecture}'s). */
  public double[] decodeDeviceScores() {
    return seenArchitecture.decodeDeviceScores();
  }

  /** Device scores of prefill ({@link #seenArchitecture}'s). */
  public double[] prefillDeviceScores() {
    return seenArchitecture.prefillDeviceScores();
  }

  /**
   * The split-conformal quantile at {@code level}: the ⌈(n+1)·level⌉-th smallest score, which covers a new
   * exchangeable point with probability at least {@code level}. Infinite when there are too few scores.
   */
  public double quantile(Phase phase, double level) {
    if (method == Method.NONE) {
      return Double.POSITIVE_INFINITY;
    }
    return conformal(phase == Phase.DECODE ? seenArchitecture.decodeScores : seenArchitecture.prefillScores, level);
  }

  /**
   * The half-width quantile a prediction uses: {@link #quantile} and, when device scores exist, at least their
   * conformal quantile at {@link #DEVICE_SHARE} ({@link #IMPUTED_DEVICE_SHARE} when {@code imputed}).
   */
  public double groupQuantile(Phase phase, double level, boolean imputed) {
    double q = quantile(phase, level);
    double[] devices = phase == Phase.DECODE ? seenArchitecture.decodeDeviceScores
        : seenArchitecture.prefillDeviceScores;
    if (devices.length == 0 || Double.isInfinite(q)) {
      return q;
    }
    return Math.max(q, conformal(devices, imputed ? IMPUTED_DEVICE_SHARE : DEVICE_SHARE));
  }

  /** The ⌈(n+1)·level⌉-th smallest of sorted {@code s}; infinite when there are too few. */
  public static double conformal(double[] s, double level) {
    if (s.length == 0) {
      return Double.POSITIVE_INFINITY;
    }
    int k = (int) Math.ceil((s.length + 1) * level);
    return k > s.length ? Double.POSITIVE_INFINITY : s[k - 1];
  }

  /** The {@code level} quantile (nearest rank) of {@code values}, which need not be sorted. */
  public static double within(double[] values, double level) {
    double[] s = values.clone();
    Arrays.sort(s);
    int k = Math.max(1, (int) Math.ceil(s.length * level));
    return s[k - 1];
  }

  /**
   * The slots of {@code x} that every training row held at one value and {@code x} does not: inputs whose effect the
   * model had no way to learn (a split over several devices for a model trained on one-device rows only). Empty
   * without a calibration.
   */
  public int[] neverVaried(float[] x) {
    if (method == Method.NONE || x.length != featureMin.length) {
      return new int[0];
    }
    return IntStream.range(0, x.length)
        .filter(i -> featureMin[i] == featureMax[i] && x[i] != featureMin[i]).toArray();
  }

  /** Share of slots of {@code x} inside the training range (1 = nothing extrapolated). */
  public double inRangeShare(float[] x) {
    if (method == Method.NONE || x.length != featureMin.length) {
      return 1;
    }
    int inside = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] >= featureMin[i] && x[i] <= featureMax[i]) {
        inside++;
      }
    }
    return (double) inside / x.length;
  }

  @Override
  public float[] featureMin() {
    return featureMin.clone();
  }

  @Override
  public float[] featureMax() {
    return featureMax.clone();
  }
}
