package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --set reference.prefill_rate=auto} end to end: the training run records the rates it chose, predictions from
 * the artifact are relative to them, and a malformed setting is refused before any training.
 */
class PrefillRateCliTest {
  @TempDir
  Path dir;
  Path data;

  @BeforeEach
  void copyData() throws Exception {
    data = dir.resolve("measurements.csv");
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("dev/tuner/data/measurements.csv")) {
      Files.copy(in, data);
    }
  }

  private Cli.Result train(String rate, Path out) {
    return Cli.run("train", "--data", data.toString(), "--model-type", "linear", "--schema", "tuner-v2", "--target",
        "log_serial_roof_fraction", "--cv", "4", "--no-progress", "--set", "reference.prefill_rate=" + rate,
        "--out", out.toString(), "--format", "json");
  }

  private static double prefill(Path model) {
    Cli.Result r = Cli.run("predict", "--model-file", model.toString(), "--model", "Llama 3 8B", "--device",
        "H100 PCIe", "--quant", "Q4_K_M", "--context", "512", "--phase", "prefill", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    return r.json().get("tokens_per_s").asDouble();
  }

  @Test
  void autoRecordsARatePerVendorFromTheGridAndPredictionsUseIt() throws Exception {
    Path auto = dir.resolve("auto.json");
    Cli.Result trained = train("auto", auto);
    assertThat(trained.exit()).as(trained.toString()).isZero();
    JsonNode header = new ObjectMapper().readTree(auto.toFile()).get("header");
    assertThat(header.path("hyper_parameters").path("reference.prefill_rate").asText()).isEqualTo("auto");
    int rates = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = header.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().startsWith("reference.prefill_tflops_per_unit.")) {
        rates++;
        double v = Double.parseDouble(e.getValue().asText());
        assertThat(java.util.Arrays.stream(dev.tuner.core.learn.PrefillRate.GRID).anyMatch(g -> g == v))
            .as(e.toString()).isTrue();
      }
    }
    // the shipped rows' NVIDIA prefill falls in share as the peak rises: some vendor takes a rate
    assertThat(rates).isPositive();
    Path none = dir.resolve("none.json");
    assertThat(train("none", none).exit()).isZero();
    assertThat(prefill(auto)).isNotEqualTo(prefill(none));
  }

  @Test
  void aMalformedSettingIsAUsageErrorNamingTheKey() {
    Cli.Result r = train("fast", dir.resolve("x.json"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("reference.prefill_rate", "fast", "auto or none");
    assertThat(dir.resolve("x.json")).doesNotExist();
  }
}
