package dev.tuner.core.learn;

import dev.tuner.api.OutputKind;
import dev.tuner.api.TrainingSet;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.predict.Reference;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.schema.FeatureEncoder;
import dev.tuner.core.schema.FeatureSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Examples encoded in one schema, with everything evaluation needs per row. */
public final class Encoded {
  final FeatureSchema schema;
  final float[] features;
  final double[] measured;
  final double[] roofs;
  private final RooflineResult[] rooflines;
  /** Each row's scenario, for what the arrays above do not hold. */
  final dev.tuner.core.scenario.Scenario[] scenarios;
  final Phase[] phases;
  final String[] devices;
  final String[] models;
  /** Chip family of each row's device: siblings of one die share it. */
  final String[] families;
  /** Architecture key of each row's model: every name of one architecture shares it. */
  final String[] architectures;
  /** Architecture of each row's device (the kernels' target, e.g. "Ampere sm_86"); empty when unknown. */
  final String[] deviceArchitectures;
  final String[] vendors;
  /** Whether the row's roofline had to assume a figure (an imputed peak, an unknown shape). */
  final boolean[] imputed;
  /** Whether a device peak of the row was imputed (by {@link dev.tuner.core.roofline.SpecEstimates}). */
  final boolean[] deviceImputed;
  /** The source each row was taken from (its {@code source_id}). */
  final String[] sources;
  /**
   * For a prefill row, the features of its prompt generated one token at a time (see
   * {@link dev.tuner.core.predict.Predictor}), at the row's offset; unused for decode rows.
   */
  private final float[] generationFeatures;
  /** For a prefill row, the roofline of its prompt generated one token at a time; null for decode rows. */
  private final RooflineResult[] generations;
  final int rows;

  public Encoded(FeatureSchema schema, List<Dataset.Example> examples) {
    this.schema = schema;
    this.rows = examples.size();
    FeatureEncoder encoder = new FeatureEncoder(schema);
    int w = schema.width();
    features = new float[rows * w];
    measured = new double[rows];
    roofs = new double[rows];
    rooflines = new RooflineResult[rows];
    scenarios = new dev.tuner.core.scenario.Scenario[rows];
    phases = new Phase[rows];
    devices = new String[rows];
    models = new String[rows];
    families = new String[rows];
    architectures = new String[rows];
    deviceArchitectures = new String[rows];
    vendors = new String[rows];
    imputed = new boolean[rows];
    deviceImputed = new boolean[rows];
    sources = new String[rows];
    generationFeatures = new float[rows * w];
    generations = new RooflineResult[rows];
    for (int i = 0; i < rows; i++) {
      Dataset.Example e = examples.get(i);
      encoder.encode(e.scenario(), e.roofline(), features, i * w);
      measured[i] = e.measurement().tokensPerSecond();
      roofs[i] = e.roofline().tokensPerSecond();
      rooflines[i] = e.roofline();
      scenarios[i] = e.scenario();
      phases[i] = e.scenario().phase();
      devices[i] = e.scenario().device().name();
      models[i] = e.scenario().model().name();
      families[i] = e.scenario().device().chipFamily();
      architectures[i] = e.scenario().model().architecture();
      deviceArchitectures[i] = e.scenario().device().architecture();
      vendors[i] = e.scenario().device().vendor();
      imputed[i] = e.roofline().imputed();
      deviceImputed[i] = e.roofline().features().imputed();
      sources[i] = e.measurement().sourceId();
      generations[i] = e.roofline().generation();
      if (generations[i] != null) {
        encoder.encode(generation(i), generations[i], generationFeatures, i * w);
      }
    }
  }

  public int rows() {
    return rows;
  }

  public FeatureSchema schema() {
    return schema;
  }

  public float[] row(int i) {
    int w = schema.width();
    float[] out = new float[w];
    System.arraycopy(features, i * w, out, 0, w);
    return out;
  }

  /** Whether row {@code i} is a prompt, which is never slower than its generation one token at a time. */
  boolean hasGeneration(int i) {
    return generations[i] != null;
  }

  /** The features of row {@code i}'s prompt generated one token at a time; {@link #hasGeneration} must hold. */
  float[] generationRow(int i) {
    int w = schema.width();
    float[] out = new float[w];
    System.arraycopy(generationFeatures, i * w, out, 0, w);
    return out;
  }

  /** The roofline of row {@code i}'s prompt generated one token at a time, in tokens/s. */
  double generationRoof(int i) {
    return generations[i].tokensPerSecond();
  }

  /** What outputs relative to {@code reference} are relative to for row {@code i}'s generation, in tokens/s. */
  double generationReference(Reference reference, int i) {
    return reference.tokensPerSecond(generation(i), generations[i]);
  }

  private dev.tuner.core.scenario.Scenario generation(int i) {
    return scenarios[i].withPhase(Phase.DECODE);
  }

  /**
   * A group number per row, equal for rows with identical features and measured value (numbered 0, 1, 2... by first
   * appearance): such rows are copies, and cross-validation keeps them together.
   */
  int[] identicalRowGroups() {
    int w = schema.width();
    Map<java.util.List<Object>, Integer> numbers = new HashMap<>();
    int[] out = new int[rows];
    for (int i = 0; i < rows; i++) {
      java.util.List<Object> key = java.util.List.of(
          java.nio.FloatBuffer.wrap(java.util.Arrays.copyOfRange(features, i * w, (i + 1) * w)), measured[i]);
      out[i] = numbers.computeIfAbsent(key, x -> numbers.size());
    }
    return out;
  }

  /** What outputs of {@code kind} are relative to for row {@code i}, without a step overhead. */
  double reference(OutputKind kind, int i) {
    return reference(Reference.of(kind), i);
  }

  /** What outputs relative to {@code reference} are relative to for row {@code i}, in tokens/s. */
  double reference(Reference reference, int i) {
    return reference.tokensPerSecond(scenarios[i], rooflines[i]);
  }

  /**
   * The training set of all rows with targets of {@code kind}, grouped by chip family (numbered by first appearance),
   * so that a trainer that validates inside (the ensemble's weights) holds out whole families, as the protocol's
   * outer split does.
   */
  public TrainingSet trainingSet(OutputKind kind) {
    return trainingSet(Reference.of(kind));
  }

  /** {@link #trainingSet(OutputKind)} with targets relative to {@code reference}. */
  public TrainingSet trainingSet(Reference reference) {
    OutputKind kind = reference.kind();
    double[] targets = new double[rows];
    int[] groups = new int[rows];
    Map<String, Integer> deviceNumbers = new HashMap<>();
    for (int i = 0; i < rows; i++) {
      targets[i] = kind.fromTokensPerSecond(measured[i], reference(reference, i));
      groups[i] = deviceNumbers.computeIfAbsent(families[i], d -> deviceNumbers.size());
    }
    return new TrainingSet(schema.ref(), schema.slotNames(), features, targets, kind, groups);
  }
}
