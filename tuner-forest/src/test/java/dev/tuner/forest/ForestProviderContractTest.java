package dev.tuner.forest;

import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingSet;
import dev.tuner.testkit.ModelProviderContract;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The forest provider keeps the plugin contract of tuner-plugin-testkit. */
class ForestProviderContractTest extends ModelProviderContract {
  private static final TrainingSet DATA = Synthetic.nonlinear(200, 11);
  private static final TrainedModel TRAINED =
      new ForestProvider().trainer().orElseThrow().train(DATA, Synthetic.options(5, 1, Synthetic.small()));

  @Override
  protected ModelProvider provider() {
    return new ForestProvider();
  }

  @Override
  protected ModelPayload validPayload() {
    return new ModelPayload(TRAINED.model().info(), TRAINED.payload(), DATA.layout());
  }

  @Override
  protected List<byte[]> invalidPayloads() {
    byte[] wrongMagic = TRAINED.payload();
    wrongMagic[0] = 'X';
    return List.of(wrongMagic, Arrays.copyOf(TRAINED.payload(), 4));
  }

  @Override
  protected Map<String, String> trainingHyperParameters() {
    return Synthetic.small();
  }
}
