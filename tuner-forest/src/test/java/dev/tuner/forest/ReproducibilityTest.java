package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.api.TrainedModel;
import dev.tuner.api.TrainingOptions;
import dev.tuner.api.TrainingSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReproducibilityTest {
  private final TrainingSet data = Synthetic.nonlinear(250, 3);
  private final Map<String, String> hp = Map.of("trees", "20", "max_nodes", "60");

  @Test
  void sameSeedGivesIdenticalPayloadsWithOneOrTwoThreads() {
    byte[] one = train(7, 1).payload();
    byte[] two = train(7, 2).payload();
    byte[] twoAgain = train(7, 2).payload();

    assertThat(two).isEqualTo(one);
    assertThat(twoAgain).isEqualTo(one);
  }

  @Test
  void differentSeedGivesADifferentForest() {
    assertThat(train(8, 2).payload()).isNotEqualTo(train(7, 2).payload());
  }

  @Test
  void reportsProgressOncePerTreeUnderTaskForest() {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    var options = new TrainingOptions(1, hp, 2, (task, done, total) -> events.add(task + " " + done + "/" + total));

    new ForestTrainer().train(data, options);

    List<String> expected = new ArrayList<>();
    for (int t = 1; t <= 20; t++) {
      expected.add("forest " + t + "/20");
    }
    assertThat(events).containsExactlyElementsOf(expected);
  }

  @Test
  void treeSeedsAreDistinctAndAboveOne() {
    long[] seeds = ForestTrainer.treeSeeds(42, 3000);
    assertThat(seeds).doesNotHaveDuplicates();
    assertThat(Arrays.stream(seeds)).allMatch(s -> s > 1 && s < ForestTrainer.SMILE_SEED_MODULUS);
    assertThat(ForestTrainer.treeSeeds(42, 3000)).isEqualTo(seeds);
  }

  private TrainedModel train(long seed, int threads) {
    return new ForestTrainer().train(data, Synthetic.options(seed, threads, hp));
  }
}
