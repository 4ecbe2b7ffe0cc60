package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.DeviceSpec;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The latency of small collectives against the libraries' cost models and the engines' kernels, by hand. */
class CollectiveLatencyTest {
  private static DeviceSpec device(String vendor, String link) {
    return new DeviceSpec("d", vendor, 1000, OptionalDouble.of(100), OptionalDouble.empty(), OptionalDouble.empty(),
        100, OptionalDouble.empty(), OptionalDouble.of(80), List.of(), "test")
        .withInterconnect(link, OptionalDouble.of(100));
  }

  @Test
  void overAFullyConnectedLinkTheEnginesOneShotKernelIsFlatInTheGpus() {
    // 9 µs whatever the number of GPUs (one signal and one read over the direct links); nothing on one GPU
    for (int n : new int[] {2, 4, 8}) {
      assertThat(CollectiveLatency.NCCL_NVLINK.allReduce(n)).isCloseTo(9e-6, within(1e-15));
      assertThat(CollectiveLatency.RCCL_XGMI.allReduce(n)).isCloseTo(9e-6, within(1e-15));
    }
    assertThat(CollectiveLatency.NCCL_NVLINK.allReduce(1)).isZero();
  }

  @Test
  void overPcieTheLibraryTakesTheCheaperOfItsRingAndTree() {
    // NCCL, 4 GPUs: 2 × 3 = 6 steps; ring 6.6 + 6 × 1.0 = 12.6 µs, tree 6.8 + 6 × 1.0 = 12.8 µs: the ring
    assertThat(CollectiveLatency.NCCL_PCIE.allReduce(4)).isCloseTo(12.6e-6, within(1e-15));
    // NCCL, 8 GPUs: 14 steps, 6.6 + 14 = 20.6 µs
    assertThat(CollectiveLatency.NCCL_PCIE.allReduce(8)).isCloseTo(20.6e-6, within(1e-15));
    // RCCL, 8 GPUs: ring 12 + 14 × 1.3 = 30.2 µs, tree 12 + 14 × 2.2 = 42.8 µs: the ring
    assertThat(CollectiveLatency.RCCL_PCIE.allReduce(8)).isCloseTo(30.2e-6, within(1e-15));
  }

  @Test
  void allToAllsAndStageTransfersGoThroughTheLibrary() {
    // an all-to-all over 8 GPUs: 7 ring steps; NCCL over NVLink 6.6 + 7 × 0.6 = 10.8 µs, RCCL over Infinity Fabric
    // 12 + 7 × 2.3 = 28.1 µs
    assertThat(CollectiveLatency.NCCL_NVLINK.allToAll(8)).isCloseTo(10.8e-6, within(1e-15));
    assertThat(CollectiveLatency.RCCL_XGMI.allToAll(8)).isCloseTo(28.1e-6, within(1e-15));
    assertThat(CollectiveLatency.RCCL_XGMI.allToAll(1)).isZero();
    // one transfer to the next stage: one step, 6.6 + 0.6 = 7.2 µs
    assertThat(CollectiveLatency.NCCL_NVLINK.send()).isCloseTo(7.2e-6, within(1e-15));
    assertThatThrownBy(() -> CollectiveLatency.NCCL_NVLINK.allReduce(0)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("GPUs in a collective").hasMessageContaining("at least 1");
  }

  @Test
  void theLibraryAndLinkFollowTheVendorAndInterconnect() {
    assertThat(CollectiveLatency.of(device("NVIDIA", "NVLink4"))).isEqualTo(CollectiveLatency.NCCL_NVLINK);
    assertThat(CollectiveLatency.of(device("NVIDIA", "PCIe4 x16"))).isEqualTo(CollectiveLatency.NCCL_PCIE);
    assertThat(CollectiveLatency.of(device("AMD", "Infinity Fabric"))).isEqualTo(CollectiveLatency.RCCL_XGMI);
    assertThat(CollectiveLatency.of(device("AMD", "PCIe4 x16"))).isEqualTo(CollectiveLatency.RCCL_PCIE);
  }
}
