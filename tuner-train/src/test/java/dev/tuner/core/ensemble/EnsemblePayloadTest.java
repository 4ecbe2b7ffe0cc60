package dev.tuner.core.ensemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ProgressListener;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingOptions;
import dev.tuner.core.learn.Trainers;
import dev.tuner.core.plugin.PluginProblem;
import dev.tuner.core.plugin.ProviderRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnsemblePayloadTest {
  private final ProviderRegistry registry = ProviderRegistry.of(List.of(
      new TestTrainers.LineProvider("mean", false, 0), new TestTrainers.LineProvider("slope", true, 0)));
  private final ModelProvider ensemble = registry.require(EnsembleProvider.ID);
  private final TrainedModel trained = Trainers.of(ensemble).orElseThrow().train(TestTrainers.lines(200, 5, 1),
      new TrainingOptions(3, Map.of("members", "mean,slope"), 1, ProgressListener.NONE));

  /** Edits the payload's JSON header, keeps the member payloads after it, and expects the load to fail. */
  private void loadEdited(UnaryOperator<String> edit, String message) {
    byte[] bytes = trained.payload();
    int length = ByteBuffer.wrap(bytes).getInt();
    String json = new String(bytes, 4, length, StandardCharsets.UTF_8);
    String edited = edit.apply(json);
    assertThat(edited).as("the edit changed the header").isNotEqualTo(json);
    byte[] header = edited.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(4 + header.length + bytes.length - 4 - length);
    out.putInt(header.length).put(header).put(bytes, 4 + length, bytes.length - 4 - length);
    assertThatThrownBy(() -> ensemble.load(new ModelPayload(trained.model().info(), out.array())))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining(message);
  }

  private EnsemblePayload.StoredMember withPayload(EnsemblePayload.StoredMember m, byte[] payload) {
    return new EnsemblePayload.StoredMember(m.providerId(), m.providerVersion(), m.modelId(), m.weight(),
        m.properties(), payload);
  }

  @Test
  void roundTripKeepsMembersWeightsAndProperties() {
    EnsemblePayload.Contents c = EnsemblePayload.read(trained.payload(), "test");
    assertThat(c.phaseFeature()).isEqualTo("is_prefill");
    assertThat(c.decode()).extracting(EnsemblePayload.StoredMember::providerId).containsExactly("mean", "slope");
    assertThat(c.decode().get(1).providerVersion()).isEqualTo("9.9.9");
    assertThat(c.decode().get(0).properties()).containsKey("rows");
    assertThat(EnsemblePayload.write(c)).isEqualTo(trained.payload());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "\"format\":\"tuner-ensemble\"|\"format\":\"other\"|expected \"tuner-ensemble\"",
      "\"format_version\":1|\"format_version\":7|this tuner reads 1",
      "\"provider\":\"mean\"|\"provider\":\"missing\"|needs provider \"missing\"",
      "\"provider\":\"mean\"|\"provider\":\"ensemble\"|lists an ensemble as a member",
      "\"phase_feature\":\"is_prefill\"|\"phase_feature\":\"batch\"|blends by \"batch\"",
      "\"prefill\":[|\"prefill_\":[|phase prefill: needs a list of 1 to 16 members"})
  void tamperedPayloadsAreRefusedWithTheReason(String from, String to, String message) {
    loadEdited(json -> json.replaceFirst(java.util.regex.Pattern.quote(from),
        java.util.regex.Matcher.quoteReplacement(to)), message);
  }

  @Test
  void weightsMustSumToOneAndLieInTheUnitInterval() {
    loadEdited(json -> json.replaceFirst("\"weight\":[0-9.E-]+", "\"weight\":1.5"), "allowed: a number in [0, 1]");
    EnsemblePayload.Contents c = EnsemblePayload.read(trained.payload(), "test");
    EnsemblePayload.StoredMember first = c.decode().get(0);
    EnsemblePayload.StoredMember second = c.decode().get(1);
    var skewed = new EnsemblePayload.Contents(c.phaseFeature(), List.of(
        new EnsemblePayload.StoredMember(first.providerId(), first.providerVersion(), first.modelId(), 0.7,
            first.properties(), first.payload()),
        new EnsemblePayload.StoredMember(second.providerId(), second.providerVersion(), second.modelId(), 0.7,
            second.properties(), second.payload())), c.prefill());
    assertThatThrownBy(() -> EnsemblePayload.read(EnsemblePayload.write(skewed), "test"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("weights sum to 1.4");
  }

  @Test
  void memberPayloadIsCheckedByItsOwnProvider() {
    EnsemblePayload.Contents c = EnsemblePayload.read(trained.payload(), "test");
    var shortMember = new EnsemblePayload.Contents(c.phaseFeature(),
        List.of(withPayload(c.decode().get(0), new byte[3]), c.decode().get(1)), c.prefill());
    assertThatThrownBy(() -> ensemble.load(
        new ModelPayload(trained.model().info(), EnsemblePayload.write(shortMember))))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("payload must be 16 bytes, not 3");
  }

  @Test
  void sizesMustAccountForEveryByte() {
    loadEdited(json -> json.replaceFirst("\"payload_bytes\":16", "\"payload_bytes\":15"),
        "payloads take 63 bytes but 64 follow the header");
    loadEdited(json -> json.replaceFirst("\"payload_bytes\":16", "\"payload_bytes\":99"),
        "payload_bytes is 99, allowed: 1 to 64");
    byte[] bytes = trained.payload();
    byte[] lying = bytes.clone();
    ByteBuffer.wrap(lying).putInt(bytes.length);
    assertThatThrownBy(() -> EnsemblePayload.read(lying, "x"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("bytes of header, allowed: 2 to");
    assertThatThrownBy(() -> EnsemblePayload.read(new byte[] {0, 0}, "x"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("fewer than its 4-byte header length");
  }

  @Test
  void aRepeatedFieldOrTrailingContentIsRefused() {
    loadEdited(json -> json.replaceFirst("\\{\"format\"", "{\"format\":\"x\",\"format\""), "appears twice");
    loadEdited(json -> json + "{}", "content after its JSON object");
    loadEdited(json -> json.replace("\"format\":\"tuner-ensemble\",", ""), "\"format\" must be non-empty text");
  }

  @Test
  void garbageIsNotJson() {
    loadEdited(json -> "{not json" + json, "is not valid JSON");
    loadEdited(json -> "[1]" + " ".repeat(json.length()), "not a JSON object");
  }

  @Test
  void registryHoldsTheEnsembleAndRefusesAPluginThatTakesItsId() {
    ModelProvider impostor = new TestTrainers.LineProvider(EnsembleProvider.ID, false, 0);
    ProviderRegistry r = ProviderRegistry.of(List.of(impostor));
    assertThat(r.require(EnsembleProvider.ID)).isInstanceOf(EnsembleProvider.class);
    assertThat(r.problems()).extracting(PluginProblem::code).containsExactly(PluginProblem.Code.DUPLICATE_ID);
  }
}
