package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.scenario.Backend;
import dev.tuner.core.scenario.BlasLibrary;
import dev.tuner.core.scenario.BuildDate;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.schema.Quantity;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The llama.cpp settings a step prediction reads (issue 15 §3): n_ubatch, flash attention, the build's month and the
 * BLAS library here, the backend from
 * the command's {@code --backend}. Shared by {@code predict} and {@code recommend}; unset settings take llama-bench's
 * defaults ({@link EngineSettings#DEFAULTS}), as the scenario states.
 */
final class EngineSettingsOptions {
  @Option(names = "--n-ubatch", paramLabel = "TOKENS",
      description = "llama.cpp's physical batch (-ub) a prompt is cut into (default 512, llama-bench's).")
  Integer nUbatch;

  @Option(names = "--flash-attn", arity = "0..1", paramLabel = "true|false",
      description = "Flash attention (llama.cpp -fa; default off).")
  Boolean flashAttn;

  @Option(names = "--build-date", paramLabel = "YYYY-MM",
      description = "Month of the engine build, e.g. 2025-08: builds of one engine differ in speed (default:"
          + " unknown).")
  String buildDate;

  @Option(names = "--blas", paramLabel = "LIBRARY",
      description = "Library of the dense matrix multiplications: default (the backend's own: cuBLAS, rocBLAS) or"
          + " hipblaslt (ROCm with ROCBLAS_USE_HIPBLASLT=1).")
  String blas;

  /** Refuses every setting given, naming the first: {@code allowed} says where such settings belong. */
  void refuseAll(String allowed) {
    Map.Entry<String, String> given = first();
    if (given != null) {
      throw new InvalidInputException(given.getKey(), given.getValue(), allowed);
    }
  }

  /** The first setting given, as its option and value; {@code null} when none is. */
  private Map.Entry<String, String> first() {
    if (nUbatch != null) {
      return Map.entry("--n-ubatch", nUbatch.toString());
    }
    if (flashAttn != null) {
      return Map.entry("--flash-attn", flashAttn.toString());
    }
    if (buildDate != null) {
      return Map.entry("--build-date", buildDate);
    }
    return blas == null ? null : Map.entry("--blas", blas);
  }

  /** {@code backend} when it names a compute API the scenario knows; refused otherwise, never read as unknown. */
  static String backend(String backend) {
    Backend.parseStated("--backend", backend);
    return backend;
  }

  /** The settings with {@code backend} (the command's --backend, null when not given). */
  EngineSettings settings(String backend) {
    return EngineSettings.of(nUbatch, flashAttn, backend(backend) == null ? null : Backend.parse(backend), null,
        buildDate == null ? null : BuildDate.parse("--build-date", buildDate),
        blas == null ? null : BlasLibrary.parse("--blas", blas));
  }

  /** Refuses each given setting the model of {@code predictor} has no feature for. */
  void requireEffect(Predictor predictor, String backend) {
    SettingEffect.require(predictor, "--n-ubatch", nUbatch, Quantity.N_UBATCH);
    SettingEffect.require(predictor, "--flash-attn", flashAttn, Quantity.FLASH_ATTENTION);
    SettingEffect.require(predictor, "--backend", backend, Quantity.BACKEND);
    SettingEffect.require(predictor, "--build-date", buildDate, Quantity.BUILD_MONTH);
    SettingEffect.require(predictor, "--blas", blas, Quantity.BLAS);
  }
}
