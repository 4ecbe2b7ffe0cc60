package dev.tuner.core.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.core.scenario.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The protocol's breakdown by model kind, backend and source, and its "device level known" diagnostic. */
class BreakdownTest {
  private static Encoded shipped() throws java.io.IOException {
    return ShippedRows.encoded();
  }

  private static List<int[]> devices(Encoded d, Phase p) {
    Map<String, List<Integer>> by = new TreeMap<>();
    IntStream.range(0, d.rows()).filter(i -> d.phases[i] == p)
        .forEach(i -> by.computeIfAbsent(d.devices[i], k -> new ArrayList<>()).add(i));
    return by.values().stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
  }

  /**
   * Predictions twice the measurement on one device and exact elsewhere: every row of that device has APE 1, so the
   * pooled MAPE is its share of the rows; knowing each device's level removes the factor 2 and leaves no error.
   */
  @Test
  void aDevicesLevelIsWhatTheLevelKnownFigureRemoves() throws java.io.IOException {
    Encoded d = shipped();
    for (Phase p : Phase.values()) {
      List<int[]> devices = devices(d, p);
      int[] doubled = devices.get(0);
      double[] predicted = d.measured.clone();
      for (int i : doubled) {
        predicted[i] = 2 * d.measured[i];
      }
      Map<String, Double> b = Protocol.breakdown(d, predicted, devices, p);
      int n = devices.stream().mapToInt(x -> x.length).sum();
      assertThat(b.get("breakdown/all rows/rows")).isEqualTo(n);
      assertThat(b.get("breakdown/all rows/mape")).isCloseTo((double) doubled.length / n, within(1e-12));
      assertThat(b.get("breakdown/all rows/median_ape")).isZero();
      assertThat(b.get("breakdown/all rows/level_known_mape")).isCloseTo(0, within(1e-12));
    }
  }

  @Test
  void modelKindsAndBackendsPartitionThePhasesRowsAndSmallSourcesHaveNoLine() throws java.io.IOException {
    Encoded d = shipped();
    for (Phase p : Phase.values()) {
      Map<String, Double> b = Protocol.breakdown(d, d.measured.clone(), devices(d, p), p);
      double all = b.get("breakdown/all rows/rows");
      assertThat(b.getOrDefault("breakdown/dense models/rows", 0.0) + b.getOrDefault("breakdown/MoE models/rows", 0.0))
          .isEqualTo(all);
      assertThat(b.entrySet().stream().filter(e -> e.getKey().startsWith("breakdown/backend ")
          && e.getKey().endsWith("/rows")).mapToDouble(Map.Entry::getValue).sum()).isEqualTo(all);
      assertThat(b.get("breakdown/MoE models/rows")).as("the shipped data has MoE rows in both phases").isPositive();
      assertThat(b.entrySet().stream().filter(e -> e.getKey().startsWith("breakdown/source ")
          && e.getKey().endsWith("/rows")).mapToDouble(Map.Entry::getValue))
          .isNotEmpty().allSatisfy(rows -> assertThat(rows).isGreaterThanOrEqualTo(Protocol.BREAKDOWN_MIN_ROWS));
    }
  }
}
