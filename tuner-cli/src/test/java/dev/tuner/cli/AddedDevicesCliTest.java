package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GPUs added to the catalog for the names users ask for: each predicts end to end, by name or by alias. */
class AddedDevicesCliTest {

  @ParameterizedTest
  @CsvSource({
      "RTX 4070,                          RTX 4070",
      "H800 SXM5 80GB,                    H800 SXM5 80GB",
      "AMD Instinct MI210,                AMD Instinct MI210",
      "Radeon RX 7900 XT,                 AMD Radeon RX 7900 XT",
      "NVIDIA GeForce RTX 4080 SUPER,     RTX 4080 Super",
      "Tesla V100-SXM2-32GB,              Tesla V100 SXM2 32GB",
      "Radeon RX 7800 XT,                 AMD Radeon RX 7800 XT",
      "GTX 1080 Ti,                       GTX 1080 Ti",
      "NVIDIA RTX A4000,                  RTX A4000",
      "RTX 5070,                          RTX 5070",
      "AMD Radeon RX 7900 GRE,            AMD Radeon RX 7900 GRE",
      "A30,                               A30",
      "Jetson AGX Orin 64GB,              Jetson AGX Orin 64GB",
      "Radeon AI PRO R9700,               AMD Radeon AI PRO R9700",
      // the name llama-bench prints for the card
      "NVIDIA GeForce RTX 3070 Ti,        RTX 3070 Ti",
      "NVIDIA GeForce RTX 2080,           RTX 2080",
      "AMD Radeon RX 6950 XT,             AMD Radeon RX 6950 XT",
      // a name followed by the catalogued device's own memory size
      "RTX 4090 24GB,                     RTX 4090",
      "NVIDIA GeForce RTX 3090 (24 GB),   RTX 3090"})
  void aNewDeviceOrOneOfItsAliasesPrintsAPrediction(String given, String row) {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", given, "--quant", "Q4_K_M", "--context",
        "512", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("scenario").get("device").get("name").asText()).isEqualTo(row);
    assertThat(j.get("tokens_per_s").asDouble()).isPositive()
        .isLessThanOrEqualTo(j.get("roofline_tokens_per_s").asDouble());
  }

  /** A memory size the catalogued card does not have names another card, which the catalog does not know. */
  @Test
  void aMemorySizeTheCardDoesNotHaveIsRefused() {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 4090 48GB", "--quant", "Q4_K_M",
        "--context", "512");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("device = \"RTX 4090 48GB\" is invalid", "closest: RTX 4090");
  }

  /**
   * The RTX 4070's PCIe 4.0 x16 link (32 GB/s per direction) is now stated, so a model split over two of them is
   * predicted, its collectives bounded by that link, where it was refused for want of a link.
   */
  @Test
  void aSplitOverTwoRtx4070IsPredictedOverTheirPcieLink() {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", "RTX 4070", "--quant", "Q4_K_M",
        "--context", "512", "--devices", "2", "--tp", "2", "--format", "json");
    assertThat(r.exit()).as(r.toString()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("scenario").get("tp").asInt()).isEqualTo(2);
    assertThat(j.get("interconnect").get("link").asText()).isEqualTo("PCIe4 x16");
    assertThat(j.get("interconnect").get("gbs_per_direction").asDouble()).isEqualTo(32);
    assertThat(j.get("tokens_per_s").asDouble()).isPositive()
        .isLessThanOrEqualTo(j.get("roofline_tokens_per_s").asDouble());
  }

  @ParameterizedTest
  @CsvSource({"RTX 4060", "AMD Instinct MI250X"})
  void theTableNamesTheNewDevice(String device) {
    Cli.Result r = Cli.run("predict", "--model", "Llama 3 8B", "--device", device, "--quant", "Q4_K_M", "--context",
        "512");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("Scenario", device, "Prediction", "tokens/s", "roofline");
  }
}
