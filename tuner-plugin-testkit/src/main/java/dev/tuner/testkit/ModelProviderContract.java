package dev.tuner.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import dev.tuner.api.FeatureLayout;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.ModelTrainer;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import dev.tuner.api.TunerApi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The contract every model plugin keeps with the host, as a JUnit 5 test to extend. A plugin's test names its
 * provider and one valid payload; the inherited tests then check that the provider is well formed, loads the payload
 * into a model of the declared schema and width, predicts finite values (one by one and in batches, alike), gives an
 * equal model back from its own payload (its trainer's, when it has one), refuses bad payloads with
 * {@link ModelLoadException} and nothing else, predicts the same from many threads at once, and offers built-in
 * models only of the layout it is given, and that {@link ServiceLoader} finds the provider, as the host does.
 *
 * <pre>{@code
 * class MyProviderContractTest extends ModelProviderContract {
 *   protected ModelProvider provider() { return new MyProvider(); }
 *   protected ModelPayload validPayload() {
 *     FeatureLayout layout = TestLayouts.layout("my-schema", "bandwidth", "is_prefill");
 *     return TestLayouts.payload(layout, "my-model", "my-provider", OutputKind.LOG_ROOFLINE_FRACTION, bytes);
 *   }
 * }
 * }</pre>
 *
 * <p>Every input and corruption comes from a fixed seed, so a failure repeats.
 */
public abstract class ModelProviderContract {
  private static final long SEED = 20_240_611L;

  /** A new instance of the provider under test. */
  protected abstract ModelProvider provider();

  /** A payload the provider must load: its info, bytes and the layout of its schema. */
  protected abstract ModelPayload validPayload();

  /**
   * Payloads the provider must refuse with {@link ModelLoadException}; besides these the contract always tries empty
   * bytes. Add the corruptions your format detects: a wrong magic number, a length that disagrees, a NaN weight.
   */
  protected List<byte[]> invalidPayloads() {
    return List.of();
  }

  /**
   * Whether the host is to find the provider through {@link ServiceLoader}: true for every plugin, since the host
   * finds plugins no other way. Return false only for a test double that no host loads; the registration check is
   * then skipped, and shown as skipped.
   */
  protected boolean loadedByTheHost() {
    return true;
  }

  /** Hyper-parameters for the round trip through the trainer; small settings keep the test fast. */
  protected Map<String, String> trainingHyperParameters() {
    return Map.of();
  }

  /** The encoded rows the model is asked about: seeded values in [0, 1], as the host's encoder writes them. */
  protected List<float[]> inputs(int width) {
    SplittableRandom r = new SplittableRandom(SEED);
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      float[] x = new float[width];
      for (int j = 0; j < width; j++) {
        // every tenth value at an end of the range, where flags and clamps live
        x[j] = r.nextInt(10) == 0 ? r.nextInt(2) : (float) r.nextDouble();
      }
      out.add(x);
    }
    return out;
  }

  private ModelPayload valid() {
    ModelPayload p = validPayload();
    assertThat(p.info().providerId()).as("provider id in validPayload()'s info, which must be provider().id()")
        .isEqualTo(provider().id());
    return p;
  }

  @Test
  void theProviderIsWellFormed() {
    ModelProvider p = provider();
    assertThat(p.id()).as("provider id (the host refuses any other)").matches(TunerApi.PROVIDER_ID_PATTERN);
    assertThat(p.version()).as("provider version").isNotBlank();
    assertThat(TunerApi.isCompatible(p.requiredApiVersion()))
        .as("required API %s on host API %s", p.requiredApiVersion(), TunerApi.VERSION).isTrue();
    assertThat(p.description()).as("provider description").isNotBlank();
  }

  /**
   * Every other check passes with a provider the host would never see: only its services file lets the host's
   * {@link ServiceLoader} find it, and a jar built without that file (a resource directory left out, a misspelt
   * name) loads nothing.
   */
  @Test
  void theServiceLoaderFindsTheProvider() {
    Assumptions.assumeTrue(loadedByTheHost(), "loadedByTheHost() is false: a test double no host loads");
    Class<? extends ModelProvider> type = provider().getClass();
    String file = "META-INF/services/" + ModelProvider.class.getName();
    // the types alone: instantiating every provider on the class path would test theirs, not this one
    List<String> found = ServiceLoader.load(ModelProvider.class, type.getClassLoader()).stream()
        .map(p -> p.type().getName()).toList();
    assertThat(found).as("providers that ServiceLoader finds; the host finds %s only if the plugin's %s (in"
        + " src/main/resources) lists the line %s", type.getName(), file, type.getName()).contains(type.getName());
  }

  @Test
  void theValidPayloadLoadsIntoAModelOfItsSchemaAndWidth() {
    ModelPayload payload = valid();
    try (ThroughputModel m = provider().load(payload)) {
      ModelInfo info = m.info();
      assertThat(info.providerId()).as("provider id in the loaded model's info(), which must be provider().id()")
          .isEqualTo(provider().id());
      assertThat(info.schema()).as("schema in the loaded model's info(), which must be the payload layout's schema")
          .isEqualTo(payload.layout().schema());
      assertThat(info.featureCount())
          .as("feature count in the loaded model's info(), which must be the payload layout's width")
          .isEqualTo(payload.layout().width());
      assertThat(info.outputKind()).as("output kind in the loaded model's info(), which must be the payload's")
          .isEqualTo(payload.info().outputKind());
    }
  }

  @Test
  void predictionsAreFiniteAndABatchAgreesWithSingleCalls() {
    ModelPayload payload = valid();
    int width = payload.layout().width();
    try (ThroughputModel m = provider().load(payload)) {
      // the default predictBatch slices rows by featureCount, so a wrong one would end in an index error, not a reason
      assertThat(m.info().featureCount()).as("model reports featureCount %d but the layout has %d slots; info()"
          + " must give the width of the payload's layout", m.info().featureCount(), width).isEqualTo(width);
      List<float[]> rows = inputs(width);
      float[] batch = new float[rows.size() * width];
      for (int i = 0; i < rows.size(); i++) {
        System.arraycopy(rows.get(i), 0, batch, i * width, width);
      }
      double[] out = new double[rows.size()];
      m.predictBatch(batch, rows.size(), out);
      for (int i = 0; i < rows.size(); i++) {
        double one = m.predict(rows.get(i).clone());
        assertThat(Double.isFinite(one)).as("prediction %d is finite: %s", i, one).isTrue();
        assertThat(out[i]).as("predictBatch row %d against predict of the same row, which must agree", i)
            .isEqualTo(one);
        int row = i;
        m.spread(rows.get(i).clone()).ifPresent(s ->
            assertThat(Double.isFinite(s) && s >= 0).as("spread of row %d is a finite number >= 0: %s", row, s)
                .isTrue());
      }
    }
  }

  /**
   * Loading a payload gives the model that made it: with a trainer, the trained model and the model loaded from its
   * payload predict alike; without one, two loads of the valid payload do.
   */
  @Test
  void aPayloadRoundTripsToAModelThatPredictsTheSame() {
    ModelPayload payload = valid();
    FeatureLayout layout = payload.layout();
    List<float[]> rows = inputs(layout.width());
    Optional<ModelTrainer> trainer = provider().trainer();
    if (trainer.isPresent()) {
      TrainedModel trained = trainer.get().train(trainingSet(layout, payload.info()),
          TrainingOptions.of(SEED, trainingHyperParameters()));
      try (ThroughputModel original = trained.model();
          ThroughputModel back = provider().load(new ModelPayload(original.info(), trained.payload(), layout))) {
        assertSamePredictions("the trained model", original, "the model loaded from its payload", back, rows);
      }
    }
    try (ThroughputModel first = provider().load(payload); ThroughputModel second = provider().load(payload)) {
      assertSamePredictions("a first load of the valid payload", first, "a second load", second, rows);
    }
  }

  /** Rows whose target rises with the first feature and falls with the second, around a level of -1. */
  private static TrainingSet trainingSet(FeatureLayout layout, ModelInfo declared) {
    int width = layout.width();
    SplittableRandom r = new SplittableRandom(SEED + 1);
    int rows = 240;
    float[] x = new float[rows * width];
    double[] y = new double[rows];
    int[] groups = new int[rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < width; j++) {
        x[i * width + j] = (float) r.nextDouble();
      }
      y[i] = -1 + 0.5 * x[i * width] - (width > 1 ? 0.3 * x[i * width + 1] : 0) + 0.01 * r.nextGaussian();
      groups[i] = i % 12;
    }
    return new TrainingSet(layout.schema(), layout.names(), x, y, declared.outputKind(), groups);
  }

  private static void assertSamePredictions(String aName, ThroughputModel a, String bName, ThroughputModel b,
      List<float[]> rows) {
    assertThat(b.info().schema()).as("schema of %s against %s", bName, aName).isEqualTo(a.info().schema());
    assertThat(b.info().featureCount()).as("feature count of %s against %s", bName, aName)
        .isEqualTo(a.info().featureCount());
    for (int i = 0; i < rows.size(); i++) {
      double expected = a.predict(rows.get(i).clone());
      double actual = b.predict(rows.get(i).clone());
      // NaN never equals itself, so without these the comparison below would fail with only "NaN != NaN"
      assertThat(Double.isNaN(expected)).as("%s predicts NaN for row %d; predictions must be finite", aName, i)
          .isFalse();
      assertThat(Double.isNaN(actual)).as("%s predicts NaN for row %d; predictions must be finite", bName, i)
          .isFalse();
      assertThat(actual).as("row %d predicted by %s against %s", i, bName, aName).isEqualTo(expected);
    }
  }

  @Test
  void invalidPayloadsAreRefusedWithAModelLoadException() {
    ModelInfo info = valid().info();
    FeatureLayout layout = valid().layout();
    List<byte[]> bad = new ArrayList<>(invalidPayloads());
    bad.add(0, new byte[0]);
    for (int i = 0; i < bad.size(); i++) {
      byte[] bytes = bad.get(i);
      Throwable t = catchThrowable(() -> provider().load(new ModelPayload(info, bytes, layout)).close());
      assertThat(t).as("invalid payload %d (%d bytes)", i, bytes.length).isInstanceOf(ModelLoadException.class);
    }
  }

  /**
   * Damaged payloads (cut short, bytes replaced) either load into a model that predicts finite values or are refused
   * with {@link ModelLoadException}: never another exception, a hang on a huge allocation or a NaN.
   */
  @Test
  void damagedPayloadsAreRefusedOrStillPredictFiniteValues() {
    ModelPayload payload = valid();
    byte[] good = payload.bytes();
    SplittableRandom r = new SplittableRandom(SEED + 2);
    Map<String, byte[]> damaged = new LinkedHashMap<>();
    for (int cut : new int[] {1, good.length / 4, good.length / 2, good.length - 1}) {
      if (cut > 0 && cut < good.length) {
        damaged.put("first " + cut + " bytes", Arrays.copyOf(good, cut));
      }
    }
    for (int k = 0; k < 16 && good.length > 0; k++) {
      byte[] b = good.clone();
      int at = r.nextInt(b.length);
      b[at] = (byte) r.nextInt(256);
      damaged.put("byte " + at + " replaced (" + k + ")", b);
    }
    List<float[]> rows = inputs(payload.layout().width());
    damaged.forEach((what, bytes) -> {
      ThroughputModel m;
      try {
        m = provider().load(new ModelPayload(payload.info(), bytes, payload.layout()));
      } catch (ModelLoadException refused) {
        return;
      } catch (RuntimeException other) {
        throw new AssertionError("payload with " + what + ": expected a ModelLoadException or a model, got " + other,
            other);
      }
      try (m) {
        for (float[] x : rows) {
          double y = m.predict(x.clone());
          assertThat(Double.isFinite(y)).as("payload with %s predicts %s", what, y).isTrue();
        }
      }
    });
  }

  /** Models are shared between threads: concurrent calls give exactly what calls one at a time give. */
  @Test
  void concurrentPredictionsEqualSequentialOnes() throws Exception {
    ModelPayload payload = valid();
    List<float[]> rows = inputs(payload.layout().width());
    try (ThroughputModel m = provider().load(payload)) {
      double[] expected = new double[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        expected[i] = m.predict(rows.get(i).clone());
      }
      int threads = 8;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Callable<double[]>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int offset = t;
          tasks.add(() -> {
            double[] got = new double[rows.size()];
            for (int repeat = 0; repeat < 20; repeat++) {
              // each thread walks the rows from another start, so different inputs meet in the model
              for (int k = 0; k < rows.size(); k++) {
                int i = (k + offset * 7) % rows.size();
                got[i] = m.predict(rows.get(i).clone());
              }
            }
            return got;
          });
        }
        List<Future<double[]>> results = pool.invokeAll(tasks);
        for (int t = 0; t < threads; t++) {
          double[] got = results.get(t).get();
          // the first differing row is the one to debug; dumping both whole arrays hides it among 64 numbers
          int row = Arrays.mismatch(got, expected);
          if (row >= 0) {
            fail("thread %d of %d, row %d (the first that differs): concurrent calls predicted %s, a call alone %s;"
                + " a model is shared between threads, so predict must not keep per-call state in fields",
                t, threads, row, got[row], expected[row]);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** A built-in model, when the provider offers one for the layout, reads that layout's schema and width. */
  @Test
  void aBuiltInModelReadsTheLayoutItWasGiven() {
    FeatureLayout layout = valid().layout();
    Optional<ThroughputModel> builtIn = provider().builtInModel(layout);
    builtIn.ifPresent(m -> {
      try (m) {
        assertThat(m.info().schema()).as("schema of the built-in model, which must be the given layout's")
            .isEqualTo(layout.schema());
        assertThat(m.info().featureCount()).as("feature count of the built-in model, which must be the given"
            + " layout's width").isEqualTo(layout.width());
        assertThatCode(() -> m.predict(new float[layout.width()]))
            .as("the built-in model predicting a row of %d zeros", layout.width()).doesNotThrowAnyException();
      }
    });
  }
}
