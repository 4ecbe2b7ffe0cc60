package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.ThroughputModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForestArtifactsTest {
  private static final List<String> NAMES = List.of("a", "b");
  private static final SchemaRef SCHEMA = new SchemaRef("test", "0".repeat(64));

  /** x[0] <= 0.5 ? 1.0 : (x[1] <= 0.25 ? 2.0 : 4.0); internal values are the means of the rows below them. */
  private static final ForestArtifacts.FlatTree DEEP = new ForestArtifacts.FlatTree(
      new int[] {0, -1, 1, -1, -1}, new float[] {0.5f, 0, 0.25f, 0, 0}, new int[] {1, -1, 3, -1, -1},
      new int[] {2, -1, 4, -1, -1}, new double[] {2.0, 1.0, 3.0, 2.0, 4.0});
  /** x[1] <= 0.75 ? 10.0 : 20.0. */
  private static final ForestArtifacts.FlatTree STUMP = new ForestArtifacts.FlatTree(
      new int[] {1, -1, -1}, new float[] {0.75f, 0, 0}, new int[] {1, -1, -1}, new int[] {2, -1, -1},
      new double[] {15.0, 10.0, 20.0});

  private static ThroughputModel load(byte[] payload) {
    var info = new ModelInfo("forest-test", ForestProvider.ID, SCHEMA, OutputKind.TOKENS_PER_SECOND, 2);
    return new ForestProvider().load(new ModelPayload(info, payload));
  }

  @Test
  void theForestLoadsThroughTheProviderAndPredictsTheMeanOfItsLeaves() {
    byte[] payload = ForestArtifacts.fromFlatTrees(NAMES, Map.of("trees", "2", "partition_by", "none"),
        Map.of("trained_by", "test"), List.of(DEEP, STUMP));
    ThroughputModel m = load(payload);
    // (1.0 + 10.0) / 2 = 5.5: left in the first tree (0.2 <= 0.5), left in the stump (0.1 <= 0.75)
    assertThat(m.predict(new float[] {0.2f, 0.1f})).isEqualTo(5.5);
    // (4.0 + 20.0) / 2 = 12.0: right, then right (0.8 > 0.25); right in the stump (0.8 > 0.75)
    assertThat(m.predict(new float[] {0.9f, 0.8f})).isEqualTo(12.0);
    // a value equal to the threshold goes left: (2.0 + 10.0) / 2 = 6.0
    assertThat(m.predict(new float[] {0.6f, 0.25f})).isEqualTo(6.0);
    // spread of {2, 10}: population standard deviation 4
    assertThat(m.spread(new float[] {0.6f, 0.25f})).hasValue(4.0);
    assertThat(m.info().properties()).containsEntry("trained_by", "test").containsEntry("trees", "2");
  }

  @Test
  void aPartitionedTreeSendsFlagZeroToTheFirstTreeAndOneToTheSecond() {
    // root on b at 0.5 (value 7.0), DEEP's 5 nodes at 1-5, STUMP's 3 nodes at 6-8
    ForestArtifacts.FlatTree joined = ForestArtifacts.partitioned(1, 7.0, DEEP, STUMP);
    assertThat(joined.feature()).containsExactly(1, 0, -1, 1, -1, -1, 1, -1, -1);
    assertThat(joined.left()).containsExactly(1, 2, -1, 4, -1, -1, 7, -1, -1);
    assertThat(joined.right()).containsExactly(6, 3, -1, 5, -1, -1, 8, -1, -1);
    assertThat(joined.threshold()[0]).isEqualTo(ForestArtifacts.PARTITION_THRESHOLD);
    assertThat(joined.value()[0]).isEqualTo(7.0);
    ThroughputModel m = load(ForestArtifacts.fromFlatTrees(NAMES, Map.of("trees", "1"), Map.of(), List.of(joined)));
    // b = 0 goes to DEEP: a = 0.2 <= 0.5 gives 1.0; a = 0.9 then b = 0 <= 0.25 gives 2.0
    assertThat(m.predict(new float[] {0.2f, 0f})).isEqualTo(1.0);
    assertThat(m.predict(new float[] {0.9f, 0f})).isEqualTo(2.0);
    // b = 1 goes to STUMP: 1 > 0.75 gives 20.0, whatever a is
    assertThat(m.predict(new float[] {0.2f, 1f})).isEqualTo(20.0);
  }

  @Test
  void aTreeCountOtherThanTheHyperParameterIsRefused() {
    assertThatThrownBy(() -> ForestArtifacts.fromFlatTrees(NAMES, Map.of("trees", "3"), Map.of(),
        List.of(DEEP, STUMP)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("trees = 3");
  }

  @Test
  void aMalformedTreeIsRefusedNamingTheProblem() {
    var loop = new ForestArtifacts.FlatTree(new int[] {0, -1, -1}, new float[] {0.5f, 0, 0},
        new int[] {2, -1, -1}, new int[] {2, -1, -1}, new double[] {0, 1, 2});
    assertThatThrownBy(() -> ForestArtifacts.fromFlatTrees(NAMES, Map.of("trees", "1"), Map.of(), List.of(loop)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("two parents");
    assertThatThrownBy(() -> ForestArtifacts.fromFlatTrees(List.of("a", "a"), Map.of("trees", "1"), Map.of(),
        List.of(STUMP)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("distinct names");
  }
}
