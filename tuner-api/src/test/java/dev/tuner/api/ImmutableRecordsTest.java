package dev.tuner.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Whatever a plugin does to the arrays and collections it receives or returns, the record it got them from (held
 * by the host, and perhaps handed to another plugin next) stays as it was.
 */
class ImmutableRecordsTest {
  private static final SchemaRef REF = new SchemaRef("s", "c".repeat(64));

  /** What a careless trainer does: scribble over every array it can reach. */
  private static void scribble(TrainingSet data) {
    Arrays.fill(data.features(), 9f);
    Arrays.fill(data.targets(), -9);
    Arrays.fill(data.groups(), 7);
    data.row(0)[0] = 9f;
  }

  @Test
  void aTrainerThatChangesItsArraysLeavesTheHostsTrainingSetAsItWas() {
    float[] features = {0.1f, 0.2f, 0.3f, 0.4f};
    double[] targets = {1.5, 2.5};
    int[] groups = {0, 1};
    TrainingSet host = new TrainingSet(REF, List.of("a", "b"), features, targets, OutputKind.TOKENS_PER_SECOND,
        groups);
    // the host's own arrays, changed after the set was made, do not reach it either
    features[0] = 5f;
    targets[0] = 5;
    groups[0] = 5;
    scribble(host);
    scribble(host.select(new int[] {1, 0}));
    assertThat(host.features()).containsExactly(0.1f, 0.2f, 0.3f, 0.4f);
    assertThat(host.targets()).containsExactly(1.5, 2.5);
    assertThat(host.groups()).containsExactly(0, 1);
    assertThat(host.feature(1, 0)).isEqualTo(0.3f);
    assertThat(host.target(1)).isEqualTo(2.5);
    assertThat(host.group(1)).isEqualTo(1);
    assertThat(host.layout().slot("b")).isEqualTo(1);
    assertThatThrownBy(() -> host.featureNames().set(0, "z")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> host.feature(2, 0)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row");
  }

  @Test
  void aSetWithoutGroupsSaysSoWhenAGroupIsAsked() {
    TrainingSet plain = new TrainingSet(REF, List.of("a"), new float[] {0f}, new double[] {1},
        OutputKind.TOKENS_PER_SECOND);
    assertThat(plain.groups()).isNull();
    assertThatThrownBy(() -> plain.group(0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("groups");
  }

  @Test
  void aProviderThatChangesThePayloadBytesLeavesTheHostsPayloadAsItWas() {
    byte[] bytes = {1, 2, 3};
    ModelPayload payload = new ModelPayload(new ModelInfo("m", "p", REF, OutputKind.TOKENS_PER_SECOND, 1), bytes);
    bytes[0] = 9;
    Arrays.fill(payload.bytes(), (byte) 7);
    assertThat(payload.bytes()).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> payload.layout().names().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void infoOptionsAndTrainedModelsKeepTheirOwnCopies() {
    Map<String, String> props = new HashMap<>(Map.of("k", "v"));
    ModelInfo info = new ModelInfo("m", "p", REF, OutputKind.TOKENS_PER_SECOND, 1, props, List.of());
    props.put("k", "changed");
    assertThat(info.properties()).containsEntry("k", "v");
    assertThatThrownBy(() -> info.properties().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);

    Map<String, String> hp = new HashMap<>(Map.of("lambda", "1"));
    TrainingOptions options = TrainingOptions.of(1, hp);
    hp.put("lambda", "2");
    assertThat(options.hyperParameters()).containsEntry("lambda", "1");

    byte[] payload = {4, 5};
    ThroughputModel model = new ThroughputModel() {
      @Override
      public ModelInfo info() {
        return info;
      }

      @Override
      public double predict(float[] features) {
        return 1;
      }
    };
    TrainedModel trained = new TrainedModel(model, payload, Map.of());
    payload[0] = 0;
    trained.payload()[1] = 0;
    assertThat(trained.payload()).containsExactly(4, 5);
  }

  @Test
  void portableFormsHandOutCopies() {
    PortableModel.Linear linear = new PortableModel.Linear(new double[] {1, 2}, 0.5);
    linear.weights()[0] = 9;
    assertThat(linear.weights()).containsExactly(1, 2);
  }
}
