package dev.tuner.core.predict;

import dev.tuner.api.FeatureImportance;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.Interval;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.api.TunerException;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.roofline.MemoryEstimate;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.BuildDate;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.Vendors;
import dev.tuner.core.schema.FeatureEncoder;
import dev.tuner.core.schema.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The prediction pipeline: scenario → roofline (from the raw scenario) → features in the model's schema → model →
 * tokens/s → clamped to the roofline → interval, confidence and top features. Immutable and thread-safe.
 *
 * <p>Interval: split-conformal on held-out scores ({@link Calibration}); when the model reports a spread and was
 * calibrated on spread-normalised scores, the half-width scales with that spread. Both ends are clamped to
 * [0, roofline]; a capped answer's interval is centred on the roof, so it reaches below it. Confidence is
 * {@code sqrt(low / high)} of that interval (1 for a point, 0 when the low end is 0), times the share of features
 * inside the training range, times 0.8 when the model's answer had to be capped. A scenario whose roofline had to
 * assume anything gets the wider interval of {@link Calibration#groupQuantile} for imputed figures, and so a lower
 * confidence; so does one with an input that every training row held at one value
 * ({@link Calibration#neverVaried}), whose effect the model could not learn, and one beyond the largest training row
 * on an axis a user sweeps ({@link TrainingRange}), where the learned part only holds its answer from the edge of its
 * data and the held-out errors, all inside the range, say nothing of its error. A device whose architecture no training
 * row ran on ({@link Calibration#unseenArchitecture}), whose kernels' efficiency was learned from no sibling, takes
 * the interval calibrated on held-out devices of that kind ({@link Calibration#newArchitectureQuantile}).
 *
 * <p>A prompt is never slower than generating it one token at a time: an engine could always run it as decode
 * steps, and llama.cpp runs a one-token chunk with the very kernels of a decode step. A prefill prediction below the
 * model's own prediction for that generation (the decode of a window as long as the prompt after the same depth,
 * {@link RooflineResult#generation}) is raised to it, with the generation's interval and confidence, and says so.
 * One that stands above it keeps its own interval, whose low end is raised to the generation's when that is higher.
 * The floor rises with bandwidth and every peak and falls with the prompt and the depth as the decode model does,
 * so it keeps the prefill prediction's monotone directions.
 *
 * <p>A batch over data-parallel replicas is predicted as the replicas run it, each share on one replica ({@link
 * ReplicaShares}): independent replicas' shares are summed under the deployment's roofline; replicas that share their
 * experts step together, and take the shares' learned factor of the shared step's reference. A scenario stating a
 * setting the model cannot see (a kernel, CUDA graphs) or one its backend cannot run is refused ({@link
 * SettingEffects}).
 */
public final class Predictor {
  /** Confidence factor applied when the model's own answer exceeded the roofline and was lowered to it. */
  public static final double CAPPED_CONFIDENCE_FACTOR = 0.8;
  /** Rows encoded and passed to the model per call in the chunked batch paths. */
  public static final int CHUNK = 1024;
  /** The most features a prediction attributes ({@code tuner predict --top-features}'s bound). */
  public static final int MAX_TOP_FEATURES = 64;

  private final LoadedModel loaded;
  private final ThroughputModel model;
  private final OutputKind kind;
  private final Reference reference;
  /** The reference of a step relative to its own batch (never to one sequence), for {@link #shareWeights}. */
  private final Reference stepReference;
  private final FeatureEncoder encoder;
  private final Roofline roofline;
  private final double level;
  private final boolean fallback;
  private final double decodeQuantile;
  private final double prefillQuantile;
  private final TrainingRange range;
  /** Whether the model's schema has a build-month slot, so that an undated build is an assumed figure. */
  private final boolean readsBuildMonth;
  private final SettingEffects settings;

  public Predictor(LoadedModel loaded, Roofline roofline, double intervalLevel, boolean fallback) {
    InvalidInputException.requireInRange("interval level", intervalLevel, 0.5, 0.99, "");
    this.loaded = loaded;
    this.model = loaded.model();
    this.kind = model.info().outputKind();
    this.reference = loaded.reference();
    this.stepReference = reference.withDecodeOneSequence(false);
    this.encoder = new FeatureEncoder(loaded.schema());
    this.roofline = roofline;
    this.level = intervalLevel;
    this.fallback = fallback;
    this.decodeQuantile = loaded.calibration().groupQuantile(Phase.DECODE, intervalLevel, false);
    this.prefillQuantile = loaded.calibration().groupQuantile(Phase.PREFILL, intervalLevel, false);
    this.range = new TrainingRange(loaded.schema(), loaded.calibration());
    this.readsBuildMonth = loaded.schema().slots().stream().anyMatch(x -> x.quantity() == Quantity.BUILD_MONTH);
    this.settings = new SettingEffects(loaded);
  }

  /** Whether this predictor's model reads {@code q}: a setting of a quantity it does not read is refused. */
  public boolean reads(Quantity q) {
    return settings.reads(q);
  }

  public LoadedModel model() {
    return loaded;
  }

  public Roofline roofline() {
    return roofline;
  }

  public FeatureEncoder encoder() {
    return encoder;
  }

  public double intervalLevel() {
    return level;
  }

  /** Whether this is the roofline-only fallback because no model could be used. */
  public boolean isFallback() {
    return fallback;
  }

  public ThroughputPrediction predict(Scenario s) {
    return predict(s, 5);
  }

  public ThroughputPrediction predict(Scenario s, int topFeatures) {
    if (s == null) {
      throw new InvalidInputException("scenario", "missing", "a resolved scenario (ScenarioRequest.resolve)");
    }
    InvalidInputException.requireInRange("topFeatures", topFeatures, 0, MAX_TOP_FEATURES, "features");
    settings.require(s);
    Optional<ReplicaShares> shares = ReplicaShares.of(s);
    ThroughputPrediction p = shares.isPresent() ? shared(s, shares.get(), topFeatures)
        : predictReplica(s, topFeatures, new int[0]);
    List<String> notes = Stream.of(weightFormatNote(s.quant()), expertParallelNote(s.parallel()))
        .flatMap(Optional::stream).toList();
    if (notes.isEmpty()) {
      return p;
    }
    List<String> assumptions = new ArrayList<>(p.assumptions());
    assumptions.addAll(notes);
    return new ThroughputPrediction(p.tokensPerSecond(), p.rooflineTokensPerSecond(), p.bound(), p.capped(),
        p.rawOutput(), p.confidence(), p.interval(), p.topFeatures(), p.modelId(), assumptions);
  }

  /**
   * What a prediction in format {@code q} says when llama.cpp loads no GGUF of it
   * ({@link Quantization#checkpointOnly}): the step model, which learned from llama.cpp's runs, reads the format as its
   * bits, class and arithmetic, so the figure is theirs at the efficiency learned for them, not a run of an engine
   * that loads the checkpoint. Empty for a format llama.cpp loads, or one it is not judged on.
   */
  public static Optional<String> weightFormatNote(Quantization q) {
    if (!q.checkpointOnly()) {
      return Optional.empty();
    }
    return Optional.of(q.name() + " is a checkpoint format llama.cpp does not load (it loads GGUF files, whose types"
        + " are ggml's), and llama.cpp's runs are what the step model learned from: this is " + q.name() + "'s "
        + BigDecimal.valueOf(q.bitsPerWeight()).stripTrailingZeros().toPlainString() + " bits per weight with "
        + q.activation().name().toLowerCase(Locale.ROOT) + " arithmetic, read as a " + q.quantClass().name()
        + "-class format, at the efficiency the model learned for those, not a run of an engine that loads it;"
        + " serving predictions model those engines (ServingScenario's engine, --engine with --isl and --osl in the"
        + " CLI)");
  }

  /**
   * What a prediction of layout {@code p} says when it places experts over devices ({@code ep} above 1): llama.cpp,
   * whose runs are the step model's training rows, runs no expert parallelism, so the figure is the layout's physics
   * at the efficiency learned without it, not a run llama.cpp can make. Empty for any other layout.
   */
  public static Optional<String> expertParallelNote(ParallelLayout p) {
    if (p.ep() <= 1) {
      return Optional.empty();
    }
    return Optional.of("expert parallelism (ep " + p.ep() + "): llama.cpp, whose runs the step model learned from,"
        + " runs none (its layer and row splits keep each layer's experts with it), so this is the layout's physics"
        + " (each of the " + p.ep() + " devices reads its share of the experts, the all-to-alls cross the link) at"
        + " the efficiency learned without it, not a run llama.cpp can make; serving predictions model the engines"
        + " that run it (ServingScenario's engine, --engine with --isl and --osl in the CLI)");
  }

  /**
   * The prediction of {@code s} on one replica, its interval widened as for features the model never varied when
   * {@code unseenElsewhere} (slots of the deployment's own encoding) names any.
   */
  private ThroughputPrediction predictReplica(Scenario s, int topFeatures, int[] unseenElsewhere) {
    RooflineResult r = roofline.compute(s);
    ThroughputPrediction own = predict(s, r, topFeatures, unseenElsewhere);
    if (r.generation() == null) {
      return own;
    }
    ThroughputPrediction generated = predict(s.withPhase(Phase.DECODE), r.generation(), 0, unseenElsewhere);
    double roof = own.rooflineTokensPerSecond();
    double tps = Math.min(generated.tokensPerSecond(), roof);
    if (tps <= own.tokensPerSecond()) {
      return withGenerationFloor(own, generated);
    }
    List<FeatureImportance> why = topFeatures > 0
        ? model.attribution(encoder.encode(s.withPhase(Phase.DECODE), r.generation()), topFeatures) : List.of();
    // a generation above the prompt's own roof (a batch of prompts cut into chunks smaller than the batch) is capped
    boolean capped = generated.tokensPerSecond() > roof;
    Interval i = generated.interval();
    List<String> assumptions = new ArrayList<>(own.assumptions());
    assumptions.add(String.format(Locale.ROOT, "a prompt is never slower than generating it one token at a time:"
        + " %s predicts %.4g tokens/s for the %d-token generation after %d cached, above its %.4g for the prompt,"
        + " and that binds (interval and confidence are the generation's)", model.info().modelId(),
        generated.tokensPerSecond(), s.context(), s.depth(), own.tokensPerSecond()));
    return new ThroughputPrediction(tps, roof, own.bound(), capped, own.rawOutput(),
        generated.confidence() * (capped ? CAPPED_CONFIDENCE_FACTOR : 1), new Interval(level, Math.min(i.low(), tps),
            Math.min(Math.max(i.high(), tps), roof)), why, own.modelId(), assumptions);
  }

  /**
   * The deployment's prediction from its replicas' shares ({@link ReplicaShares}): each share's tokens/s and interval
   * ends weighted by {@link #shareWeights}, under the deployment's roofline. Independent replicas sum (their roofs sum
   * to at most the deployment's: a replica's roof is concave in its sequences). Replicas that step together take the
   * shares' mean factor of their own reference of the shared step's; no measured run steps replicas together, so
   * the interval is widened for what the model never varied there (the device count, ep, the link's share).
   */
  private ThroughputPrediction shared(Scenario s, ReplicaShares shares, int topFeatures) {
    RooflineResult r = roofline.compute(s);
    int[] unseen = shares.coupled() ? loaded.calibration().neverVaried(encoder.encode(s, r)) : new int[0];
    ThroughputPrediction lo = predictReplica(shares.lo(), topFeatures, unseen);
    ThroughputPrediction hi = shares.hiCount() > 0 ? predictReplica(shares.hi(), 0, unseen) : lo;
    double[] w = shares.coupled() ? shareWeights(s, r, shares, ownReference(shares.lo()),
        shares.hiCount() > 0 ? ownReference(shares.hi()) : 0) : shareWeights(s, r, shares, 0, 0);
    double roof = r.tokensPerSecond();
    double own = w[0] * lo.tokensPerSecond() + w[1] * hi.tokensPerSecond();
    double tps = Math.min(own, roof);
    List<String> assumptions = new ArrayList<>();
    // a share's replica may not hold what the deployment does (every expert, when replicas share them)
    List<String> shareFits = Stream.of(shares.lo(), shares.hi()).filter(Objects::nonNull)
        .flatMap(x -> MemoryEstimate.doesNotFit(x).stream()).toList();
    Stream.concat(lo.assumptions().stream(), hi.assumptions().stream())
        .filter(x -> !shareFits.contains(x) && !assumptions.contains(x)).forEach(assumptions::add);
    MemoryEstimate.doesNotFit(s).ifPresent(assumptions::add);
    r.assumptions().stream().filter(x -> !assumptions.contains(x)).forEach(assumptions::add);
    assumptions.add(shares.describe(s));
    return new ThroughputPrediction(tps, roof, r.bound(), lo.capped() || hi.capped() || own > roof, lo.rawOutput(),
        Math.min(lo.confidence(), hi.confidence()), new Interval(level, Math.min(w[0] * lo.interval().low()
            + w[1] * hi.interval().low(), tps), Math.max(Math.min(w[0] * lo.interval().high()
            + w[1] * hi.interval().high(), roof), tps)), lo.topFeatures(), lo.modelId(), assumptions);
  }

  /**
   * What the tokens/s of {@code shares}' low and high share count for in {@code s}'s ({@code r} its roofline): their
   * replica counts for independent replicas. For replicas that step together, each share's part of the busy replicas
   * times the shared step's reference over the share's own ({@code loReference}, {@code hiReference}: the model's
   * reference of each share, which the batch path has already computed; unread for independent replicas): the model's learned factor of each share's reference is
   * taken of the shared step's, whose expert reads the ep devices split and whose all-to-alls cross the link. The
   * shared step's reference is what the share's is of its replica: for a model whose batched decode is relative to
   * one sequence, the shared step with one sequence on each busy replica (the factor then carries the batching gain,
   * and never falls with the batch); otherwise the step itself ({@link #stepReference}). The factor reads no
   * bandwidth or peak and that reference rises with each, so the prediction keeps the physics' directions.
   */
  private double[] shareWeights(Scenario s, RooflineResult r, ReplicaShares shares, double loReference,
      double hiReference) {
    if (!shares.coupled()) {
      return new double[] {shares.loCount(), shares.hiCount()};
    }
    int busy = shares.loCount() + shares.hiCount();
    boolean perSequence = s.phase() == Phase.DECODE && reference.decodeOneSequence();
    Scenario basis = perSequence ? s.withBatch(busy) : s;
    double target = stepReference.tokensPerSecond(basis, perSequence ? roofline.computeFigures(basis) : r);
    return new double[] {
        (double) shares.loCount() / busy * target / loReference,
        shares.hiCount() == 0 ? 0 : (double) shares.hiCount() / busy * target / hiReference};
  }

  private double ownReference(Scenario s) {
    return reference.tokensPerSecond(s, roofline.computeFigures(s));
  }

  /**
   * {@code own}, a prompt's prediction that stands above its generation's, with its interval's low end raised to the
   * generation's when that is higher: a prompt is never slower than generating its tokens one at a time, so what bounds
   * the generation from below bounds the prompt too. Where the prompt's own interval is wide (a prompt of a device or
   * model the rows barely cover), this keeps it from reaching down to nothing. Confidence follows the new width from
   * a low end above 0.
   */
  private ThroughputPrediction withGenerationFloor(ThroughputPrediction own, ThroughputPrediction generated) {
    Interval i = own.interval();
    double floor = Math.min(generated.interval().low(), own.tokensPerSecond());
    if (!(floor > i.low())) {
      return own;
    }
    List<String> assumptions = new ArrayList<>(own.assumptions());
    assumptions.add(String.format(Locale.ROOT, "the interval's low end is the generation's (%.4g tokens/s): a prompt is"
        + " never slower than generating it one token at a time", floor));
    double confidence = i.low() > 0 ? own.confidence() * Math.sqrt(floor / i.low()) : own.confidence();
    return new ThroughputPrediction(own.tokensPerSecond(), own.rooflineTokensPerSecond(), own.bound(), own.capped(),
        own.rawOutput(), Math.min(1, confidence), new Interval(i.level(), floor, i.high()), own.topFeatures(),
        own.modelId(), assumptions);
  }

  /**
   * The prediction of the model for {@code s} alone, {@code r} its roofline; {@code unseenElsewhere} as for
   * {@link #predictReplica}.
   */
  private ThroughputPrediction predict(Scenario s, RooflineResult r, int topFeatures, int[] unseenElsewhere) {
    float[] x = encoder.encode(s, r);
    // every call gets its own copy: the host reads x again (spread, training range, attribution), and a model that
    // wrote into its input must not change what the next call or the host sees
    double raw = model.predict(x.clone());
    // first: every figure after it, the roofline's peaks included, rests on that backend
    List<String> assumptions = new ArrayList<>(s.engine().backendAssumption(s.device()).stream().toList());
    Vendors.unknownNote(s.device()).ifPresent(assumptions::add);
    s.engine().flashAttentionAssumption(s.kvCache()).ifPresent(assumptions::add);
    if (s.kvCache() == KvCacheType.FP8) {
      assumptions.add("KV cache fp8: the serving engines' type (vLLM, SGLang, TensorRT-LLM), which llama.cpp has not:"
          + " the step is predicted as llama.cpp's with 1-byte KV elements, which reach the prediction only through"
          + " the roofline's KV-cache bytes (a serving prediction, --engine with --isl and --osl in the CLI, runs"
          + " an engine that has it)");
    }
    assumptions.addAll(r.assumptions());
    // not a figure the roofline assumed: the physics of that length holds, so the interval does not widen for it
    s.model().beyondContext(s.totalContext()).ifPresent(assumptions::add);
    // a step that cannot run is still predicted, as if it ran; an embedder that shows the figure must know
    MemoryEstimate.doesNotFit(s).ifPresent(assumptions::add);
    Optional<String> noOverhead = reference.overheadNotCounted(s);
    noOverhead.ifPresent(assumptions::add);
    List<String> beyond = range.beyond(x, s.phase() == Phase.DECODE && reference.decodeOneSequence());
    assumptions.addAll(beyond);
    if (fallback) {
      assumptions.add(String.format(Locale.ROOT,
          "roofline-only prediction, no trained model (%s of the roofline)", model.info().properties()
              .getOrDefault(s.phase() == Phase.DECODE ? "decode_efficiency"
                  : "prefill_efficiency", "?")));
    }
    if (s.device().l2CacheMb().isEmpty()) {
      assumptions.add("L2 cache of " + s.device().name() + " unknown: encoded as 0");
    }
    if (s.device().computeUnits() == 0) {
      assumptions.add("compute units of " + s.device().name() + " unknown: encoded as 0");
    }
    if (readsBuildMonth && s.engine().buildDate().isEmpty()) {
      assumptions.add("build date unknown: the model takes a build of " + BuildDate.ASSUMED_WHEN_UNKNOWN
          + ", the median month of its dated training rows (state the build date: ScenarioRequest's buildDate,"
          + " --build-date in the CLI; later builds are not predicted slower)");
    }
    double roof = r.tokensPerSecond();
    double ref = reference.tokensPerSecond(s, r);
    double tps = toTokens(raw, ref, s);
    boolean capped = tps > roof;
    if (capped) {
      tps = roof;
    }
    int[] unseen = IntStream.concat(IntStream.of(loaded.calibration().neverVaried(x)), IntStream.of(unseenElsewhere))
        .distinct().sorted().toArray();
    boolean newArchitecture = loaded.calibration().unseenArchitecture(s.device().architecture());
    boolean imputed = r.imputed() || noOverhead.isPresent() || unseen.length > 0 || !beyond.isEmpty();
    double q = newArchitecture ? loaded.calibration().newArchitectureQuantile(s.phase(), level, imputed)
        : imputed ? loaded.calibration().groupQuantile(s.phase(), level, true)
        : s.phase() == Phase.DECODE ? decodeQuantile : prefillQuantile;
    double half = q;
    if (loaded.calibration().method() == Calibration.Method.SPREAD_NORMALISED) {
      OptionalDouble spread = model.spread(x.clone());
      if (spread.isPresent() && !(Double.isFinite(spread.getAsDouble()) && spread.getAsDouble() >= 0)) {
        // a negative spread would invert the interval and collapse it onto the prediction: full confidence
        throw new TunerException("model " + model.info().modelId() + " returned the spread " + spread.getAsDouble()
            + " for " + s.model().name() + " on " + s.device().name() + "; a spread must be a finite number >= 0");
      }
      half = spread.isPresent() ? q * loaded.calibration().scale(s.phase(), spread.getAsDouble())
          : Double.POSITIVE_INFINITY;
    }
    double low;
    double high;
    if (Double.isInfinite(half)) {
      low = 0;
      high = roof;
      assumptions.add("no held-out calibration for this model: the interval spans 0 to the roofline");
    } else {
      // a capped answer is the roof: its interval spans the model's uncertainty below the roof, where an interval
      // around the raw answer would lie wholly above it and collapse onto one point of false certainty
      double center = capped ? kind.fromTokensPerSecond(roof, ref) : raw;
      low = clamp(kind.toTokensPerSecond(center - half, ref), roof);
      high = clamp(kind.toTokensPerSecond(center + half, ref), roof);
      if (imputed && loaded.calibration().decodeDeviceScores().length > 0) {
        // every reason that holds: an input the model never saw (the CPU backend) is news beside a loose roof
        List<String> why = new ArrayList<>(4);
        if (r.imputed()) {
          why.add("the roofline rests on assumed figures");
        }
        if (noOverhead.isPresent()) {
          why.add("the model's reference rests on an unknown layer count");
        }
        if (unseen.length > 0) {
          why.add("the model never saw " + IntStream.of(unseen).mapToObj(i -> encoder.schema().slots().get(i).name())
              .collect(java.util.stream.Collectors.joining(", "))
              + " other than at one value (all its training rows had the same), so it cannot know the effect");
        }
        if (!beyond.isEmpty()) {
          why.add("the scenario lies beyond the training rows (above), where no held-out error was measured");
        }
        assumptions.add(String.join("; ", why) + ": the interval is calibrated for a worst-case unseen device ("
            + Math.round(100 * Calibration.IMPUTED_DEVICE_SHARE) + "% of held-out devices)");
      }
      if (newArchitecture) {
        assumptions.add(newArchitecture(s) + ": the interval is calibrated on held-out devices whose architecture"
            + " their fold had not trained on either");
      }
    }
    low = Math.min(low, tps);
    high = Math.max(high, tps);
    double confidence = high > 0 ? Math.sqrt(low / high) : 0;
    confidence *= loaded.calibration().inRangeShare(x);
    if (capped) {
      confidence *= CAPPED_CONFIDENCE_FACTOR;
    }
    List<FeatureImportance> top = topFeatures > 0 ? model.attribution(x.clone(), topFeatures) : List.of();
    return new ThroughputPrediction(tps, roof, r.bound(), capped, raw, confidence,
        new Interval(level, low, high), top, model.info().modelId(), assumptions);
  }

  /** Why a device of an architecture the training rows never ran on takes the interval of such devices. */
  private static String newArchitecture(Scenario s) {
    String architecture = s.device().architecture();
    // a device given by its figures alone has no chip family: the record then carries its name in its place
    String family = s.device().chipFamily().equals(s.device().name()) ? "no chip family given"
        : "chip family " + s.device().chipFamily() + " is not in the chip-family table";
    return architecture.isEmpty()
        ? "the architecture of " + s.device().name() + " is unknown (" + family + "; a catalog file's architecture"
            + " column names it), so the model cannot tell which devices it resembles"
        : "no device of the architecture " + architecture + " (" + s.device().name() + ") was among the model's"
            + " training rows, so no sibling taught it how well that architecture's kernels run";
  }

  /**
   * The fast path for scoring many scenarios: tokens/s only (clamped), no interval or attribution. Writes
   * {@code out[i]} for {@code scenarios[i]}; {@code scratch} must hold {@code scenarios.length × width} floats.
   * Each value equals {@code predict(scenarios[i]).tokensPerSecond()}.
   */
  public void predictTokensPerSecond(Scenario[] scenarios, double[] out, float[] scratch) {
    requireRoom(scenarios, out);
    if (scratch == null || scratch.length < (long) scenarios.length * encoder.width()) {
      throw new InvalidInputException("scratch", scratch == null ? "missing" : scratch.length + " floats",
          "room for " + scenarios.length + " scenarios × " + encoder.width() + " features = "
              + (long) scenarios.length * encoder.width() + " floats");
    }
    int n = scenarios.length;
    scoreBlock(scenarios, 0, n, scratch, new double[n], new double[n], out, out);
  }

  /**
   * {@link #predictTokensPerSecond(Scenario[], double[], float[])} for any number of scenarios on the calling
   * thread, in chunks of {@value #CHUNK}, so its buffers stay small and cached however many scenarios there are.
   */
  public void predictTokensPerSecond(Scenario[] scenarios, double[] out) {
    requireRoom(scenarios, out);
    score(scenarios, 0, scenarios.length, out);
  }

  /**
   * {@link #predictTokensPerSecond(Scenario[], double[])} with the chunks spread over the threads of the current
   * fork-join pool (the common pool, or the caller's own when called from inside a task of it). Every row is
   * scored independently, so the results are the same as on one thread. A model failure ends the call with its
   * {@link TunerException}, possibly re-created by the pool around the original as its cause.
   */
  public void predictTokensPerSecondParallel(Scenario[] scenarios, double[] out) {
    requireRoom(scenarios, out);
    int n = scenarios.length;
    // a few parts per core: enough to even out a busy core, few enough that each allocates its buffers once
    int parts = (int) Math.min((n + CHUNK - 1) / CHUNK, 8L * Runtime.getRuntime().availableProcessors());
    IntStream.range(0, parts).parallel().forEach(p ->
        score(scenarios, (int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts), out));
  }

  /** Checks the arguments of a batch call up front, so a bad one is named before any row is scored. */
  private static void requireRoom(Scenario[] scenarios, double[] out) {
    if (scenarios == null) {
      throw new InvalidInputException("scenarios", "missing", "an array of resolved scenarios");
    }
    for (int i = 0; i < scenarios.length; i++) {
      if (scenarios[i] == null) {
        throw new InvalidInputException("scenarios[" + i + "]", "missing", "a resolved scenario"
            + " (ScenarioRequest.resolve)");
      }
    }
    if (out == null) {
      throw new InvalidInputException("out", "missing", "an array with room for all " + scenarios.length
          + " scenarios");
    }
    if (out.length < scenarios.length) {
      throw new InvalidInputException("out", out.length + " values", "room for all " + scenarios.length
          + " scenarios");
    }
  }

  /** Scores {@code scenarios[from, to)} into {@code out[from, to)}, {@value #CHUNK} rows per model call. */
  private void score(Scenario[] scenarios, int from, int to, double[] out) {
    int capacity = Math.min(CHUNK, to - from);
    float[] features = new float[capacity * encoder.width()];
    double[] roofs = new double[capacity];
    double[] refs = new double[capacity];
    double[] raw = new double[capacity];
    for (int start = from; start < to; start += CHUNK) {
      scoreBlock(scenarios, start, Math.min(CHUNK, to - start), features, roofs, refs, raw, out);
    }
  }

  /**
   * Scores {@code scenarios[start, start + rows)} into {@code out[start, start + rows)} with one model call, using
   * the buffers from their index 0: {@code features}, the rooflines, the references of the model's output kind and
   * the raw outputs ({@code raw} may be {@code out} when {@code start} is 0).
   */
  private void scoreBlock(Scenario[] scenarios, int start, int rows, float[] features, double[] roofs,
      double[] refs, double[] raw, double[] out) {
    ReplicaShares[] shares = null;
    for (int i = 0; i < rows; i++) {
      settings.require(scenarios[start + i]);
      Optional<ReplicaShares> sh = ReplicaShares.of(scenarios[start + i]);
      if (sh.isPresent()) {
        shares = shares == null ? new ReplicaShares[rows] : shares;
        shares[i] = sh.get();
      }
    }
    if (shares == null) {
      scoreReplica(scenarios, start, rows, features, roofs, refs, raw, out);
      return;
    }
    // each replica's share scored as its own scenario, then summed as predict(Scenario) sums them
    Scenario[] lo = new Scenario[rows];
    List<Scenario> hi = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      lo[i] = shares[i] == null ? scenarios[start + i] : shares[i].lo();
      if (shares[i] != null && shares[i].hiCount() > 0) {
        hi.add(shares[i].hi());
      }
    }
    // the shares' references are kept apart: replicas that step together are weighted by them
    double[] loOut = new double[rows];
    double[] loRefs = new double[rows];
    scoreReplica(lo, 0, rows, features, roofs, loRefs, new double[rows], loOut);
    double[] hiOut = new double[hi.size()];
    double[] hiRefs = new double[hi.size()];
    if (!hi.isEmpty()) {
      scoreReplica(hi.toArray(Scenario[]::new), 0, hi.size(), features, roofs, hiRefs, new double[hi.size()], hiOut);
    }
    int k = 0;
    for (int i = 0; i < rows; i++) {
      ReplicaShares sh = shares[i];
      if (sh == null) {
        out[start + i] = loOut[i];
        continue;
      }
      RooflineResult r = roofline.computeFigures(scenarios[start + i]);
      double hiRef = sh.hiCount() > 0 ? hiRefs[k] : 0;
      double[] w = shareWeights(scenarios[start + i], r, sh, loRefs[i], hiRef);
      out[start + i] = Math.min(w[0] * loOut[i] + (sh.hiCount() > 0 ? w[1] * hiOut[k++] : 0), r.tokensPerSecond());
    }
  }

  /** {@link #scoreBlock} of scenarios that run on one replica each (or whose replicas share their experts). */
  private void scoreReplica(Scenario[] scenarios, int start, int rows, float[] features, double[] roofs,
      double[] refs, double[] raw, double[] out) {
    int w = encoder.width();
    double[] ceilings = new double[rows];
    for (int i = 0; i < rows; i++) {
      Scenario s = scenarios[start + i];
      RooflineResult r = roofline.computeFigures(s);
      roofs[i] = r.tokensPerSecond();
      refs[i] = reference.tokensPerSecond(s, r);
      encoder.encode(s, r, features, i * w);
      ceilings[i] = s.phase() == Phase.PREFILL ? Roofline.generationCeiling(s, r) : 0;
    }
    model.predictBatch(features, rows, raw);
    RooflineResult[] generations = new RooflineResult[rows];
    int prompts = 0;
    for (int i = 0; i < rows; i++) {
      Scenario s = scenarios[start + i];
      out[start + i] = Math.min(toTokens(raw[i], refs[i], s), roofs[i]);
      if (out[start + i] < ceilings[i]) {
        RooflineResult g = roofline.computeFigures(s.withPhase(Phase.DECODE));
        if (out[start + i] < g.tokensPerSecond()) {
          generations[i] = g;
          prompts++;
        }
      }
    }
    if (prompts > 0) {
      floorPrompts(scenarios, start, rows, generations, prompts, features, roofs, out);
    }
  }

  /**
   * Raises each prompt of {@code scenarios[start, start + rows)} to the model's tokens/s for generating it one token
   * at a time, as {@link #predict(Scenario, int)} does, with one more model call for the {@code prompts} of them
   * whose own prediction is below their generation's roofline ({@code generations[i]}; null for the others).
   */
  private void floorPrompts(Scenario[] scenarios, int start, int rows, RooflineResult[] generations, int prompts,
      float[] features, double[] roofs, double[] out) {
    int w = encoder.width();
    Scenario[] generated = new Scenario[prompts];
    double[] refs = new double[prompts];
    double[] raw = new double[prompts];
    int k = 0;
    for (int i = 0; i < rows; i++) {
      if (generations[i] != null) {
        generated[k] = scenarios[start + i].withPhase(Phase.DECODE);
        refs[k] = reference.tokensPerSecond(generated[k], generations[i]);
        encoder.encode(generated[k], generations[i], features, k * w);
        k++;
      }
    }
    model.predictBatch(features, prompts, raw);
    k = 0;
    for (int i = 0; i < rows; i++) {
      if (generations[i] != null) {
        double g = Math.min(toTokens(raw[k], refs[k], generated[k]), generations[i].tokensPerSecond());
        out[start + i] = Math.max(out[start + i], Math.min(g, roofs[i]));
        k++;
      }
    }
  }

  private double toTokens(double raw, double reference, Scenario s) {
    if (!Double.isFinite(raw)) {
      throw new TunerException("model " + model.info().modelId() + " returned " + raw + " for " + s.model().name()
          + " on " + s.device().name() + "; a model must return finite numbers");
    }
    double tps = kind.toTokensPerSecond(raw, reference);
    if (Double.isNaN(tps)) {
      throw new TunerException("model " + model.info().modelId() + " output " + raw + " converts to no tokens/s");
    }
    return Math.max(0, tps);
  }

  private static double clamp(double v, double roof) {
    if (Double.isNaN(v) || v < 0) {
      return 0;
    }
    return Math.min(v, roof);
  }
}
