package dev.tuner.core.ensemble;

import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ModelTrainer;
import dev.tuner.api.OutputKind;
import dev.tuner.api.PortableModel;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import dev.tuner.api.TunerApi;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Two tiny trainable providers for ensemble tests: {@code mean} learns the mean target, {@code slope} fits the
 * target as a straight line of feature 0 by least squares. Their payloads are the learned numbers as doubles.
 */
public final class TestTrainers {
  public static final FeatureSchema SCHEMA = FeatureSchemas.tunerV1();
  public static final int PHASE = SCHEMA.indexOf("is_prefill");

  private TestTrainers() {}

  /** A model {@code a + b · x0} with an optional fixed spread. */
  record Line(ModelInfo info, double a, double b, double spreadValue) implements ThroughputModel {
    @Override
    public double predict(float[] features) {
      return a + b * features[0];
    }

    @Override
    public OptionalDouble spread(float[] features) {
      return spreadValue > 0 ? OptionalDouble.of(spreadValue) : OptionalDouble.empty();
    }

    /** The linear form; a model with a spread pretends to have none, to test blends that cannot be exported. */
    @Override
    public Optional<PortableModel> portable() {
      if (spreadValue > 0) {
        return Optional.empty();
      }
      double[] w = new double[info.featureCount()];
      w[0] = b;
      return Optional.of(new PortableModel.Linear(w, a));
    }
  }

  /** A provider whose trainer fits {@code a + b · x0} ({@code slope}) or {@code a} alone ({@code mean}). */
  public static final class LineProvider implements ModelProvider {
    private final String id;
    private final boolean slope;
    private final double spread;

    public LineProvider(String id, boolean slope, double spread) {
      this.id = id;
      this.slope = slope;
      this.spread = spread;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public String version() {
      return "9.9.9";
    }

    @Override
    public String requiredApiVersion() {
      return TunerApi.VERSION;
    }

    @Override
    public ThroughputModel load(ModelPayload payload) {
      if (payload.size() != 16) {
        throw new ModelLoadException(id + " payload must be 16 bytes, not " + payload.size());
      }
      ByteBuffer b = ByteBuffer.wrap(payload.bytes());
      return new Line(payload.info(), b.getDouble(), b.getDouble(), spread);
    }

    @Override
    public Optional<ModelTrainer> trainer() {
      return Optional.of(new ModelTrainer() {
        @Override
        public Map<String, String> defaultHyperParameters() {
          return Map.of();
        }

        @Override
        public TrainedModel train(TrainingSet data, TrainingOptions options) {
          double mx = 0;
          double my = 0;
          int n = data.rows();
          for (int i = 0; i < n; i++) {
            mx += data.feature(i, 0) / (double) n;
            my += data.target(i) / n;
          }
          double sxy = 0;
          double sxx = 0;
          for (int i = 0; i < n; i++) {
            double dx = data.feature(i, 0) - mx;
            sxy += dx * (data.target(i) - my);
            sxx += dx * dx;
          }
          double b = slope && sxx > 0 ? sxy / sxx : 0;
          double a = my - b * mx;
          byte[] payload = ByteBuffer.allocate(16).putDouble(a).putDouble(b).array();
          ModelInfo info = new ModelInfo(id + "-" + n, id, data.schema(), data.target(), data.width(),
              Map.of("rows", Integer.toString(n)), List.of());
          return new TrainedModel(new Line(info, a, b, spread), payload, options.hyperParameters());
        }
      });
    }
  }

  /**
   * Rows of both phases whose log roofline fraction is {@code -0.2 - 0.5 · x0} for decode and {@code -1 - x0} for
   * prefill, plus a little noise; {@code devices} groups numbered 0, 1, … take turns.
   */
  public static TrainingSet lines(int rows, int devices, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int w = SCHEMA.width();
    float[] f = new float[rows * w];
    double[] t = new double[rows];
    int[] g = new int[rows];
    for (int i = 0; i < rows; i++) {
      boolean prefill = i % 2 == 1;
      float x = (float) r.nextDouble();
      f[i * w] = x;
      f[i * w + PHASE] = prefill ? 1 : 0;
      t[i] = (prefill ? -1 - x : -0.2 - 0.5 * x) + 0.01 * (r.nextDouble() - 0.5);
      g[i] = (i / 2) % devices;
    }
    return new TrainingSet(SCHEMA.ref(), SCHEMA.slotNames(), f, t, OutputKind.LOG_ROOFLINE_FRACTION, g);
  }
}
