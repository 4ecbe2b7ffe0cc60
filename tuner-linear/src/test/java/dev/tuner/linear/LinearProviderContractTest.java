package dev.tuner.linear;

import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingSet;
import dev.tuner.testkit.ModelProviderContract;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The ridge provider keeps the plugin contract of tuner-plugin-testkit. */
class LinearProviderContractTest extends ModelProviderContract {
  private static final TrainingSet DATA = Synthetic.linear(7, 120, 0.3, new double[] {1.0, -2.0, 0.5, 0.25}, 0.1);
  private static final TrainedModel TRAINED = Synthetic.train(DATA, 3, Map.of("lambda_steps", "4"));

  @Override
  protected ModelProvider provider() {
    return new LinearProvider();
  }

  @Override
  protected ModelPayload validPayload() {
    return new ModelPayload(TRAINED.model().info(), TRAINED.payload(), DATA.layout());
  }

  @Override
  protected List<byte[]> invalidPayloads() {
    byte[] good = TRAINED.payload();
    byte[] junk = new byte[good.length];
    Arrays.fill(junk, (byte) 0x7f);
    return List.of(Arrays.copyOf(good, 4), junk);
  }

  @Override
  protected Map<String, String> trainingHyperParameters() {
    return Map.of("lambda_steps", "4");
  }
}
