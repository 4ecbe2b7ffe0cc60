package dev.tuner.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelLoadException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingTermsCodecTest {
  private static final ServingTerms TERMS = new ServingTerms("t", Map.of(EngineKind.VLLM,
      new EngineTerms(0.004, 2e-5, 0.7, 0.9, 0.5, 0.3, 0)), new EngineTerms(0.002, 0.6, 0.4, 0.2), 0.9,
      Map.of(Metric.OUTPUT_TPS, 0.3, Metric.TTFT_MS, 0.8), Map.of(EngineKind.VLLM, 40));

  @Test
  void roundTripsThroughAFile(@TempDir Path dir) {
    Path f = dir.resolve("terms.json");
    ServingTermsCodec.write(TERMS, f);
    assertThat(ServingTermsCodec.read(f)).isEqualTo(TERMS);
  }

  @Test
  void rejectsAnotherVersionAFieldOutOfRangeAndAnUnknownEngine() {
    String json = ServingTermsCodec.toJson(TERMS);
    assertThatThrownBy(() -> ServingTermsCodec.parse(json.replace("\"version\" : 6", "\"version\" : 7"), "x"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("version");
    assertThatThrownBy(() -> ServingTermsCodec.parse(json.replace("0.7", "1.7"), "x"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("bandwidth efficiency");
    assertThatThrownBy(() -> ServingTermsCodec.parse(json.replace("\"vllm\" : {", "\"tgi\" : {"), "x"))
        .isInstanceOf(ModelLoadException.class).hasMessageContaining("engine = tgi");
    assertThatThrownBy(() -> ServingTermsCodec.parse("[1]", "x")).isInstanceOf(ModelLoadException.class);
  }

  @Test
  void readsVersionOneTermsWithOneBandwidthShareAndNoSequenceOrRequestTerms() {
    String v1 = """
        {"format": "tuner-serving-terms", "version": 1, "id": "old", "level": 0.9,
         "pooled": {"overhead_s": 0.002, "bandwidth_efficiency": 0.6, "compute_efficiency": 0.4,
                    "interconnect_efficiency": 0.2},
         "engines": {}, "log_half_width": {}, "rows": {}}
        """;
    assertThat(ServingTermsCodec.parse(v1, "x").pooled()).isEqualTo(new EngineTerms(0.002, 0, 0.6, 0.6, 0.4, 0.2, 0));
  }

  @Test
  void readsVersionTwoTermsWithNoLatencyPerCollective() {
    String v2 = """
        {"format": "tuner-serving-terms", "version": 2, "id": "v2", "level": 0.9,
         "pooled": {"overhead_s": 0.002, "per_sequence_s": 1e-5, "bandwidth_efficiency": 0.6,
                    "kv_efficiency": 0.8, "compute_efficiency": 0.4, "interconnect_efficiency": 0.2,
                    "request_s": 0.01},
         "engines": {}, "log_half_width": {}, "rows": {}}
        """;
    assertThat(ServingTermsCodec.parse(v2, "x").pooled())
        .isEqualTo(new EngineTerms(0.002, 1e-5, 0.6, 0.8, 0.4, 0.2, 0.01, 0));
  }

  @Test
  void readsVersionThreeTermsWithTheirLatencyPerCollectiveAndWritesTheCurrentVersionWithout() {
    String v3 = """
        {"format": "tuner-serving-terms", "version": 3, "id": "v3", "level": 0.9,
         "pooled": {"overhead_s": 0.002, "per_sequence_s": 1e-5, "bandwidth_efficiency": 0.6,
                    "kv_efficiency": 0.8, "compute_efficiency": 0.4, "interconnect_efficiency": 0.2,
                    "request_s": 0.01, "collective_s": 2.5e-5},
         "engines": {}, "log_half_width": {}, "rows": {}}
        """;
    ServingTerms read = ServingTermsCodec.parse(v3, "x");
    assertThat(read.pooled()).isEqualTo(new EngineTerms(0.002, 1e-5, 0.6, 0.8, 0.4, 0.2, 0.01, 2.5e-5));
    assertThatThrownBy(() -> ServingTermsCodec.parse(v3.replace("\"collective_s\": 2.5e-5", "\"collective_s\": 5"),
        "x")).isInstanceOf(ModelLoadException.class).hasMessageContaining("latency per collective");
    // versions 4 and later take a collective's latency from the library's cost model: they have no such field, and
    // terms that learned one cannot be written in them
    String current = ServingTermsCodec.toJson(TERMS);
    assertThat(current).contains("\"version\" : 6").doesNotContain("collective_s");
    assertThat(ServingTermsCodec.parse(current, "x").engines().get(EngineKind.VLLM).collectiveS()).isZero();
    assertThatThrownBy(() -> ServingTermsCodec.toJson(read)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("latency per collective").hasMessageContaining("2.5E-5");
  }

  @Test
  void readsVersionFourTermsWithTheirLatencyPerRequestAndWritesTheCurrentVersionWithout() {
    String v4 = """
        {"format": "tuner-serving-terms", "version": 4, "id": "v4", "level": 0.9,
         "pooled": {"overhead_s": 0.002, "per_sequence_s": 1e-5, "bandwidth_efficiency": 0.6,
                    "kv_efficiency": 0.8, "compute_efficiency": 0.4, "interconnect_efficiency": 0.2,
                    "request_s": 0.0064},
         "engines": {}, "log_half_width": {}, "rows": {}}
        """;
    ServingTerms read = ServingTermsCodec.parse(v4, "x");
    assertThat(read.pooled()).isEqualTo(new EngineTerms(0.002, 1e-5, 0.6, 0.8, 0.4, 0.2, 0.0064, 0));
    assertThatThrownBy(() -> ServingTermsCodec.parse(v4.replace("\"request_s\": 0.0064", "\"other\": 0"),
        "x")).isInstanceOf(ModelLoadException.class).hasMessageContaining("request_s");
    // versions 5 and later learn no latency per request: they write none, read none (a stray one is ignored like any
    // unknown field) and refuse to write terms that carry one
    String current = ServingTermsCodec.toJson(TERMS);
    assertThat(current).contains("\"version\" : 6").doesNotContain("request_s");
    assertThat(ServingTermsCodec.parse(current, "x").engines().get(EngineKind.VLLM).requestS()).isZero();
    assertThatThrownBy(() -> ServingTermsCodec.toJson(read)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("latency per request").hasMessageContaining("0.0064");
  }

  @Test
  void theMedianItlsWidthRoundTrips() {
    ServingTerms withItl = new ServingTerms("itl", Map.of(), TERMS.pooled(), 0.9,
        Map.of(Metric.TPOT_MS, 0.5, Metric.ITL_MS, 0.4), Map.of());
    assertThat(ServingTermsCodec.parse(ServingTermsCodec.toJson(withItl), "x").logHalfWidth())
        .containsEntry(Metric.ITL_MS, 0.4);
  }

  @Test
  void theShippedTermsRead() {
    ServingTerms shipped = ServingTermsCodec.shipped();
    assertThat(shipped.learned(EngineKind.TENSORRT_LLM)).isTrue();
    assertThat(shipped.logHalfWidth()).containsKey(Metric.OUTPUT_TPS);
  }
}
