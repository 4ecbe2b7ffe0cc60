package dev.tuner.core.plugin.testing;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.OutputKind;
import dev.tuner.api.SchemaRef;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import dev.tuner.core.schema.FeatureSchemas;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A well-behaved provider that exists only on tuner-core's test class path (registered in
 * {@code src/test/resources/META-INF/services}). Its built-in model predicts half of the roofline, as a log
 * fraction; its artifacts carry the constant raw output as UTF-8 text.
 */
public final class ConstantProvider implements ModelProvider {
  public static final String ID = "test-constant";
  public static final String MODEL_ID = "test-constant-half";
  /** ln 0.5: the built-in model predicts 50% of the roofline. */
  public static final double LOG_HALF = Math.log(0.5);

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String version() {
    return "1.0.0";
  }

  @Override
  public String requiredApiVersion() {
    return TunerApi.VERSION;
  }

  @Override
  public Optional<ThroughputModel> builtInModel(SchemaRef schema) {
    int width = FeatureSchemas.byId(schema.id()).width();
    return Optional.of(new ConstantModel(
        new ModelInfo(MODEL_ID, ID, schema, OutputKind.LOG_ROOFLINE_FRACTION, width), LOG_HALF));
  }

  @Override
  public ThroughputModel load(ModelPayload payload) {
    String text = new String(payload.bytes(), StandardCharsets.UTF_8).trim();
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new ModelLoadException("test-constant payload \"" + text + "\" is not a number");
    }
    InvalidInputException.requireInRange("test-constant value", value, -Double.MAX_VALUE, Double.MAX_VALUE, "");
    return new ConstantModel(payload.info(), value);
  }

  /** The payload {@link #load} reads back as {@code value}. */
  public static byte[] payload(double value) {
    return Double.toString(value).getBytes(StandardCharsets.UTF_8);
  }
}
