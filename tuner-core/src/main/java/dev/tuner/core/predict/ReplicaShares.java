package dev.tuner.core.predict;

import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Scenario;
import java.util.Optional;

/**
 * A batch over data-parallel replicas, as the replicas run it: {@code loCount} replicas serve {@code lo.batch()}
 * sequences (or prompts) and {@code hiCount} one more; replicas beyond the batch have none. A batch of 4 on 4
 * replicas is four single-sequence shares, not one step of 4 sequences, whose batching gain the model would otherwise
 * apply.
 *
 * <p>Independent replicas each run their share on their own {@code tp × pp} devices, so the deployment's tokens/s is
 * the sum of its replicas'. Replicas whose experts are shared ({@link ParallelLayout#replicasShareExperts},
 * {@code coupled}) step together, routing every share's tokens over the ep devices' experts; a share is then
 * predicted on one replica holding every expert ({@code ep} 1), which is what the model has learned the efficiency
 * of, and the predictor carries that efficiency over to the shared step ({@link Predictor}).
 */
record ReplicaShares(Scenario lo, int loCount, Scenario hi, int hiCount, boolean coupled) {
  /** The shares of {@code s}, empty when it runs on one replica. */
  static Optional<ReplicaShares> of(Scenario s) {
    ParallelLayout p = s.parallel();
    if (p.replicas() == 1) {
      return Optional.empty();
    }
    boolean coupled = p.replicasShareExperts();
    int busy = p.busyReplicas(s.batch());
    int lo = s.batch() / busy;
    int hiCount = s.batch() % busy;
    Scenario one = s.withParallel(new ParallelLayout(p.tp() * p.pp(), p.tp(), p.pp(), coupled ? 1 : p.ep()));
    return Optional.of(new ReplicaShares(one.withBatch(lo), busy - hiCount, hiCount > 0 ? one.withBatch(lo + 1)
        : null, hiCount, coupled));
  }

  /** How {@code s}'s batch was shared, for a prediction's assumptions. */
  String describe(Scenario s) {
    if (coupled) {
      return "a batch of " + s.batch() + " over " + s.parallel().replicas() + " replicas that share their experts"
          + " (ep " + s.parallel().ep() + ") and step together: " + shares(s, "without one") + "; each share is"
          + " predicted on one replica holding every expert, and the shares' mean factor of their own reference"
          + " (serial roof and step overhead) is taken of the shared step's, whose expert reads the ep devices split"
          + " and whose all-to-alls cross the link";
    }
    return "a batch of " + s.batch() + " over " + s.parallel().replicas() + " independent replicas: "
        + shares(s, "idle") + "; each replica is predicted on its own and the deployment's tokens/s, roofline and"
        + " interval ends are their sums";
  }

  private String shares(Scenario s, String spare) {
    int spareCount = s.parallel().replicas() - loCount - hiCount;
    return loCount + " of them serve " + lo.batch() + (hiCount > 0 ? " and " + hiCount + " serve "
        + (lo.batch() + 1) : "") + (spareCount > 0 ? ", " + spareCount + " " + spare : "");
  }
}
