package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class LoadTest {
  /** A static batch runs on every replica; clients and a run's prompts each keep at most one replica busy. */
  @Test
  void aLoadKeepsBusyNoMoreReplicasThanItsClientsOrPrompts() {
    assertThat(new Load.Batch(1).busyReplicas(8)).isEqualTo(8);
    assertThat(new Load.Concurrency(8).busyReplicas(64)).isEqualTo(8);
    assertThat(new Load.Concurrency(100).busyReplicas(64)).isEqualTo(64);
    assertThat(new Load.Concurrency(100, OptionalInt.of(5)).busyReplicas(64)).isEqualTo(5);
    assertThat(new Load.Offline(OptionalInt.empty()).busyReplicas(64)).isEqualTo(64);
    assertThat(new Load.Offline(OptionalInt.of(8)).busyReplicas(64)).isEqualTo(8);
    assertThat(new Load.RequestRate(5).busyReplicas(64)).isEqualTo(64);
    assertThat(new Load.RequestRate(5, OptionalInt.of(3)).busyReplicas(4)).isEqualTo(3);
  }
}
