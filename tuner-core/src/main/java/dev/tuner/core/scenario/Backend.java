package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The compute API an engine runs its kernels on, read from a free-text backend such as "llama.cpp CUDA".
 * {@link #UNKNOWN} when the text names none (a row without a backend, or an engine name alone).
 */
public enum Backend {
  CUDA("NVIDIA"),
  METAL("Apple"),
  ROCM("AMD"),
  VULKAN,
  SYCL("Intel", "NVIDIA"),
  CPU,
  UNKNOWN;

  private final List<String> vendors;

  Backend(String... vendors) {
    this.vendors = List.of(vendors);
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The backend a user states in {@code text} ({@link #parse}), refused when the text names none: a mistyped
   * "Vulkn" must not quietly become the device's usual backend. Blank is unstated, {@link #UNKNOWN}.
   */
  public static Backend parseStated(String field, String text) {
    Backend b = parse(text);
    if (b == UNKNOWN && text != null && !text.isBlank()) {
      throw new InvalidInputException(field, text, "a compute API: CUDA, Metal, ROCm (or HIP), Vulkan, SYCL or CPU");
    }
    return b;
  }

  /**
   * The backend a text names: "CUDA", "Metal", "ROCm"/"HIP", "Vulkan", "SYCL", "CPU" anywhere in it, as whole
   * words; the engines that only run on CUDA (TensorRT-LLM) are CUDA. Anything else is {@link #UNKNOWN}: a backend
   * is a fact of the measurement, not something to guess from the device.
   */
  public static Backend parse(String text) {
    if (text == null || text.isBlank()) {
      return UNKNOWN;
    }
    String t = " " + text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ") + " ";
    if (t.contains(" cuda ") || t.contains(" tensorrt llm ") || t.contains(" trt llm ")) {
      return CUDA;
    }
    if (t.contains(" metal ") || t.contains(" mps ")) {
      return METAL;
    }
    if (t.contains(" rocm ") || t.contains(" hip ")) {
      return ROCM;
    }
    if (t.contains(" vulkan ")) {
      return VULKAN;
    }
    if (t.contains(" sycl ")) {
      return SYCL;
    }
    if (t.contains(" cpu ")) {
      return CPU;
    }
    return UNKNOWN;
  }

  /**
   * The GPU vendors whose devices this backend drives, empty for a backend tied to none: CUDA is NVIDIA's, Metal
   * Apple's and ROCm/HIP AMD's; SYCL targets Intel and NVIDIA GPUs; Vulkan has drivers from every vendor (MoltenVK on
   * Apple), and the CPU backend is no GPU's (data/SOURCES.md {@code doc_llamacpp_backends}): where it runs is
   * {@link #runsOn}'s rule.
   */
  public List<String> vendors() {
    return vendors;
  }

  /**
   * Whether llama.cpp can capture CUDA graphs on this backend: in its CUDA code, which the ROCm backend compiles as HIP
   * (HIP graphs, with GGML_HIP_GRAPHS); on Metal, Vulkan, SYCL or the CPU a run with graphs cannot happen. A backend
   * that is not known is not judged, as hipBLASLt's is not ({@link EngineSettings}).
   */
  public boolean capturesGraphs() {
    return this == CUDA || this == ROCM || this == UNKNOWN;
  }

  /**
   * Whether this backend can drive {@code device} ({@link Vendors#among}: a vendor no list names is not judged). The
   * CPU backend runs on the host's cores and memory, so it describes a catalog device only where the host shares that
   * memory ({@link Scenario#isUnifiedMemory}: Apple silicon, an APU, a GB10); a GPU with memory of its own would bound
   * it by a roofline it does not run under. A device of no named vendor may be the host itself, given by its figures.
   */
  public boolean runsOn(DeviceSpec device) {
    if (this == CPU) {
      return !Vendors.named(device) || Scenario.isUnifiedMemory(device);
    }
    return Vendors.among(vendors, device);
  }

  /** Refuses {@code device} unless this backend drives it, naming the backends that do. */
  public void requireRunsOn(DeviceSpec device) {
    if (this == CPU && !runsOn(device)) {
      throw new InvalidInputException("backend", id() + " on " + device.name() + " (" + device.vendor() + ", a GPU"
          + " with its own memory)", "a backend that runs on it: " + runningOn(device) + ". llama.cpp's CPU backend"
          + " runs on the host's cores and memory, whose figures the catalog does not hold, so the GPU's roofline would"
          + " not bound it; to predict a CPU run, describe the host by its figures instead of a catalog device"
          + " (DeviceSpec.explicit; --mem-bw-gbs, --fp16-tflops and --fp32-tflops without --device in the CLI)");
    }
    if (!runsOn(device)) {
      throw new InvalidInputException("backend", id() + " on " + device.name() + " (" + device.vendor() + ")",
          "a backend that runs on " + device.vendor() + " devices: " + runningOn(device));
    }
  }

  /**
   * The backend llama.cpp runs on {@code device} when none is stated: its vendor's, as Ollama (llama.cpp packaged)
   * ships it: CUDA on NVIDIA, ROCm on AMD, Metal on Apple, Vulkan on Intel (data/SOURCES.md
   * {@code doc_ollama_hardware}); {@link #UNKNOWN} for a vendor none of these names. Every shipped measurement states
   * its backend, so a prediction left at {@link #UNKNOWN} would read a backend no training row had: on Apple silicon
   * that halved the predicted prompt tokens/s.
   */
  public static Backend usualOn(DeviceSpec device) {
    String v = device.vendor();
    if (v.equalsIgnoreCase("NVIDIA")) {
      return CUDA;
    }
    if (v.equalsIgnoreCase("AMD")) {
      return ROCM;
    }
    if (v.equalsIgnoreCase("Apple")) {
      return METAL;
    }
    return v.equalsIgnoreCase("Intel") ? VULKAN : UNKNOWN;
  }

  /**
   * What a prediction on {@code device} says when, none being stated, it took this backend as the one llama.cpp
   * usually runs there ({@link #usualOn}): one wording for the step and the serving side, whose embedders state
   * another in different places ({@code setting}).
   */
  public String assumedNote(DeviceSpec device, String setting) {
    return "no backend given: " + id() + " assumed, what llama.cpp runs on " + device.vendor()
        + " devices as Ollama ships it (state another: " + setting + ", --backend in the CLI)";
  }

  /** The backends that can drive {@code device}, for messages. */
  public static String runningOn(DeviceSpec device) {
    return String.join(", ", Arrays.stream(values()).filter(b -> b != UNKNOWN && b.runsOn(device)).map(Backend::id)
        .toList());
  }
}
