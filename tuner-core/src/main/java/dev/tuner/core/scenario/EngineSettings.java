package dev.tuner.core.scenario;

import static dev.tuner.api.InvalidInputException.requireInRange;

import java.util.Objects;

/**
 * The engine switches that change llama.cpp throughput. {@code nUbatch} is the physical batch a prefill is cut into
 * (llama.cpp's {@code -ub}); {@code flashAttention} its {@code -fa}; {@code backend} the compute API;
 * {@code build} the engine build as the source states it ("b4000", a commit), empty when unknown.
 * {@link #DEFAULTS} are llama-bench's defaults: n_ubatch 512, flash attention off, and an unknown backend and build.
 */
public record EngineSettings(int nUbatch, boolean flashAttention, Backend backend, String build) {
  /** llama-bench's default physical batch ({@code -ub 512}). */
  public static final int DEFAULT_N_UBATCH = 512;
  public static final EngineSettings DEFAULTS = new EngineSettings(DEFAULT_N_UBATCH, false, Backend.UNKNOWN, "");

  /** The settings with each given figure ({@code null}: llama-bench's default of {@link #DEFAULTS}). */
  public static EngineSettings of(Integer nUbatch, Boolean flashAttention, Backend backend, String build) {
    return new EngineSettings(nUbatch == null ? DEFAULTS.nUbatch() : nUbatch,
        flashAttention == null ? DEFAULTS.flashAttention() : flashAttention,
        backend == null ? DEFAULTS.backend() : backend, build == null ? DEFAULTS.build() : build);
  }

  public EngineSettings {
    requireInRange("n_ubatch", nUbatch, 1, 1 << 20, "tokens");
    Objects.requireNonNull(backend, "backend");
    build = build == null ? "" : build.trim();
  }
}
