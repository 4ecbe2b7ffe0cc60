package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class UnversionedModelTest {
  private static ModelSpec model(double paramsB, int vocab, int window) {
    return new ModelSpec("m", paramsB, 4096, 32, 32, 8, 128, vocab, List.of(), "", "m", OptionalDouble.empty(),
        Optional.empty(), 14336, MoeSpec.NONE, new AttentionSpec(AttentionKind.GQA, 0, 0, window, window > 0 ? 32 : 0,
            0, 0));
  }

  @Test
  void versionsDifferOnlyInWhatTheRowsContextComputes() {
    ModelSpec windowed = model(7.24, 32000, 4096);
    ModelSpec full = model(7.25, 32768, 0);
    // a window the context does not pass is no window; 32 768 against 32 000 tokens of vocabulary is 2.4%
    assertThat(UnversionedModel.difference(windowed, full, 4096)).isEmpty();
    assertThat(UnversionedModel.difference(windowed, full, 4097)).startsWith("attention (a sliding window of 4096");
    assertThat(UnversionedModel.difference(full, model(7.25, 65536, 0), 100)).startsWith("vocabulary");
    ModelSpec latent = new ModelSpec("m", 7.25, 4096, 32, 32, 8, 128, 32768, List.of(), "", "m",
        OptionalDouble.empty(), Optional.empty(), 14336, MoeSpec.NONE, new AttentionSpec(AttentionKind.MLA, 512, 64, 0,
            0, 0, 0));
    assertThat(UnversionedModel.difference(full, latent, 100)).isEqualTo("attention (its kind, latent rank or layers)");
    assertThat(UnversionedModel.difference(full, model(7.5, 32768, 0), 100)).startsWith("parameters");
  }

  @Test
  void aNameWithoutVersionsInTheCatalogIsNotResolved() {
    assertThat(UnversionedModel.resolve(Catalog.shipped(), "No Such Model", 100)).isEmpty();
    // "Mistral 7B" has versions; "Mistral" alone names none ("Mistral 7B v0.1" does not start with "Mistral v")
    assertThat(UnversionedModel.resolve(Catalog.shipped(), "Mistral", 100)).isEmpty();
    assertThat(UnversionedModel.resolve(Catalog.shipped(), "mistral 7b", 100)).get()
        .extracting(ModelSpec::name).asString().startsWith("Mistral 7B v");
  }
}
