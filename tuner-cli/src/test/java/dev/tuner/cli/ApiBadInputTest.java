package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.config.DirectWiring;
import dev.tuner.core.config.TunerConfig;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import dev.tuner.serving.EngineDefaults;
import dev.tuner.serving.EngineKind;
import dev.tuner.serving.ServingPredictor;
import dev.tuner.serving.ServingTermsCodec;
import dev.tuner.serving.StepPhysics;
import org.junit.jupiter.api.Test;

/**
 * What an embedder passing nothing or nonsense through the library gets: one InvalidInputException naming the
 * argument and what it must be, as the command line gives, never a NullPointerException from inside.
 */
class ApiBadInputTest {
  private static final DirectWiring TUNER = new DirectWiring(TunerConfig.defaults());

  @Test
  void missingArgumentsAreNamed() {
    Predictor predictor = TUNER.predictor();
    assertThatThrownBy(() -> predictor.predict(null)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("scenario = missing is invalid");
    Scenario s = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(TUNER.catalog());
    assertThatThrownBy(() -> predictor.predict(s, -1)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("topFeatures = -1 is invalid");
    assertThatThrownBy(() -> TUNER.catalog().device(null)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("device = missing is invalid").hasMessageContaining("tuner catalog devices");
    assertThatThrownBy(() -> TUNER.catalog().model(" ")).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("model = blank is invalid");
    ServingPredictor serving = new ServingPredictor(new StepPhysics(TUNER.roofline()), ServingTermsCodec.shipped());
    assertThatThrownBy(() -> serving.predict(null)).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("serving scenario = missing is invalid");
    assertThatThrownBy(() -> EngineDefaults.shipped().engine((EngineKind) null, "", ""))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("engine = missing is invalid")
        .hasMessageContaining("vllm");
  }
}
