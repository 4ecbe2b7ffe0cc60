package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.ModelProvider;
import dev.tuner.api.TunerApi;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ForestProviderTest {

  @Test
  void isDiscoveredByTheServiceLoader() {
    assertThat(ServiceLoader.load(ModelProvider.class))
        .anySatisfy(p -> {
          assertThat(p).isInstanceOf(ForestProvider.class);
          assertThat(p.id()).isEqualTo("forest");
          assertThat(p.version()).isEqualTo("0.1.0");
          assertThat(p.requiredApiVersion()).isEqualTo(TunerApi.VERSION);
          assertThat(TunerApi.isCompatible(p.requiredApiVersion())).isTrue();
          assertThat(p.trainer()).get().isInstanceOf(ForestTrainer.class);
        });
  }
}
