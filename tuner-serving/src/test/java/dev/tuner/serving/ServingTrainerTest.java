package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ServingTrainerTest {
  @Test
  void theFitSearchesSixCoordinatesAndLearnsNoLatencyPerRequest() {
    // logs of the times and logits of the shares; a share's logit 0 is the middle of its range:
    // 0.01 + 0.99 / (1 + e^0) = 0.01 + 0.495 = 0.505
    double[] x = {Math.log(0.002), Math.log(1e-5), 0, 0, 0, 0};
    EngineTerms t = ServingTrainer.terms(x);
    assertThat(t.overheadS()).isCloseTo(0.002, within(1e-15));
    assertThat(t.perSequenceS()).isCloseTo(1e-5, within(1e-18));
    assertThat(t.bandwidthEff()).isCloseTo(0.505, within(1e-12));
    assertThat(t.interconnectEff()).isCloseTo(0.505, within(1e-12));
    // no coordinate for a latency per request: the front end's milliseconds cannot be told apart from the
    // composition's other misses in a TTFT of seconds, so the fit would push it to any cap
    assertThat(t.requestS()).isZero();
    assertThat(ServingTrainer.vector(t)).hasSize(6);
    assertThat(ServingTrainer.START.requestS()).isZero();
    assertThat(ServingTrainer.terms(ServingTrainer.vector(ServingTrainer.START)).computeEff())
        .isCloseTo(0.6, within(1e-9));
  }
}
