package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code predict --format csv} carries every scenario input the JSON does, under the JSON's keys. */
class PredictCsvTest {
  private static final String[] PREDICT = {"predict", "--model", "Llama 3 8B", "--device", "RTX 4090", "--quant",
      "Q4_K_M", "--context", "256", "--depth", "128", "--backend", "vulkan", "--n-ubatch", "256", "--flash-attn",
      "--build-date", "2025-05", "--kv-cache-type", "q8_0"};

  @Test
  void theHeaderIsPinned() {
    Cli.Result r = Cli.run(PREDICT, "--format", "csv");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out().lines().findFirst().orElseThrow()).isEqualTo("tokens_per_s,roofline_tokens_per_s,bound,capped,"
        + "confidence,interval_level,interval_low,interval_high,model_id,fallback,model,device,quant,kv_cache_type,"
        + "batch,context,depth,phase,devices,tp,pp,ep,n_ubatch,flash_attn,backend,blas,build_date,build,cuda_graphs,"
        + "kernel,zero_copy,top_features,assumptions");
  }

  /** Each scenario key of the JSON is a column, holding the JSON's value (a catalog object by its name). */
  @Test
  void everyScenarioInputOfTheJsonIsAColumnWithItsValue() {
    JsonNode scenario = Cli.json(PREDICT, "--format", "json").get("scenario");
    List<String> lines = Cli.run(PREDICT, "--format", "csv").out().lines().toList();
    List<String> header = List.of(lines.get(0).split(","));
    // the cells before top_features hold no comma (no name here has one), so a plain split lines them up
    List<String> cells = List.of(lines.get(1).split(",", header.indexOf("top_features") + 1));
    List<String> keys = new ArrayList<>();
    scenario.fieldNames().forEachRemaining(keys::add);
    assertThat(header).containsAll(keys);
    for (String key : keys) {
      JsonNode v = scenario.get(key);
      String expected = v.isObject() ? v.get("name").asText() : v.isNull() ? "" : v.asText();
      assertThat(cells.get(header.indexOf(key))).as(key).isEqualTo(expected);
    }
    assertThat(cells.get(header.indexOf("build_date"))).isEqualTo("2025-05");
    assertThat(cells.get(header.indexOf("depth"))).isEqualTo("128");
  }
}
