package dev.tuner.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.FeatureLayout;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.OutputKind;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TunerApi;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract passes a provider that keeps it and fails each way a provider can break it. */
class ModelProviderContractTest {
  private static final FeatureLayout LAYOUT = TestLayouts.layout("contract-test", "a", "b", "c");

  /** A provider whose payload is one double, the constant it predicts; {@code flaw} breaks one promise. */
  private static final class Constant implements ModelProvider {
    private final String flaw;

    Constant(String flaw) {
      this.flaw = flaw;
    }

    @Override
    public String id() {
      return "constant";
    }

    @Override
    public String version() {
      return "1.0.0";
    }

    @Override
    public String requiredApiVersion() {
      return flaw.equals("future api") ? "1.99" : TunerApi.VERSION;
    }

    @Override
    public ThroughputModel load(ModelPayload payload) {
      byte[] b = payload.bytes();
      if (b.length != Double.BYTES) {
        if (flaw.equals("wrong exception")) {
          throw new IllegalArgumentException("length " + b.length);
        }
        throw new ModelLoadException("constant payload is 8 bytes, not " + b.length);
      }
      double value = ByteBuffer.wrap(b).getDouble();
      ModelInfo d = payload.info();
      int width = flaw.equals("wrong width") ? d.featureCount() + 1 : d.featureCount();
      String providerId = flaw.equals("other provider id") ? "acme-half" : d.providerId();
      ModelInfo info = new ModelInfo(d.modelId(), providerId, d.schema(), d.outputKind(), width);
      return new ThroughputModel() {
        private double last;

        @Override
        public ModelInfo info() {
          return info;
        }

        @Override
        public double predict(float[] features) {
          if (flaw.equals("shared state")) {
            // a field written and read back by every caller: right alone, wrong when threads interleave
            last = value + features[0];
            Thread.yield();
            return last;
          }
          if (flaw.equals("nan")) {
            return features[1] > 0.5f ? Double.NaN : value;
          }
          return value + features[0];
        }
      };
    }
  }

  private static final class Contract extends ModelProviderContract {
    private final String flaw;

    Contract(String flaw) {
      this.flaw = flaw;
    }

    @Override
    protected ModelProvider provider() {
      return flaw.equals("registered") ? new RegisteredProvider() : new Constant(flaw);
    }

    @Override
    protected ModelPayload validPayload() {
      return TestLayouts.payload(LAYOUT, "c1", "constant", OutputKind.LOG_ROOFLINE_FRACTION,
          ByteBuffer.allocate(Double.BYTES).putDouble(-0.5).array());
    }

    @Override
    protected List<byte[]> invalidPayloads() {
      return List.of(new byte[3], new byte[9]);
    }

    // Constant is a test double, listed in no services file: only these two cases claim the host loads it
    @Override
    protected boolean loadedByTheHost() {
      return flaw.equals("registered") || flaw.equals("unregistered");
    }
  }

  @Test
  void aProviderThatKeepsTheContractPassesEveryCheck() {
    Contract c = new Contract("none");
    assertThatCode(() -> {
      c.theProviderIsWellFormed();
      c.theValidPayloadLoadsIntoAModelOfItsSchemaAndWidth();
      c.predictionsAreFiniteAndABatchAgreesWithSingleCalls();
      c.aPayloadRoundTripsToAModelThatPredictsTheSame();
      c.invalidPayloadsAreRefusedWithAModelLoadException();
      c.damagedPayloadsAreRefusedOrStillPredictFiniteValues();
      c.concurrentPredictionsEqualSequentialOnes();
      c.aBuiltInModelReadsTheLayoutItWasGiven();
    }).doesNotThrowAnyException();
  }

  @Test
  void eachBrokenPromiseFailsItsCheck() {
    assertThatThrownBy(() -> new Contract("future api").theProviderIsWellFormed()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("required API 1.99");
    assertThatThrownBy(() -> new Contract("wrong width").theValidPayloadLoadsIntoAModelOfItsSchemaAndWidth())
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> new Contract("nan").predictionsAreFiniteAndABatchAgreesWithSingleCalls())
        .isInstanceOf(AssertionError.class).hasMessageContaining("finite");
    assertThatThrownBy(() -> new Contract("wrong exception").invalidPayloadsAreRefusedWithAModelLoadException())
        .isInstanceOf(AssertionError.class).hasMessageContaining("invalid payload 0");
    assertThatThrownBy(() -> new Contract("wrong exception").damagedPayloadsAreRefusedOrStillPredictFiniteValues())
        .isInstanceOf(AssertionError.class).hasMessageContaining("IllegalArgumentException");
  }

  @Test
  void aProviderMissingFromItsServicesFileFailsNamingTheFile() {
    assertThatThrownBy(() -> new Contract("unregistered").theServiceLoaderFindsTheProvider())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("META-INF/services/dev.tuner.api.ModelProvider")
        .hasMessageContaining(Constant.class.getName());
  }

  /** This module's test resources list {@link RegisteredProvider}, as a plugin's main resources list its own. */
  @Test
  void aRegisteredProviderIsFound() {
    assertThatCode(() -> new Contract("registered").theServiceLoaderFindsTheProvider()).doesNotThrowAnyException();
  }

  @Test
  void aTestDoubleNoHostLoadsSkipsTheRegistrationCheck() {
    assertThatThrownBy(() -> new Contract("none").theServiceLoaderFindsTheProvider())
        .isInstanceOf(org.opentest4j.TestAbortedException.class).hasMessageContaining("loadedByTheHost()");
  }

  @Test
  void aWrongModelInfoNamesThePropertyThatDiffers() {
    assertThatThrownBy(() -> new Contract("wrong width").theValidPayloadLoadsIntoAModelOfItsSchemaAndWidth())
        .isInstanceOf(AssertionError.class).hasMessageContaining("feature count").hasMessageContaining("width");
    assertThatThrownBy(() -> new Contract("other provider id").theValidPayloadLoadsIntoAModelOfItsSchemaAndWidth())
        .isInstanceOf(AssertionError.class).hasMessageContaining("provider id").hasMessageContaining("acme-half");
  }

  @Test
  void aModelWiderThanItsLayoutFailsOnTheWidthNotInsidePredictBatch() {
    assertThatThrownBy(() -> new Contract("wrong width").predictionsAreFiniteAndABatchAgreesWithSingleCalls())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("model reports featureCount 4 but the layout has 3 slots");
  }

  @Test
  void aNanInTheRoundTripIsReportedAsNotFinite() {
    assertThatThrownBy(() -> new Contract("nan").aPayloadRoundTripsToAModelThatPredictsTheSame())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("a first load of the valid payload predicts NaN for row")
        .hasMessageContaining("must be finite");
  }

  /** Interleaving is up to the scheduler, so the racy model is run until the race shows, a bounded number of times. */
  @Test
  void aModelWithSharedMutableStateFailsTheConcurrencyCheckNamingThreadAndRow() throws Exception {
    Contract racy = new Contract("shared state");
    AssertionError caught = null;
    for (int attempt = 0; attempt < 50 && caught == null; attempt++) {
      try {
        racy.concurrentPredictionsEqualSequentialOnes();
      } catch (AssertionError e) {
        caught = e;
      }
    }
    assertThat(caught).as("the race was seen in 50 runs").isNotNull();
    assertThat(caught.getMessage()).containsPattern("thread \\d+ of 8, row \\d+ \\(the first that differs\\)")
        .contains("concurrent calls predicted", "a call alone");
  }
}
