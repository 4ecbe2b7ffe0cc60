package dev.tuner.serving;

import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import java.util.Locale;
import java.util.Optional;

/**
 * Engine terms for one llama.cpp deployment from the learned step model, instead of the terms pooled over the serving
 * engines. No serving row of the data runs llama.cpp, so its serving terms would be the datacenter engines' (vLLM,
 * SGLang, TensorRT-LLM, LMDeploy), while the step model is trained and evaluated on 1 211 measurements, nearly all
 * llama.cpp's, of the very steps a llama.cpp server runs: a prompt prefilled from an empty cache, and tokens decoded
 * one at a time after it. Composed with the pooled terms, a Llama 3 8B server on an RTX 4090 prefilled 24 000 prompt
 * tokens/s where the step model (and the data) say about 6 000.
 *
 * <p>The step model predicts, for the workload's mean lengths {@code I} and {@code O}, one sequence's decode tokens/s
 * over {@code O} tokens after {@code I} cached ({@code r_d}, llama-bench's {@code tg O @ d I}: the mean over the
 * window, as the composition's decode iteration is at context {@code I + O/2}) and a prompt's tokens/s of {@code I}
 * tokens ({@code r_p}). The terms are the shares of the roofs that reproduce them: a one-sequence decode iteration is
 * memory-bound, so the bandwidth share (weights and KV cache alike) is {@code (weight + KV seconds at peak) × r_d}; a
 * prompt is compute-bound, so the compute share is {@code (its seconds at peak) × r_p / I}; both at most 1, so the
 * roofline still bounds. No overhead is added: the step model's tokens/s already contain llama.cpp's. The
 * intervals are the step model's: TTFT takes the prefill prediction's half-width (in log units), TPOT the decode's,
 * and what adds both (E2E, requests/s, tokens/s) the larger of the two.
 *
 * <p>It covers llama.cpp whose instance runs on one device, however many replicas of it the deployment has (the step
 * model's scenarios are a server's steps, not a layer split over several GPUs); anything else keeps the serving
 * terms. Immutable and thread-safe when the step model is.
 */
public final class StepModelTerms {
  /** A step model: one step scenario's prediction (the CLI passes the loaded default model's). */
  @FunctionalInterface
  public interface StepModel {
    ThroughputPrediction predict(Scenario s);
  }

  /**
   * The terms of one deployment, the half-widths (natural log) of its TTFT, TPOT and combined intervals, and what
   * the prediction rests on.
   */
  record Derived(EngineTerms terms, double prefillHalfWidth, double decodeHalfWidth, String assumption) {
    double combinedHalfWidth() {
      return Math.max(prefillHalfWidth, decodeHalfWidth);
    }
  }

  /** The serving terms' own cap on a half-width (a factor of 22 000 either way). */
  static final double MAX_HALF_WIDTH = 10;

  private final StepModel model;

  public StepModelTerms(StepModel model) {
    this.model = model;
  }

  /** Whether the step model answers for {@code s}: llama.cpp with each instance on one device. */
  static boolean covers(ServingScenario s) {
    return s.engine().kind() == EngineKind.LLAMA_CPP && !s.layout().splits();
  }

  /** The terms of {@code s}, which it {@link #covers}, from the step model. */
  Derived derive(ServingScenario s, InstanceFigures f) {
    Workload w = s.workload();
    int prompt = (int) Math.max(1, Math.min(Lengths.MAX_LENGTH, Math.round(w.input().mean())));
    int window = (int) Math.max(1, Math.min(Lengths.MAX_LENGTH, Math.round(w.output().mean())));
    EngineSettings engine = EngineSettings.DEFAULTS.withBackend(s.engine().backendOn(s.device()));
    Scenario decode = new Scenario(s.model(), s.device(), s.quant(), s.kvCache(), 1, window, Phase.DECODE, false,
        Optional.empty(), false, prompt, ParallelLayout.SINGLE, engine);
    Scenario prefill = new Scenario(s.model(), s.device(), s.quant(), s.kvCache(), 1, prompt, Phase.PREFILL, false,
        Optional.empty(), false, 0, ParallelLayout.SINGLE, engine);
    ThroughputPrediction d = model.predict(decode);
    ThroughputPrediction p = model.predict(prefill);
    double in = w.input().mean();
    StepTimes decodeStep = f.step(1, in + w.output().mean() / 2, 0, 0);
    StepTimes promptStep = f.step(0, 0, in, w.input().meanSquare() / 2);
    double bandwidth = share(decodeStep.memory() * d.tokensPerSecond());
    double compute = share(promptStep.compute() * p.tokensPerSecond() / in);
    EngineTerms terms = new EngineTerms(0, 0, bandwidth, bandwidth, compute, 1, 0, 0);
    String assumption = String.format(Locale.ROOT, "llama.cpp steps from the step model %s (no serving rows for"
        + " llama.cpp in training): one sequence decodes %.4g tokens/s over %d tokens after %d cached, a %d-token"
        + " prompt prefills at %.4g tokens/s; its terms reach %.3g of the bandwidth and %.3g of the compute roof",
        d.modelId(), d.tokensPerSecond(), window, prompt, prompt, p.tokensPerSecond(), bandwidth, compute);
    return new Derived(terms, halfWidth(p), halfWidth(d), assumption);
  }

  /** A share of a roof: the step model's tokens/s are never above their roofline, this is at most 1 too. */
  private static double share(double x) {
    return Math.max(0.01, Math.min(1, x));
  }

  /** The wider side of a prediction's interval, in natural-log units. */
  private static double halfWidth(ThroughputPrediction p) {
    double v = p.tokensPerSecond();
    double low = p.interval().low();
    double high = p.interval().high();
    if (!(v > 0) || !(low > 0)) {
      return MAX_HALF_WIDTH;
    }
    return Math.min(MAX_HALF_WIDTH, Math.max(Math.log(v / low), Math.log(high / v)));
  }
}
