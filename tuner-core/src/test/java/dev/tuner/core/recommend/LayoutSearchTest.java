package dev.tuner.core.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.MoeSpec;
import dev.tuner.core.scenario.ParallelLayout;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class LayoutSearchTest {
  /** Qwen2.5 7B's attention: 28 heads, 4 KV heads, 28 layers. */
  private static final ModelSpec DENSE = new ModelSpec("dense", 7.62, 3584, 28, 28, 4, 128, 152064, List.of(), "t");
  private static final ModelSpec MOE = new ModelSpec("moe", 30.53, 2048, 48, 32, 4, 128, 151936, List.of(), "t", null,
      OptionalDouble.of(3.35), Optional.of(false), 0, new MoeSpec(128, 8, 0, 768, 0), AttentionSpec.STANDARD);

  @Test
  void aDenseModelIsSearchedOverTpTimesPpEqualToTheDevicesWidestTpFirst() {
    List<ParallelLayout> l = LayoutSearch.layouts(DENSE, 8, true);
    // 1 + 2 + 3 + 4 ways to write 1, 2, 4, 8 as tp × pp
    assertThat(l).hasSize(10);
    assertThat(l.subList(0, 3)).containsExactly(ParallelLayout.SINGLE, new ParallelLayout(2, 2, 1, 1),
        new ParallelLayout(2, 1, 2, 1));
    assertThat(l).allSatisfy(p -> assertThat(p.tp() * p.pp()).isEqualTo(p.devices()));
    // 5 is not a power of two: the search stops at 4
    assertThat(LayoutSearch.layouts(DENSE, 5, true)).hasSize(6);
  }

  /** llama.cpp runs no expert parallelism: unasked, a mixture is searched as a dense model is (audit item 2). */
  @Test
  void aMixtureOfExpertsIsSearchedWithoutExpertParallelismUnlessAsked() {
    assertThat(LayoutSearch.layouts(MOE, 8, false)).isEqualTo(LayoutSearch.layouts(DENSE, 8, true)).hasSize(10)
        .allSatisfy(p -> assertThat(p.ep()).isEqualTo(1));
  }

  @Test
  void aMixtureOfExpertsAddsExpertParallelismAndReplicasWithExpertsOverAllOfThem() {
    List<ParallelLayout> l = LayoutSearch.layouts(MOE, 2, true);
    // widest tp first, then fewest pipeline stages, then narrowest ep
    assertThat(l).containsExactly(ParallelLayout.SINGLE, new ParallelLayout(2, 2, 1, 1), new ParallelLayout(2, 2, 1, 2),
        new ParallelLayout(2, 1, 1, 2), new ParallelLayout(2, 1, 2, 1), new ParallelLayout(2, 1, 2, 2));
    // 8 devices: four tp × pp = 8 grids × ep {1, 2, 4, 8} + six smaller grids replicated with ep 8
    assertThat(LayoutSearch.layouts(MOE, 8, true).stream().filter(p -> p.devices() == 8)).hasSize(22);
  }

  @Test
  void whyNotNamesTheHeadsLayersOrExpertsALayoutCannotSplit() {
    assertThat(LayoutSearch.whyNot(DENSE, new ParallelLayout(8, 8, 1, 1)))
        .hasValue("tp 8 does not divide the 28 attention heads (tensor-parallel sizes that do: 1, 2, 4, 28)");
    // 28 heads over 4 ranks, and 4 KV heads one per rank
    assertThat(LayoutSearch.whyNot(DENSE, new ParallelLayout(4, 4, 1, 1))).isEmpty();
    assertThat(LayoutSearch.whyNot(DENSE, new ParallelLayout(32, 1, 32, 1)))
        .hasValue("pp 32 is more stages than the 28 layers");
    ModelSpec kv6 = new ModelSpec("kv6", 7, 4096, 32, 48, 6, 128, 32000, List.of(), "t");
    assertThat(LayoutSearch.whyNot(kv6, new ParallelLayout(4, 4, 1, 1)))
        .hasValue("tp 4 neither divides the 6 KV heads nor is a multiple of them (tensor-parallel sizes that do:"
            + " 1, 2, 3, 6, 12, 24, 48)");
    ModelSpec sixty = new ModelSpec("e60", 14, 2048, 24, 16, 16, 128, 151936, List.of(), "t", null,
        OptionalDouble.of(2.7), Optional.of(false), 0, new MoeSpec(60, 4, 4, 1408, 0), AttentionSpec.STANDARD);
    assertThat(LayoutSearch.whyNot(sixty, new ParallelLayout(8, 1, 1, 8)))
        .hasValue("ep 8 does not divide the 60 routed experts");
    assertThat(LayoutSearch.whyNot(sixty, new ParallelLayout(4, 1, 1, 4))).isEmpty();
    assertThat(LayoutSearch.whyNot(DENSE, new ParallelLayout(2, 1, 1, 2)))
        .hasValue("ep 2 on a dense model, which has no routed experts to place");
    // MLA's latent cache is not split by heads: 128 heads over 16 ranks whatever the KV-head figure says
    ModelSpec mla = new ModelSpec("mla", 671, 7168, 61, 128, 3, 128, 129280, List.of(), "t", null,
        OptionalDouble.of(37), Optional.of(false), 0, new MoeSpec(256, 8, 1, 2048, 3),
        new AttentionSpec(AttentionKind.MLA, 512, 64, 0, 0, 0, 0));
    assertThat(LayoutSearch.whyNot(mla, new ParallelLayout(16, 16, 1, 1))).isEmpty();
    assertThat(LayoutSearch.whyNot(mla, new ParallelLayout(3, 3, 1, 1))).get().asString()
        .startsWith("tp 3 does not divide the 128 attention heads");
  }

  @Test
  void maxDevicesOutOfRangeIsRefused() {
    assertThatThrownBy(() -> LayoutSearch.layouts(DENSE, 0, false)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("max-devices");
  }
}
