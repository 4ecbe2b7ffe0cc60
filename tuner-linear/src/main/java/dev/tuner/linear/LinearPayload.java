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
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * Everything a linear model is made of, and its versioned text form. The form is UTF-8 lines {@code key=value}
 * in a fixed order, ending with {@code end} and a newline, so that any truncation is detected. Doubles are the 16
 * lower-case hex digits of {@link Double#doubleToLongBits}, so a model reloads bit for bit; names are escaped
 * ({@code \\}, {@code \n}, {@code \r}). Version 1:
 *
 * <pre>
 * format=tuner-linear
 * version=1
 * schema_id=&lt;escaped id&gt;
 * schema_hash=&lt;64 hex&gt;
 * target=&lt;output kind id&gt;
 * training_rows=&lt;int&gt;
 * features=&lt;int&gt;
 * feature=&lt;mean&gt; &lt;std&gt; &lt;weight&gt; &lt;escaped name&gt;     (features times; raw-space weight)
 * intercept=&lt;hex&gt;
 * lambda=&lt;hex&gt;                                           (the λ the model was fitted with)
 * hp.lambda=… hp.folds=… hp.lambda_min=… hp.lambda_max=… hp.lambda_steps=…   (one line each, this order)
 * cv_points=&lt;int&gt;                                        (0 when λ was fixed)
 * cv=&lt;lambda hex&gt; &lt;mean squared error hex&gt;                (cv_points times)
 * end
 * </pre>
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
    double lambda,
    RidgeHyperParameters hyperParameters,
    List<CvPoint> cv) {

  static final String FORMAT = "tuner-linear";
  static final int VERSION = 1;
  static final int MAX_FEATURES = 4096;
  static final int MAX_NAME_LENGTH = 256;
  /** Far above the largest valid payload (4096 features with the longest names), far below harm. */
  static final int MAX_BYTES = 16 << 20;

  /** Mean squared error of cross-validation at one λ of the grid. */
  record CvPoint(double lambda, double mse) {}

  LinearPayload {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(target, "target");
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

  /** The model-info properties: hyper-parameters as used, the fitted λ, the CV curve and the dropped features. */
  Map<String, String> properties() {
    Map<String, String> props = new LinkedHashMap<>(hyperParameters.toMap());
    props.put("chosen_lambda", Double.toString(lambda));
    props.put("training_rows", Integer.toString(trainingRows));
    props.put("dropped_features", String.join(",", droppedFeatures()));
    if (!cv.isEmpty()) {
      props.put(
          "cv_mse",
          cv.stream()
              .map(c -> String.format(Locale.ROOT, "%.3g:%.4g", c.lambda(), c.mse()))
              .collect(Collectors.joining(" ")));
    }
    return props;
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
    line(out, "lambda", hex(lambda));
    hyperParameters.toMap().forEach((k, v) -> line(out, "hp." + k, v));
    line(out, "cv_points", Integer.toString(cv.size()));
    for (CvPoint c : cv) {
      line(out, "cv", hex(c.lambda()) + " " + hex(c.mse()));
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
    if (version != VERSION) {
      throw in.fail("payload version " + version + " is not supported; this provider reads version " + VERSION);
    }
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
    Map<String, String> hp = new LinkedHashMap<>();
    for (String key : RidgeHyperParameters.STORED_KEYS) {
      hp.put(key, in.field("hp." + key));
    }
    RidgeHyperParameters hyperParameters;
    try {
      hyperParameters = RidgeHyperParameters.parse(hp);
    } catch (InvalidInputException e) {
      throw in.fail("hyper-parameter " + e.getMessage());
    }
    OptionalDouble fixed = hyperParameters.lambda();
    int expectedPoints = fixed.isPresent() ? 0 : hyperParameters.lambdaSteps();
    int points = in.integer("cv_points", 0, RidgeHyperParameters.MAX_STEPS);
    if (points != expectedPoints) {
      throw in.fail("cv_points is " + points + " but the hyper-parameters imply " + expectedPoints);
    }
    List<CvPoint> cv = new ArrayList<>(points);
    boolean lambdaOnGrid = false;
    for (int i = 0; i < points; i++) {
      String[] parts = in.field("cv").split(" ", -1);
      if (parts.length != 2) {
        throw in.fail("expected '<lambda> <mse>' for cross-validation point " + i);
      }
      CvPoint c = new CvPoint(in.number(parts[0], "cv lambda"), in.number(parts[1], "cv mse"));
      if (!(c.lambda() > 0) || c.mse() < 0) {
        throw in.fail("cross-validation point " + i + " has lambda " + c.lambda() + " and mse " + c.mse()
            + "; expected lambda > 0 and mse >= 0");
      }
      lambdaOnGrid |= c.lambda() == lambda;
      cv.add(c);
    }
    if (fixed.isPresent() ? lambda != fixed.getAsDouble() : !lambdaOnGrid) {
      throw in.fail("lambda " + lambda + " is neither the fixed lambda nor a point of the cross-validation grid");
    }
    in.end();
    return new LinearPayload(
        schema, target, trainingRows, names, means, stds, weights, intercept, lambda, hyperParameters, cv);
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
