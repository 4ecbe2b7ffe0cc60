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
    String source) {

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
