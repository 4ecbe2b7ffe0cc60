package dev.tuner.serving;

import java.util.ArrayDeque;
import java.util.function.DoubleUnaryOperator;

/**
 * How long a benchmark's run of {@code P} requests arriving evenly at {@code λ} per second lasts, from its first
 * arrival to its last request's end, simulated in cohorts. Requests of one workload take the same work, and
 * continuous batching advances every running request one iteration at a time, so with {@code n} running each does a
 * share {@code 1 / E2E(n)} of its work per second ({@link Composer#continuous}): a clock they share, on which a request
 * admitted at {@code V} ends at {@code V + 1}, in the order they were admitted. Requests beyond the capacity
 * {@code nmax} wait in arrival order for a slot. The run is {@code G ≤ 64} cohorts of {@code P/G} requests (one request
 * each for shorter runs), so that its cost does not grow with {@code P}; a cohort that only partly fits is split.
 *
 * <p>It replaces two closed forms that met unevenly at the capacity (the last arrival plus its E2E below it, the slots
 * freed at the capacity's rate above it): one model across the capacity. Its run is never longer for a faster device
 * (every {@code E2E(n)} shorter), and, where more running requests serve more per second ({@code E2E(n) = a + b·n}
 * in {@code RunDurationTest}), never longer at a higher rate or with a larger capacity (docs/EVALUATION.md,
 * eighteenth serving change). Immutable and thread-safe.
 */
final class RunDuration {
  /** Cohorts a run is cut into at most: lumping a cohort's arrivals moves each by at most 1/128 of their span. */
  static final int COHORTS = 64;

  private final DoubleUnaryOperator e2e;
  private final double capacity;

  /**
   * @param e2e seconds one request takes with {@code n} requests running, for {@code n ≥ 1} (fewer take what one does)
   * @param capacity the most requests that run at once (at least one)
   */
  RunDuration(DoubleUnaryOperator e2e, double capacity) {
    this.e2e = e2e;
    this.capacity = Math.max(1, capacity);
  }

  /** Seconds from the first arrival of {@code prompts} requests at {@code rate} per second to the last one's end. */
  double seconds(double prompts, double rate) {
    int cohorts = (int) Math.min(COHORTS, Math.max(1, Math.ceil(prompts)));
    double size = prompts / cohorts;
    // a cohort arrives at its members' mean arrival, and its last member half a cohort later, which the end adds back
    double spread = Math.max(0, (size - 1) / (2 * rate));
    ArrayDeque<double[]> waiting = new ArrayDeque<>();
    ArrayDeque<double[]> running = new ArrayDeque<>();
    double sliver = 1e-9 * size;
    double t = 0;
    double clock = 0;
    double n = 0;
    int arrived = 0;
    while (arrived < cohorts || !waiting.isEmpty() || !running.isEmpty()) {
      double pace = n > 0 ? 1 / e2e.applyAsDouble(Math.max(1, n)) : 0;
      double arrival = arrived < cohorts ? arrived * size / rate + spread : Double.POSITIVE_INFINITY;
      double end = running.isEmpty() ? Double.POSITIVE_INFINITY : t + (running.peekFirst()[1] - clock) / pace;
      if (arrival <= end) {
        clock += (arrival - t) * pace;
        t = Math.max(t, arrival);
        waiting.addLast(new double[] {size});
        arrived++;
      } else {
        double[] done = running.pollFirst();
        clock = done[1];
        t = end;
        n = running.isEmpty() ? 0 : n - done[0];
      }
      // admit in arrival order while there is room (a sliver left by rounding is none)
      while (!waiting.isEmpty() && capacity - n > sliver) {
        double[] w = waiting.peekFirst();
        double admitted = Math.min(w[0], capacity - n);
        running.addLast(new double[] {admitted, clock + 1});
        n += admitted;
        w[0] -= admitted;
        if (w[0] <= sliver) {
          waiting.pollFirst();
        }
      }
    }
    return t + spread;
  }
}
