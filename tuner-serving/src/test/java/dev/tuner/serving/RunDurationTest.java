package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunDurationTest {
  @Test
  void oneRequestTakesItsOwnTime() {
    assertThat(new RunDuration(n -> 0.5, 8).seconds(1, 2)).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void requestsThatNeverOverlapEndOneE2EAfterTheLastArrival() {
    // 3 requests 1 s apart, each 0.5 s alone: the last arrives at 2 s and ends at 2.5 s
    assertThat(new RunDuration(n -> n == 1 ? 0.5 : 99, 8).seconds(3, 1)).isCloseTo(2.5, within(1e-12));
  }

  @Test
  void overlappingRequestsShareTheIterationsAndEndInTheOrderTheyCame() {
    // one request takes 1 s alone and 1.5 s beside another; the second arrives at 0.5 s, when the first has done half
    // its work. Together each does 1/1.5 of its work per second: the first's half takes 0.75 s (it ends at 1.25 s),
    // in which the second does half of its own; alone again, its other half takes 0.5 s: 1.75 s in all
    RunDuration run = new RunDuration(n -> n <= 1 ? 1 : 1.5, 8);
    assertThat(run.seconds(2, 2)).isCloseTo(1.75, within(1e-12));
  }

  @Test
  void requestsBeyondTheCapacityWaitForASlot() {
    // 4 requests at once (a rate far above the service), 2 slots, each 1 s whatever runs beside it: two rounds
    assertThat(new RunDuration(n -> 1, 2).seconds(4, 1e12)).isCloseTo(2, within(1e-9));
    // a third of a slot is room for a third of a request: the queue splits a cohort to fill what frees
    assertThat(new RunDuration(n -> 1, 1.5).seconds(3, 1e12)).isCloseTo(2, within(1e-9));
  }

  @Test
  void aLongRunIsCutIntoCohortsWhoseLastMemberArrivesLast() {
    // 640 requests at 32/s, each 0.25 s beside its cohort and never overlapping the next: 64 cohorts of 10 arrive at
    // their members' mean, 10 j / 32 + 9 / 64 s, 0.3125 s apart, and the run ends a quarter second after its last
    // member arrives, at 639/32 s
    RunDuration run = new RunDuration(n -> n <= 10 ? 0.25 : 99, 1000);
    assertThat(run.seconds(640, 32)).isCloseTo(639.0 / 32 + 0.25, within(1e-9));
  }

  /**
   * A faster device (every E2E shorter), a higher rate or a larger capacity never makes the run longer, over
   * E2E(n) = a + b·n, which serves more per second with more running, as {@link Composer#continuous} does.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void neverLongerOnAFasterDeviceAtAHigherRateOrWithMoreRoom(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 200; i++) {
      double a = 0.1 + random.nextDouble() * 20;
      double b = random.nextDouble() * a / 10;
      double capacity = 1 + random.nextInt(400);
      double prompts = 1 + random.nextInt(3000);
      double rate = 0.05 + random.nextDouble() * 100;
      double base = new RunDuration(n -> a + b * n, capacity).seconds(prompts, rate);
      assertThat(new RunDuration(n -> (a + b * n) / 1.5, capacity).seconds(prompts, rate))
          .isLessThanOrEqualTo(base * (1 + 1e-12));
      assertThat(new RunDuration(n -> a + b * n, capacity).seconds(prompts, rate * 1.5))
          .isLessThanOrEqualTo(base * (1 + 1e-9));
      assertThat(new RunDuration(n -> a + b * n, capacity * 1.5).seconds(prompts, rate))
          .as("capacity").isLessThanOrEqualTo(base * (1 + 1e-9));
    }
  }
}
