package dev.tuner.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which replicas of a layout step for a batch, by hand. */
class ParallelLayoutTest {
  @Test
  void replicasWithExpertsOfTheirOwnStepOnlyWithASequenceAndSharedOnesAllStep() {
    // 8 devices, tp 2: 4 replicas, each with its own experts
    ParallelLayout apart = new ParallelLayout(8, 2, 1, 2);
    assertThat(apart.replicasShareExperts()).isFalse();
    assertThat(apart.steppingReplicas(1)).isEqualTo(1);
    assertThat(apart.steppingReplicas(3)).isEqualTo(3);
    assertThat(apart.steppingReplicas(64)).isEqualTo(4);
    // ep 8 over replicas of 2 devices: the 4 replicas route their tokens over one set of experts and step together
    ParallelLayout shared = new ParallelLayout(8, 2, 1, 8);
    assertThat(shared.replicasShareExperts()).isTrue();
    assertThat(shared.steppingReplicas(1)).isEqualTo(4);
    assertThat(ParallelLayout.SINGLE.steppingReplicas(32)).isEqualTo(1);
  }
}
