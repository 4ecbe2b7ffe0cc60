package dev.tuner.linear;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Everything a linear model is made of, and its versioned text form. The form is UTF-8 lines {@code key=value}
 * in a fixed order, ending with {@code end} and a newline, so that any truncation is detected. Doubles are the 16
 * lower-case hex digits of {@link Double#doubleToLongBits}, so a model reloads bit for bit; names are escaped
 * ({@code \\}, {@code \n}, {@code \r}). Version 2 (written):
 *
 * <pre>
 * format=tuner-linear
 * version=2
 * schema_id=&lt;escaped id&gt;
 * schema_hash=&lt;64 hex&gt;
 * target=&lt;output kind id&gt;
 * training_rows=&lt;int&gt;
 * features=&lt;int&gt;
 * feature=&lt;mean&gt; &lt;std&gt; &lt;weight&gt; &lt;escaped name&gt;     (features times; raw-space weight)
 * intercept=&lt;hex&gt;
 * lambda=&lt;hex&gt;                                           (the λ the model was fitted with; 0 where unused)
 * l1_ratio=&lt;hex&gt;                                         (elastic net's L1 ratio; 0 where unused)
 * max_features=&lt;int&gt;                                     (LARS / LASSO feature cap; 0 where unused)
 * hp.solver=… hp.lambda=… …                               (one line per key of RidgeHyperParameters.KEYS, in order)
 * cv_points=&lt;int&gt;                                        (0 when the solver had nothing to choose)
 * cv=&lt;lambda hex&gt; &lt;l1 hex&gt; &lt;max_features&gt; &lt;mse hex&gt;      (cv_points times, in grid order)
 * end
 * </pre>
 *
 * <p>Version 1, written before tuner had more than the ridge, is still read: it has no {@code l1_ratio} and
 * {@code max_features} lines, the hyper-parameters of {@link RidgeHyperParameters#KEYS_V1} and {@code cv} lines of
 * {@code <lambda hex> <mse hex>}; it reads as {@code solver=ridge}.
 *
 * <p>The record holds arrays for speed of construction; it is package-private and never handed out, and nothing
 * mutates the arrays after construction.
 */
record LinearPayload(
    SchemaRef schema,
    OutputKind target,
    int trainingRows,
    List<String> featureNames,
    double[] means,
    double[] stds,
    double[] weights,
    double intercept,
    RidgeHyperParameters.Setting chosen,
    RidgeHyperParameters hyperParameters,
    List<CvPoint> cv) {

  static final String FORMAT = "tuner-linear";
  static final int VERSION = 2;
  /** The first version, ridge only; still read. */
  static final int VERSION_RIDGE_ONLY = 1;
  static final int MAX_FEATURES = 4096;
  static final int MAX_NAME_LENGTH = 256;
  /** Far above the largest valid payload (4096 features with the longest names), far below harm. */
  static final int MAX_BYTES = 16 << 20;
  /** The largest grid: 200 λ steps times the 4 L1 ratios of elastic net, or one point per feature for LARS. */
  static final int MAX_CV_POINTS = Math.max(
      RidgeHyperParameters.MAX_STEPS * RidgeHyperParameters.L1_RATIO_GRID.length, MAX_FEATURES);

  /** Mean squared error of cross-validation at one setting of the grid. */
  record CvPoint(RidgeHyperParameters.Setting setting, double mse) {}

  LinearPayload {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(chosen, "chosen");
    featureNames = List.copyOf(featureNames);
    cv = List.copyOf(cv);
    int p = featureNames.size();
    if (means.length != p || stds.length != p || weights.length != p) {
      throw new IllegalArgumentException("arrays do not match " + p + " features");
    }
  }

  /** Names of the features that were constant on the training rows, so have weight 0. */
  List<String> droppedFeatures() {
    List<String> dropped = new ArrayList<>();
    for (int j = 0; j < stds.length; j++) {
      if (stds[j] == 0) {
        dropped.add(featureNames.get(j));
      }
    }
    return dropped;
  }

  /** The λ the model was fitted with (0 for the solvers without one). */
  double lambda() {
    return chosen.lambda();
  }

  /**
   * The model-info properties: hyper-parameters as used, what the solver settled on, the CV curve and the dropped
   * features.
   */
  Map<String, String> properties() {
    Map<String, String> props = new LinkedHashMap<>(hyperParameters.toMap());
    LinearSolver solver = hyperParameters.solver();
    if (solver == LinearSolver.RIDGE || solver == LinearSolver.ELASTIC_NET) {
      props.put("chosen_lambda", Double.toString(chosen.lambda()));
    }
    if (solver == LinearSolver.ELASTIC_NET) {
      props.put("chosen_l1_ratio", Double.toString(chosen.l1Ratio()));
    }
    if (solver == LinearSolver.LARS || solver == LinearSolver.LASSO) {
      props.put("chosen_max_features", Integer.toString(chosen.maxFeatures()));
    }
    props.put("training_rows", Integer.toString(trainingRows));
    props.put("dropped_features", String.join(",", droppedFeatures()));
    if (!cv.isEmpty()) {
      props.put("cv_mse", cv.stream().map(c -> point(solver, c)).collect(Collectors.joining(" ")));
    }
    return props;
  }

  /** {@code λ:mse}, {@code λ/l1:mse} or {@code k:mse}: the grid's own coordinates beside the error. */
  private static String point(LinearSolver solver, CvPoint c) {
    RidgeHyperParameters.Setting s = c.setting();
    return switch (solver) {
      case ELASTIC_NET -> String.format(Locale.ROOT, "%.3g/%.2g:%.4g", s.lambda(), s.l1Ratio(), c.mse());
      case LARS, LASSO -> String.format(Locale.ROOT, "%d:%.4g", s.maxFeatures(), c.mse());
      case RIDGE, SGD -> String.format(Locale.ROOT, "%.3g:%.4g", s.lambda(), c.mse());
    };
  }

  byte[] encode() {
    StringBuilder out = new StringBuilder(256 + 80 * weights.length);
    line(out, "format", FORMAT);
    line(out, "version", Integer.toString(VERSION));
    line(out, "schema_id", escape(schema.id()));
    line(out, "schema_hash", schema.hash());
    line(out, "target", target.id());
    line(out, "training_rows", Integer.toString(trainingRows));
    line(out, "features", Integer.toString(weights.length));
    for (int j = 0; j < weights.length; j++) {
      line(out, "feature",
          hex(means[j]) + " " + hex(stds[j]) + " " + hex(weights[j]) + " " + escape(featureNames.get(j)));
    }
    line(out, "intercept", hex(intercept));
    line(out, "lambda", hex(chosen.lambda()));
    line(out, "l1_ratio", hex(chosen.l1Ratio()));
    line(out, "max_features", Integer.toString(chosen.maxFeatures()));
    hyperParameters.toMap().forEach((k, v) -> line(out, "hp." + k, v));
    line(out, "cv_points", Integer.toString(cv.size()));
    for (CvPoint c : cv) {
      RidgeHyperParameters.Setting p = c.setting();
      line(out, "cv", hex(p.lambda()) + " " + hex(p.l1Ratio()) + " " + p.maxFeatures() + " " + hex(c.mse()));
    }
    out.append("end\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses and validates a payload. Every length is checked against its limit, and the feature count against
   * {@code expectedFeatures}, before anything of that size is allocated.
   *
   * @throws ModelLoadException naming the line and what is wrong with it
   */
  static LinearPayload decode(byte[] bytes, int expectedFeatures) {
    checkSize(bytes.length);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ModelLoadException("linear payload is not valid UTF-8 text: " + e.getMessage(), e);
    }
    Reader in = new Reader(text.split("\n", -1));
    String format = in.field("format");
    if (!format.equals(FORMAT)) {
      throw in.fail("format is '" + abbreviate(format) + "', expected '" + FORMAT + "'");
    }
    int version = in.integer("version", 0, Integer.MAX_VALUE);
    if (version != VERSION && version != VERSION_RIDGE_ONLY) {
      throw in.fail("payload version " + version + " is not supported; this provider reads versions "
          + VERSION_RIDGE_ONLY + " and " + VERSION);
    }
    boolean v1 = version == VERSION_RIDGE_ONLY;
    String schemaId = in.unescape(in.field("schema_id"), "schema_id", Integer.MAX_VALUE);
    String schemaHash = in.field("schema_hash");
    SchemaRef schema;
    try {
      schema = new SchemaRef(schemaId, schemaHash);
    } catch (InvalidInputException e) {
      throw in.fail(e.getMessage());
    }
    OutputKind target;
    String targetText = in.field("target");
    try {
      target = OutputKind.fromId(targetText);
    } catch (InvalidInputException e) {
      throw in.fail(e.getMessage());
    }
    int trainingRows = in.integer("training_rows", RidgeTrainer.MIN_ROWS, Integer.MAX_VALUE);
    int p = in.integer("features", 1, MAX_FEATURES);
    if (p != expectedFeatures) {
      throw in.fail("the payload has " + p + " features but the model info declares " + expectedFeatures);
    }
    List<String> names = new ArrayList<>(p);
    double[] means = new double[p];
    double[] stds = new double[p];
    double[] weights = new double[p];
    for (int j = 0; j < p; j++) {
      String[] parts = in.field("feature").split(" ", 4);
      if (parts.length != 4) {
        throw in.fail("expected '<mean> <std> <weight> <name>' for feature " + j);
      }
      String name = in.unescape(parts[3], "feature name", MAX_NAME_LENGTH);
      means[j] = in.number(parts[0], "mean of feature '" + name + "'");
      stds[j] = in.number(parts[1], "standard deviation of feature '" + name + "'");
      weights[j] = in.number(parts[2], "weight of feature '" + name + "'");
      if (stds[j] < 0) {
        throw in.fail("standard deviation of feature '" + name + "' is negative: " + stds[j]);
      }
      if (stds[j] == 0 && weights[j] != 0) {
        throw in.fail("feature '" + name + "' was constant in training (std 0) but has weight " + weights[j]);
      }
      names.add(name);
    }
    double intercept = in.number(in.field("intercept"), "intercept");
    double lambda = in.number(in.field("lambda"), "lambda");
    double l1Ratio = v1 ? 0 : in.number(in.field("l1_ratio"), "l1_ratio");
    int maxFeatures = v1 ? 0 : in.integer("max_features", 0, MAX_FEATURES);
    RidgeHyperParameters.Setting chosen = new RidgeHyperParameters.Setting(lambda, l1Ratio, maxFeatures);
    Map<String, String> hp = new LinkedHashMap<>();
    for (String key : v1 ? RidgeHyperParameters.KEYS_V1 : RidgeHyperParameters.KEYS) {
      hp.put(key, in.field("hp." + key));
    }
    RidgeHyperParameters hyperParameters;
    try {
      hyperParameters = RidgeHyperParameters.parse(hp);
    } catch (InvalidInputException e) {
      throw in.fail("hyper-parameter " + e.getMessage());
    }
    int usable = 0;
    for (double std : stds) {
      usable += std > 0 ? 1 : 0;
    }
    List<RidgeHyperParameters.Setting> grid = hyperParameters.settings(usable);
    int expectedPoints = hyperParameters.crossValidates() ? grid.size() : 0;
    int points = in.integer("cv_points", 0, MAX_CV_POINTS);
    if (points != expectedPoints) {
      throw in.fail("cv_points is " + points + " but the hyper-parameters imply " + expectedPoints);
    }
    List<CvPoint> cv = new ArrayList<>(points);
    for (int i = 0; i < points; i++) {
      String[] parts = in.field("cv").split(" ", -1);
      if (parts.length != (v1 ? 2 : 4)) {
        throw in.fail(v1 ? "expected '<lambda> <mse>' for cross-validation point " + i
            : "expected '<lambda> <l1_ratio> <max_features> <mse>' for cross-validation point " + i);
      }
      RidgeHyperParameters.Setting at = v1
          ? new RidgeHyperParameters.Setting(in.number(parts[0], "cv lambda"), 0, 0)
          : new RidgeHyperParameters.Setting(in.number(parts[0], "cv lambda"), in.number(parts[1], "cv l1_ratio"),
              in.count(parts[2], "cv max_features"));
      double mse = in.number(parts[v1 ? 1 : 3], "cv mse");
      if (!at.equals(grid.get(i)) || !(mse >= 0)) {
        throw in.fail("cross-validation point " + i + " is at " + at + " with mse " + mse
            + "; expected the grid's " + grid.get(i) + " and mse >= 0");
      }
      cv.add(new CvPoint(at, mse));
    }
    boolean onGrid = points == 0 ? chosen.equals(grid.get(0)) : cv.stream().anyMatch(c -> c.setting().equals(chosen));
    if (!onGrid) {
      throw in.fail("the fitted setting " + chosen + " is neither the fixed one nor a point of the cross-validation"
          + " grid");
    }
    in.end();
    return new LinearPayload(
        schema, target, trainingRows, names, means, stds, weights, intercept, chosen, hyperParameters, cv);
  }

  static void checkSize(int bytes) {
    if (bytes > MAX_BYTES) {
      throw new ModelLoadException(
          "linear payload is " + bytes + " bytes, more than the limit of " + MAX_BYTES + " bytes");
    }
  }

  private static void line(StringBuilder out, String key, String value) {
    out.append(key).append('=').append(value).append('\n');
  }

  private static String hex(double v) {
    String digits = Long.toHexString(Double.doubleToLongBits(v));
    return "0".repeat(16 - digits.length()) + digits;
  }

  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }

  /** Reads the lines in order; every failure names the line. */
  private static final class Reader {
    private final String[] lines;
    private int next;

    Reader(String[] lines) {
      this.lines = lines;
    }

    String field(String key) {
      if (next >= lines.length - 1) {
        // The text after the last newline is not a line; a payload that stops before 'end\n' was truncated.
        throw fail("payload ends where '" + key + "=' was expected (truncated?)");
      }
      String line = lines[next];
      if (!line.startsWith(key + "=")) {
        throw fail("expected '" + key + "=…' but found '" + abbreviate(line) + "'");
      }
      next++;
      return line.substring(key.length() + 1);
    }

    int integer(String key, int min, int max) {
      String text = field(key);
      // At most 10 digits, so the value is read without overflow before its range is checked.
      if (!text.matches("[0-9]{1,10}")) {
        throw fail(key + " is '" + abbreviate(text) + "', expected an integer in [" + min + ", " + max + "]");
      }
      long value = Long.parseLong(text);
      if (value < min || value > max) {
        throw fail(key + " is " + value + ", outside the allowed range [" + min + ", " + max + "]");
      }
      return (int) value;
    }

    int count(String text, String what) {
      if (!text.matches("[0-9]{1,4}") || Integer.parseInt(text) > MAX_FEATURES) {
        throw fail(what + " is '" + abbreviate(text) + "', expected an integer in [0, " + MAX_FEATURES + "]");
      }
      return Integer.parseInt(text);
    }

    double number(String text, String what) {
      if (!text.matches("[0-9a-f]{16}")) {
        throw fail(what + " is '" + abbreviate(text) + "', expected 16 lower-case hex digits");
      }
      double v = Double.longBitsToDouble(Long.parseUnsignedLong(text, 16));
      if (!Double.isFinite(v)) {
        throw fail(what + " is " + v + ", expected a finite number");
      }
      return v;
    }

    String unescape(String text, String what, int maxLength) {
      StringBuilder out = new StringBuilder(Math.min(text.length(), 1024));
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '\r') {
          throw fail(what + " contains an unescaped carriage return");
        }
        if (c != '\\') {
          out.append(c);
          continue;
        }
        if (++i == text.length()) {
          throw fail(what + " ends with a lone backslash");
        }
        switch (text.charAt(i)) {
          case '\\' -> out.append('\\');
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          default -> throw fail(what + " has an unknown escape '\\" + text.charAt(i) + "'");
        }
      }
      if (out.length() > maxLength) {
        throw fail(what + " is " + out.length() + " characters long, more than " + maxLength);
      }
      return out.toString();
    }

    void end() {
      if (next >= lines.length - 1) {
        throw fail("payload ends where 'end' was expected (truncated?)");
      }
      if (!lines[next].equals("end")) {
        throw fail("expected 'end' but found '" + abbreviate(lines[next]) + "'");
      }
      next++;
      if (next != lines.length - 1 || !lines[next].isEmpty()) {
        throw fail("unexpected text after 'end'");
      }
    }

    ModelLoadException fail(String problem) {
      return new ModelLoadException("linear payload, line " + Math.min(next + 1, lines.length) + ": " + problem);
    }
  }
}
