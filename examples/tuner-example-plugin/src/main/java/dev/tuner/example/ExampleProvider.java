package dev.tuner.example;

import dev.tuner.api.FeatureLayout;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Properties;

/**
 * An example third-party model plugin: a fixed fraction of the roofline per phase. tuner finds it with
 * {@link java.util.ServiceLoader} through {@code META-INF/services/dev.tuner.api.ModelProvider}, and a user selects
 * it by its id, {@value #ID}, in the configuration ({@code model: example-efficiency}).
 *
 * <p>It needs a public no-argument constructor that does no work: tuner instantiates every provider it finds, even
 * those it will not use.
 */
public final class ExampleProvider implements ModelProvider {
  public static final String ID = "example-efficiency";
  /** The one feature this plugin reads: 1 for a prefill scenario, 0 for decode. Its slot comes from the schema. */
  static final String IS_PREFILL = "is_prefill";
  /** Decode reaches about 70% of the memory roof in well-tuned engines; prefill about 40% of the compute roof. */
  static final double DECODE_EFFICIENCY = 0.7;
  static final double PREFILL_EFFICIENCY = 0.4;

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
  public String description() {
    return "example plugin: a fixed fraction of the roofline per phase";
  }

  /**
   * The analytic model, offered for any schema with an {@value #IS_PREFILL} feature. The plugin cannot see
   * tuner-core, so it reads the slot and the width from the layout the host gives it rather than hard-coding them.
   */
  @Override
  public Optional<ThroughputModel> builtInModel(FeatureLayout layout) {
    if (!layout.has(IS_PREFILL)) {
      return Optional.empty();
    }
    return Optional.of(new EfficiencyModel(
        new ModelInfo(ID + "-builtin", ID, layout.schema(), OutputKind.LOG_ROOFLINE_FRACTION, layout.width()),
        layout.slot(IS_PREFILL), DECODE_EFFICIENCY, PREFILL_EFFICIENCY));
  }

  /**
   * Loads a model from an artifact's payload: two lines of text, {@code decode_efficiency=…} and
   * {@code prefill_efficiency=…}. The bytes come from a file a user supplied, so every value is checked and nothing
   * is deserialized as Java objects.
   */
  @Override
  public ThroughputModel load(ModelPayload payload) {
    ModelInfo info = payload.info();
    if (!ID.equals(info.providerId()) || info.outputKind() != OutputKind.LOG_ROOFLINE_FRACTION
        || !payload.layout().has(IS_PREFILL)) {
      throw new ModelLoadException(ID + " models are log roofline fractions of provider " + ID
          + " over a schema with an " + IS_PREFILL + " feature; this one is " + info.providerId() + "'s "
          + info.outputKind().id() + " over " + info.schema());
    }
    if (payload.size() > 1024) {
      throw new ModelLoadException(ID + " payload is " + payload.size() + " bytes; at most 1024 expected");
    }
    Properties p = new Properties();
    try {
      p.load(new InputStreamReader(new ByteArrayInputStream(payload.bytes()), StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      throw new ModelLoadException(ID + " payload is not key=value text: " + e.getMessage(), e);
    }
    return new EfficiencyModel(info, payload.layout().slot(IS_PREFILL), efficiency(p, "decode_efficiency"),
        efficiency(p, "prefill_efficiency"));
  }

  private static double efficiency(Properties p, String key) {
    String text = p.getProperty(key);
    if (text == null) {
      throw new ModelLoadException(ID + " payload has no " + key);
    }
    try {
      return InvalidInputException.requireInRange(key, Double.parseDouble(text.trim()), 1e-6, 1, "of the roofline");
    } catch (NumberFormatException e) {
      throw new ModelLoadException(ID + " payload: " + key + " = \"" + text + "\" is not a number");
    } catch (InvalidInputException e) {
      throw new ModelLoadException(ID + " payload: " + e.getMessage());
    }
  }
}
