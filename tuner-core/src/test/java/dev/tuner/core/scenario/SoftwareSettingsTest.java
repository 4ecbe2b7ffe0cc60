package dev.tuner.core.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuner.api.InvalidInputException;
import java.time.YearMonth;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The build's month and the BLAS library: parsing, refusals and the defaults of {@link EngineSettings}. */
class SoftwareSettingsTest {
  @ParameterizedTest
  @CsvSource({
      // (year − 2023) × 12 + month − 1 + 1
      "2023-01, 1",
      "2023-12, 12",
      "2024-02, 14",
      "2025-08, 32",
      "2039-12, 204"})
  void theOrdinalCountsMonthsFromJanuary2023AsOne(String month, int ordinal) {
    assertThat(BuildDate.ordinal(BuildDate.parse("build_date", month))).isEqualTo(ordinal);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2025-8", "Aug 2025", "2025/08", "2025-00", "2025-13", "b6077", ""})
  void aMonthThatIsNotYyyyMmIsRefusedNamingTheField(String text) {
    assertThatThrownBy(() -> BuildDate.parse("--build-date", text))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--build-date")
        .hasMessageContaining("YYYY-MM");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2022-12", "2040-01"})
  void aMonthOutsideTheEnginesErasIsRefusedWithTheRange(String text) {
    assertThatThrownBy(() -> BuildDate.parse("build_date", text))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("build_date")
        .hasMessageContaining("2023-01 to 2039-12");
  }

  @Test
  void blasNamesParseCaseInsensitivelyAndAnythingElseIsRefused() {
    assertThat(BlasLibrary.parse("blas", "hipBLASLt")).isEqualTo(BlasLibrary.HIPBLASLT);
    assertThat(BlasLibrary.parse("blas", " default ")).isEqualTo(BlasLibrary.DEFAULT);
    assertThatThrownBy(() -> BlasLibrary.parse("--blas", "mkl"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--blas")
        .hasMessageContaining("mkl")
        .hasMessageContaining("default")
        .hasMessageContaining("hipblaslt");
  }

  @Test
  void unstatedSettingsAreAnUnknownMonthAndTheBackendsOwnBlas() {
    assertThat(EngineSettings.DEFAULTS.buildDate()).isEmpty();
    assertThat(EngineSettings.DEFAULTS.blas()).isEqualTo(BlasLibrary.DEFAULT);
    assertThat(new EngineSettings(256, true, Backend.ROCM, "b6077"))
        .isEqualTo(new EngineSettings(256, true, Backend.ROCM, "b6077", Optional.empty(), BlasLibrary.DEFAULT));
    EngineSettings given = EngineSettings.of(null, null, Backend.ROCM, null, YearMonth.of(2025, 8),
        BlasLibrary.HIPBLASLT);
    assertThat(given.nUbatch()).isEqualTo(512);
    assertThat(given.buildDate()).contains(YearMonth.of(2025, 8));
    assertThat(given.blas()).isEqualTo(BlasLibrary.HIPBLASLT);
  }

  @Test
  void hipBlasLtGoesWithRocmOrAnUnstatedBackendOnly() {
    assertThat(new EngineSettings(512, false, Backend.ROCM, "", Optional.empty(), BlasLibrary.HIPBLASLT).blas())
        .isEqualTo(BlasLibrary.HIPBLASLT);
    assertThat(new EngineSettings(512, false, Backend.UNKNOWN, "", Optional.empty(), BlasLibrary.HIPBLASLT).blas())
        .isEqualTo(BlasLibrary.HIPBLASLT);
    assertThatThrownBy(() -> new EngineSettings(512, false, Backend.VULKAN, "", Optional.empty(),
        BlasLibrary.HIPBLASLT))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("blas = hipblaslt with backend vulkan")
        .hasMessageContaining("the ROCm backend");
  }

  @Test
  void aRequestCarriesBothIntoTheResolvedScenario() {
    // hipBLASLt is ROCm's, and ROCm drives AMD devices
    ScenarioRequest r = ScenarioRequest.of("Llama 3 8B", "AMD Radeon RX 7900 XTX", "Q4_K_M", 1, 512, "prefill");
    ScenarioRequest dated = new ScenarioRequest(r.model(), r.device(), r.quant(), r.batch(), r.context(), r.phase(),
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, "llama.cpp ROCm", null, null, null, "2024-05", "hipblaslt");
    Scenario s = dated.resolve(dev.tuner.core.Fixtures.CATALOG);
    assertThat(s.engine().buildDate()).contains(YearMonth.of(2024, 5));
    assertThat(s.engine().blas()).isEqualTo(BlasLibrary.HIPBLASLT);
    // the withers keep both
    assertThat(dated.withBackend("llama.cpp Vulkan").buildDate()).isEqualTo("2024-05");
    assertThat(dated.withParallel(2, 2, 1, 1).blas()).isEqualTo("hipblaslt");
  }
}
