package dev.tuner.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp quantizes the V cache only with flash attention (ggml-org/llama.cpp issue 10378): a q8_0 or q4_0 cache
 * takes it on when it is not stated, and is refused when it is stated off; the other caches keep llama-bench's off.
 */
class QuantizedKvCacheTest {
  private static Scenario request(String kv, Boolean flashAttn) {
    ScenarioRequest r = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode");
    return new ScenarioRequest(r.model(), r.device(), r.quant(), r.batch(), r.context(), r.phase(), kv, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, flashAttn, null, null, null).resolve(Fixtures.CATALOG);
  }

  @Test
  void aQuantizedCacheTakesFlashAttentionOnWhenItIsNotStatedAndSaysSo() {
    for (String kv : new String[] {"q8_0", "q4_0"}) {
      Scenario s = request(kv, null);
      assertThat(s.engine().flashAttention()).as(kv).isTrue();
      assertThat(s.engine().flashAttentionAssumption(s.kvCache())).as(kv).hasValueSatisfying(n -> assertThat(n)
          .startsWith("no flash attention given: on, the only way llama.cpp runs a " + kv + " KV cache"));
    }
  }

  @Test
  void aQuantizedCacheWithFlashAttentionStatedOffIsRefusedNamingTheFix() {
    assertThatThrownBy(() -> request("q8_0", false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("flash attention = off with a q8_0 KV cache is invalid: expected on")
        .hasMessageContaining("V cache quantization requires flash_attn")
        .hasMessageContaining("--flash-attn in the CLI");
  }

  @Test
  void otherCachesKeepLlamaBenchsDefaultAndAStatedSettingIsNoAssumption() {
    for (String kv : new String[] {"f16", "fp8"}) {
      Scenario s = request(kv, null);
      assertThat(s.engine().flashAttention()).as(kv).isFalse();
      assertThat(s.engine().flashAttentionAssumption(s.kvCache())).as(kv).isEmpty();
    }
    Scenario stated = request("q8_0", true);
    assertThat(stated.engine().flashAttention()).isTrue();
    assertThat(stated.engine().flashAttentionAssumption(stated.kvCache())).isEmpty();
  }

  /** Flash attention taken on for a quantized cache follows the cache: an f16 one goes back to llama-bench's off. */
  @Test
  void anAssumedFlashAttentionFollowsTheCache() {
    Scenario q8 = request("q8_0", null);
    assertThat(q8.withKvCache(KvCacheType.F16).engine().flashAttention()).isFalse();
    assertThat(request("f16", null).withKvCache(KvCacheType.Q4_0).engine().flashAttention()).isTrue();
  }
}
