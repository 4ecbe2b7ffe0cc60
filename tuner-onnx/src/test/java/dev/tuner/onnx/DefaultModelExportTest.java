package dev.tuner.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.ForeignModelOptions;
import dev.tuner.api.PortableModel;
import dev.tuner.api.ThroughputModel;
import dev.tuner.core.artifact.ArtifactCodec;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.learn.Encoded;
import dev.tuner.core.plugin.ProviderRegistry;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.ModelLoader;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.forest.ForestProvider;
import dev.tuner.linear.LinearProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model users get by default (a per-phase blend of a forest and a linear model, its linear member in the first
 * payload version), exported through Tribuo's ONNX builder, predicts what it predicts in tuner on every usable
 * shipped row, and ONNX Runtime reads back its metadata.
 */
class DefaultModelExportTest {
  @TempDir Path dir;

  @Test
  void theExportedDefaultModelAgreesOnEveryShippedRowWithinOneInAHundredThousand() throws IOException {
    ModelLoader loader = new ModelLoader(
        ProviderRegistry.of(List.of(new ForestProvider(), new LinearProvider())), new ArtifactCodec());
    LoadedModel original;
    try (InputStream in = resource("dev/tuner/model/default-model.json")) {
      original = loader.open(in, "default-model.json");
    }
    ThroughputModel model = original.model();
    PortableModel portable = model.portable().orElseThrow();
    assertThat(portable).isInstanceOf(PortableModel.Sum.class);
    Path file = new OnnxExporter().export(portable, model.info(), Map.of(), dir.resolve("default.onnx"), false);

    Catalog catalog = Catalog.shipped();
    Dataset.Prepared rows;
    try (InputStream in = resource("dev/tuner/data/measurements.csv")) {
      rows = Dataset.load(new InputStreamReader(in, StandardCharsets.UTF_8), "measurements.csv", catalog,
          new Roofline(catalog), Dataset.Options.defaults());
    }
    Encoded encoded = new Encoded(original.schema(), rows.examples());
    try (ThroughputModel exported = new OnnxProvider().openForeignFile(file, ForeignModelOptions.defaults())) {
      assertThat(exported.info().modelId()).isEqualTo(model.info().modelId());
      assertThat(exported.info().schema()).isEqualTo(model.info().schema());
      assertThat(exported.info().outputKind()).isEqualTo(model.info().outputKind());
      assertThat(exported.info().properties()).containsAllEntriesOf(model.info().properties());
      assertThat(encoded.rows()).isGreaterThan(500);
      for (int i = 0; i < encoded.rows(); i++) {
        float[] x = encoded.row(i);
        // Outputs are logs of a roofline fraction, so 1e-5 here is 1e-5 relative in tokens/s.
        assertThat(exported.predict(x)).as("row %d", i).isCloseTo(model.predict(x), within(1e-5));
      }
    }
  }

  private static InputStream resource(String name) {
    InputStream in = DefaultModelExportTest.class.getClassLoader().getResourceAsStream(name);
    assertThat(in).as(name + " on the test class path").isNotNull();
    return in;
  }
}
