package dev.tuner.core.catalog;

import static dev.tuner.core.Fixtures.CATALOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tuner.api.Bound;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.io.Csv;
import dev.tuner.core.artifact.Calibration;
import dev.tuner.core.predict.LoadedModel;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.predict.RooflineOnlyModel;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.scenario.Activation;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.QuantClass;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import dev.tuner.core.schema.FeatureSchemas;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogTest {

  @ParameterizedTest
  @ValueSource(strings = {"rtx4090", "RTX 4090", "NVIDIA GeForce RTX 4090", "nvidia geforce rtx 4090", "Rtx-4090",
      " RTX_4090 "})
  void deviceAliasesResolveIgnoringCaseAndSeparators(String name) {
    assertThat(CATALOG.device(name).name()).isEqualTo("RTX 4090");
  }

  /** The Strix Halo APU by the names its users give it, the vendor's included (an outside check typed it so). */
  @ParameterizedTest
  @ValueSource(strings = {"AMD Ryzen AI Max+ 395", "Ryzen AI Max+ 395", "Strix Halo", "Radeon 8060S"})
  void theStrixHaloResolvesByItsProcessorsName(String name) {
    assertThat(CATALOG.device(name).name()).isEqualTo("AMD Ryzen AI Max+ 395 (Radeon 8060S)");
  }

  @Test
  void modelAndQuantAliasesResolveIgnoringCase() {
    assertThat(CATALOG.model("llama 3 8b").name()).isEqualTo("Llama 3 8B");
    assertThat(CATALOG.quant("q4_k_m").name()).isEqualTo("Q4_K_M");
    assertThat(CATALOG.quant("Q4_K - Medium").name()).isEqualTo("Q4_K_M");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "device | RTX 4099     | RTX 4090",
      "model  | Llama 3 8C   | Llama 3 8B",
      "quant  | Q4_K_X       | Q4_K_M"})
  void anUnknownNameFailsListingCloseMatches(String kind, String wrong, String expected) {
    Runnable lookup = switch (kind) {
      case "device" -> () -> CATALOG.device(wrong);
      case "model" -> () -> CATALOG.model(wrong);
      default -> () -> CATALOG.quant(wrong);
    };
    assertThatThrownBy(lookup::run)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(wrong)
        .hasMessageContaining("closest")
        .hasMessageContaining(expected);
  }

  @Test
  void closestMatchesAreRankedByDistance() {
    assertThat(CATALOG.devices().closest("RTX 4099", 3)).first().isEqualTo("RTX 4090");
    // a name missing its suffix: the entries that have every word of it come before one a digit away
    assertThat(CATALOG.devices().closest("RTX 3060", 5)).startsWith("RTX 3060 12GB", "RTX 3060 Ti (GDDR6)");
  }

  /** The shipped measurements must be usable with the shipped catalog: every name in them resolves. */
  @Test
  void everyNameInTheShippedMeasurementsResolves() throws Exception {
    List<Csv.Row> rows;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("dev/tuner/data/measurements.csv")) {
      assertThat(in).as("shipped measurements on the class path").isNotNull();
      rows = Csv.read(new InputStreamReader(in, StandardCharsets.UTF_8), "measurements.csv");
    }
    List<String> header = rows.get(0).fields();
    int device = header.indexOf("device");
    int model = header.indexOf("model");
    int quant = header.indexOf("quant");
    TreeSet<String> unresolved = new TreeSet<>();
    TreeSet<String> devices = new TreeSet<>();
    for (Csv.Row row : rows.subList(1, rows.size())) {
      String d = row.fields().get(device).trim();
      String m = row.fields().get(model).trim();
      String q = row.fields().get(quant).trim();
      devices.add(d);
      if (CATALOG.devices().find(d).isEmpty()) {
        unresolved.add("device " + d);
      }
      if (CATALOG.models().find(m).isEmpty()) {
        unresolved.add("model " + m);
      }
      // rows whose source states no quantization are skipped by Dataset with that reason
      if (!q.isBlank() && CATALOG.quants().find(q).isEmpty()) {
        unresolved.add("quant " + q);
      }
    }
    assertThat(rows).hasSizeGreaterThan(700);
    assertThat(devices).hasSizeGreaterThan(30);
    assertThat(unresolved).isEmpty();
  }

  @ParameterizedTest
  // llama.cpp file averages for Llama 3.1 8B (data/quantizations.csv notes), one convention for every format
  @CsvSource({"Q4_0, 4.64", "Q4_1, 5.11", "Q8_0, 8.5008", "F16, 16", "BF16, 16", "FP8, 8", "F32, 32", "Q6_K, 6.5633"})
  void quantizationBitsPerWeightArePinned(String name, double bits) {
    assertThat(CATALOG.quant(name).bitsPerWeight()).isEqualTo(bits);
  }

  @Test
  void kQuantMixesCarryTheirWholeFileAverages() {
    assertThat(CATALOG.quant("Q4_K_M").bitsPerWeight()).isCloseTo(4.89, within(0.01));
    assertThat(CATALOG.quant("Q5_K_M").bitsPerWeight()).isCloseTo(5.69, within(0.02));
  }

  @Test
  void mxfp4MoeStoresItsExpertsApartAndABadExpertFigureIsRefused() {
    assertThat(CATALOG.quant("MXFP4_MOE").expertBitsPerWeight()).hasValue(4.25);
    assertThat(CATALOG.quant("MXFP4_MOE").otherBitsPerWeight()).hasValue(8.5);
    assertThat(CATALOG.quant("F16 (MXFP4 experts)").name()).isEqualTo("MXFP4_EXPERTS_F16");
    assertThat(CATALOG.quant("MXFP4_EXPERTS_F16").otherBitsPerWeight()).hasValue(16);
    assertThat(CATALOG.quant("Q4_K_M").expertBitsPerWeight()).isEmpty();
    assertThat(CATALOG.quant("Q4_K_M").otherBitsPerWeight()).isEmpty();
    String header = "quant,bits_per_weight,class,activation,aliases,source_id,expert_bits_per_weight\n";
    assertThat(Catalog.readQuants(new StringReader(header + "X,5,Q4_0,int8,,s,4.25\n"), "q.csv").get(0)
        .expertBitsPerWeight()).hasValue(4.25);
    assertThatThrownBy(() -> Catalog.readQuants(new StringReader(header + "X,5,Q4_0,int8,,s,0.5\n"), "q.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("expert bits per weight of X")
        .hasMessageContaining("0.5");
    assertThatThrownBy(() -> Catalog.readQuants(new StringReader(header + "X,5,Q4_0,int8,,s,four\n"), "q.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("expert_bits_per_weight")
        .hasMessageContaining("four");
    String both = "quant,bits_per_weight,class,activation,aliases,source_id,expert_bits_per_weight,"
        + "other_bits_per_weight\n";
    assertThatThrownBy(() -> Catalog.readQuants(new StringReader(both + "X,5,Q4_0,int8,,s,4.25,eight\n"), "q.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("other_bits_per_weight")
        .hasMessageContaining("eight");
    assertThatThrownBy(() -> Catalog.readQuants(new StringReader(both + "X,5,Q4_0,int8,,s,,8.5\n"), "q.csv"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("other bits per weight of X")
        .hasMessageContaining("only beside expert bits per weight");
    // a file size sets the average and keeps the experts' own format
    Scenario s = new ScenarioRequest("gpt-oss-20b", "RTX 4090", "MXFP4_MOE", 1, 128, "decode", null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, 13779630336.0).resolve(CATALOG);
    assertThat(s.quant().bitsPerWeight()).isCloseTo(13779630336.0 * 8 / 20.91e9, within(1e-9));
    assertThat(s.quant().expertBitsPerWeight()).hasValue(4.25);
    assertThat(s.quant().otherBitsPerWeight()).isEmpty();
  }

  @Test
  void fp8ComputesInFp8AndEncodesAsAnEightBitClass() {
    assertThat(CATALOG.quant("FP8").activation()).isEqualTo(Activation.FP8);
    assertThat(CATALOG.quant("FP8").quantClass()).isEqualTo(QuantClass.Q8_0);
    // llama.cpp's quantized GGUF kernels compute int8 dot products; float formats stay in their own arithmetic
    assertThat(CATALOG.quant("Q4_K_M").activation()).isEqualTo(Activation.INT8);
    assertThat(CATALOG.quant("F16").activation()).isEqualTo(Activation.FP16);
    assertThat(CATALOG.quant("F32").quantClass()).isEqualTo(QuantClass.F32);
  }

  /** A device and a model given only by their figures need no catalog entry. */
  @Test
  void explicitSpecsWorkWithoutACatalogEntry() {
    ScenarioRequest request = new ScenarioRequest(null, null, "Q4_0", 1, 0, "decode", null, null, null, null,
        7.0, null, null, null, null, null, null, 1008.0, null, null, null, null, null);
    Scenario s = request.resolve(CATALOG);
    assertThat(s.model().paramsB()).isEqualTo(7.0);
    assertThat(s.device().memBandwidthGBs()).isEqualTo(1008.0);
    assertThat(CATALOG.devices().find(s.device().name())).isEmpty();
    RooflineResult r = new Roofline(CATALOG).compute(s);
    // 7e9 params × 4.64 / 8 = 0.58 bytes each at 1008 GB/s: 1008e9 / 4.06e9 = 248.2759
    assertThat(r.tokensPerSecond()).isCloseTo(1008e9 / (7e9 * 4.64 / 8), within(1e-9));
    assertThat(r.bound()).isEqualTo(Bound.MEMORY);
    assertThat(r.assumptions()).anySatisfy(a -> assertThat(a).contains("FP16 peak").contains("not applied"));
  }

  @Test
  void givenFiguresOverrideTheCatalogEntry() {
    ScenarioRequest request = new ScenarioRequest("Llama 3 8B", "RTX 4090", "Q4_0", 1, 0, "decode", null, null,
        null, null, null, null, null, null, null, null, null, 2016.0, null, null, null, null, null);
    Scenario s = request.resolve(CATALOG);
    assertThat(s.device().memBandwidthGBs()).isEqualTo(2016.0);
    assertThat(s.device().fp16Tflops()).isEqualTo(CATALOG.device("RTX 4090").fp16Tflops());
    assertThat(s.device().name()).contains("RTX 4090").contains("given figures");
  }

  /** Apple M3 rows have no published FP16 peak: the roofline and every prediction say what was assumed. */
  @Test
  void aMissingFigureGivesAnAssumption() {
    DeviceSpec m3 = CATALOG.device("Apple M3 (10-core GPU)");
    assertThat(m3.fp16Tflops()).isEmpty();
    Scenario s = ScenarioRequest.of("Llama 3 8B", "Apple M3 (10-core GPU)", "Q4_0", 1, 512, "prefill")
        .resolve(CATALOG);
    Roofline roofline = new Roofline(CATALOG);
    RooflineResult r = roofline.compute(s);
    assertThat(r.assumptions()).anySatisfy(a -> assertThat(a)
        .contains("FP16 peak of Apple M3 (10-core GPU) unknown").contains("the bound assumes"));
    assertThat(r.peakTflops()).isPositive();

    var schema = FeatureSchemas.tunerV1();
    Predictor predictor = new Predictor(new LoadedModel(RooflineOnlyModel.shippedDefaults(schema), schema,
        Calibration.none(schema.width()), Optional.empty()), roofline, 0.9, true);
    ThroughputPrediction p = predictor.predict(s);
    assertThat(p.assumptions())
        .anySatisfy(a -> assertThat(a).contains("FP16 peak of Apple M3"))
        .anySatisfy(a -> assertThat(a).contains("L2 cache of Apple M3 (10-core GPU) unknown"));
  }

  @Test
  void aDeviceWithAllFiguresNeedsNoAssumption() {
    Scenario s = ScenarioRequest.of("Llama 3 8B", "RTX 4090", "Q4_K_M", 1, 512, "decode").resolve(CATALOG);
    // the model's tying of embeddings may still be unknown in the catalog; nothing is assumed about the device
    assertThat(new Roofline(CATALOG).compute(s).assumptions()).noneMatch(a -> a.contains("RTX 4090"));
  }

  @ParameterizedTest
  @CsvSource({"A100 PCIe 80GB, 19.5", "H100 SXM5 80GB, 66.9", "RTX 4090, 82.6", "AMD Instinct MI300X, 163.4",
      "NVIDIA GB10 (DGX Spark), 31"})
  void theFp32VectorPeakIsReadFromItsColumn(String device, double fp32) {
    assertThat(CATALOG.device(device).fp32Tflops()).hasValue(fp32);
  }

  /**
   * Rows added for popular GPUs keep their sources' figures: the H800 datasheet's sparse 1,979 / 3,958 halved, the
   * L40 datasheet's dense column, AMD's MI210 table and the per-package MI250X (two GCDs: 220 CUs, 128 GB, 3.2 TB/s;
   * 8 Infinity Fabric links of 50 GB/s each way = 400).
   * RTX A4000: datasheet 153.4 sparse tensor TFLOPS / 2 = 76.7 (= 192 tensor cores x 256 FLOP x 1.56 GHz = 76.68),
   * INT8 2 x 76.7, FP32 6,144 x 2 x 1.56 GHz = 19.17. RX 9070 as the RX 9070 XT: 56 CUs x 1,024 x 2.52 GHz = 144.5,
   * FP8 / INT8 2 x 144.5 = 289.0, FP32 56 x 256 x 2.52 GHz = 36.13, PCIe 5.0 x16 = 64 GB/s. GTX 1080 Ti as the P40
   * (no tensor cores, FP16 at 1:64): FP32 3,584 x 2 x 1.582 GHz = 11.34 in both columns, dp4a INT8 4 x 11.34 = 45.36;
   * its host link was not read. Fourth round: RTX 5070 from NVIDIA's 988 AI TOPS (FP4 sparse): FP16 988 / 8 = 123.5
   * (= 48 SMs x 1,024 x 2.512 GHz = 123.47), INT8 988 / 4 = 247, FP32 6,144 x 2 x 2.512 GHz = 30.87, host link not
   * read; Quadro RTX 8000 datasheet: 130.5 tensor TFLOPS, INT8 2 x 130.5 = 261.0 (Turing tensor rate, not the table's
   * CUDA-core 65.2), FP32 16.3, 4,608 / 64 = 72 SMs, PCIe 3.0 x16 = 16 GB/s; MI60: AMD's 29.5 / 59 / 14.7 (= 64 CUs x
   * 64 x 2 x 1.8 GHz = 14.75), PCIe 4.0 x16 = 32; RX 9060 XT 16GB from AMD's 821 TOPS (INT4 sparse): INT8 821 / 4 =
   * 205.3, FP16 half of it 102.6 (= 32 CUs x 1,024 x 3.13 GHz), FP32 32 x 256 x 3.13 GHz = 25.64, PCIe 5.0 x16 = 64;
   * Arc B580 at 2.67 GHz: XMX FP16 160 x 256 x 2.67 = 109.4, INT8 160 x 512 x 2.67 = 218.7, FP32 2,560 x 2 x 2.67 =
   * 13.67, PCIe 4.0 x8 = 16. Fifth round: A30 at the A100's GA100 rate (512 FP16 FLOP per tensor core per clock):
   * 224 x 512 x 1.44 GHz = 165.2, INT8 2 x 165.2 = 330.3, FP32 3,584 x 2 x 1.44 GHz = 10.32, HBM2 2.4 Gbps x 3,072 bits
   * = 933.1 GB/s, PCIe 4.0 x16 = 32; Jetson AGX Orin 64GB from NVIDIA's 170 sparse GPU TOPS: INT8 64 tensor cores x
   * 1,024 x 1.3 GHz = 85.2 (x 2 = 170.4 sparse), FP16 half of it 42.6, FP32 2,048 x 2 x 1.3 GHz = 5.32, 256-bit LPDDR5
   * 204.8 GB/s shared with the CPU (no peer link); RTX 2080 at its 1,710 MHz reference boost: 368 tensor cores x 128 x
   * 1.71 GHz = 80.55, INT8 2 x 80.55 = 161.1, FP32 2,944 x 2 x 1.71 GHz = 10.07, host link not read; Radeon AI PRO
   * R9700: AMD's dense FP16 191 and FP8 383 (= INT8, the RDNA4 rate), FP32 at the RDNA4 ratio 191 / 4 = 47.75.
   */
  @ParameterizedTest
  @CsvSource({
      "H800 SXM5 80GB,      GH100,     3350, 989.5,  1979, 66.9, 132, 80,  200",
      "L40,                 AD102,     864,  181.05, 362,  90.5, 142, 48,  32",
      "AMD Instinct MI210,  Aldebaran, 1600, 181,    181,  22.6, 104, 64,  32",
      "AMD Instinct MI250X, Aldebaran, 3200, 383,    383,  47.9, 220, 128, 400",
      "RTX A4000,           GA104,     448,  76.7,   153.4, 19.17, 48, 16,  32",
      "AMD Radeon RX 9070,  Navi48,    640,  144.5,  289.0, 36.13, 56, 16,  64",
      "GTX 1080 Ti,         GP102,     484,  11.34,  45.36, 11.34, 28, 11,  -1",
      "RTX 5070,            GB205,     672,  123.5,  247,   30.87, 48, 12,  -1",
      "Quadro RTX 8000,     TU102,     672,  130.5,  261.0, 16.3,  72, 48,  16",
      "AMD Instinct MI60,   Vega20,    1024, 29.5,   59,    14.7,  64, 32,  32",
      "AMD Radeon RX 9060 XT 16GB, Navi44, 320, 102.6, 205.3, 25.64, 32, 16, 64",
      "Intel Arc B580,      BMG-G21,   456,  109.4,  218.7, 13.67, 20, 12,  16",
      "A30,                 GA100,     933.1, 165.2, 330.3, 10.32, 56, 24,  32",
      "Jetson AGX Orin 64GB, GA10B,    204.8, 42.6,  85.2,  5.32,  16, 64,  -1",
      "RTX 2080,            TU104,     448,  80.55,  161.1, 10.07, 46, 8,   -1",
      "AMD Radeon AI PRO R9700, Navi48, 640, 191,    383,   47.75, 64, 32,  -1"})
  void addedDevicesCarryTheirSourcesFigures(String name, String family, double bandwidth, double fp16, double int8,
      double fp32, int units, double memory, double link) {
    DeviceSpec d = CATALOG.device(name);
    assertThat(d.chipFamily()).isEqualTo(family);
    assertThat(d.memBandwidthGBs()).isEqualTo(bandwidth);
    assertThat(d.fp16Tflops()).hasValue(fp16);
    assertThat(d.int8Tops()).hasValue(int8);
    assertThat(d.fp32Tflops()).hasValue(fp32);
    assertThat(d.computeUnits()).isEqualTo(units);
    assertThat(d.memoryGb()).hasValue(memory);
    if (link < 0) {
      assertThat(d.interconnectGBs()).isEmpty();
    } else {
      assertThat(d.interconnectGBs()).hasValue(link);
    }
  }

  /**
   * L2 filled on rows that had none, so the model no longer reads them as "L2 unknown": database and press figures
   * (T4 4 MB, TITAN RTX 6 MB, RTX 4080 Super 64 MB, the Arc Pro B60's BMG-G21 18 MB) and the RTX 3060 12GB computed
   * from its 192-bit bus at GA10x's 512 KB per 32-bit controller: 192 / 32 x 0.5 = 3 MB.
   */
  @ParameterizedTest
  @CsvSource({"T4, 4", "TITAN RTX, 6", "RTX 4080 Super, 64", "Intel Arc Pro B60, 18", "RTX 3060 12GB, 3"})
  void rowsThatLackedAnL2NowCarryOne(String name, double l2Mb) {
    assertThat(CATALOG.device(name).l2CacheMb()).hasValue(l2Mb);
  }

  /**
   * The GeForce rows computed from SMs and boost clock (1,024 FP16-accumulate FLOP per SM per clock on GA10x and Ada):
   * RTX 4070 46 x 1024 x 2.475 GHz = 116.58, RTX 4060 24 x 1024 x 2.46 GHz = 60.46, RTX 3060 Ti 38 x 1024 x 1.665 GHz
   * = 64.79 TFLOPS; INT8 is twice that (Ada: the FP8 rate; Ampere: 2 x FP16), FP32 = 128 cores per SM x 2 x clock.
   * Fourth round: RTX 4070 Super 56 x 1024 x 2.475 GHz = 141.93, RTX 3070 Ti 48 x 1024 x 1.77 GHz = 87.00, RTX 3080
   * 12GB 70 x 1024 x 1.71 GHz = 122.57, RTX 5060 Ti 16GB (Blackwell, the same per-SM rate) 36 x 1024 x 2.572 GHz =
   * 94.81.
   */
  @ParameterizedTest
  @CsvSource({"RTX 4070, 46, 2.475, 116.58", "RTX 4060, 24, 2.46, 60.46", "RTX 3060 Ti (GDDR6), 38, 1.665, 64.79",
      "RTX 4070 Super, 56, 2.475, 141.93", "RTX 3070 Ti, 48, 1.77, 87.00", "RTX 3080 12GB, 70, 1.71, 122.57",
      "RTX 5060 Ti 16GB, 36, 2.572, 94.81"})
  void computedGeForcePeaksFollowSmsTimesClock(String name, int sms, double ghz, double handFp16) {
    DeviceSpec d = CATALOG.device(name);
    assertThat(d.computeUnits()).isEqualTo(sms);
    assertThat(d.fp16Tflops().getAsDouble()).isCloseTo(handFp16, within(0.05))
        .isCloseTo(sms * 1024 * ghz / 1000, within(0.05));
    assertThat(d.int8Tops().getAsDouble()).isCloseTo(2 * handFp16, within(0.1));
    assertThat(d.fp32Tflops().getAsDouble()).isCloseTo(sms * 128 * 2 * ghz / 1000, within(0.01));
  }

  /**
   * Pascal GeForce cards have no tensor cores and run FP16 at 1:64, so, as the Tesla P40 row, the FP16 column holds the
   * FP32 peak and INT8 is the dp4a rate, 4 x FP32: GTX 1080 (10 Gbps) 2,560 cores x 2 x 1.733 GHz = 8.87 and 2,560 x 8
   * x 1.733 = 35.49; GTX 1070 1,920 x 2 x 1.683 = 6.46 and 25.85. 128 cores per SM: 20 and 15 SMs.
   */
  @ParameterizedTest
  @CsvSource({"GTX 1080 (10 Gbps), 2560, 1.733, 8.87, 35.49", "GTX 1070, 1920, 1.683, 6.46, 25.85"})
  void pascalGeForceRowsHoldTheFp32PeakAsFp16AndDp4aAsInt8(String name, int cores, double ghz, double handFp32,
      double handInt8) {
    DeviceSpec d = CATALOG.device(name);
    assertThat(d.chipFamily()).isEqualTo("GP104");
    assertThat(d.computeUnits()).isEqualTo(cores / 128);
    assertThat(d.fp32Tflops().getAsDouble()).isCloseTo(handFp32, within(0.005))
        .isCloseTo(cores * 2 * ghz / 1000, within(0.005));
    assertThat(d.fp16Tflops()).isEqualTo(d.fp32Tflops());
    assertThat(d.int8Tops().getAsDouble()).isCloseTo(handInt8, within(0.005))
        .isCloseTo(cores * 8 * ghz / 1000, within(0.005));
    assertThat(d.fp8Tflops()).isEmpty();
  }

  /**
   * The Radeon rows computed from CUs and boost clock as the RX 7900 XTX and RX 6800 XT rows are: RDNA3 WMMA FP16 =
   * 512 FLOP per CU per clock (RX 7800 XT 60 x 512 x 2.43 GHz = 74.65, RX 7600 32 x 512 x 2.655 GHz = 43.50) and FP32
   * with dual issue = 256 per CU per clock (60 x 256 x 2.43 = 37.32, 32 x 256 x 2.655 = 21.75); RDNA2 has no matrix
   * units, FP32 = 64 lanes x 2 per CU (RX 6800 60 x 128 x 2.105 GHz = 16.17) and packed FP16 twice that (32.33).
   * Fifth round, RDNA2 at 128 FP32 FLOP per CU per clock: RX 6950 XT 80 x 128 x 2.31 GHz = 23.65 (AMD's figure), FP16
   * 47.31; RX 6750 XT 40 x 128 x 2.6 GHz = 13.31, FP16 26.62; RX 6600 XT 32 x 128 x 2.589 GHz = 10.60, FP16 21.21
   * (= 2 x 10.6045). The RX 6950 XT's and RX 6750 XT's host links were not read: none, and no link rate.
   * INT8 stays unknown: AMD states none for these cards.
   */
  @ParameterizedTest
  @CsvSource({
      "AMD Radeon RX 7800 XT, Navi32, 60, 2.43,  74.65, 37.32, 4, PCIe4 x16, 32",
      "AMD Radeon RX 7600,    Navi33, 32, 2.655, 43.50, 21.75, 2, PCIe4 x8,  16",
      "AMD Radeon RX 6800,    Navi21, 60, 2.105, 32.33, 16.17, 4, PCIe4 x16, 32",
      "AMD Radeon RX 6950 XT, Navi21, 80, 2.31,  47.31, 23.65, 4, '',        -1",
      "AMD Radeon RX 6750 XT, Navi22, 40, 2.6,   26.62, 13.31, 3, '',        -1",
      "AMD Radeon RX 6600 XT, Navi23, 32, 2.589, 21.21, 10.60, 2, PCIe4 x8,  16"})
  void computedRadeonPeaksFollowCusTimesClock(String name, String family, int cus, double ghz, double handFp16,
      double handFp32, double l2Mb, String link, double linkGBs) {
    DeviceSpec d = CATALOG.device(name);
    assertThat(d.chipFamily()).isEqualTo(family);
    assertThat(d.computeUnits()).isEqualTo(cus);
    assertThat(d.fp32Tflops().getAsDouble()).isCloseTo(handFp32, within(0.005));
    assertThat(d.fp16Tflops().getAsDouble()).isCloseTo(handFp16, within(0.005));
    if (family.startsWith("Navi2")) {
      assertThat(handFp32).isCloseTo(cus * 128 * ghz / 1000, within(0.005));
      assertThat(handFp16).isCloseTo(2 * cus * 128 * ghz / 1000, within(0.005));
    } else {
      assertThat(handFp16).isCloseTo(cus * 512 * ghz / 1000, within(0.005));
      assertThat(handFp32).isCloseTo(cus * 256 * ghz / 1000, within(0.005));
    }
    assertThat(d.int8Tops()).isEmpty();
    assertThat(d.l2CacheMb()).hasValue(l2Mb);
    assertThat(d.interconnect()).isEqualTo(link);
    if (linkGBs < 0) {
      assertThat(d.interconnectGBs()).isEmpty();
    } else {
      assertThat(d.interconnectGBs()).hasValue(linkGBs);
    }
  }

  /**
   * Rows whose host link was blank, so a model split over two of them was refused, now carry the bus interface their
   * database pages state: PCIe 4.0 x16 = 32 GB/s per direction.
   */
  @ParameterizedTest
  @CsvSource({"RTX 4070", "AMD Radeon RX 6900 XT", "AMD Radeon RX 7900 XT"})
  void rowsThatLackedAHostLinkNowCarryOne(String name) {
    DeviceSpec d = CATALOG.device(name);
    assertThat(d.interconnect()).isEqualTo("PCIe4 x16");
    assertThat(d.interconnectGBs()).hasValue(32);
  }

  /**
   * The MI355X's Infinity Fabric: 7 links of about 153 GB/s both ways together, so 7 × 153 / 2 = 535.5 GB/s per
   * direction, as the MI300X row counts its 896 GB/s as 448; a split over MI355X has a link that bounds it.
   */
  @Test
  void theMi355xLinkIsItsSevenInfinityFabricLinksPerDirection() {
    DeviceSpec d = CATALOG.device("AMD Instinct MI355X");
    assertThat(d.interconnect()).isEqualTo("Infinity Fabric");
    assertThat(d.interconnectGBs().getAsDouble()).isEqualTo(7 * 153 / 2.0);
    assertThat(CATALOG.device("AMD Instinct MI300X").interconnectGBs()).hasValue(896 / 2.0);
  }

  /** A device named with its memory size resolves only to a catalogued device of exactly that size. */
  @ParameterizedTest
  @CsvSource({"RTX 4090 24GB, RTX 4090", "RTX 4090 (24 GB), RTX 4090", "rtx4090-24gb, RTX 4090",
      "RTX 4060 Ti 16GB, RTX 4060 Ti 16GB", "RTX 4090 48GB, ''", "Unknown Card 24GB, ''", "A100 (80 GB), ''"})
  void aNameWithItsMemorySizeResolvesOnlyToThatSize(String given, String expected) {
    assertThat(CATALOG.findDevice(given).map(DeviceSpec::name).orElse("")).isEqualTo(expected);
  }

  /** The V100 SXM2's six NVLink2 links of 25 GB/s each way: 150 GB/s per direction, half the 300 GB/s both ways. */
  @Test
  void theV100Sxm2LinkIsSixNvlink2LinksPerDirection() {
    DeviceSpec d = CATALOG.device("Tesla V100 SXM2 32GB");
    assertThat(d.interconnect()).isEqualTo("NVLink2");
    assertThat(d.interconnectGBs().getAsDouble()).isEqualTo(6 * 25.0);
  }

  /** Apple states one GPU FP32 peak, at which FP16 also runs: both columns hold it. */
  @Test
  void appleRowsHaveTheirFp16FigureAsFp32() {
    List<DeviceSpec> apple = CATALOG.devices().entries().stream().filter(d -> d.vendor().equals("Apple")).toList();
    assertThat(apple).hasSizeGreaterThan(20);
    assertThat(apple).allSatisfy(d -> assertThat(d.fp32Tflops()).isEqualTo(d.fp16Tflops()));
    assertThat(apple).anySatisfy(d -> assertThat(d.fp32Tflops()).isPresent());
  }

  /** Every catalogued device has a vector peak except the Apple parts for which Apple states none. */
  @Test
  void onlyAppleM3AndM4LackAVectorPeak() {
    assertThat(CATALOG.devices().entries()).filteredOn(d -> d.fp32Tflops().isEmpty())
        .isNotEmpty()
        .allSatisfy(d -> assertThat(d.name()).matches("Apple M[34] .*"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "-1    | devices.csv:3 device FP32 vector peak = -1 is invalid | [0.001, 100000] TFLOPS",
      "0     | devices.csv:3 device FP32 vector peak = 0 is invalid  | [0.001, 100000] TFLOPS",
      "1e6   | devices.csv:3 device FP32 vector peak = 1000000 is invalid | [0.001, 100000] TFLOPS",
      "NaN   | devices.csv:3 fp32_tflops = \"NaN\" is invalid        | a finite number",
      "fast  | devices.csv:3 fp32_tflops = \"fast\" is invalid       | a finite number"})
  void anInvalidFp32PeakIsRefusedNamingFileLineFieldAndRange(String value, String message, String allowed) {
    String csv = "device,vendor,mem_bw_gbs,fp16_tflops,fp8_tflops,fp32_tflops,sm_or_cores,l2_mb,mem_gb\n"
        + "Good GPU,NVIDIA,1000,100,,25,10,4,16\n"
        + "Bad GPU,NVIDIA,1000,100,," + value.strip() + ",10,4,16\n";
    assertThatThrownBy(() -> Catalog.readDevices(new StringReader(csv), "devices.csv"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(message.strip())
        .hasMessageContaining(allowed.strip());
  }

  @Test
  void aDevicesFileWithoutTheFp32ColumnLeavesItUnknown() {
    String csv = "device,vendor,mem_bw_gbs,fp16_tflops,sm_or_cores,l2_mb,mem_gb\nOld GPU,NVIDIA,1000,100,10,4,16\n";
    assertThat(Catalog.readDevices(new StringReader(csv), "devices.csv")).singleElement()
        .satisfies(d -> assertThat(d.fp32Tflops()).isEmpty());
  }

  /** A given vector peak overrides the catalog's; a given FP16 peak drops it, as it drops the FP8 peak. */
  @Test
  void aGivenPeakReplacesOnlyItsOwnFigure() {
    Scenario fp32 = new ScenarioRequest("Llama 3 8B", "RTX 4090", "Q4_0", 1, 512, "decode", null, null, null, null,
        null, null, null, null, null, null, null, null, null, 90.0, null, null, null).resolve(CATALOG);
    assertThat(fp32.device().fp32Tflops()).hasValue(90.0);
    assertThat(fp32.device().fp16Tflops()).isEqualTo(CATALOG.device("RTX 4090").fp16Tflops());
    Scenario fp16 = new ScenarioRequest("Llama 3 8B", "RTX 4090", "Q4_0", 1, 512, "decode", null, null, null, null,
        null, null, null, null, null, null, null, null, 400.0, null, null, null, null).resolve(CATALOG);
    assertThat(fp16.device().fp16Tflops()).hasValue(400.0);
    assertThat(fp16.device().fp32Tflops()).isEqualTo(CATALOG.device("RTX 4090").fp32Tflops());
    assertThat(fp16.device().fp8Tflops()).isEqualTo(CATALOG.device("RTX 4090").fp8Tflops());
    Scenario other = new ScenarioRequest("Llama 3 8B", "RTX 4090", "Q4_0", 1, 512, "decode", null, null, null, null,
        null, null, null, null, null, null, null, 2000.0, null, null, null, null, null).resolve(CATALOG);
    assertThat(other.device().fp32Tflops()).isEqualTo(CATALOG.device("RTX 4090").fp32Tflops());
  }
}
