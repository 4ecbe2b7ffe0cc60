package dev.tuner.linear;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.ModelProvider;
import dev.tuner.api.TunerApi;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LinearProviderTest {

  @Test
  void isDiscoveredByServiceLoaderWithItsIdentity() {
    ModelProvider provider = ServiceLoader.load(ModelProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.id().equals("linear"))
        .findFirst()
        .orElseThrow();

    assertThat(provider).isInstanceOf(LinearProvider.class);
    assertThat(provider.version()).isEqualTo("0.1.0");
    assertThat(provider.requiredApiVersion()).isEqualTo(TunerApi.VERSION);
    assertThat(TunerApi.isCompatible(provider.requiredApiVersion())).isTrue();
    assertThat(provider.trainer()).get().isInstanceOf(RidgeTrainer.class);
    assertThat(provider.opensForeignFile(java.nio.file.Path.of("model.onnx"))).isFalse();
  }
}
