package dev.tuner.linear;

import java.util.Optional;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;

/**
 * The ridge normal equations over a subset of training rows, built once and solved for any λ. Features are
 * standardised on those rows (population standard deviation) and the target is centred, so the intercept is not
 * penalised. A feature constant on the rows has no direction to fit and is left out of the system; its weight is 0.
 * Nothing here is shared or mutated after construction, so one problem can be solved for many λ.
 */
final class RidgeProblem {

  private final int width;
  private final int rows;
  private final double[] means;
  private final double[] stds;
  /** Indices of the features that vary on the rows, in feature order; the system is over these only. */
  private final int[] active;
  private final double targetMean;
  /** Lower triangle of ZᵀZ over the active features, row-major: gram[i][j] for j <= i. */
  private final double[][] gram;
  /** Zᵀ(y − ȳ) over the active features. */
  private final double[] rhs;

  /**
   * @param features row-major training features, {@code width} per row
   * @param targets one target per row
   * @param rowIndex the rows to fit on
   */
  RidgeProblem(float[] features, double[] targets, int width, int[] rowIndex) {
    this.width = width;
    this.rows = rowIndex.length;
    this.means = new double[width];
    this.stds = new double[width];
    boolean[] varies = new boolean[width];
    double targetSum = 0;
    for (int r : rowIndex) {
      int base = r * width;
      for (int j = 0; j < width; j++) {
        means[j] += features[base + j];
      }
      targetSum += targets[r];
    }
    targetMean = targetSum / rows;
    for (int j = 0; j < width; j++) {
      means[j] /= rows;
    }
    int first = rowIndex[0] * width;
    for (int r : rowIndex) {
      int base = r * width;
      for (int j = 0; j < width; j++) {
        double d = features[base + j] - means[j];
        stds[j] += d * d;
        // Constancy is decided on the values themselves: a mean of equal floats need not equal them exactly, which
        // would give a constant feature a tiny non-zero spread and a meaningless huge standardised value.
        varies[j] |= features[base + j] != features[first + j];
      }
    }
    int count = 0;
    for (int j = 0; j < width; j++) {
      stds[j] = varies[j] ? Math.sqrt(stds[j] / rows) : 0;
      if (varies[j]) {
        count++;
      }
    }
    active = new int[count];
    for (int j = 0, k = 0; j < width; j++) {
      if (varies[j]) {
        active[k++] = j;
      }
    }
    gram = new double[count][];
    for (int i = 0; i < count; i++) {
      gram[i] = new double[i + 1];
    }
    rhs = new double[count];
    double[] z = new double[count];
    for (int r : rowIndex) {
      int base = r * width;
      for (int k = 0; k < count; k++) {
        int j = active[k];
        z[k] = (features[base + j] - means[j]) / stds[j];
      }
      double yc = targets[r] - targetMean;
      for (int i = 0; i < count; i++) {
        double zi = z[i];
        double[] row = gram[i];
        for (int k = 0; k <= i; k++) {
          row[k] += zi * z[k];
        }
        rhs[i] += zi * yc;
      }
    }
  }

  int rows() {
    return rows;
  }

  double targetMean() {
    return targetMean;
  }

  double[] means() {
    return means.clone();
  }

  double[] stds() {
    return stds.clone();
  }

  /**
   * Solves (ZᵀZ + λ·n·I) w = Zᵀ(y − ȳ) with Tribuo's Cholesky factorisation and returns w in standardised space,
   * one entry per feature (0 for a constant one).
   *
   * @throws NotPositiveDefiniteException when the system has no unique solution at this λ
   */
  double[] solve(double lambda) {
    int q = active.length;
    if (q == 0) {
      // Every feature is constant: nothing to fit (and Tribuo has no empty matrix).
      return new double[width];
    }
    DenseMatrix system = system(lambda, q);
    // A pivot this small relative to the largest diagonal is rounding noise: the column is (numerically) a linear
    // combination of earlier ones and the solution would be arbitrary. Tribuo's own test is absolute (1e-14), so
    // the relative one is applied to its factor.
    double largestDiagonal = 0;
    for (int i = 0; i < q; i++) {
      largestDiagonal = Math.max(largestDiagonal, system.get(i, i));
    }
    double tolerance = largestDiagonal * Math.max(1, q) * Math.ulp(1.0);
    DenseMatrix.CholeskyFactorization cholesky = factorise(system, tolerance)
        .orElseThrow(() -> new NotPositiveDefiniteException(active[firstFailingPivot(lambda, q, tolerance)]));
    DenseVector w = cholesky.solve(DenseVector.createDenseVector(rhs));
    double[] full = new double[width];
    for (int k = 0; k < q; k++) {
      full[active[k]] = w.get(k);
    }
    return full;
  }

  /** The leading {@code size} × {@code size} block of ZᵀZ + λ·n·I, symmetric as Tribuo's factorisation requires. */
  private DenseMatrix system(double lambda, int size) {
    double shift = lambda * rows;
    double[][] a = new double[size][size];
    for (int i = 0; i < size; i++) {
      for (int k = 0; k <= i; k++) {
        a[i][k] = gram[i][k];
        a[k][i] = gram[i][k];
      }
      a[i][i] += shift;
    }
    return DenseMatrix.createDenseMatrix(a);
  }

  /** Tribuo's factorisation of {@code system}, empty unless every pivot (squared) exceeds {@code tolerance}. */
  private static Optional<DenseMatrix.CholeskyFactorization> factorise(DenseMatrix system, double tolerance) {
    return system.choleskyFactorization().filter(cholesky -> {
      DenseMatrix factor = cholesky.lMatrix();
      for (int j = 0; j < factor.getDimension1Size(); j++) {
        double pivot = factor.get(j, j);
        if (!(pivot * pivot > tolerance)) {
          return false;
        }
      }
      return true;
    });
  }

  /**
   * The index (among the active features) of the first pivot that fails: the factor of a leading block is the
   * leading block of the factor, so this is the size of the smallest leading block that does not factorise, less one.
   */
  private int firstFailingPivot(double lambda, int q, double tolerance) {
    int low = 1;
    int high = q;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (factorise(system(lambda, mid), tolerance).isPresent()) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low - 1;
  }

  /**
   * Σ over {@code rowIndex} of the squared error of standardised weights {@code w} with the standardised-space
   * {@code intercept}, fitted on this problem.
   */
  double sumOfSquaredErrors(float[] features, double[] targets, int[] rowIndex, double[] w, double intercept) {
    double sse = 0;
    for (int r : rowIndex) {
      int base = r * width;
      double prediction = intercept;
      for (int j : active) {
        prediction += w[j] * ((features[base + j] - means[j]) / stds[j]);
      }
      double e = targets[r] - prediction;
      sse += e * e;
    }
    return sse;
  }

  /** Row {@code r}'s active features, standardised with this problem's means and deviations. */
  double[] standardise(float[] features, int r) {
    double[] z = new double[active.length];
    int base = r * width;
    for (int k = 0; k < active.length; k++) {
      int j = active[k];
      z[k] = (features[base + j] - means[j]) / stds[j];
    }
    return z;
  }

  /** Indices of the features that vary on the rows, in feature order. */
  int[] active() {
    return active.clone();
  }

  int width() {
    return width;
  }

  /** The pivot of {@code feature} vanished: that feature is collinear with earlier ones at this λ. */
  static final class NotPositiveDefiniteException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int feature;

    NotPositiveDefiniteException(int feature) {
      super("not positive definite at feature " + feature, null, false, false);
      this.feature = feature;
    }

    int feature() {
      return feature;
    }
  }
}
