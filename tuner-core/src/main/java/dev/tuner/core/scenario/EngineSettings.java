package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import dev.tuner.api.InvalidInputException;
import java.time.YearMonth;
import java.util.Objects;
import java.util.Optional;

/**
 * The engine switches that change llama.cpp throughput. {@code nUbatch} is the physical batch a prefill is cut into
 * (llama.cpp's {@code -ub}); {@code flashAttention} its {@code -fa}; {@code backend} the compute API;
 * {@code build} the engine build as the source states it ("b4000", a commit), empty when unknown; {@code buildDate}
 * the month of that build ({@link BuildDate}), empty when unknown; {@code blas} the library of its dense matrix
 * multiplications ({@link BlasLibrary}). {@link #DEFAULTS} are llama-bench's defaults: n_ubatch 512, flash attention
 * off, the backend's own BLAS, and an unknown backend, build and build date; a request's scenario takes the device's
 * usual backend for an unknown one ({@link #withUsualBackend}). {@code backendAssumed} says the backend was taken so,
 * not stated: a prediction on it rests on that choice and says so ({@link #backendAssumption}), wherever the
 * scenario came from. {@code flashAttentionAssumed} says flash attention was not stated: off as llama-bench's
 * default, or on where the KV cache needs it ({@link #forKvCache}), which a prediction then says
 * ({@link #flashAttentionAssumption}).
 */
public record EngineSettings(int nUbatch, boolean flashAttention, Backend backend, String build,
    Optional<YearMonth> buildDate, BlasLibrary blas, boolean backendAssumed, boolean flashAttentionAssumed) {
  /** llama-bench's default physical batch ({@code -ub 512}). */
  public static final int DEFAULT_N_UBATCH = 512;
  public static final EngineSettings DEFAULTS = new EngineSettings(DEFAULT_N_UBATCH, false, Backend.UNKNOWN, "",
      Optional.empty(), BlasLibrary.DEFAULT, false, true);

  /** Settings with an unknown build date and the backend's own BLAS. */
  public EngineSettings(int nUbatch, boolean flashAttention, Backend backend, String build) {
    this(nUbatch, flashAttention, backend, build, Optional.empty(), BlasLibrary.DEFAULT);
  }

  /** Settings whose backend, if known, was stated, as their flash attention was. */
  public EngineSettings(int nUbatch, boolean flashAttention, Backend backend, String build,
      Optional<YearMonth> buildDate, BlasLibrary blas) {
    this(nUbatch, flashAttention, backend, build, buildDate, blas, false);
  }

  /** Settings whose flash attention was stated. */
  public EngineSettings(int nUbatch, boolean flashAttention, Backend backend, String build,
      Optional<YearMonth> buildDate, BlasLibrary blas, boolean backendAssumed) {
    this(nUbatch, flashAttention, backend, build, buildDate, blas, backendAssumed, false);
  }

  /** The settings with each given figure ({@code null}: llama-bench's default of {@link #DEFAULTS}). */
  public static EngineSettings of(Integer nUbatch, Boolean flashAttention, Backend backend, String build) {
    return of(nUbatch, flashAttention, backend, build, null, null);
  }

  /**
   * The settings with each given figure ({@code null}: the default of {@link #DEFAULTS}; flash attention not given is
   * {@link #flashAttentionAssumed}).
   */
  public static EngineSettings of(Integer nUbatch, Boolean flashAttention, Backend backend, String build,
      YearMonth buildDate, BlasLibrary blas) {
    return new EngineSettings(nUbatch == null ? DEFAULTS.nUbatch() : nUbatch,
        flashAttention == null ? DEFAULTS.flashAttention() : flashAttention,
        backend == null ? DEFAULTS.backend() : backend, build == null ? DEFAULTS.build() : build,
        Optional.ofNullable(buildDate), blas == null ? DEFAULTS.blas() : blas, false, flashAttention == null);
  }

  public EngineSettings {
    requireInRange("n_ubatch", nUbatch, 1, 1 << 20, "tokens");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(buildDate, "buildDate");
    Objects.requireNonNull(blas, "blas");
    if (blas == BlasLibrary.HIPBLASLT && backend != Backend.ROCM && backend != Backend.UNKNOWN) {
      // hipBLASLt is a ROCm library (ROCBLAS_USE_HIPBLASLT): no other backend can call it
      throw new InvalidInputException("blas", "hipblaslt with backend " + backend.id(),
          "the ROCm backend (or an unstated one) for hipblaslt, or the backend's own BLAS (default)");
    }
    if (backendAssumed && backend == Backend.UNKNOWN) {
      throw new InvalidInputException("backendAssumed", "true with an unknown backend",
          "false: only a known backend can have been assumed (withUsualBackend assumes one)");
    }
    build = build == null ? "" : build.trim();
  }

  /** These settings with {@code tokens} as the physical batch. */
  public EngineSettings withNUbatch(int tokens) {
    return new EngineSettings(tokens, flashAttention, backend, build, buildDate, blas, backendAssumed,
        flashAttentionAssumed);
  }

  /** These settings with {@code b} as the backend, stated. */
  public EngineSettings withBackend(Backend b) {
    return new EngineSettings(nUbatch, flashAttention, b, build, buildDate, blas, false, flashAttentionAssumed);
  }

  /**
   * These settings, with the backend llama.cpp usually runs on {@code device} ({@link Backend#usualOn}) when none is
   * stated, marked as assumed. hipBLASLt asks for the ROCm backend, so it is refused on a device whose usual backend
   * is another.
   */
  public EngineSettings withUsualBackend(DeviceSpec device) {
    if (backend != Backend.UNKNOWN) {
      return this;
    }
    Backend usual = Backend.usualOn(device);
    if (blas == BlasLibrary.HIPBLASLT && usual != Backend.ROCM && usual != Backend.UNKNOWN) {
      throw new InvalidInputException("blas", "hipblaslt on " + device.name() + " (" + device.vendor() + ")",
          "an AMD device on the ROCm backend: hipBLASLt is a ROCm library; the backend's own BLAS (default) elsewhere");
    }
    return usual == Backend.UNKNOWN ? this
        : new EngineSettings(nUbatch, flashAttention, usual, build, buildDate, blas, true, flashAttentionAssumed);
  }

  /**
   * These settings as llama.cpp runs a {@code kv} cache on them. It quantizes the V cache only in its flash-attention
   * kernels ({@link KvCacheType#needsFlashAttention}), so flash attention not stated follows the cache (on for q8_0
   * and q4_0, llama-bench's off for the others), and stated off with such a cache is refused: that run cannot happen.
   */
  public EngineSettings forKvCache(KvCacheType kv) {
    boolean needed = kv.needsFlashAttention();
    if (flashAttentionAssumed) {
      return flashAttention == needed ? this
          : new EngineSettings(nUbatch, needed, backend, build, buildDate, blas, backendAssumed, true);
    }
    if (needed && !flashAttention) {
      throw new InvalidInputException("flash attention", "off with a " + kv.id() + " KV cache", "on (or not"
          + " stated, which takes it on): llama.cpp quantizes the V cache only with flash attention and refuses"
          + " otherwise (\"V cache quantization requires flash_attn\"); state it on (ScenarioRequest's flashAttn or"
          + " EngineSettings' flashAttention, --flash-attn in the CLI) or take an f16 KV cache");
    }
    return this;
  }

  /** What a prediction with a {@code kv} cache says when {@link #forKvCache} took flash attention on; else empty. */
  public Optional<String> flashAttentionAssumption(KvCacheType kv) {
    return flashAttention && flashAttentionAssumed && kv.needsFlashAttention()
        ? Optional.of("no flash attention given: on, the only way llama.cpp runs a " + kv.id() + " KV cache (it"
            + " quantizes the V cache only with flash attention; state it: ScenarioRequest's flashAttn or"
            + " EngineSettings' flashAttention, --flash-attn in the CLI)")
        : Optional.empty();
  }

  /** What a prediction on {@code device} says of its backend when {@link #withUsualBackend} took it; else empty. */
  public Optional<String> backendAssumption(DeviceSpec device) {
    return backendAssumed ? Optional.of(backend.assumedNote(device, "ScenarioRequest's or EngineSettings' backend"))
        : Optional.empty();
  }
}
