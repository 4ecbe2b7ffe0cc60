package dev.tuner.core.catalog;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.DeviceSpec;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChipFamiliesTest {
  private static final String HEADER = "device,vendor,chip_family,mem_bw_gbs,fp16_tflops,sm_or_cores,l2_mb,mem_gb";

  @Test
  void everyCataloguedDeviceHasAnArchitecture() {
    assertThat(CATALOG.devices().entries()).allSatisfy(d -> assertThat(d.architecture())
        .as("architecture of %s (chip family %s)", d.name(), d.chipFamily()).isNotEmpty());
    assertThat(CATALOG.devices().entries()).extracting(DeviceSpec::chipFamily)
        .allSatisfy(f -> assertThat(ChipFamilies.shipped().architecture(f)).isPresent());
  }

  /** The kernels' target: CUDA compute capability, AMD gfx family, Apple GPU family; siblings of a die share it. */
  @ParameterizedTest
  @CsvSource({
      "RTX 4090, Ada sm_89",
      "L4, Ada sm_89",
      "A100 SXM4 80GB, Ampere sm_80",
      "RTX 3090, Ampere sm_86",
      "H100 PCIe 80GB, Hopper sm_90",
      "RTX 5090, Blackwell sm_120",
      "NVIDIA GB10 (DGX Spark), Blackwell sm_121",
      "Tesla P40, Pascal sm_61",
      "Tesla P100 PCIe 16GB, Pascal sm_60",
      "AMD Radeon RX 7900 XTX, RDNA3 gfx110x",
      "AMD Radeon RX 7600, RDNA3 gfx110x",
      "AMD Ryzen AI Max+ 395 (Radeon 8060S), RDNA3.5 gfx115x",
      "AMD Radeon 890M (Ryzen AI 300 iGPU), RDNA3.5 gfx115x",
      "AMD Instinct MI50 32GB, GCN5 gfx906",
      "AMD Instinct MI300X, CDNA3 gfx942",
      "Apple M2 Ultra (76-core GPU), Apple8",
      "Apple M4 Max (40-core GPU), Apple9",
      "Intel Arc B580, Xe2-HPG (Battlemage)"
  })
  void aDeviceTakesItsChipFamilysArchitecture(String device, String architecture) {
    assertThat(CATALOG.device(device).architecture()).isEqualTo(architecture);
  }

  @Test
  void aUsersFileMayStateTheArchitectureAndAnUnlistedFamilyHasNone() {
    List<DeviceSpec> own = Catalog.readDevices(new StringReader(HEADER + ",architecture\n"
        + "Mine,NVIDIA,AD102,1000,165,128,72,24,Ada sm_89\n"
        + "Unlisted,Acme,X1,100,10,8,4,8,\n"
        + "Listed,NVIDIA,GA102,936,71,82,6,24,\n"), "mine.csv");
    assertThat(own).extracting(DeviceSpec::architecture).containsExactly("Ada sm_89", "", "Ampere sm_86");
    assertThat(Catalog.readDevices(new StringReader(HEADER + "\nOld,NVIDIA,GH100,3350,989,132,50,80\n"), "old.csv"))
        .singleElement().extracting(DeviceSpec::architecture).isEqualTo("Hopper sm_90");
  }

  @Test
  void aFamilyListedTwiceOrWithoutAnArchitectureIsRefusedNamingTheLine() {
    String header = "chip_family,vendor,architecture\n";
    assertThatThrownBy(() -> ChipFamilies.read(new StringReader(header + "GA102,NVIDIA,Ampere sm_86\n"
        + "GA102,NVIDIA,Ada sm_89\n"), "families.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("families.csv:3 chip_family")
        .hasMessageContaining("a chip family listed once");
    assertThatThrownBy(() -> ChipFamilies.read(new StringReader(header + "GA102,NVIDIA,\n"), "families.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("families.csv:2 architecture")
        .hasMessageContaining("Ampere sm_86");
    assertThatThrownBy(() -> ChipFamilies.read(new StringReader("chip_family,vendor\nGA102,NVIDIA\n"), "f.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("architecture");
  }
}
