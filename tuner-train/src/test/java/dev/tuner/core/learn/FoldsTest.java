package dev.tuner.core.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuner.core.Fixtures;
import dev.tuner.core.data.Dataset;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FoldsTest {
  /** The shipped measurements, then every row again (what {@code --data D --data D} read before it was refused). */
  private static String doubled() throws Exception {
    try (InputStream in = FoldsTest.class.getClassLoader().getResourceAsStream("dev/tuner/data/measurements.csv")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> lines = new ArrayList<>(text.lines().toList());
      lines.addAll(lines.subList(1, lines.size()));
      return String.join("\n", lines) + "\n";
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 42, 2026})
  void identicalRowsAlwaysShareAFold(long seed) throws Exception {
    Dataset.Prepared p = Dataset.load(new StringReader(doubled()), "d.csv", Fixtures.CATALOG,
        new Roofline(Fixtures.CATALOG), Dataset.Options.defaults());
    assertThat(p.repeats()).hasSize(p.examples().size() / 2);
    assertThat(p.summary()).contains(p.examples().size() / 2 + " used row(s) repeat an earlier row exactly");
    Encoded data = new Encoded(FeatureSchemas.tunerV1(), p.examples());
    int half = data.rows() / 2;
    Folds folds = Folds.of("5", data, seed);
    int[] foldOf = new int[data.rows()];
    for (int f = 0; f < folds.count(); f++) {
      for (int i : folds.testSets().get(f)) {
        foldOf[i] = f;
      }
    }
    assertThat(IntStream.range(0, half).filter(i -> foldOf[i] != foldOf[i + half]).toArray()).isEmpty();
    // the folds still cover every row once and stay near the even split
    assertThat(folds.testSets().stream().mapToInt(s -> s.length).sum()).isEqualTo(data.rows());
    assertThat(folds.testSets()).allSatisfy(s -> assertThat(s.length).isBetween(data.rows() / 5 - 40,
        data.rows() / 5 + 40));
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 7})
  void withoutRepeatsTheSplitIsThePlainShuffledOne(int k) {
    int rows = 50;
    int[] perm = Folds.permutation(rows, 9);
    Folds folds = Folds.kFold(k, rows, 9);
    for (int f = 0; f < k; f++) {
      int[] expected = Arrays.copyOfRange(perm, rows * f / k, rows * (f + 1) / k);
      Arrays.sort(expected);
      assertThat(folds.testSets().get(f)).containsExactly(expected);
    }
  }
}
