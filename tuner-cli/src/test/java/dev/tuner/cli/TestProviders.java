package dev.tuner.cli;

import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.ThroughputModel;
import java.util.Optional;

/** Providers registered only on the test class path, to exercise discovery, its problems and configuration. */
final class TestProviders {
  private TestProviders() {}

  /** Offers a built-in model predicting half the roofline, selectable with {@code tuner.model=test-constant}. */
  public static final class Constant implements ModelProvider {
    @Override
    public String id() {
      return "test-constant";
    }

    @Override
    public String version() {
      return "1.2.3";
    }

    @Override
    public String requiredApiVersion() {
      return "1.0";
    }

    @Override
    public String description() {
      return "half the roofline, for tests";
    }

    @Override
    public ThroughputModel load(ModelPayload payload) {
      throw new ModelLoadException("test-constant has no artifacts");
    }

    @Override
    public Optional<ThroughputModel> builtInModel(SchemaRef schema) {
      ModelInfo info = new ModelInfo("test-constant-half", id(), schema, OutputKind.ROOFLINE_FRACTION,
          dev.tuner.core.schema.FeatureSchemas.byId(schema.id()).width());
      return Optional.of(new ThroughputModel() {
        @Override
        public ModelInfo info() {
          return info;
        }

        @Override
        public double predict(float[] features) {
          return 0.5;
        }
      });
    }
  }

  /** Needs a plugin API this host does not implement. */
  public static final class FromTheFuture implements ModelProvider {
    @Override
    public String id() {
      return "test-future";
    }

    @Override
    public String version() {
      return "9.0.0";
    }

    @Override
    public String requiredApiVersion() {
      return "9.0";
    }

    @Override
    public ThroughputModel load(ModelPayload payload) {
      throw new ModelLoadException("never loaded");
    }
  }
}
