package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.serving.Engine;
import dev.tuner.serving.EngineDefaults;
import dev.tuner.serving.EngineKind;
import dev.tuner.serving.EngineLimits;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.serving.Lengths;
import dev.tuner.serving.Load;
import dev.tuner.serving.TrtllmBenchTuning;
import dev.tuner.serving.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The serving options of {@code tuner predict}: an engine, a workload and a layout. Giving {@code --engine} (or any
 * workload option) turns a prediction from one step's tokens/s into serving metrics.
 */
final class ServingOptions {
  @Option(names = "--engine", paramLabel = "NAME",
      description = "Serving engine: vllm, sglang, tensorrt-llm, lmdeploy, llama.cpp (ollama), mlx.")
  String engine;

  @Option(names = "--engine-version", paramLabel = "V", description = "Engine version (recorded, e.g. 0.8.4).")
  String engineVersion;

  @Option(names = "--backend", paramLabel = "NAME", description = "Engine backend, e.g. CUDA, ROCm, Metal.")
  String backend;

  @Option(names = "--isl", paramLabel = "TOKENS", description = "Input (prompt) tokens per request (mean).")
  Integer isl;

  @Option(names = "--osl", paramLabel = "TOKENS", description = "Output tokens per request (mean).")
  Integer osl;

  @Option(names = "--isl-sd", paramLabel = "TOKENS", description = "Standard deviation of input lengths.")
  Double islSd;

  @Option(names = "--osl-sd", paramLabel = "TOKENS", description = "Standard deviation of output lengths.")
  Double oslSd;

  @Option(names = "--lengths-file", paramLabel = "FILE",
      description = "Request lengths, one 'input,output' pair per line (instead of --isl/--osl).")
  Path lengthsFile;

  @Option(names = "--concurrency", paramLabel = "N", description = "Requests in flight (closed loop).")
  Integer concurrency;

  @Option(names = "--request-rate", paramLabel = "PER_S", converter = RateConverter.class,
      description = "Requests per second arriving; inf for every request at once, as --offline (what 'ingest"
          + " --serving' writes as request_rate for such runs).")
  Double requestRate;

  @Option(names = "--offline", description = "All requests at once (maximum throughput).")
  boolean offline;

  @Option(names = "--prompts", paramLabel = "N",
      description = "Requests in an --offline, --concurrency or --request-rate run (a closed loop's first wave then"
          + " counts; a run at a rate starts empty and never has more than N in flight).")
  Integer prompts;

  @Option(names = "--max-batch", paramLabel = "N", description = "Engine's sequence limit (0 = memory only).")
  Integer maxBatch;

  @Option(names = "--max-tokens-per-step", paramLabel = "N", description = "Engine's tokens per iteration.")
  Integer maxTokens;

  @Option(names = "--chunked-prefill", arity = "1", paramLabel = "true|false", description = "Chunked prefill.")
  Boolean chunkedPrefill;

  @Option(names = "--kv-cache-fraction", paramLabel = "F", description = "Memory share of the KV cache.")
  Double kvFraction;

  @Option(names = "--attention-dp", paramLabel = "N",
      description = "Attention data-parallel groups inside the instance (SGLang --enable-dp-attention --dp-size N,"
          + " TensorRT-LLM enable_attention_dp: N = tp); a divisor of --tp (default 1: plain tensor parallelism).")
  Integer attentionDp;

  @Option(names = "--trtllm-bench-limits",
      description = "TensorRT-LLM's max batch and tokens per iteration as trtllm-bench chooses them for the workload's"
          + " mean lengths (--max-batch and --max-tokens-per-step still override them).")
  boolean trtllmBenchLimits;

  @Option(names = "--serving-terms", paramLabel = "FILE",
      description = "Serving terms from 'tuner train --serving' (default: the shipped terms).")
  Path servingTerms;

  boolean active() {
    return engine != null || isl != null || osl != null || concurrency != null || requestRate != null || offline
        || lengthsFile != null;
  }

  /**
   * Refuses the options that only a serving prediction reads, for a step prediction: {@code allowed} says what they
   * need.
   */
  void refuseServingOnly(String allowed) {
    UnreadOptions.refuse(allowed, "--engine-version", engineVersion, "--isl-sd", islSd, "--osl-sd", oslSd,
        "--prompts", prompts, "--max-batch", maxBatch, "--max-tokens-per-step", maxTokens, "--chunked-prefill",
        chunkedPrefill, "--kv-cache-fraction", kvFraction, "--attention-dp", attentionDp, "--trtllm-bench-limits",
        UnreadOptions.flag(trtllmBenchLimits), "--serving-terms", servingTerms);
  }

  Engine engine(EngineDefaults defaults, Scenario step, ParallelLayout layout, Workload workload) {
    if (engine == null) {
      throw new InvalidInputException("--engine", "missing", EngineKindNames.ALLOWED);
    }
    EngineKind kind = EngineKind.parse(engine);
    EngineLimits l = defaults.of(engine);
    if (trtllmBenchLimits) {
      if (kind != EngineKind.TENSORRT_LLM) {
        throw new InvalidInputException("--trtllm-bench-limits", "with --engine " + engine,
            "only with --engine tensorrt-llm (trtllm-bench is TensorRT-LLM's benchmark)");
      }
      l = TrtllmBenchTuning.limits(l, step.model(), step.device(), step.quant(), step.kvCache(), layout,
          workload.input().mean(), workload.output().mean());
    }
    if (maxBatch != null) {
      l = l.withMaxBatch(maxBatch);
    }
    if (maxTokens != null) {
      l = l.withMaxTokensPerStep(maxTokens);
    }
    if (chunkedPrefill != null) {
      l = l.withChunkedPrefill(chunkedPrefill);
    }
    if (kvFraction != null) {
      l = l.withKvCacheFraction(kvFraction);
    }
    return new Engine(kind, backend, engineVersion, l, defaults.product(engine).orElse(""));
  }

  /** Lengths of a fixed {@code mean}, or normal with {@code sd}, each checked under the flag that gave it. */
  private static Lengths lengths(String meanFlag, int mean, String sdFlag, Double sd) {
    InvalidInputException.requireInRange(meanFlag, mean, 1, Lengths.MAX_LENGTH, "tokens per request");
    if (sd == null) {
      return Lengths.fixed(mean);
    }
    InvalidInputException.requireInRange(sdFlag, sd, 0, mean, "tokens (at most " + meanFlag + ")");
    return Lengths.normal(mean, sd);
  }

  /** The deployment from the step options --devices/--tp/--pp/--ep, which serving shares with a step prediction. */
  ParallelLayout layout(LayoutOptions given) {
    int t = given.tp == null ? 1 : given.tp;
    int p = given.pp == null ? 1 : given.pp;
    int e = given.ep == null ? 1 : given.ep;
    return new ParallelLayout(given.devices == null ? Math.max(t * p, e) : given.devices, t, p, e);
  }

  Workload workload(Integer batch) {
    Lengths in;
    Lengths out;
    if (lengthsFile != null) {
      if (isl != null || osl != null) {
        throw new InvalidInputException("--lengths-file", lengthsFile.toString(), "either a file or --isl/--osl");
      }
      int[][] pairs = readLengths(lengthsFile);
      in = Lengths.of(pairs[0]);
      out = Lengths.of(pairs[1]);
    } else {
      if (isl == null || osl == null) {
        throw new InvalidInputException(isl == null ? "--isl" : "--osl", "missing",
            "input and output tokens per request (or --lengths-file)");
      }
      in = lengths("--isl", isl, "--isl-sd", islSd);
      out = lengths("--osl", osl, "--osl-sd", oslSd);
    }
    int given = (batch != null ? 1 : 0) + (concurrency != null ? 1 : 0) + (requestRate != null ? 1 : 0)
        + (offline ? 1 : 0);
    if (given != 1) {
      throw new InvalidInputException("load", given + " of --batch, --concurrency, --request-rate, --offline",
          "exactly one of them");
    }
    if (batch != null && prompts != null) {
      throw new InvalidInputException("--prompts", prompts + " with --batch " + batch,
          "--prompts with --offline, --concurrency or --request-rate: a static batch is its own requests");
    }
    Load load;
    if (batch != null) {
      load = new Load.Batch(batch);
    } else if (concurrency != null) {
      load = new Load.Concurrency(concurrency, prompts == null ? OptionalInt.empty() : OptionalInt.of(prompts));
    } else if (requestRate != null && !unboundedRate()) {
      load = new Load.RequestRate(requestRate, prompts == null ? OptionalInt.empty() : OptionalInt.of(prompts));
    } else {
      load = new Load.Offline(prompts == null ? OptionalInt.empty() : OptionalInt.of(prompts));
    }
    return new Workload(in, out, load);
  }

  /** {@code --request-rate inf}: every request at once, which is an offline run. */
  boolean unboundedRate() {
    return requestRate != null && requestRate.isInfinite();
  }

  /**
   * A request rate, or inf (any case, or infinity) for every request at once: serving benchmarks write a run without
   * a rate limit so (vLLM's {@code request_rate} of {@code inf}), and serving.csv rows carry it.
   */
  static final class RateConverter implements CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String text) {
      String t = text.trim();
      if (t.equalsIgnoreCase("inf") || t.equalsIgnoreCase("infinity")) {
        return Double.POSITIVE_INFINITY;
      }
      try {
        return new TunerCli.FiniteDouble().convert(t);
      } catch (CommandLine.TypeConversionException e) {
        throw new CommandLine.TypeConversionException(e.getMessage() + ": expected requests per second, or inf for"
            + " every request at once (as --offline)");
      }
    }
  }

  private static int[][] readLengths(Path file) {
    try {
      var lines = Files.readAllLines(file).stream().map(String::trim).filter(l -> !l.isEmpty()
          && !l.startsWith("#")).toList();
      int[][] out = new int[2][lines.size()];
      for (int i = 0; i < lines.size(); i++) {
        String[] f = lines.get(i).split("[,\\s]+");
        if (f.length != 2) {
          throw new InvalidInputException(file + ":" + (i + 1), lines.get(i), "two integers: input,output");
        }
        try {
          out[0][i] = Integer.parseInt(f[0]);
          out[1][i] = Integer.parseInt(f[1]);
        } catch (NumberFormatException e) {
          throw new InvalidInputException(file + ":" + (i + 1), lines.get(i), "two integers: input,output");
        }
      }
      return out;
    } catch (IOException e) {
      throw new InvalidInputException("--lengths-file", file.toString(), "a readable file");
    }
  }

  /** The allowed engine names, for messages. */
  static final class EngineKindNames {
    static final String ALLOWED = "an engine: vllm, sglang, tensorrt-llm, lmdeploy, llama.cpp, ollama or mlx";

    private EngineKindNames() {}
  }
}
