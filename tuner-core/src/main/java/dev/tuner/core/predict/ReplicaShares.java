package dev.tuner.core.predict;

import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Scenario;
import java.util.Optional;

/**
 * A batch over independent data-parallel replicas, as the replicas run it: each busy replica serves its own share of
 * the sequences (or prompts) on its own {@code tp × pp} devices, so the deployment's tokens/s is the sum of its
 * replicas'. {@code loCount} replicas serve {@code lo.batch()} sequences and {@code hiCount} one more; replicas beyond
 * the batch are idle. A batch of 4 on 4 replicas is four single-sequence steps, not one step of 4 sequences, whose
 * batching gain the model would otherwise apply.
 *
 * <p>Replicas whose experts are shared ({@link ParallelLayout#replicasShareExperts}) step together and are not
 * split.
 */
record ReplicaShares(Scenario lo, int loCount, Scenario hi, int hiCount) {
  /** The shares of {@code s}, empty when it runs on one replica or its replicas share their experts. */
  static Optional<ReplicaShares> of(Scenario s) {
    ParallelLayout p = s.parallel();
    if (p.replicas() == 1 || p.replicasShareExperts()) {
      return Optional.empty();
    }
    int busy = p.steppingReplicas(s.batch());
    int lo = s.batch() / busy;
    int hiCount = s.batch() % busy;
    Scenario one = s.withParallel(new ParallelLayout(p.tp() * p.pp(), p.tp(), p.pp(), p.ep()));
    return Optional.of(new ReplicaShares(one.withBatch(lo), busy - hiCount, hiCount > 0 ? one.withBatch(lo + 1)
        : null, hiCount));
  }

  /** How the batch was shared, for a prediction's assumptions. */
  String describe(int replicas) {
    int busy = loCount + hiCount;
    return "a batch of " + (loCount * lo.batch() + hiCount * (lo.batch() + 1)) + " over " + replicas
        + " independent replicas: " + loCount + " of them serve " + lo.batch() + (hiCount > 0 ? " and " + hiCount
        + " serve " + (lo.batch() + 1) : "") + (busy < replicas ? ", " + (replicas - busy) + " idle" : "")
        + "; each replica is predicted on its own and the deployment's tokens/s, roofline and interval ends are their"
        + " sums";
  }
}
