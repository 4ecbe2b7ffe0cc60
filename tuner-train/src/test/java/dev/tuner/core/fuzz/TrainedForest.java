package dev.tuner.core.fuzz;

import com.google.inject.Guice;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ProgressListener;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.config.TunerModule;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.learn.ArtifactWriter;
import dev.tuner.core.learn.TrainRequest;
import dev.tuner.core.learn.TrainResult;
import dev.tuner.core.learn.TrainingPipeline;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A small random forest trained by the real forest provider on the shipped measurements through the real training
 * pipeline, written as an artifact and opened again through {@link TunerModule}: the same path a user's
 * {@code tuner train} then {@code tuner predict --model-file} takes. Trained once per JVM and shared, read-only.
 */
public final class TrainedForest {
  public static final long SEED = 20251126L;
  /**
   * Few, shallow trees so that training (5 folds plus the final fit) stays around a second on two cores; still
   * enough leaves that neighbouring scenarios get different predictions, which the concurrency test relies on.
   */
  public static final Map<String, String> HYPER_PARAMETERS =
      Map.of("trees", "12", "max_depth", "10", "max_nodes", "128", "min_leaf", "3");

  private static final class Holder {
    static final TrainedForest INSTANCE = new TrainedForest();
  }

  private final Catalog catalog = Catalog.shipped();
  private final Roofline roofline = new Roofline(catalog);
  private final Dataset.Prepared data;
  private final TrainResult result;
  private final Path artifact;

  private TrainedForest() {
    data = shippedData(catalog, roofline, Dataset.Options.defaults());
    result = new TrainingPipeline(FeatureSchemas.tunerV1()).train(data, ForestPlugin.provider(),
        new TrainRequest(OutputKind.LOG_ROOFLINE_FRACTION, HYPER_PARAMETERS, SEED, "5", 0.9, 1,
            ProgressListener.NONE));
    try {
      Path dir = Files.createTempDirectory("tuner-trained-forest");
      artifact = dir.resolve("forest.json");
      new ArtifactWriter().write(result.artifact(), artifact, false);
      dir.toFile().deleteOnExit();
      artifact.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TrainedForest get() {
    return Holder.INSTANCE;
  }

  /** Every row of {@code dev/tuner/data/measurements.csv}, prepared against the shipped catalog. */
  public static Dataset.Prepared shippedData(Catalog catalog, Roofline roofline, Dataset.Options options) {
    try (InputStream in = TrainedForest.class.getClassLoader().getResourceAsStream("dev/tuner/data/measurements.csv")) {
      if (in == null) {
        throw new IllegalStateException("dev/tuner/data/measurements.csv is not on the class path");
      }
      return Dataset.load(new InputStreamReader(in, StandardCharsets.UTF_8), "measurements.csv", catalog, roofline,
          options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Catalog catalog() {
    return catalog;
  }

  public Roofline roofline() {
    return roofline;
  }

  public Dataset.Prepared data() {
    return data;
  }

  public TrainResult result() {
    return result;
  }

  public Path artifact() {
    return artifact;
  }

  /** A new predictor wired by Guice from configuration alone: the artifact, its provider and the plugin directory. */
  public Predictor predictor() {
    TunerConfig config = TunerConfig.defaults().withModel(ForestPlugin.ID).withArtifact(artifact.toString())
        .withPluginDir(ForestPlugin.directory());
    return Guice.createInjector(new TunerModule(config)).getInstance(Predictor.class);
  }
}
