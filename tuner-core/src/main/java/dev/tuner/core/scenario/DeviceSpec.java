package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * An accelerator. Bandwidth in GB/s (10^9 bytes/s), peaks in dense TFLOPS; an empty optional means the figure is
 * unknown (the roofline then says what it assumed). {@code fp16Tflops} and {@code fp8Tflops} are tensor (matrix)
 * peaks; {@code fp32Tflops} is the FP32 peak of the non-tensor ("vector") ALUs, which dequantising batch-1 decode
 * kernels run on. {@code computeUnits} is SMs (NVIDIA), CUs (AMD) or GPU cores (Apple); 0 when unknown.
 * {@code chipFamily} is the silicon die or family shared by a chip's siblings (GA102, AD102, M2-Max), the device's
 * own name when unknown. {@code fp4Tflops} is the dense FP4 (NVFP4/MXFP4) tensor peak, {@code int8Tops} the dense
 * INT8 peak (tensor-core int8 MMA, or dp4a on the vector ALUs where that is all the chip has).
 * {@code interconnect} names the link between a device and its peers ("NVLink4", "PCIe4 x16", "unified", empty
 * when unknown) and {@code interconnectGBs} its bandwidth in GB/s per direction per device. {@code architecture}
 * is the instruction-set generation engines compile their kernels for (CUDA compute capability, AMD gfx target
 * family, Apple GPU family), which siblings of several dies share ("Ampere sm_86", "RDNA3 gfx110x", "Apple8"); empty
 * when unknown.
 */
public record DeviceSpec(
    String name,
    String vendor,
    double memBandwidthGBs,
    OptionalDouble fp16Tflops,
    OptionalDouble fp8Tflops,
    OptionalDouble fp32Tflops,
    int computeUnits,
    OptionalDouble l2CacheMb,
    OptionalDouble memoryGb,
    List<String> aliases,
    String source,
    String chipFamily,
    OptionalDouble fp4Tflops,
    OptionalDouble int8Tops,
    String interconnect,
    OptionalDouble interconnectGBs,
    String architecture) {

  /** The figures known before chip families, integer and FP4 peaks and interconnects: those are unknown. */
  public DeviceSpec(
      String name, String vendor, double memBandwidthGBs, OptionalDouble fp16Tflops, OptionalDouble fp8Tflops,
      OptionalDouble fp32Tflops, int computeUnits, OptionalDouble l2CacheMb, OptionalDouble memoryGb,
      List<String> aliases, String source) {
    this(name, vendor, memBandwidthGBs, fp16Tflops, fp8Tflops, fp32Tflops, computeUnits, l2CacheMb, memoryGb,
        aliases, source, null, OptionalDouble.empty(), OptionalDouble.empty(), null, OptionalDouble.empty(), null);
  }

  /** The figures known before architectures: the architecture is unknown. */
  public DeviceSpec(
      String name, String vendor, double memBandwidthGBs, OptionalDouble fp16Tflops, OptionalDouble fp8Tflops,
      OptionalDouble fp32Tflops, int computeUnits, OptionalDouble l2CacheMb, OptionalDouble memoryGb,
      List<String> aliases, String source, String chipFamily, OptionalDouble fp4Tflops, OptionalDouble int8Tops,
      String interconnect, OptionalDouble interconnectGBs) {
    this(name, vendor, memBandwidthGBs, fp16Tflops, fp8Tflops, fp32Tflops, computeUnits, l2CacheMb, memoryGb,
        aliases, source, chipFamily, fp4Tflops, int8Tops, interconnect, interconnectGBs, null);
  }

  public DeviceSpec {
    Objects.requireNonNull(name, "device name");
    vendor = vendor == null ? "" : vendor;
    requireInRange("device memory bandwidth", memBandwidthGBs, 1, 100_000, "GB/s");
    check("device FP16 peak", fp16Tflops, 0.001, 100_000, "TFLOPS");
    check("device FP8 peak", fp8Tflops, 0.001, 200_000, "TFLOPS");
    // the FP16 peak's generous bound: the largest parts today are below 200 TFLOPS
    check("device FP32 vector peak", fp32Tflops, 0.001, 100_000, "TFLOPS");
    requireInRange("device compute units", computeUnits, 0, 100_000, "SMs/CUs/cores");
    check("device L2 cache", l2CacheMb, 0.001, 100_000, "MB");
    check("device memory", memoryGb, 0.001, 100_000, "GB");
    aliases = List.copyOf(aliases);
    source = source == null ? "" : source;
    chipFamily = chipFamily == null || chipFamily.isBlank() ? name : chipFamily.trim();
    check("device FP4 peak", fp4Tflops, 0.001, 400_000, "TFLOPS");
    check("device INT8 peak", int8Tops, 0.001, 400_000, "TOPS");
    interconnect = interconnect == null ? "" : interconnect.trim();
    check("device interconnect bandwidth", interconnectGBs, 0.001, 100_000, "GB/s per direction");
    architecture = architecture == null ? "" : architecture.trim();
  }

  /** This device with another interconnect (a user's own link, a measured system's). */
  public DeviceSpec withInterconnect(String link, OptionalDouble gbs) {
    return new DeviceSpec(name, vendor, memBandwidthGBs, fp16Tflops, fp8Tflops, fp32Tflops, computeUnits, l2CacheMb,
        memoryGb, aliases, source, chipFamily, fp4Tflops, int8Tops, link, gbs, architecture);
  }

  private static void check(String field, OptionalDouble v, double min, double max, String unit) {
    Objects.requireNonNull(v, field);
    if (v.isPresent()) {
      requireInRange(field, v.getAsDouble(), min, max, unit);
    }
  }

  /** A device given only by its figures (no catalog entry). */
  public static DeviceSpec explicit(
      String name, double memBandwidthGBs, OptionalDouble fp16Tflops, OptionalDouble fp32Tflops, int computeUnits,
      OptionalDouble l2Mb, OptionalDouble memoryGb) {
    return new DeviceSpec(
        name, "", memBandwidthGBs, fp16Tflops, OptionalDouble.empty(), fp32Tflops, computeUnits, l2Mb, memoryGb,
        List.of(), "given on the command line");
  }
}
