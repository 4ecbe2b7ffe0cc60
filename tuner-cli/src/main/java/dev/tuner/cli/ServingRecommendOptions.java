package dev.tuner.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.api.InvalidInputException;
import dev.tuner.cli.plot.ServingChart;
import dev.tuner.core.recommend.RecommendRequest;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.serving.Engine;
import dev.tuner.serving.EngineDefaults;
import dev.tuner.serving.EngineKind;
import dev.tuner.serving.Lengths;
import dev.tuner.serving.ServingPrediction;
import dev.tuner.serving.ServingRecommender;
import dev.tuner.serving.ServingRecommender.Candidate;
import dev.tuner.serving.ServingRequest;
import dev.tuner.serving.ServingScenario;
import dev.tuner.serving.ServingTerms;
import dev.tuner.serving.ServingTermsCodec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import picocli.CommandLine.Option;

/** The serving side of {@code recommend}: active when the workload's lengths are given. */
final class ServingRecommendOptions {
  static final List<String> DEFAULT_ENGINES = List.of("vllm", "sglang", "tensorrt-llm");
  static final List<String> DEFAULT_QUANTS = List.of("BF16", "FP8");
  static final List<Integer> DEFAULT_GPUS = List.of(1, 2, 4, 8);
  static final List<Integer> DEFAULT_CONCURRENCIES = List.of(1, 2, 4, 8, 16, 32, 64, 128, 256, 512);

  @Option(names = "--isl", paramLabel = "TOKENS", description = "Serving: input tokens per request.")
  Integer isl;

  @Option(names = "--osl", paramLabel = "TOKENS", description = "Serving: output tokens per request.")
  Integer osl;

  @Option(names = "--engines", paramLabel = "NAME", split = ",",
      description = "Serving engines to consider (default: vllm,sglang,tensorrt-llm).")
  List<String> engines;

  @Option(names = "--gpus", paramLabel = "N", split = ",",
      description = "GPU counts to consider (default: 1,2,4,8).")
  List<Integer> gpus;

  @Option(names = "--concurrencies", paramLabel = "N", split = ",",
      description = "Concurrencies to consider (default: 1,2,4,...,512).")
  List<Integer> concurrencies;

  @Option(names = "--max-ttft-ms", paramLabel = "MS", description = "Serving: time-to-first-token budget.")
  Double maxTtftMs;

  @Option(names = "--max-tpot-ms", paramLabel = "MS", description = "Serving: time-per-output-token budget.")
  Double maxTpotMs;

  @Option(names = "--gpu-hour-usd", paramLabel = "USD",
      description = "Serving: price of one GPU-hour; ranks by cost per million output tokens (no built-in prices).")
  Double gpuHourUsd;

  @Option(names = "--attention-groups",
      description = "Serving: for a mixture of experts, also try every rank of a split as its own attention group on"
          + " SGLang and TensorRT-LLM (--enable-dp-attention, enable_attention_dp); off by default: its only measured"
          + " runs are slower than its physics says.")
  boolean attentionGroups;

  @Option(names = "--serving-terms", paramLabel = "FILE",
      description = "Serving terms from 'tuner train --serving' (default: the shipped terms).")
  Path servingTerms;

  boolean active() {
    return isl != null || osl != null;
  }

  /** Refuses, for a step recommendation, the options only a serving one reads: {@code allowed} says what they need. */
  void refuseServingOnly(String allowed) {
    UnreadOptions.refuse(allowed, "--engines", engines, "--gpus", gpus, "--concurrencies", concurrencies,
        "--max-ttft-ms", maxTtftMs, "--max-tpot-ms", maxTpotMs, "--gpu-hour-usd", gpuHourUsd, "--attention-groups",
        UnreadOptions.flag(attentionGroups), "--serving-terms", servingTerms);
  }

  /** {@code kvCacheTypes}: those --kv-cache-types names, or none for each precision's usual one. */
  int run(Session session, ModelSpec model, DeviceSpec device, List<String> quants, List<KvCacheType> kvCacheTypes,
      int top, boolean verbose, OutputFormat format, Path plot, boolean force, PrintWriter out, PrintWriter err) {
    if (isl == null || osl == null) {
      throw new InvalidInputException(isl == null ? "--isl" : "--osl", "missing",
          "both --isl and --osl for a serving recommendation");
    }
    if (plot != null && osl == 1) {
      throw new InvalidInputException("--plot", plot + " with --osl 1", "--osl of 2 or more for the chart, whose x"
          + " axis, tokens/s per user (1000 / TPOT), one output token per request leaves undefined");
    }
    // the step recommendation's bound (RecommendRequest), so that both kinds refuse the same --top
    InvalidInputException.requireInRange("top", top, 1, RecommendRequest.MAX_TOP, "configurations");
    EngineDefaults defaults = EngineDefaults.shipped();
    List<Engine> es = new ArrayList<>();
    for (String e : engines == null ? DEFAULT_ENGINES : engines) {
      es.add(defaults.engine(e.trim(), "", ""));
    }
    List<Quantization> qs = new ArrayList<>();
    for (String q : quants == null ? DEFAULT_QUANTS : quants) {
      qs.add(session.catalog().quant(q.trim()));
    }
    ServingRequest q = new ServingRequest(model, device, Lengths.fixed(isl), Lengths.fixed(osl), es, qs,
        gpus == null ? DEFAULT_GPUS : gpus, concurrencies == null ? DEFAULT_CONCURRENCIES : concurrencies,
        optional(maxTtftMs), optional(maxTpotMs), optional(gpuHourUsd), attentionGroups, kvCacheTypes);
    ServingTerms terms = servingTerms == null ? ServingTermsCodec.shipped() : ServingTermsCodec.read(servingTerms);
    ServingRecommender.Recommendation r = new ServingRecommender(
        Serving.predictor(session, terms)).recommend(q);
    List<Candidate> shown = r.ranked().subList(0, Math.min(top, r.ranked().size()));
    switch (format) {
      case JSON -> Json.print(out, json(r, shown));
      case CSV -> {
        Table t = new Table("rank", "engine", "quant", "kv_cache_type", "gpus", "tp", "pp", "ep", "attention_dp",
            "concurrency",
            "ttft_ms", "tpot_ms", "output_tokens_per_s_per_gpu", "tokens_per_s_per_user", "usd_per_million_output_tokens",
            "limited_by");
        int i = 1;
        for (Candidate c : shown) {
          ServingPrediction p = c.prediction();
          t.row(i++, c.scenario().engine().name(), c.scenario().quant().name(), c.scenario().kvCache().id(),
              c.scenario().layout().devices(), c.scenario().layout().tp(), c.scenario().layout().pp(),
              c.scenario().layout().ep(), c.scenario().attentionDp(), c.concurrency(), p.ttftMs(),
              Text.cell(p.tpotMs()), p.outputTokensPerSPerGpu(), Text.cell(p.tokensPerSPerUser()),
              c.usdPerMillionOutput().isPresent() ? c.usdPerMillionOutput().getAsDouble() : "",
              p.limitedBy().id());
        }
        t.printCsv(out);
      }
      default -> table(out, r, shown, verbose);
    }
    out.flush();
    if (plot != null) {
      new ServingChart().write(r, plot, force);
      err.println("wrote " + plot);
      err.flush();
    }
    return 0;
  }

  private static OptionalDouble optional(Double v) {
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  private static void table(PrintWriter out, ServingRecommender.Recommendation r, List<Candidate> shown,
      boolean verbose) {
    ServingRequest q = r.request();
    out.println("Serving recommendation");
    new Table("", "")
        .row("model", Describe.model(q.model()))
        .row("device", Describe.device(q.device()))
        .row("workload", q.input().description() + " input, " + q.output().description() + " output tokens")
        .row("budget", "TTFT " + (q.maxTtftMs().isPresent() ? Text.plain(q.maxTtftMs()) + " ms" : "any") + ", TPOT "
            + (q.maxTpotMs().isPresent() ? Text.plain(q.maxTpotMs()) + " ms" : "any"))
        .row("ranked by", q.gpuHourUsd().isPresent() ? "cost per million output tokens at $"
            + Text.plain(q.gpuHourUsd()) + " per GPU-hour" : "output tokens/s per GPU")
        .row("grid", r.candidates().size() + " predicted, " + (r.ranked().size() + r.queued().size())
            + " meet the budget" + (r.queued().isEmpty() ? "" : " (" + r.queued().size() + " not ranked: they only"
            + " queue behind a lower concurrency of the same deployment)") + ", " + r.dropped().size()
            + " layouts dropped")
        .printText(out, "  ");
    for (String note : r.notes()) {
      out.println("  note: " + note);
    }
    out.println();
    if (shown.isEmpty()) {
      out.println("No configuration meets the budget.");
    } else {
      Table t = new Table("#", "engine", "quant", "kv", "GPUs", "tp", "pp", "ep", "attn dp", "concurrency", "TTFT ms",
          "TPOT ms", "out tok/s/GPU", "tok/s/user", "$/M out", "limited by");
      int i = 1;
      for (Candidate c : shown) {
        ServingPrediction p = c.prediction();
        t.row(i++, c.scenario().engine().name(), c.scenario().quant().name(), c.scenario().kvCache().id(),
            c.scenario().layout().devices(),
            c.scenario().layout().tp(), c.scenario().layout().pp(), c.scenario().layout().ep(),
            c.scenario().attentionDp(), c.concurrency(),
            Text.num(p.ttftMs()), Text.num(p.tpotMs()), Text.num(p.outputTokensPerSPerGpu()),
            Text.num(p.tokensPerSPerUser()), c.usdPerMillionOutput().isPresent()
                ? Text.num(c.usdPerMillionOutput().getAsDouble()) : "", p.limitedBy().id());
      }
      t.printText(out, "  ");
    }
    if (!r.dropped().isEmpty() && verbose) {
      out.println();
      out.println("Dropped (" + r.dropped().size() + ")");
      Table d = new Table("engine", "configuration", "reason");
      r.dropped().forEach(x -> d.row(x.engine().name(), configuration(x), x.reason()));
      d.printText(out, "  ");
    } else if (!r.dropped().isEmpty()) {
      out.println();
      out.println("Dropped (" + r.dropped().size() + "; --verbose or JSON lists each)");
      // one line per engine and reason: an engine that cannot run on the device is dropped at every precision and
      // layout for the same reason
      Map<List<String>, List<ServingRecommender.Dropped>> byReason = new LinkedHashMap<>();
      r.dropped().forEach(x -> byReason.computeIfAbsent(List.of(x.engine().name(), x.reason()),
          k -> new ArrayList<>()).add(x));
      Table d = new Table("engine", "configurations", "reason");
      byReason.forEach((k, list) -> d.row(k.get(0), list.size() == 1 ? configuration(list.get(0))
          : list.size() + " (" + String.join(", ", list.stream().map(x -> x.quant().name()).distinct().toList())
              + ")", k.get(1)));
      d.printText(out, "  ");
    }
  }

  /** "FP8, KV fp8, on 4 GPUs (tp 2, pp 2, ep 1)", with ", attention dp N" when the ranks form attention groups. */
  private static String configuration(ServingRecommender.Dropped x) {
    return x.quant().name() + ", KV " + x.kvCache().id() + ", on " + x.layout().devices() + " GPU"
        + (x.layout().devices() == 1 ? "" : "s")
        + " (" + ServingScenario.describe(x.layout(), x.attentionDp()) + ")";
  }

  private static ObjectNode json(ServingRecommender.Recommendation r, List<Candidate> shown) {
    ServingRequest q = r.request();
    ObjectNode n = Json.object();
    n.set("model", Describe.modelJson(q.model()));
    n.set("device", Describe.deviceJson(q.device()));
    n.put("isl", q.input().mean());
    n.put("osl", q.output().mean());
    Json.put(n, "max_ttft_ms", q.maxTtftMs());
    Json.put(n, "max_tpot_ms", q.maxTpotMs());
    Json.put(n, "gpu_hour_usd", q.gpuHourUsd());
    n.put("evaluated", r.candidates().size());
    n.put("qualified", r.ranked().size() + r.queued().size());
    n.put("queued", r.queued().size());
    n.put("ranked_by", q.gpuHourUsd().isPresent() ? "usd_per_million_output_tokens" : "output_tokens_per_s_per_gpu");
    n.set("notes", Json.strings(r.notes()));
    ArrayNode top = n.putArray("top");
    int rank = 1;
    for (Candidate c : shown) {
      ServingPrediction p = c.prediction();
      ObjectNode o = top.addObject();
      o.put("rank", rank++).put("engine", c.scenario().engine().name())
          .put("quant", c.scenario().quant().name()).put("kv_cache_type", c.scenario().kvCache().id())
          .put("gpus", c.scenario().layout().devices())
          .put("tp", c.scenario().layout().tp()).put("pp", c.scenario().layout().pp())
          .put("ep", c.scenario().layout().ep()).put("attention_dp", c.scenario().attentionDp())
          .put("concurrency", c.concurrency());
      Serving.figures(o, p);
      Json.put(o, "tokens_per_s_per_user", p.tokensPerSPerUser());
      o.put("limited_by", p.limitedBy().id());
      Json.put(o, "usd_per_million_output_tokens", c.usdPerMillionOutput());
      Serving.intervals(o, p);
    }
    if (r.best().isEmpty()) {
      n.put("why_empty", "no configuration meets the budget");
    }
    ArrayNode dropped = n.putArray("dropped");
    r.dropped().forEach(d -> dropped.addObject().put("engine", d.engine().name()).put("quant", d.quant().name())
        .put("kv_cache_type", d.kvCache().id()).put("gpus", d.layout().devices()).put("tp", d.layout().tp())
        .put("pp", d.layout().pp())
        .put("ep", d.layout().ep()).put("attention_dp", d.attentionDp()).put("reason", d.reason()));
    return n;
  }
}
