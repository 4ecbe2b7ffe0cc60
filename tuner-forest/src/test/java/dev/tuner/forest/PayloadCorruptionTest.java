package dev.tuner.forest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tuner.api.IncompatibleModelException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ModelLoadException;
import dev.tuner.api.ModelPayload;
import dev.tuner.api.ThroughputModel;
import dev.tuner.api.TrainedModel;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Untrusted payloads: every defect must surface as a {@link ModelLoadException} with a specific message. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PayloadCorruptionTest {
  private final ForestProvider provider = new ForestProvider();
  private final TrainedModel trained = new ForestTrainer()
      .train(Synthetic.nonlinear(60, 5), Synthetic.options(1, 1, Map.of("trees", "3", "max_nodes", "6")));
  private final ModelInfo info = trained.model().info();
  private final byte[] good = trained.payload();

  @Test
  void theUncorruptedPayloadLoads() {
    assertThat(provider.load(new ModelPayload(info, good)).info()).isEqualTo(info);
  }

  @Test
  void truncationAtEveryOffsetIsRefused() {
    for (int length = 0; length < good.length; length++) {
      assertRefused(Arrays.copyOf(good, length));
    }
  }

  @Test
  void randomBytesAreRefused() {
    var rng = new SplittableRandom(99);
    for (int k = 0; k < 500; k++) {
      byte[] junk = new byte[rng.nextInt(3000)];
      rng.nextBytes(junk);
      if (k % 2 == 0 && junk.length >= 8) {
        // Past the magic and version, so the random bytes reach the counts and arrays.
        System.arraycopy(good, 0, junk, 0, 8);
      }
      assertRefused(junk);
    }
  }

  @Test
  void everySingleByteChangeIsRefusedOrStillGivesAValidModel() {
    var rng = new SplittableRandom(7);
    float[] x = Synthetic.nonlinear(1, 8).row(0);
    for (int offset = 0; offset < good.length; offset++) {
      byte[] bad = good.clone();
      bad[offset] ^= (byte) (1 + rng.nextInt(255));
      Throwable thrown = catchThrowable(() -> {
        ThroughputModel m = provider.load(new ModelPayload(info, bad));
        assertThat(m.predict(x)).isFinite();
      });
      if (thrown != null) {
        assertThat(thrown).as("offset %d", offset).isInstanceOf(ModelLoadException.class);
      }
    }
  }

  @Test
  void aHugeNodeCountInASmallPayloadIsRefusedBeforeAllocating() {
    byte[] bad = header(out -> {
      writeInt(out, 3);
      writeInt(out, 49_000_000);
    });
    assertThat(bad.length).isLessThan(4096);
    assertThatThrownBy(() -> load(bad))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("node count is 49000000")
        .hasMessageContaining("remain");
  }

  @Test
  void countsOutOfRangeAreRefusedWithTheirName() {
    assertThatThrownBy(() -> load(header(out -> writeInt(out, 10_001))))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("tree count is 10001");
    assertThatThrownBy(() -> load(header(out -> {
          writeInt(out, 3);
          writeInt(out, 50_000_001);
        })))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("node count is 50000001");
    byte[] manyFeatures = good.clone();
    manyFeatures[8] = 0x7f;
    assertThatThrownBy(() -> load(manyFeatures))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("feature count is");
  }

  @Test
  void aNaNLeafIsRefused() {
    byte[] bad = rewrite(f -> f.value[firstLeaf(f)] = Double.NaN);
    assertThatThrownBy(() -> load(bad))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("value NaN");
  }

  @Test
  void aChildPointingBackwardsIsRefused() {
    byte[] bad = rewrite(f -> f.right[f.roots[1]] = f.roots[1] - 1);
    assertThatThrownBy(() -> load(bad))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected a later node of the same tree");
  }

  @Test
  void aChildInAnotherTreeOrSharedByTwoParentsIsRefused() {
    assertThatThrownBy(() -> load(rewrite(f -> f.right[0] = f.roots[1])))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("expected a later node of the same tree");
    assertThatThrownBy(() -> load(rewrite(f -> f.right[0] = f.left[0])))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("two parents");
  }

  @Test
  void aSplitOnAMissingFeatureOrANonFiniteThresholdIsRefused() {
    assertThatThrownBy(() -> load(rewrite(f -> f.feature[0] = Synthetic.WIDTH)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("splits on feature 42");
    assertThatThrownBy(() -> load(rewrite(f -> f.threshold[0] = Float.POSITIVE_INFINITY)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("threshold Infinity");
  }

  @Test
  void headerProblemsAreNamed() {
    byte[] magic = good.clone();
    magic[0] = 'X';
    assertThatThrownBy(() -> load(magic)).isInstanceOf(ModelLoadException.class).hasMessageContaining("magic");
    byte[] version = good.clone();
    version[7] = 9;
    assertThatThrownBy(() -> load(version))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("format version 9");
    byte[] trailing = Arrays.copyOf(good, good.length + 3);
    assertThatThrownBy(() -> load(trailing))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("3 unexpected bytes");
  }

  @Test
  void theFeatureCountMustMatchTheDeclaredInfo() {
    var narrower = new ModelInfo(info.modelId(), "forest", info.schema(), info.outputKind(), 41);
    assertThatThrownBy(() -> provider.load(new ModelPayload(narrower, good)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("42 features but the model info declares 41");
  }

  @Test
  void anotherProvidersModelIsRefused() {
    var foreign = new ModelInfo(info.modelId(), "linear", info.schema(), info.outputKind(), info.featureCount());
    assertThatThrownBy(() -> provider.load(new ModelPayload(foreign, good)))
        .isInstanceOf(IncompatibleModelException.class)
        .hasMessageContaining("linear");
  }

  @Test
  void invalidHyperParametersInThePayloadAreRefused() {
    ForestPayload.Contents c = ForestPayload.read(good, Synthetic.WIDTH);
    FlatForest f = c.forest();
    var twoTrees = new FlatForest(f.featureCount, Arrays.copyOf(f.roots, 2), Arrays.copyOf(f.feature, f.roots[2]),
        Arrays.copyOf(f.threshold, f.roots[2]), Arrays.copyOf(f.left, f.roots[2]), Arrays.copyOf(f.right, f.roots[2]),
        Arrays.copyOf(f.value, f.roots[2]));
    byte[] bad = ForestPayload.write(new ForestPayload.Contents(c.featureNames(), c.hyperParameters(), c.properties(), twoTrees));
    assertThatThrownBy(() -> load(bad))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("holds 2 trees but its hyper-parameters say trees = 3");
    assertThatCode(() -> ForestPayload.read(good, Synthetic.WIDTH)).doesNotThrowAnyException();
  }

  private ThroughputModel load(byte[] bytes) {
    return provider.load(new ModelPayload(info, bytes));
  }

  private void assertRefused(byte[] bytes) {
    assertThatThrownBy(() -> load(bytes)).isInstanceOf(ModelLoadException.class);
  }

  /** The good payload re-encoded after {@code change} edits its (copied) arrays. */
  private byte[] rewrite(Consumer<FlatForest> change) {
    ForestPayload.Contents c = ForestPayload.read(good, Synthetic.WIDTH);
    FlatForest f = c.forest();
    var copy = new FlatForest(f.featureCount, f.roots.clone(), f.feature.clone(), f.threshold.clone(), f.left.clone(),
        f.right.clone(), f.value.clone());
    change.accept(copy);
    return ForestPayload.write(new ForestPayload.Contents(c.featureNames(), c.hyperParameters(), c.properties(), copy));
  }

  private static int firstLeaf(FlatForest f) {
    int n = 0;
    while (f.feature[n] >= 0) {
      n++;
    }
    return n;
  }

  /** A payload written by hand up to the tree count: 42 names, trees = 3, no properties; then {@code rest}. */
  private static byte[] header(Consumer<DataOutputStream> rest) {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(bytes)) {
      out.writeBytes("TFOR");
      out.writeInt(1);
      out.writeInt(Synthetic.WIDTH);
      for (String name : Synthetic.names()) {
        out.writeUTF(name);
      }
      out.writeInt(1);
      out.writeUTF("trees");
      out.writeUTF("3");
      out.writeInt(0);
      rest.accept(out);
      out.write(new byte[512]);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  private static void writeInt(DataOutputStream out, int v) {
    try {
      out.writeInt(v);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
