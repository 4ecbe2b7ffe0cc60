package dev.tuner.serving;

import dev.tuner.core.scenario.ModelSpec;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Engine releases whose maintainers' issue tracker reports a kernel path as broken for a kind of run: such a row
 * measures a defect, not the engine, and a serving row on it is rejected with the report as its reason. Each entry
 * cites the public report (data/SOURCES.md, {@code issue_sglang_6313}); none is inferred from this project's
 * residuals alone. The reasons carry no apostrophes: the evaluation's reason kinds read quoted text as a name.
 */
final class KnownDefects {
  /**
   * A defective path: an engine's release and its patches ({@code 0.4.6} covers {@code 0.4.6.post1}, not
   * {@code 0.4.60}), a weight format by its prefix, MoE models or all.
   */
  record Defect(EngineKind engine, String release, String weightPrefix, boolean moeOnly, String report) {
    boolean matches(EngineKind kind, String version, ModelSpec model, String weightDtype) {
      return kind == engine && (version.equals(release) || version.startsWith(release + "."))
          && weightDtype.toLowerCase(Locale.ROOT).startsWith(weightPrefix)
          && (!moeOnly || model.moe().isMoe());
    }
  }

  private static final List<Defect> DEFECTS = List.of(
      new Defect(EngineKind.SGLANG, "0.4.6", "gptq", true,
          "the GPTQ mixture-of-experts path of SGLang 0.4.6 is reported broken: Qwen3-30B-A3B-GPTQ-Int4 on H20"
              + " repeats one token forever at 40% of the throughput of the FP8 checkpoint (sgl-project/sglang#6313,"
              + " on SGLang 0.4.6.post2)"));

  private KnownDefects() {}

  /** The report that makes a row of this engine release, model and weight format a defect's measurement, if any. */
  static Optional<String> of(EngineKind kind, String version, ModelSpec model, String weightDtype) {
    return DEFECTS.stream().filter(d -> d.matches(kind, version.trim(), model, weightDtype.trim()))
        .map(Defect::report).findFirst();
  }
}
