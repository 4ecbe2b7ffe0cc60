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

  /**
   * The replicas whose tokens one GPU's routed experts serve: ep / (tp × pp) when ep is wider than a replica. 4 GPUs
   * at ep 4 and tp 1 are 4 replicas of one GPU sharing the experts; tp 4 at ep 4 is one replica, as are tp 2 at ep 2.
   */
  @Test
  void theExpertGroupIsTheReplicasThatShareTheExpertsAndOnlyTheBusyOnesSendTokens() {
    assertThat(new ParallelLayout(4, 1, 1, 4).expertGroup()).isEqualTo(4.0);
    assertThat(new ParallelLayout(8, 2, 1, 8).expertGroup()).isEqualTo(4.0);
    assertThat(new ParallelLayout(4, 4, 1, 4).expertGroup()).isEqualTo(1.0);
    assertThat(new ParallelLayout(8, 2, 1, 2).expertGroup()).isEqualTo(1.0);
    // ep need only divide the experts: 3 over replicas of 2 GPUs is a group of 1.5
    assertThat(new ParallelLayout(6, 2, 1, 3).expertGroup()).isEqualTo(1.5);
    assertThat(ParallelLayout.SINGLE.expertGroup()).isEqualTo(1.0);
    // 2 of the 4 replicas busy: 4 × 2/4 = 2 of the group send tokens; one busy replica sends its own
    ParallelLayout four = new ParallelLayout(4, 1, 1, 4);
    assertThat(four.expertGroup(4)).isEqualTo(4.0);
    assertThat(four.expertGroup(2)).isEqualTo(2.0);
    assertThat(four.expertGroup(1)).isEqualTo(1.0);
    // 8 replicas in two groups of 4 (ep 4): 2 busy, one in each group
    assertThat(new ParallelLayout(8, 1, 1, 4).expertGroup(2)).isEqualTo(1.0);
    assertThat(new ParallelLayout(8, 1, 1, 4).expertGroup(6)).isEqualTo(3.0);
  }
}
