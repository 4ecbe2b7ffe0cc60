package dev.tuner.core.predict;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.api.TunerException;
import dev.tuner.core.Fixtures;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.KernelType;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import dev.tuner.core.schema.FeatureSchema;
import dev.tuner.core.schema.FeatureSchemas;
import dev.tuner.core.schema.Quantity;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PredictorTest {
  private static final FeatureSchema SCHEMA = FeatureSchemas.tunerV1();
  private final Roofline roofline = new Roofline(CATALOG);

  private Predictor predictor(ThroughputModel model, Calibration calibration) {
    return new Predictor(new LoadedModel(model, SCHEMA, calibration, Optional.empty()), roofline, 0.9, false);
  }

  private Predictor fallback() {
    return new Predictor(new LoadedModel(RooflineOnlyModel.shippedDefaults(SCHEMA), SCHEMA,
        Calibration.none(SCHEMA.width()), Optional.empty()), roofline, 0.9, true);
  }

  /** Predicts half the roofline and writes 2 (outside every training range) into every input it is given. */
  private static final class ScribblingModel implements ThroughputModel {
    final java.util.List<float[]> seen = new java.util.ArrayList<>();
    private final boolean scribble;

    ScribblingModel(boolean scribble) {
      this.scribble = scribble;
    }

    @Override
    public dev.tuner.api.ModelInfo info() {
      return new dev.tuner.api.ModelInfo("scribbler", "test", SCHEMA.ref(), OutputKind.LOG_ROOFLINE_FRACTION,
          SCHEMA.width());
    }

    @Override
    public double predict(float[] features) {
      seen.add(features.clone());
      if (scribble) {
        Arrays.fill(features, 2f);
      }
      return Math.log(0.5);
    }

    @Override
    public java.util.List<dev.tuner.api.FeatureImportance> attribution(float[] features, int limit) {
      seen.add(features.clone());
      return java.util.List.of();
    }
  }

  /** A model that writes into its input changes neither the host's confidence nor what its next call is given. */
  @Test
  void aModelThatWritesIntoItsInputLeavesTheHostUnaffected() {
    Scenario s = ScenarioRequest.of("Llama 3 8B", "A100 PCIe 80GB", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    ScribblingModel clean = new ScribblingModel(false);
    ScribblingModel scribbler = new ScribblingModel(true);
    ThroughputPrediction expected = predictor(clean, exact()).predict(s);
    ThroughputPrediction actual = predictor(scribbler, exact()).predict(s);
    assertThat(actual).isEqualTo(expected);
    assertThat(scribbler.seen).hasSize(2);
    assertThat(scribbler.seen.get(1)).containsExactly(clean.seen.get(1));
    assertThat(expected.confidence()).isGreaterThan(0);
  }

  /** Held-out scores that are all zero: a point interval, so confidence is exactly the other factors. */
  private static Calibration exact() {
    float[] lo = new float[SCHEMA.width()];
    float[] hi = new float[SCHEMA.width()];
    Arrays.fill(hi, 1f);
    return new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, new double[20], new double[20], lo, hi);
  }

  /** A random calibration of any method, with random scores and a random training range. */
  private static Calibration randomCalibration(SplittableRandom r) {
    Calibration.Method method = Calibration.Method.values()[r.nextInt(3)];
    if (method == Calibration.Method.NONE) {
      return Calibration.none(SCHEMA.width());
    }
    float[] lo = new float[SCHEMA.width()];
    float[] hi = new float[SCHEMA.width()];
    for (int i = 0; i < lo.length; i++) {
      float a = (float) r.nextDouble();
      float b = (float) r.nextDouble();
      lo[i] = Math.min(a, b);
      hi[i] = Math.max(a, b);
    }
    double scale = Fixtures.logUniform(r, 1e-6, 1e3);
    return new Calibration(method, r.doubles(r.nextInt(0, 60), 0, scale).toArray(),
        r.doubles(r.nextInt(0, 60), 0, scale).toArray(), lo, hi);
  }

  /** Raw outputs from every region: tiny, negative, typical, huge, and exact zeros. */
  private static double randomRaw(SplittableRandom r, OutputKind kind) {
    switch (r.nextInt(6)) {
      case 0:
        return 0;
      case 1:
        return -Fixtures.logUniform(r, 1e-9, 1e300);
      case 2:
        return Fixtures.logUniform(r, 1e-9, 1e300);
      case 3:
        return r.nextDouble(-50, 50);
      case 4:
        return kind == OutputKind.ROOFLINE_FRACTION ? r.nextDouble(0, 1.5) : r.nextDouble(-3, 1);
      default:
        return kind.isLogarithmic() ? r.nextDouble(-800, 800) : r.nextDouble(-1e6, 1e6);
    }
  }

  /** What every prediction must satisfy, whatever the model said. */
  private static void assertSound(ThroughputPrediction p, RooflineResult r, double raw, OutputKind kind) {
    double roof = r.tokensPerSecond();
    assertThat(p.rooflineTokensPerSecond()).isEqualTo(roof);
    assertThat(p.bound()).isEqualTo(r.bound());
    assertThat(p.tokensPerSecond()).isFinite().isBetween(0.0, roof);
    assertThat(p.interval().low()).isBetween(0.0, p.tokensPerSecond());
    assertThat(p.interval().high()).isBetween(p.tokensPerSecond(), roof);
    assertThat(p.interval().contains(p.tokensPerSecond())).isTrue();
    assertThat(p.interval().level()).isEqualTo(0.9);
    assertThat(p.confidence()).isBetween(0.0, 1.0);
    assertThat(p.rawOutput()).isEqualTo(raw);
    double converted = Math.max(0, kind.toTokensPerSecond(raw, r.referenceFor(kind)));
    double generated = generated(r, raw, kind);
    if (converted > roof) {
      assertThat(p.capped()).isTrue();
      assertThat(p.tokensPerSecond()).isEqualTo(roof);
      assertThat(p.confidence()).isLessThanOrEqualTo(Predictor.CAPPED_CONFIDENCE_FACTOR);
    } else if (Math.min(generated, roof) > converted) {
      assertThat(p.tokensPerSecond()).isEqualTo(Math.min(generated, roof));
      assertThat(p.capped()).isEqualTo(generated > roof);
      assertThat(p.assumptions()).anySatisfy(a -> assertThat(a).contains("never slower than generating it"));
    } else {
      assertThat(p.capped()).isFalse();
      assertThat(p.tokensPerSecond()).isEqualTo(converted);
    }
  }

  /** The tokens/s of a prompt generated one token at a time for the output {@code raw}; 0 for a decode step. */
  private static double generated(RooflineResult r, double raw, OutputKind kind) {
    RooflineResult g = r.generation();
    return g == null ? 0 : Math.min(Math.max(0, kind.toTokensPerSecond(raw, g.referenceFor(kind))),
        g.tokensPerSecond());
  }

  @RepeatedTest(2)
  void theFallbackIsSoundOnRandomScenariosAndSaysWhatItIs(RepetitionInfo info) {
    SplittableRandom r = new SplittableRandom(31 + info.getCurrentRepetition());
    Predictor p = fallback();
    assertThat(p.isFallback()).isTrue();
    for (int n = 0; n < 2000; n++) {
      Scenario s = oneReplica(Fixtures.answerableBy(p, Fixtures.random(r)));
      RooflineResult roof = roofline.compute(s);
      ThroughputPrediction out = p.predict(s);
      double efficiency = s.phase() == Phase.DECODE ? RooflineOnlyModel.SHIPPED_DECODE_EFFICIENCY
          : RooflineOnlyModel.SHIPPED_PREFILL_EFFICIENCY;
      double own = efficiency * roof.tokensPerSecond();
      double generation = generated(roof, RooflineOnlyModel.SHIPPED_DECODE_EFFICIENCY, OutputKind.ROOFLINE_FRACTION);
      assertThat(out.tokensPerSecond()).isCloseTo(Math.max(own, Math.min(generation, roof.tokensPerSecond())),
          within(1e-12 * roof.tokensPerSecond()));
      assertThat(out.rawOutput()).isEqualTo(efficiency);
      assertThat(out.modelId()).isEqualTo("roofline-only");
      assertThat(out.assumptions()).anySatisfy(a -> assertThat(a).contains("roofline-only prediction"));
      assertThat(out.assumptions()).containsAll(roof.assumptions());
    }
  }

  /**
   * {@code s} with its whole batch on one of its replicas: the tests of one model call's pipeline; replicas that
   * serve shares of a batch apart are summed ({@link #independentReplicasAreSummed}).
   */
  private static Scenario oneReplica(Scenario s) {
    return ReplicaShares.of(s).map(sh -> sh.lo().withBatch(s.batch())).orElse(s);
  }

  /**
   * A batch over independent replicas is each replica's share predicted on its own, summed: 4 sequences on 4 replicas
   * are four single-sequence steps, 6 are two of 1 and two of 2, and 1 leaves three replicas idle. Interval ends sum
   * too; the roofline is the deployment's, which the replicas' roofs sum to at most.
   */
  @Test
  void independentReplicasAreSummed() {
    Predictor p = predictor(new FixedModel(SCHEMA, OutputKind.ROOFLINE_FRACTION, 0.5), exact());
    Scenario one = Fixtures.scenario(Fixtures.model(8), Fixtures.linked(Fixtures.device(1000, 100)),
        Fixtures.quant(4.5, QuantClass.Q4_K), 1, 512, Phase.DECODE);
    ThroughputPrediction single = p.predict(one);
    ThroughputPrediction two = p.predict(one.withBatch(2));
    Scenario onFour = one.withParallel(new ParallelLayout(4, 1, 1, 1));
    ThroughputPrediction four = p.predict(onFour.withBatch(4));
    assertThat(four.tokensPerSecond()).isCloseTo(4 * single.tokensPerSecond(), within(1e-9));
    assertThat(four.interval().low()).isCloseTo(4 * single.interval().low(), within(1e-9));
    assertThat(four.interval().high()).isCloseTo(4 * single.interval().high(), within(1e-9));
    assertThat(four.rooflineTokensPerSecond()).isEqualTo(roofline.compute(onFour.withBatch(4)).tokensPerSecond());
    assertThat(four.assumptions()).contains("a batch of 4 over 4 independent replicas: 4 of them serve 1; each"
        + " replica is predicted on its own and the deployment's tokens/s, roofline and interval ends are their sums");
    ThroughputPrediction six = p.predict(onFour.withBatch(6));
    assertThat(six.tokensPerSecond()).isCloseTo(2 * single.tokensPerSecond() + 2 * two.tokensPerSecond(),
        within(1e-9));
    assertThat(six.tokensPerSecond()).isLessThanOrEqualTo(six.rooflineTokensPerSecond());
    ThroughputPrediction idle = p.predict(onFour);
    assertThat(idle.tokensPerSecond()).isCloseTo(single.tokensPerSecond(), within(1e-9));
    assertThat(idle.rooflineTokensPerSecond()).isCloseTo(single.rooflineTokensPerSecond(), within(1e-9));
    assertThat(idle.assumptions()).anySatisfy(a -> assertThat(a).contains("1 of them serve 1, 3 idle"));
  }

  /**
   * Replicas that share their experts step together: a share is predicted on one replica holding every expert, and
   * its learned factor is taken of the shared step's reference. With a constant share of the roofline that is the
   * same share of the shared step's roof, whatever the shares are; the shares' own replicas would not hold the model
   * (Qwen3-30B-A3B in F16 on a 24 GB card) where the deployment does, so no "does not fit" is claimed.
   */
  @Test
  void replicasThatShareExpertsTakeTheSharesFactorOfTheSharedStep() {
    Predictor p = predictor(new FixedModel(SCHEMA, OutputKind.ROOFLINE_FRACTION, 0.5), exact());
    Scenario one = ScenarioRequest.of("Qwen3 30B A3B", "RTX 4090", "F16", 1, 512, "decode").resolve(CATALOG);
    Scenario shared = one.withParallel(new ParallelLayout(4, 1, 1, 4));
    for (int batch : new int[] {1, 3, 4, 6, 32}) {
      ThroughputPrediction out = p.predict(shared.withBatch(batch));
      double roof = roofline.compute(shared.withBatch(batch)).tokensPerSecond();
      assertThat(out.rooflineTokensPerSecond()).isEqualTo(roof);
      assertThat(out.tokensPerSecond()).isCloseTo(0.5 * roof, within(1e-9 * roof));
      assertThat(out.assumptions()).noneSatisfy(a -> assertThat(a).startsWith("does not fit"));
    }
    assertThat(p.predict(shared.withBatch(6)).assumptions()).contains("a batch of 6 over 4 replicas that share"
        + " their experts (ep 4) and step together: 2 of them serve 1 and 2 serve 2; each share is predicted on one"
        + " replica holding every expert, and the shares' mean factor of their own reference (serial roof and step"
        + " overhead) is taken of the shared step's, whose expert reads the ep devices split and whose all-to-alls"
        + " cross the link");
    assertThat(p.predict(shared).assumptions()).anySatisfy(a -> assertThat(a).contains("1 of them serve 1, 3"
        + " without one"));
    assertThat(p.predict(one.withParallel(new ParallelLayout(4, 1, 1, 1)).withBatch(4)).assumptions())
        .anySatisfy(a -> assertThat(a).startsWith("does not fit"));
  }

  /**
   * Where the model's batched decode is relative to one sequence, the factor carries the batching gain: the shared
   * step takes each share's factor of the shared step with one sequence per busy replica. Four shares of one are the
   * shared step of four at the factor of one sequence; the aggregate never falls with the batch, even where the
   * shares are uneven (the hand-checked mean of 7 on 4: three shares of 2 and one of 1).
   */
  @Test
  void sharedExpertsKeepABatchGainRelativeToOneSequence() {
    int batchSlot = SCHEMA.indexOf("batch_size_log");
    ThroughputModel gain = new ThroughputModel() {
      private final dev.tuner.api.ModelInfo info = new dev.tuner.api.ModelInfo("gain", "test", SCHEMA.ref(),
          OutputKind.LOG_SERIAL_ROOF_FRACTION, SCHEMA.width()).withProperties(java.util.Map.of(
              Reference.DECODE_ONE_SEQUENCE, "true", Reference.PROPERTY, "2e-5"));

      @Override
      public dev.tuner.api.ModelInfo info() {
        return info;
      }

      @Override
      public double predict(float[] features) {
        // a gain of batch^0.6 over one sequence, at 0.6 of its reference
        return Math.log(0.6) + 0.6 * features[batchSlot] * Math.log(4096);
      }
    };
    Predictor p = predictor(gain, exact());
    Reference ref = p.model().reference();
    Scenario one = ScenarioRequest.of("Qwen3 30B A3B", "H100 SXM5 80GB", "Q4_K_M", 1, 1024, "decode")
        .resolve(CATALOG);
    Scenario shared = one.withParallel(new ParallelLayout(4, 1, 1, 4));
    double previous = 0;
    for (int batch : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 16, 64}) {
      double tps = p.predict(shared.withBatch(batch)).tokensPerSecond();
      assertThat(tps).as("batch %d", batch).isGreaterThanOrEqualTo(previous);
      previous = tps;
    }
    Reference perBatch = ref.withDecodeOneSequence(false);
    Scenario fourOnes = shared.withBatch(4);
    double stepOfFour = perBatch.tokensPerSecond(fourOnes, roofline.compute(fourOnes));
    double factorOfOne = p.predict(one).tokensPerSecond() / ref.tokensPerSecond(one, roofline.compute(one));
    assertThat(p.predict(fourOnes).tokensPerSecond()).isCloseTo(factorOfOne * stepOfFour, within(1e-9 * stepOfFour));
    Scenario two = one.withBatch(2);
    double factorOfTwo = p.predict(two).tokensPerSecond() / ref.tokensPerSecond(two, roofline.compute(two));
    assertThat(p.predict(shared.withBatch(7)).tokensPerSecond()).isCloseTo((3 * factorOfTwo + factorOfOne) / 4
        * stepOfFour, within(1e-9 * stepOfFour));
  }

  /**
   * A kernel or CUDA graphs reach a prediction only through the model's features, and graphs only on a backend that
   * captures them: a scenario stating one the prediction cannot answer is refused, on the single and the batch path,
   * whoever builds the scenario (the CLI refuses the options first, in their own words).
   */
  @Test
  void settingsThePredictionCannotAnswerAreRefused() {
    Scenario base = Fixtures.scenario(Fixtures.model(8), Fixtures.device(1000, 100), Fixtures.quant(4.5,
        QuantClass.Q4_K), 1, 512, Phase.DECODE);
    Scenario kernel = new Scenario(base.model(), base.device(), base.quant(), KvCacheType.F16, 1, 512, Phase.DECODE,
        false, Optional.of(KernelType.TILED_Q4K), false);
    Scenario graphs = new Scenario(base.model(), base.device(), base.quant(), KvCacheType.F16, 1, 512, Phase.DECODE,
        true, Optional.empty(), false);
    FeatureSchema v4 = FeatureSchemas.tunerV4();
    Predictor withoutKernel = new Predictor(new LoadedModel(new FixedModel(v4, OutputKind.ROOFLINE_FRACTION, 0.5), v4,
        Calibration.none(v4.width()), Optional.empty()), roofline, 0.9, false);
    assertThat(withoutKernel.reads(Quantity.KERNEL)).isFalse();
    assertThatThrownBy(() -> withoutKernel.predict(kernel)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("kernel = tiled-q4k is invalid").hasMessageContaining("schema tuner-v4");
    assertThatThrownBy(() -> withoutKernel.predictTokensPerSecond(new Scenario[] {base, kernel}, new double[2]))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("kernel");
    // tuner-v1 reads CUDA graphs: CUDA takes them, Metal has none
    Predictor v1 = predictor(new FixedModel(SCHEMA, OutputKind.ROOFLINE_FRACTION, 0.5), exact());
    assertThat(v1.predict(graphs.withEngine(engine(Backend.CUDA))).tokensPerSecond()).isPositive();
    assertThatThrownBy(() -> v1.predict(graphs.withEngine(engine(Backend.METAL))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("cuda graphs = true with backend metal");
    assertThatThrownBy(() -> fallback().predict(graphs)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("the roofline-only model has no CUDA-graphs feature");
  }

  private static EngineSettings engine(Backend backend) {
    EngineSettings d = EngineSettings.DEFAULTS;
    return new EngineSettings(d.nUbatch(), d.flashAttention(), backend, d.build(), d.buildDate(), d.blas());
  }

  /** A model far above the physics is capped to the roofline, flagged, and trusted less. */
  @ParameterizedTest
  @EnumSource(OutputKind.class)
  void hugeRawOutputsAreCappedToTheRoofline(OutputKind kind) {
    double huge = kind.isLogarithmic() ? 1e6 : 1e300;
    Predictor capped = predictor(new FixedModel(SCHEMA, kind, huge), exact());
    Predictor atRoof = predictor(new FixedModel(SCHEMA, OutputKind.ROOFLINE_FRACTION, 1.0), exact());
    SplittableRandom r = new SplittableRandom(5 + kind.ordinal());
    for (int n = 0; n < 1000; n++) {
      Scenario s = oneReplica(Fixtures.random(r));
      RooflineResult roof = roofline.compute(s);
      ThroughputPrediction p = capped.predict(s);
      assertSound(p, roof, huge, kind);
      assertThat(p.capped()).isTrue();
      assertThat(p.tokensPerSecond()).isEqualTo(roof.tokensPerSecond());
      ThroughputPrediction honest = atRoof.predict(s);
      assertThat(honest.capped()).isFalse();
      assertThat(p.confidence()).isCloseTo(honest.confidence() * Predictor.CAPPED_CONFIDENCE_FACTOR, within(1e-12));
      assertThat(p.confidence()).isLessThan(honest.confidence());
    }
  }

  @ParameterizedTest
  @EnumSource(OutputKind.class)
  void randomOutputsOfEveryKindGiveSoundPredictions(OutputKind kind) {
    SplittableRandom r = new SplittableRandom(101 + kind.ordinal());
    for (int n = 0; n < 2000; n++) {
      Scenario s = oneReplica(Fixtures.random(r));
      double raw = randomRaw(r, kind);
      OptionalDouble spread = r.nextBoolean() ? OptionalDouble.empty()
          : OptionalDouble.of(r.nextInt(10) == 0 ? 0 : Fixtures.logUniform(r, 1e-6, 1e6));
      Predictor p = predictor(new FixedModel(SCHEMA, kind, raw, spread), randomCalibration(r));
      assertSound(p.predict(s), roofline.compute(s), raw, kind);
    }
  }

  /** A serial-roof fraction of 1 is the serial roof: below the roofline where decode's vector time counts. */
  @Test
  void aSerialRoofFractionIsRelativeToTheSerialRoof() {
    Predictor p = predictor(new FixedModel(SCHEMA, OutputKind.LOG_SERIAL_ROOF_FRACTION, 0.0), exact());
    Scenario decode = ScenarioRequest.of("Llama 3 8B", "A100 PCIe 80GB", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    RooflineResult r = roofline.compute(decode);
    assertThat(r.serialRoof()).isLessThan(r.tokensPerSecond());
    assertThat(p.predict(decode).tokensPerSecond()).isEqualTo(r.serialRoof());
    Scenario prefill = ScenarioRequest.of("Llama 3 8B", "A100 PCIe 80GB", "Q4_K_M", 1, 512, "prefill")
        .resolve(CATALOG);
    assertThat(p.predict(prefill).tokensPerSecond()).isEqualTo(roofline.compute(prefill).tokensPerSecond());
    double[] batch = new double[2];
    p.predictTokensPerSecond(new Scenario[] {decode, prefill}, batch);
    assertThat(batch).containsExactly(p.predict(decode).tokensPerSecond(), p.predict(prefill).tokensPerSecond());
  }

  @Test
  void theBatchPathAgreesWithSinglePredictions() {
    SplittableRandom r = new SplittableRandom(404);
    Scenario[] scenarios = new Scenario[2 * Predictor.CHUNK + 500];
    for (int i = 0; i < scenarios.length; i++) {
      scenarios[i] = Fixtures.random(r);
    }
    for (Predictor p : new Predictor[] {fallback(),
        predictor(new FixedModel(SCHEMA, OutputKind.LOG_TOKENS_PER_SECOND, 6.0), exact()),
        predictor(new FixedModel(SCHEMA, OutputKind.ROOFLINE_FRACTION, 3.0), exact())}) {
      Scenario[] asked = Arrays.stream(scenarios).map(s -> Fixtures.answerableBy(p, s)).toArray(Scenario[]::new);
      double[] out = new double[scenarios.length];
      p.predictTokensPerSecond(asked, out, new float[scenarios.length * SCHEMA.width()]);
      double[] chunked = new double[scenarios.length];
      p.predictTokensPerSecond(asked, chunked);
      double[] parallel = new double[scenarios.length];
      p.predictTokensPerSecondParallel(asked, parallel);
      int floored = 0;
      for (int i = 0; i < scenarios.length; i++) {
        ThroughputPrediction single = p.predict(asked[i]);
        double expected = single.tokensPerSecond();
        assertThat(out[i]).isEqualTo(expected);
        assertThat(chunked[i]).isEqualTo(expected);
        assertThat(parallel[i]).isEqualTo(expected);
        floored += single.assumptions().stream().anyMatch(a -> a.contains("never slower than generating")) ? 1 : 0;
      }
      if (p.isFallback()) {
        // its prompts reach less of their roof than its decode steps: some short prompts take their generation's
        assertThat(floored).as("prompts raised to their generation").isPositive();
      }
    }
  }

  /** Each batch form names its bad argument before scoring, as one InvalidInputException. */
  @Test
  void badBatchArgumentsAreNamed() {
    Predictor p = fallback();
    Scenario s = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    int w = SCHEMA.width();
    Scenario[] withNull = {s, s, s, null};
    List<BatchCall> forms = List.of(
        (sc, out) -> p.predictTokensPerSecond(sc, out),
        (sc, out) -> p.predictTokensPerSecondParallel(sc, out),
        (sc, out) -> p.predictTokensPerSecond(sc, out, new float[4 * w]));
    for (BatchCall form : forms) {
      assertBadArgument(() -> form.call(null, new double[4]), "scenarios", "missing");
      assertBadArgument(() -> form.call(withNull, new double[4]), "scenarios[3]", "missing");
      assertBadArgument(() -> form.call(new Scenario[] {s, s}, null), "out", "missing");
      assertBadArgument(() -> form.call(new Scenario[] {s, s}, new double[1]), "out", "1 values");
    }
    assertBadArgument(() -> p.predictTokensPerSecond(new Scenario[] {s, s}, new double[2], new float[2 * w - 1]),
        "scratch", (2 * w - 1) + " floats");
    assertBadArgument(() -> p.predictTokensPerSecond(new Scenario[] {s, s}, new double[2], null), "scratch",
        "missing");
  }

  private interface BatchCall {
    void call(Scenario[] scenarios, double[] out);
  }

  private static void assertBadArgument(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field,
      String value) {
    assertThatThrownBy(call)
        .isInstanceOf(dev.tuner.api.InvalidInputException.class)
        .hasMessageStartingWith(field + " = " + value + " is invalid: expected ")
        .hasMessageNotContaining("predictBatch");
  }

  @ParameterizedTest
  @EnumSource(OutputKind.class)
  void aModelReturningNanOrInfinityIsAnErrorNamingTheModel(OutputKind kind) {
    Scenario s = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      Predictor p = predictor(new FixedModel(SCHEMA, kind, bad), exact());
      assertThatThrownBy(() -> p.predict(s))
          .isInstanceOf(TunerException.class)
          .hasMessageContaining("fixed-" + kind.id())
          .hasMessageContaining(Double.toString(bad));
      assertThatThrownBy(() -> p.predictTokensPerSecond(new Scenario[] {s}, new double[1], new float[SCHEMA.width()]))
          .isInstanceOf(TunerException.class)
          .hasMessageContaining("fixed-" + kind.id());
      assertThatThrownBy(() -> p.predictTokensPerSecond(new Scenario[] {s}, new double[1]))
          .isInstanceOf(TunerException.class)
          .hasMessageContaining("fixed-" + kind.id());
      assertThatThrownBy(() -> p.predictTokensPerSecondParallel(new Scenario[] {s, s}, new double[2]))
          .isInstanceOf(TunerException.class)
          .hasMessageContaining("fixed-" + kind.id());
    }
  }

  /** A spread is a width: a negative or non-finite one is a plugin bug that must not buy confidence. */
  @Test
  void anInvalidSpreadIsAnErrorNamingTheModel() {
    Scenario s = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    float[] lo = new float[SCHEMA.width()];
    float[] hi = new float[SCHEMA.width()];
    Arrays.fill(hi, 1f);
    Calibration spreadCalibrated = new Calibration(Calibration.Method.SPREAD_NORMALISED,
        new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, new double[0], lo, hi);
    for (double bad : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
      Predictor p = predictor(new FixedModel(SCHEMA, OutputKind.ROOFLINE_FRACTION, 0.5, OptionalDouble.of(bad)),
          spreadCalibrated);
      assertThatThrownBy(() -> p.predict(s))
          .as("spread %s", bad)
          .isInstanceOf(TunerException.class)
          .hasMessageContaining("fixed-roofline_fraction")
          .hasMessageContaining("spread");
    }
    // a valid spread widens the interval in proportion
    ThroughputPrediction narrow = predictor(new FixedModel(SCHEMA, OutputKind.ROOFLINE_FRACTION, 0.5,
        OptionalDouble.of(0.01)), spreadCalibrated).predict(s);
    ThroughputPrediction wide = predictor(new FixedModel(SCHEMA, OutputKind.ROOFLINE_FRACTION, 0.5,
        OptionalDouble.of(0.1)), spreadCalibrated).predict(s);
    double roof = narrow.rooflineTokensPerSecond();
    assertThat(narrow.interval().low()).isCloseTo(0.49 * roof, within(1e-9 * roof));
    assertThat(narrow.interval().high()).isCloseTo(0.51 * roof, within(1e-9 * roof));
    assertThat(wide.interval().low()).isCloseTo(0.4 * roof, within(1e-9 * roof));
    assertThat(wide.confidence()).isLessThan(narrow.confidence());
  }

  /**
   * Under a spread offset the half-width is the score quantile times (spread + offset): with scores all 1, a decode
   * offset of 0.04 and a spread of 0.01, the roof fraction 0.5 ± 0.05; the prefill offset does not touch decode.
   */
  @Test
  void theSpreadOffsetIsAddedToTheSpreadOfItsPhase() {
    Scenario s = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    float[] lo = new float[SCHEMA.width()];
    float[] hi = new float[SCHEMA.width()];
    Arrays.fill(hi, 1f);
    double[] ones = new double[12];
    Arrays.fill(ones, 1);
    Calibration offset = new Calibration(Calibration.Method.SPREAD_NORMALISED,
        new Calibration.Stratum(ones, ones, new double[0], new double[0]), lo, hi, List.of(),
        Calibration.Stratum.EMPTY, new Calibration.SpreadOffset(0.04, 0.3));
    ThroughputPrediction p = predictor(new FixedModel(SCHEMA, OutputKind.ROOFLINE_FRACTION, 0.5,
        OptionalDouble.of(0.01)), offset).predict(s);
    double roof = p.rooflineTokensPerSecond();
    assertThat(p.interval().low()).isCloseTo(0.45 * roof, within(1e-9 * roof));
    assertThat(p.interval().high()).isCloseTo(0.55 * roof, within(1e-9 * roof));
    assertThat(offset.scale(Phase.PREFILL, 0.01)).isCloseTo(0.31, within(1e-12));
    assertThat(new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, ones, ones, lo, hi).scale(Phase.DECODE, 0.5))
        .isEqualTo(1);
  }

  /**
   * A model far above the physics is capped at the roof, and its interval reaches below the roof by the calibrated
   * half-width (0.18 in log, the 18th of the 19 scores 0.01..0.19) instead of collapsing onto the roof: [roof e^−0.18,
   * roof], confidence e^−0.09 × 0.8.
   */
  @Test
  void aCappedAnswerKeepsTheIntervalBelowTheRoof() {
    Scenario s = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    ThroughputPrediction p = predictor(new FixedModel(SCHEMA, OutputKind.LOG_ROOFLINE_FRACTION, Math.log(3)),
        nineteenScores()).predict(s);
    double roof = p.rooflineTokensPerSecond();
    assertThat(p.capped()).isTrue();
    assertThat(p.tokensPerSecond()).isEqualTo(roof);
    assertThat(p.interval().low()).isCloseTo(Math.exp(-0.18) * roof, within(1e-9 * roof));
    assertThat(p.interval().high()).isCloseTo(roof, within(1e-9 * roof));
    assertThat(p.confidence()).isCloseTo(Math.exp(-0.09) * Predictor.CAPPED_CONFIDENCE_FACTOR, within(1e-9));
  }

  /**
   * 19 scores 0.01..0.19 for both phases, every slot in range: at level 0.9 the ⌈20·0.9⌉ = 18th smallest, 0.18, is the
   * half-width.
   */
  private static Calibration nineteenScores() {
    float[] lo = new float[SCHEMA.width()];
    float[] hi = new float[SCHEMA.width()];
    Arrays.fill(hi, 1f);
    double[] scores = new double[19];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = (i + 1) / 100.0;
    }
    return new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, scores, scores, lo, hi);
  }

  @Test
  void theIntervalIsSplitConformalOnTheModelsScale() {
    Scenario s = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    ThroughputPrediction p = predictor(new FixedModel(SCHEMA, OutputKind.LOG_ROOFLINE_FRACTION, Math.log(0.5)),
        nineteenScores()).predict(s);
    double roof = p.rooflineTokensPerSecond();
    assertThat(p.tokensPerSecond()).isCloseTo(0.5 * roof, within(1e-9 * roof));
    assertThat(p.interval().low()).isCloseTo(0.5 * Math.exp(-0.18) * roof, within(1e-9 * roof));
    assertThat(p.interval().high()).isCloseTo(0.5 * Math.exp(0.18) * roof, within(1e-9 * roof));
    assertThat(p.confidence()).isCloseTo(Math.exp(-0.18), within(1e-9));
  }

  /**
   * The GB10's FP16 and INT8 peaks are not catalogued: its prediction takes the device quantile at {@link
   * Calibration#IMPUTED_DEVICE_SHARE} instead of {@link Calibration#DEVICE_SHARE}. Row scores are 0 and the 19 device
   * scores 0.01..0.19: at 0.8 the ⌈20 × 0.8⌉ = 16th, 0.16, at 0.95 the 19th, 0.19. A raw log fraction of log 0.5
   * gives [0.5 e^−0.16, 0.5 e^0.16] × roof with confidence e^−0.16 when every figure is given, and e^−0.19 when not.
   */
  @Test
  void imputedPeaksWidenTheIntervalAndLowerTheConfidenceAndAreStated() {
    float[] lo = new float[SCHEMA.width()];
    float[] hi = new float[SCHEMA.width()];
    Arrays.fill(hi, 1f);
    double[] devices = hundredths(19);
    Calibration c = new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, new double[20], new double[20], lo, hi,
        devices, devices);
    Predictor p = predictor(new FixedModel(SCHEMA, OutputKind.LOG_ROOFLINE_FRACTION, Math.log(0.5)), c);
    DeviceSpec gb10 = CATALOG.device("NVIDIA GB10 (DGX Spark)");
    DeviceSpec given = new DeviceSpec(gb10.name(), gb10.vendor(), gb10.memBandwidthGBs(), OptionalDouble.of(125),
        gb10.fp8Tflops(), gb10.fp32Tflops(), gb10.computeUnits(), gb10.l2CacheMb(), gb10.memoryGb(), List.of(), "t",
        gb10.chipFamily(), gb10.fp4Tflops(), OptionalDouble.of(250), gb10.interconnect(), gb10.interconnectGBs());
    Scenario imputed = Fixtures.scenario(CATALOG.model("Llama 3 8B"), gb10, CATALOG.quant("Q4_K_M"), 1, 512,
        Phase.DECODE);
    Scenario known = Fixtures.scenario(CATALOG.model("Llama 3 8B"), given, CATALOG.quant("Q4_K_M"), 1, 512,
        Phase.DECODE);
    ThroughputPrediction wide = p.predict(imputed);
    ThroughputPrediction narrow = p.predict(known);
    double roof = narrow.rooflineTokensPerSecond();
    assertThat(narrow.interval().low()).isCloseTo(0.5 * Math.exp(-0.16) * roof, within(1e-9 * roof));
    assertThat(narrow.confidence()).isCloseTo(Math.exp(-0.16), within(1e-9));
    double wideRoof = wide.rooflineTokensPerSecond();
    assertThat(wide.interval().high()).isCloseTo(0.5 * Math.exp(0.19) * wideRoof, within(1e-9 * wideRoof));
    assertThat(wide.confidence()).isCloseTo(Math.exp(-0.19), within(1e-9));
    assertThat(wide.assumptions())
        .anySatisfy(a -> assertThat(a).contains("FP16 peak of NVIDIA GB10 (DGX Spark) unknown: the bound assumes"))
        .anySatisfy(a -> assertThat(a).contains("the model is given the best estimate 125.0 TFLOPS (its FP4 peak"))
        .anySatisfy(a -> assertThat(a).contains("INT8 peak of NVIDIA GB10 (DGX Spark) unknown: assumed the best"
            + " estimate 250.0 TOPS"))
        .anySatisfy(a -> assertThat(a).contains("worst-case unseen device (95% of held-out devices)"));
    assertThat(narrow.assumptions()).noneSatisfy(a -> assertThat(a).contains("worst-case"));
  }

  /**
   * Trained on Ada and Ampere devices only: an RX 7900 XTX (RDNA3 gfx110x) takes its half-width from the held-out
   * devices of an architecture their fold had not trained on, and says so; an RTX 4090 (Ada sm_89) keeps the usual
   * one. Seen: rows 0, 19 device scores 0.01..0.19, at 0.8 the 16th, 0.16. Unseen: 20 row scores 0.3, at 0.9 the
   * ⌈21 × 0.9⌉ = 19th, 0.3; 5 device scores 0.2..0.6, at 0.8 the ⌈6 × 0.8⌉ = 5th, 0.6; the larger, 0.6. A raw log
   * fraction of log 0.5 gives a high end of 0.5 e^0.6 × roof (confidence e^−0.6) against 0.5 e^0.16 × roof.
   */
  @Test
  void aDeviceOfAnArchitectureNoTrainingRowRanOnTakesTheUnseenStratumAndSaysSo() {
    float[] lo = new float[SCHEMA.width()];
    float[] hi = new float[SCHEMA.width()];
    Arrays.fill(hi, 1f);
    double[] devices = hundredths(19);
    double[] unseenRows = new double[20];
    Arrays.fill(unseenRows, 0.3);
    double[] unseenDevices = {0.2, 0.3, 0.4, 0.5, 0.6};
    Calibration c = new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL,
        new Calibration.Stratum(new double[20], new double[20], devices, devices), lo, hi,
        List.of("Ada sm_89", "Ampere sm_86"), new Calibration.Stratum(unseenRows, unseenRows, unseenDevices,
            unseenDevices), Calibration.SpreadOffset.NONE);
    Predictor p = predictor(new FixedModel(SCHEMA, OutputKind.LOG_ROOFLINE_FRACTION, Math.log(0.5)), c);
    ThroughputPrediction seen = p.predict(Fixtures.scenario(CATALOG.model("Llama 3 8B"), CATALOG.device("RTX 4090"),
        CATALOG.quant("Q4_K_M"), 1, 512, Phase.DECODE));
    ThroughputPrediction unseen = p.predict(Fixtures.scenario(CATALOG.model("Llama 3 8B"),
        CATALOG.device("AMD Radeon RX 7900 XTX"), CATALOG.quant("Q4_K_M"), 1, 512, Phase.DECODE));
    double roof = seen.rooflineTokensPerSecond();
    assertThat(seen.interval().high()).isCloseTo(0.5 * Math.exp(0.16) * roof, within(1e-9 * roof));
    assertThat(seen.assumptions()).noneSatisfy(a -> assertThat(a).contains("architecture"));
    double unseenRoof = unseen.rooflineTokensPerSecond();
    assertThat(unseen.interval().high()).isCloseTo(0.5 * Math.exp(0.6) * unseenRoof, within(1e-9 * unseenRoof));
    assertThat(unseen.confidence()).isCloseTo(Math.exp(-0.6), within(1e-9));
    assertThat(unseen.assumptions()).anySatisfy(a -> assertThat(a)
        .contains("no device of the architecture RDNA3 gfx110x (AMD Radeon RX 7900 XTX) was among the model's"
            + " training rows")
        .contains("calibrated on held-out devices whose architecture their fold had not trained on either"));
    assertThat(c.unseenArchitecture("")).isTrue();
    assertThat(c.unseenArchitecture("Ada sm_89")).isFalse();
    Calibration unrecorded = new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, new double[20], new double[20], lo,
        hi, devices, devices);
    assertThat(unrecorded.unseenArchitecture("RDNA3 gfx110x")).isFalse();
  }

  /** Device scores 0.01, 0.02, ... up to {@code n} hundredths. */
  private static double[] hundredths(int n) {
    return java.util.stream.IntStream.rangeClosed(1, n).mapToDouble(i -> i / 100.0).toArray();
  }

  /** 20 row scores of 0 per phase and {@code devices} as both phases' device scores. */
  private static Calibration.Stratum seen(double[] devices) {
    return new Calibration.Stratum(new double[20], new double[20], devices, devices);
  }

  /**
   * Without any held-out row of an unseen architecture, such a device takes the worst-case device quantile (the 19th
   * of 0.01..0.19 at 0.95: 0.19), and so it does with one such device only (at 0.8 the ⌈2 × 0.8⌉ = 2nd of 1 does not
   * exist); with four (0.02..0.05, the ⌈5 × 0.8⌉ = 4th: 0.05) it takes their own. An imputed figure on a device of an
   * unseen architecture takes the larger of both.
   */
  @Test
  void theUnseenStratumFallsBackToTheWorstCaseDeviceAndNeverGoesBelowIt() {
    double[] devices = hundredths(19);
    Calibration empty = new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, seen(devices),
        new float[0], new float[0], List.of("Ada sm_89"), Calibration.Stratum.EMPTY, Calibration.SpreadOffset.NONE);
    assertThat(empty.newArchitectureQuantile(Phase.DECODE, 0.9, false)).isEqualTo(0.19);
    double[] small = new double[20];
    Arrays.fill(small, 0.05);
    Calibration narrow = new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, seen(devices),
        new float[0], new float[0], List.of("Ada sm_89"),
        new Calibration.Stratum(small, small, new double[] {0.02, 0.03, 0.04, 0.05},
            new double[] {0.02, 0.03, 0.04, 0.05}), Calibration.SpreadOffset.NONE);
    assertThat(narrow.newArchitectureQuantile(Phase.PREFILL, 0.9, false)).isEqualTo(0.05);
    assertThat(narrow.newArchitectureQuantile(Phase.PREFILL, 0.9, true)).isEqualTo(0.19);
    Calibration one = new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, seen(devices),
        new float[0], new float[0], List.of("Ada sm_89"),
        new Calibration.Stratum(small, small, new double[] {0.05}, new double[] {0.05}),
        Calibration.SpreadOffset.NONE);
    assertThat(one.newArchitectureQuantile(Phase.DECODE, 0.9, false)).isEqualTo(0.19);
    assertThatThrownBy(() -> new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, seen(devices),
        new float[0], new float[0], List.of(), new Calibration.Stratum(small, small, small, small),
        Calibration.SpreadOffset.NONE))
        .isInstanceOf(dev.tuner.api.InvalidInputException.class)
        .hasMessageContaining("calibration new-architecture scores");
    assertThatThrownBy(() -> new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, seen(devices),
        new float[0], new float[0], List.of(" "), Calibration.Stratum.EMPTY, Calibration.SpreadOffset.NONE))
        .isInstanceOf(dev.tuner.api.InvalidInputException.class)
        .hasMessageContaining("calibration training architecture");
  }

  /**
   * A model trained on one-device rows only saw devices_log, tp_log and the interconnect share at one value: a split
   * over two devices takes the worst-case device quantile (the 19th of 0.01..0.19 at 0.95, so e^−0.19) and names the
   * inputs, where the same scenario on one device keeps the usual one (the 16th at 0.8, e^−0.16).
   */
  @Test
  void anInputEveryTrainingRowHeldAtOneValueWidensTheIntervalAndIsNamed() {
    FeatureSchema v3 = FeatureSchemas.tunerV3();
    ThroughputModel model = new FixedModel(v3, OutputKind.LOG_ROOFLINE_FRACTION, Math.log(0.5));
    Scenario one = Fixtures.scenario(CATALOG.model("Llama 3 70B"), CATALOG.device("H100 SXM5 80GB"),
        CATALOG.quant("Q4_K_M"), 1, 512, Phase.DECODE);
    Scenario split = one.withParallel(new dev.tuner.core.scenario.ParallelLayout(2, 2, 1, 1));
    float[] x = new dev.tuner.core.schema.FeatureEncoder(v3).encode(one, roofline.compute(one));
    double[] devices = hundredths(19);
    Calibration trainedOnOne = new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, new double[20], new double[20],
        x, x, devices, devices);
    assertThat(trainedOnOne.neverVaried(x)).isEmpty();
    Predictor p = new Predictor(new LoadedModel(model, v3, trainedOnOne, Optional.empty()), roofline, 0.9, false);
    ThroughputPrediction narrow = p.predict(one);
    ThroughputPrediction wide = p.predict(split);
    assertThat(narrow.interval().high()).isCloseTo(0.5 * Math.exp(0.16) * narrow.rooflineTokensPerSecond(),
        within(1e-9 * narrow.rooflineTokensPerSecond()));
    assertThat(narrow.assumptions()).noneSatisfy(a -> assertThat(a).contains("never saw"));
    assertThat(wide.interval().high()).isCloseTo(0.5 * Math.exp(0.19) * wide.rooflineTokensPerSecond(),
        within(1e-9 * wide.rooflineTokensPerSecond()));
    assertThat(wide.assumptions()).anySatisfy(a -> assertThat(a).contains("the model never saw devices_log, tp_log")
        .contains("worst-case unseen device (95% of held-out devices)"));
    assertThat(Calibration.none(v3.width()).neverVaried(x)).isEmpty();
  }

  /** llama.cpp loads GGUF files: a checkpoint-only format says what its figure is, a ggml type says nothing. */
  @Test
  void aCheckpointFormatSaysWhatItsFigureIsAndAGgmlTypeDoesNot() {
    for (String q : List.of("AWQ", "GPTQ", "GPTQ_INT8", "W8A8_INT8", "INT8_W8A16", "FP8", "FP8_BLOCK", "NVFP4",
        "q4f16_1")) {
      assertThat(CATALOG.quant(q).checkpointOnly()).as(q).isTrue();
    }
    for (String q : List.of("Q4_K_M", "Q8_0", "IQ2_XS", "MXFP4_MOE", "MXFP4_EXPERTS_F16", "MXFP4", "F16", "BF16",
        "F32")) {
      assertThat(CATALOG.quant(q).checkpointOnly()).as(q).isFalse();
      assertThat(Predictor.weightFormatNote(CATALOG.quant(q))).as(q).isEmpty();
    }
    assertThat(Predictor.weightFormatNote(CATALOG.quant("GPTQ_INT8"))).hasValueSatisfying(n -> assertThat(n)
        .startsWith("GPTQ_INT8 is a checkpoint format llama.cpp does not load (it loads GGUF files, whose types are"
            + " ggml's), and llama.cpp's runs are what the step model learned from: this is GPTQ_INT8's 8.19 bits per"
            + " weight with fp16 arithmetic, read as a Q8_0-class format"));
    FeatureSchema v3 = FeatureSchemas.tunerV3();
    Predictor p = new Predictor(new LoadedModel(new FixedModel(v3, OutputKind.LOG_ROOFLINE_FRACTION, Math.log(0.5)),
        v3, Calibration.none(v3.width()), Optional.empty()), roofline, 0.9, false);
    Scenario awq = Fixtures.scenario(CATALOG.model("Llama 3 8B"), CATALOG.device("RTX 4090"), CATALOG.quant("AWQ"), 1,
        512, Phase.DECODE);
    assertThat(p.predict(awq).assumptions()).contains(Predictor.weightFormatNote(CATALOG.quant("AWQ")).orElseThrow());
    assertThat(p.predict(awq.withQuant(CATALOG.quant("Q4_K_M"))).assumptions())
        .noneMatch(a -> a.contains("checkpoint format"));
  }

  /** llama.cpp runs no expert parallelism: every prediction of an ep layout says so, whichever path it takes. */
  @Test
  void anExpertParallelLayoutSaysLlamaCppRunsNoneAndATensorSplitDoesNot() {
    FeatureSchema v3 = FeatureSchemas.tunerV3();
    Predictor p = new Predictor(new LoadedModel(new FixedModel(v3, OutputKind.LOG_ROOFLINE_FRACTION, Math.log(0.5)),
        v3, Calibration.none(v3.width()), Optional.empty()), roofline, 0.9, false);
    Scenario one = Fixtures.scenario(CATALOG.model("Qwen3-30B-A3B"), CATALOG.device("H100 SXM5 80GB"),
        CATALOG.quant("Q4_K_M"), 2, 512, Phase.DECODE);
    // ep inside one replica, and ep over two replicas that step together (the shared-experts path)
    for (var layout : List.of(new dev.tuner.core.scenario.ParallelLayout(2, 2, 1, 2),
        new dev.tuner.core.scenario.ParallelLayout(2, 1, 1, 2))) {
      assertThat(p.predict(one.withParallel(layout)).assumptions()).filteredOn(a -> a.startsWith("expert"))
          .containsExactly(Predictor.expertParallelNote(layout).orElseThrow())
          .allSatisfy(a -> assertThat(a).startsWith("expert parallelism (ep 2): llama.cpp, whose runs the step model"
              + " learned from, runs none").contains("not a run llama.cpp can make"));
    }
    var tp = new dev.tuner.core.scenario.ParallelLayout(2, 2, 1, 1);
    assertThat(Predictor.expertParallelNote(tp)).isEmpty();
    assertThat(p.predict(one.withParallel(tp)).assumptions()).noneMatch(a -> a.contains("expert parallelism"));
  }

  @Test
  void extrapolationLowersConfidence() {
    Scenario s = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    float[] lo = new float[SCHEMA.width()];
    float[] hi = new float[SCHEMA.width()];
    Arrays.fill(hi, 1f);
    Calibration everywhere = new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, new double[20], new double[20],
        lo, hi);
    Calibration nowhere = new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, new double[20], new double[20],
        new float[SCHEMA.width()], new float[SCHEMA.width()]);
    ThroughputModel m = new FixedModel(SCHEMA, OutputKind.ROOFLINE_FRACTION, 0.5);
    double inside = predictor(m, everywhere).predict(s).confidence();
    double outside = predictor(m, nowhere).predict(s).confidence();
    assertThat(inside).isEqualTo(1.0);
    assertThat(outside).isLessThan(inside);
  }

  @Test
  void theRooflineOnlyModelReadsThePhaseFromItsSlot() {
    RooflineOnlyModel m = new RooflineOnlyModel(SCHEMA, "r", 0.7, 0.4);
    float[] x = new float[SCHEMA.width()];
    assertThat(m.predict(x)).isEqualTo(0.7);
    x[SCHEMA.indexOf("is_prefill")] = 1f;
    assertThat(m.predict(x)).isEqualTo(0.4);
    assertThat(m.info().outputKind()).isEqualTo(OutputKind.ROOFLINE_FRACTION);
    assertThatThrownBy(() -> new RooflineOnlyModel(SCHEMA, "r", 1.5, 0.4))
        .isInstanceOf(dev.tuner.api.InvalidInputException.class).hasMessageContaining("decode efficiency");
  }

  /**
   * A prompt model far below its decode model (1% of the prefill roof against 70% of the decode roof): a one-token
   * prompt takes the prediction, interval and confidence of generating that token, and says so; a 2 048-token
   * prompt, whose own prediction is above its generation, keeps its own.
   */
  @Test
  void aPromptIsNeverSlowerThanGeneratingItOneTokenAtATime() {
    Predictor p = poorPrompts(0.005);
    Scenario prompt = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 1, "prefill").resolve(CATALOG);
    ThroughputPrediction one = p.predict(prompt);
    ThroughputPrediction generated = p.predict(prompt.withPhase(Phase.DECODE));
    RooflineResult r = roofline.compute(prompt);
    assertThat(generated.tokensPerSecond()).isCloseTo(0.7 * r.generation().tokensPerSecond(), within(1e-9));
    assertThat(one.tokensPerSecond()).isEqualTo(generated.tokensPerSecond())
        .isGreaterThan(0.01 * r.tokensPerSecond());
    assertThat(one.interval()).isEqualTo(generated.interval());
    assertThat(one.confidence()).isEqualTo(generated.confidence());
    assertThat(one.rooflineTokensPerSecond()).isEqualTo(r.tokensPerSecond());
    assertThat(one.rawOutput()).isEqualTo(0.01);
    assertThat(one.capped()).isFalse();
    assertThat(one.assumptions()).anySatisfy(a -> assertThat(a).contains("a prompt is never slower than generating"
        + " it one token at a time").contains("for the 1-token generation after 0 cached"));
    Scenario longPrompt = prompt.withContext(2048);
    ThroughputPrediction own = p.predict(longPrompt);
    assertThat(own.tokensPerSecond()).isCloseTo(0.01 * roofline.compute(longPrompt).tokensPerSecond(), within(1e-9))
        .isGreaterThan(p.predict(longPrompt.withPhase(Phase.DECODE)).tokensPerSecond());
    assertThat(own.assumptions()).noneSatisfy(a -> assertThat(a).contains("never slower"));
    double[] batch = new double[2];
    p.predictTokensPerSecond(new Scenario[] {prompt, longPrompt}, batch);
    assertThat(batch).containsExactly(one.tokensPerSecond(), own.tokensPerSecond());
  }
  /**
   * A prompt above its generation keeps its own prediction, but an interval of its own that reaches below what the
   * generation is bound to reach is raised there: prompt scores of 0.0095 of the roof around 0.01 reach down to 0.0005
   * of it (23 tokens/s for 2 048 tokens of Llama 3 8B on an RTX 4090), the generation's 0.7 ± 0.2 of its roof goes no
   * lower than 0.5 of it, and that is the interval's low end, with the confidence of the narrower interval.
   */
  @Test
  void aPromptsIntervalReachesNoLowerThanItsGenerations() {
    Predictor p = poorPrompts(0.0095);
    Scenario prompt = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 2048, "prefill").resolve(CATALOG);
    RooflineResult r = roofline.compute(prompt);
    ThroughputPrediction own = p.predict(prompt);
    double generationRoof = r.generation().tokensPerSecond();
    assertThat(own.tokensPerSecond()).isCloseTo(0.01 * r.tokensPerSecond(), within(1e-9))
        .isGreaterThan(0.7 * generationRoof);
    assertThat(0.0005 * r.tokensPerSecond()).isLessThan(0.5 * generationRoof);
    assertThat(own.interval().low()).isCloseTo(0.5 * generationRoof, within(1e-9 * generationRoof));
    assertThat(own.interval().high()).isCloseTo(0.0195 * r.tokensPerSecond(), within(1e-9 * r.tokensPerSecond()));
    assertThat(own.confidence()).isCloseTo(Math.sqrt(own.interval().low() / own.interval().high()), within(1e-9));
    assertThat(own.assumptions()).anySatisfy(a -> assertThat(a).contains("the interval's low end is the generation's"));
  }

  /**
   * A request that states no backend resolves to the device's usual one, and a prediction through the library says so
   * once, first, on each path: a decode step, a prompt raised to its generation (whose own prediction assumed it too),
   * and a batch summed over replicas (each replica's prediction assumed it). A stated backend, even the usual one, is
   * no assumption, and the figure is the same.
   */
  @Test
  void aBackendTheRequestLeftUnstatedIsListedOnceAmongTheAssumptions() {
    Predictor p = poorPrompts(0.005);
    String note = "no backend given: cuda assumed, what llama.cpp runs on NVIDIA devices as Ollama ships it";
    ScenarioRequest decode = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode");
    ScenarioRequest prompt = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 1, "prefill");
    ScenarioRequest replicas = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 6, 512, "decode")
        .withParallel(4, null, null, null);
    for (ScenarioRequest r : List.of(decode, prompt, replicas)) {
      ThroughputPrediction assumed = p.predict(r.resolve(CATALOG));
      assertThat(assumed.assumptions()).as(r.toString()).filteredOn(a -> a.contains("no backend given"))
          .singleElement().asString().startsWith(note);
      assertThat(assumed.assumptions().get(0)).startsWith(note)
          .endsWith("(state another: ScenarioRequest's or EngineSettings' backend, --backend in the CLI)");
      ThroughputPrediction stated = p.predict(r.withBackend("CUDA").resolve(CATALOG));
      assertThat(stated.assumptions()).as(r.toString()).noneMatch(a -> a.contains("no backend given"));
      assertThat(stated.tokensPerSecond()).isEqualTo(assumed.tokensPerSecond());
    }
    assertThat(p.predict(prompt.resolve(CATALOG)).assumptions()).anyMatch(a -> a.contains("never slower"));
    assertThat(p.predict(replicas.resolve(CATALOG)).assumptions()).anyMatch(a -> a.contains("independent replicas"));
  }

  /** A model that reads the build month takes a month for an undated build, and says how to state one. */
  @Test
  void anUndatedBuildSaysWhichMonthItTookAndHowToStateOne() {
    FeatureSchema v4 = FeatureSchemas.tunerV4();
    Predictor p = new Predictor(new LoadedModel(new FixedModel(v4, OutputKind.ROOFLINE_FRACTION, 0.5), v4,
        Calibration.none(v4.width()), Optional.empty()), roofline, 0.9, false);
    Scenario undated = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    assertThat(p.predict(undated).assumptions()).anySatisfy(a -> assertThat(a).startsWith("build date unknown")
        .contains("(state the build date: ScenarioRequest's buildDate, --build-date in the CLI; later builds"));
    Scenario dated = undated.withEngine(EngineSettings.of(null, null, Backend.CUDA, null,
        java.time.YearMonth.of(2025, 8), null));
    assertThat(p.predict(dated).assumptions()).noneMatch(a -> a.startsWith("build date unknown"));
  }

  /**
   * A predictor of 1% of the prefill roof and 70% of the decode roof, calibrated on scores of 0.2 (decode) and
   * {@code prefillScore} (prefill), fractions of the roof; every input inside the training range.
   */
  /**
   * A binding generation's prediction names the features that decided the generation, not the prompt: a model that
   * names each input by its encoding tells the two apart (a prompt and its generation are encoded differently).
   */
  @Test
  void aBindingGenerationsTopFeaturesAreTheGenerations() {
    ThroughputModel base = new RooflineOnlyModel(SCHEMA, "poor prompts", 0.7, 0.01);
    ThroughputModel naming = new ThroughputModel() {
      @Override
      public dev.tuner.api.ModelInfo info() {
        return base.info();
      }

      @Override
      public double predict(float[] features) {
        return base.predict(features);
      }

      @Override
      public java.util.List<dev.tuner.api.FeatureImportance> attribution(float[] features, int limit) {
        return java.util.List.of(new dev.tuner.api.FeatureImportance("input " + Arrays.hashCode(features), 1));
      }
    };
    double[] scores = new double[20];
    Arrays.fill(scores, 0.2);
    float[] lo = new float[SCHEMA.width()];
    float[] hi = new float[SCHEMA.width()];
    Arrays.fill(lo, -1e9f);
    Arrays.fill(hi, 1e9f);
    Predictor p = predictor(naming, new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, scores, scores, lo, hi));
    Scenario prompt = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 1, "prefill").resolve(CATALOG);
    ThroughputPrediction one = p.predict(prompt);
    assertThat(one.assumptions()).anySatisfy(a -> assertThat(a).contains("and that binds"));
    ThroughputPrediction generated = p.predict(prompt.withPhase(Phase.DECODE));
    assertThat(one.topFeatures()).hasSize(1).isEqualTo(generated.topFeatures());
    assertThat(one.topFeatures()).isNotEqualTo(p.predict(prompt.withContext(2048)).topFeatures());
    assertThat(p.predict(prompt, 0).topFeatures()).isEmpty();
  }

  private Predictor poorPrompts(double prefillScore) {
    double[] decodeScores = new double[20];
    double[] prefillScores = new double[20];
    Arrays.fill(decodeScores, 0.2);
    Arrays.fill(prefillScores, prefillScore);
    float[] lo = new float[SCHEMA.width()];
    float[] hi = new float[SCHEMA.width()];
    Arrays.fill(lo, -1e9f);
    Arrays.fill(hi, 1e9f);
    return predictor(new RooflineOnlyModel(SCHEMA, "poor prompts", 0.7, 0.01),
        new Calibration(Calibration.Method.ABSOLUTE_RESIDUAL, decodeScores, prefillScores, lo, hi));
  }
}
