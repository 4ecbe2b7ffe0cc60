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
 * tokens ({@code r_p}), each on one instance of the deployment: its {@code tp × pp} devices, as llama.cpp splits a
 * model over them (by layer, {@code --split-mode layer}, for pipeline stages; by rows, {@code --split-mode row}, for
 * tensor parallelism). The terms are the shares of the roofs that reproduce them: the instance's collectives (none on
 * one device) are taken at the link's full bandwidth with their latency, the least they can take, and the rest of the
 * step is the kernels'. A one-sequence decode iteration is memory-bound, so the bandwidth share (weights and KV cache
 * alike) is {@code (weight + KV seconds at peak) / (1 / r_d − collective seconds)}; a prompt is compute-bound, so the
 * compute share is {@code (its seconds at peak) / (I / r_p − collective seconds)}; both at most 1, so the roofline
 * still bounds (a step model faster than the link allows is then not reached, and the prediction says so). No
 * overhead is added: the step model's tokens/s already contain llama.cpp's. The intervals are the step model's: TTFT
 * takes the prefill prediction's half-width (in log units), TPOT the decode's, and what adds both (E2E, requests/s,
 * tokens/s) the larger of the two. On several devices the step model's intervals are already wider than on one: no
 * training row was measured on more than one device, and the step model widens what it never varied.
 *
 * <p>It covers llama.cpp (and Ollama, which runs it) on any layout llama.cpp runs: one device, a layer or row split
 * ({@code pp}, {@code tp}), and any number of replicas of the instance, which {@link ServingPredictor} loads evenly
 * (the step model is asked for one instance's steps, never the replicas'). A layout the step model refuses keeps
 * the pooled serving terms, and the prediction says why. Immutable and thread-safe when the step model is.
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

  /**
   * Whether the step model answers for {@code s}: llama.cpp, on any layout it runs (one device, a layer or row split,
   * replicas of either; {@link ServingScenario#requireRunnable} refuses expert parallelism, which it runs none of).
   */
  static boolean covers(ServingScenario s) {
    return s.engine().kind() == EngineKind.LLAMA_CPP;
  }

  /** One instance of {@code s}'s layout: its {@code tp × pp} devices, without the replicas. */
  static ParallelLayout instance(ParallelLayout l) {
    return new ParallelLayout(l.tp() * l.pp(), l.tp(), l.pp(), 1);
  }

  /**
   * The terms of {@code s}, which it {@link #covers}, from the step model's predictions of one instance's steps.
   *
   * @throws dev.tuner.api.InvalidInputException when the step model refuses those steps
   */
  Derived derive(ServingScenario s, InstanceFigures f) {
    Workload w = s.workload();
    int prompt = (int) Math.max(1, Math.min(Lengths.MAX_LENGTH, Math.round(w.input().mean())));
    int window = (int) Math.max(1, Math.min(Lengths.MAX_LENGTH, Math.round(w.output().mean())));
    EngineSettings engine = EngineSettings.DEFAULTS.withBackend(s.engine().backendOn(s.device()));
    ParallelLayout layout = instance(s.layout());
    Scenario decode = new Scenario(s.model(), s.device(), s.quant(), s.kvCache(), 1, window, Phase.DECODE, false,
        Optional.empty(), false, prompt, layout, engine);
    Scenario prefill = new Scenario(s.model(), s.device(), s.quant(), s.kvCache(), 1, prompt, Phase.PREFILL, false,
        Optional.empty(), false, 0, layout, engine);
    ThroughputPrediction d = model.predict(decode);
    ThroughputPrediction p = model.predict(prefill);
    double in = w.input().mean();
    StepTimes decodeStep = f.step(1, in + w.output().mean() / 2, 0, 0);
    StepTimes promptStep = f.step(0, 0, in, w.input().meanSquare() / 2);
    // the collectives at the link's full bandwidth (interconnect share 1), with their latency: the least they take
    double decodeLink = EngineTerms.PHYSICS.network(decodeStep);
    double promptLink = EngineTerms.PHYSICS.network(promptStep);
    double bandwidth = share(decodeStep.memory(), 1 / d.tokensPerSecond() - decodeLink);
    double compute = share(promptStep.compute(), in / p.tokensPerSecond() - promptLink);
    EngineTerms terms = new EngineTerms(0, 0, bandwidth, bandwidth, compute, 1, 0, 0);
    StringBuilder assumption = new StringBuilder(String.format(Locale.ROOT, "llama.cpp steps from the step model %s"
        + " (no serving rows for llama.cpp in training)%s: one sequence decodes %.4g tokens/s over %d tokens after %d"
        + " cached, a %d-token prompt prefills at %.4g tokens/s; its terms reach %.3g of the bandwidth and %.3g of the"
        + " compute roof", d.modelId(), layout.isSingle() ? "" : String.format(Locale.ROOT, " on one instance of %d"
        + " devices (%s, llama.cpp's %s split)", layout.devices(), layout.describe(), layout.tp() > 1 ? "row"
        : "layer"), d.tokensPerSecond(), window, prompt, prompt, p.tokensPerSecond(), bandwidth, compute));
    if (decodeLink > 0 || promptLink > 0) {
      assumption.append(String.format(Locale.ROOT, ", beside the collectives at the link's full bandwidth (%.3g ms"
          + " of a decode step, %.3g ms of the prompt)", decodeLink * 1e3, promptLink * 1e3));
    }
    boolean decodeBound = decodeLink + decodeStep.memory() / bandwidth > 1.001 / d.tokensPerSecond();
    boolean promptBound = promptLink + promptStep.compute() / compute > 1.001 * in / p.tokensPerSecond();
    if (decodeBound || promptBound) {
      assumption.append(String.format(Locale.ROOT, "; the roofline and the link bound it below the step model's"
          + " %s, which the composition does not reach", decodeBound ? "decode" + (promptBound ? " and prefill" : "")
          : "prefill"));
    }
    return new Derived(terms, halfWidth(p), halfWidth(d), assumption.toString());
  }

  /**
   * The share of a roof at which {@code peakSeconds} take {@code seconds}: the step model's tokens/s are never above
   * their roofline, this is at most 1 too (and at least the terms' least share, 0.01); when the collectives alone
   * take the step's time ({@code seconds ≤ 0}), the roof itself.
   */
  static double share(double peakSeconds, double seconds) {
    return seconds > 0 ? Math.max(0.01, Math.min(1, peakSeconds / seconds)) : 1;
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
