package dev.tuner.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.api.FeatureImportance;
import dev.tuner.api.InvalidInputException;
import dev.tuner.api.ModelInfo;
import dev.tuner.api.ThroughputPrediction;
import dev.tuner.core.predict.Predictor;
import dev.tuner.core.predict.Reference;
import dev.tuner.core.roofline.MemoryEstimate;
import dev.tuner.core.roofline.Roofline;
import dev.tuner.core.roofline.RooflineResult;
import dev.tuner.core.roofline.StepDetail;
import dev.tuner.core.scenario.AttentionKind;
import dev.tuner.core.scenario.AttentionSpec;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Phase;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.scenario.ScenarioRequest;
import dev.tuner.core.schema.Quantity;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tuner predict}: tokens/s of one scenario with its roofline, interval, confidence and top features. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
        "Predicts tokens/s for one scenario, bounded by its roofline, or with --engine and a workload its serving"
            + " metrics (TTFT, TPOT, requests/s).",
        "%nDecode tokens/s is aggregate over the batch; prefill is prompt tokens/s. The resolved scenario is "
            + "printed, so no default is silent. --explain adds the roofline arithmetic: bytes per step (experts "
            + "touched, KV cache), FLOPs per token, the memory, compute and interconnect roofs and which one binds."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  tuner predict --model \"Llama 3 8B\" --device \"RTX 4090\" --quant Q4_K_M \\",
        "      --context 512",
        "  tuner predict --model llama3-8b --device h100 --quant F16 --batch 32 \\",
        "      --context 2048 --explain",
        "  tuner predict --model \"Llama 3 70B\" --device h100 --quant F16 --tp 2 \\",
        "      --context 1024 --explain",
        "  tuner predict --model \"Llama 3 8B\" --device \"RTX 4090\" --quant Q8_0 \\",
        "      --context 512 --phase prefill --format json",
        "  tuner predict --params-b 7 --layers 32 --heads 32 --kv-heads 8 --hidden 4096 \\",
        "      --mem-bw-gbs 800 --fp16-tflops 100 --quant Q4_0 --context 1024",
        "  tuner predict --model \"Llama 3.1 8B\" --device h100 --quant FP8 --engine vllm \\",
        "      --isl 1000 --osl 200 --concurrency 20",
        "  tuner predict --model-file model.json --model \"Llama 3 8B\" \\",
        "      --device \"RTX 4090\" --quant Q4_K_M --context 512"})
final class PredictCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  SpecOptions specs = new SpecOptions();

  @Mixin
  OutputFormat.Mixin output = new OutputFormat.Mixin();

  @Option(names = "--quant", paramLabel = "NAME", description = "Weight quantization, e.g. Q4_K_M, Q8_0, F16, FP8.")
  String quant;

  @Option(names = "--batch", paramLabel = "M", description = "Concurrent sequences (default 1).")
  Integer batch;

  @Option(names = "--context", paramLabel = "TOKENS",
      description = "KV-cache length in tokens (decode) or prompt length (prefill); default "
          + PredictCommand.DEFAULT_CONTEXT + ", said on stderr when used.")
  Integer context;

  /** llama-bench's default prompt length (-p 512): the figure a user without --context most likely compares. */
  static final int DEFAULT_CONTEXT = 512;

  @Option(names = "--phase", paramLabel = "decode|prefill", description = "decode (default) or prefill.")
  String phase;

  @Option(names = "--kv-cache-type", paramLabel = "TYPE", description = "f16 (default), fp8, q8_0 or q4_0 (keys and"
      + " values both; q8_0 and q4_0 run only with flash attention, taken on unless --flash-attn false, refused).")
  String kvCacheType;

  @Option(names = "--cuda-graphs",
      description = "The runtime uses CUDA graphs (llama.cpp on CUDA, or on ROCm built with GGML_HIP_GRAPHS; refused"
          + " on other backends).")
  Boolean cudaGraphs;

  @Option(names = "--kernel", paramLabel = "NAME",
      description = "The reference tuner's kernel variant, e.g. generic, dp4a-q4k (only models on schema tuner-v1 or"
          + " reference-v1 see it; refused otherwise).")
  String kernel;

  @Mixin
  EngineSettingsOptions engineSettings = new EngineSettingsOptions();

  @Option(names = "--zero-copy", description = "Weights are read in place from host memory (zero-copy).")
  Boolean zeroCopy;

  @Mixin
  ServingOptions serving = new ServingOptions();

  @Option(names = "--depth", paramLabel = "TOKENS",
      description = "Tokens already in each sequence's KV cache before the window (default 0).")
  Integer depth;

  @Mixin
  LayoutOptions layout = new LayoutOptions();

  @Option(names = "--explain", description = "Show the roofline arithmetic as well (for a serving prediction: the"
      + " engine terms and one decode iteration).")
  boolean explain;

  @Option(names = "--top-features", paramLabel = "N", defaultValue = "5",
      description = "How many top features to report (default: ${DEFAULT-VALUE}).")
  int topFeatures;

  @Override
  public Integer call() {
    InvalidInputException.requireInRange("--top-features", topFeatures, 0, Predictor.MAX_TOP_FEATURES, "features");
    if (explain && output.format == OutputFormat.CSV) {
      // the arithmetic is no CSV row: printed nowhere, it would be a flag that silently did nothing
      throw new InvalidInputException("--explain", "true with --format csv", "--format table or json, which print"
          + " the arithmetic");
    }
    // a missing input file is a bad value (exit 2), whichever option names it
    FilePlan.of(TunerCli.of(spec)).input("--serving-terms", serving.servingTerms)
        .input("--lengths-file", serving.lengthsFile).check(false);
    Session session = TunerCli.of(spec).session();
    // the catalog first: it reads --hf-config or --gguf, which name the model of the request
    var catalog = specs.catalog(session.catalog());
    if (serving.active()) {
      String stepOnly = "a step prediction (no --engine or workload): serving predictions compose the engine's own"
          + " terms";
      engineSettings.refuseAll(stepOnly);
      // the workload's lengths and load set what a step's context, phase and depth would
      UnreadOptions.refuse(stepOnly + ", over the lengths --isl/--osl give (a request's prefill and decode both"
          + " count)", "--context", context, "--phase", phase, "--depth", depth);
      // the composition reads none of these: a step's runtime, kernel and host-memory path, and its report
      UnreadOptions.refuse(stepOnly, "--cuda-graphs", cudaGraphs, "--kernel", kernel, "--zero-copy", zeroCopy);
      UnreadOptions.refuseMatched(spec, stepOnly, "--top-features");
      Scenario step = specs.request(quant, 1, 1, "decode", kvCacheType, null, null, null)
          .resolve(catalog);
      List<String> given = new ArrayList<>();
      if (kvCacheType == null) {
        // the cache's type sets how many sequences fit, so every figure at capacity hangs on it
        given.add("no --kv-cache-type given: " + step.kvCache().id() + " assumed; an FP8 cache (--kv-cache-type fp8)"
            + " holds twice the sequences");
      }
      if (serving.unboundedRate()) {
        given.add("--request-rate inf: every request at once, predicted as --offline");
      }
      if (plainMxfp4Mixture(step)) {
        given.add("a mixture of experts in MXFP4 reads every weight at 4.25 bits; the gpt-oss checkpoints keep all"
            + " but their experts in BF16, which --quant MXFP4_EXPERTS_F16 reads as such");
      }
      return Serving.predict(session, step, serving, serving.layout(layout), batch, output.format, explain, given,
          spec.commandLine().getOut());
    }
    serving.refuseServingOnly("a serving prediction: --engine, --isl and --osl and a load (--concurrency,"
        + " --request-rate, --offline or --batch)");
    ScenarioRequest r = specs.request(quant, batch, context != null ? context : DEFAULT_CONTEXT, phase, kvCacheType,
        cudaGraphs, kernel, zeroCopy);
    Scenario given = new ScenarioRequest(r.model(), r.device(), r.quant(), r.batch(), r.context(), r.phase(),
        r.kvCacheType(), r.cudaGraphs(), r.kernel(), r.zeroCopy(), r.paramsB(), r.hidden(), r.layers(), r.heads(),
        r.kvHeads(), r.headDim(), r.vocab(), r.memBandwidthGBs(), r.fp16Tflops(), r.fp32Tflops(), r.computeUnits(),
        r.l2CacheMb(), r.memoryGb(), depth, layout.devices, layout.tp, layout.pp, layout.ep,
        null, null, null, null, null)
        .withModelFigures(r.modelFigures())
        .resolve(catalog)
        .withEngine(engineSettings.settings(serving.backend));
    Predictor predictor = session.predictor();
    SettingEffect.require(predictor, "--kernel", kernel, Quantity.KERNEL);
    SettingEffect.require(predictor, "--cuda-graphs", cudaGraphs, Quantity.CUDA_GRAPHS);
    engineSettings.requireEffect(predictor, serving.backend);
    Scenario scenario = given.withEngine(given.engine().withUsualBackend(given.device()));
    SettingEffect.requireCudaGraphsOn(scenario.cudaGraphs(), scenario.engine(), scenario.device());
    ThroughputPrediction p = predictor.predict(scenario, topFeatures);
    RooflineResult roof = predictor.roofline().compute(scenario);
    PrintWriter out = spec.commandLine().getOut();
    switch (output.format) {
      case JSON -> Json.print(out, json(scenario, p, predictor, roof));
      case CSV -> csv(scenario, p, predictor).printCsv(out);
      default -> table(out, scenario, p, predictor, roof);
    }
    PrintWriter err = spec.commandLine().getErr();
    // after the prediction, so that a refused request still prints its one line of error alone
    if (context == null) {
      err.println("note: no --context given: " + DEFAULT_CONTEXT + " tokens assumed (llama-bench's default prompt"
          + " length)");
    }
    List<String> warnings = warnings(scenario);
    if (!warnings.isEmpty() && output.format != OutputFormat.JSON) {
      warnings.forEach(w -> err.println("warning: " + w));
    }
    err.flush();
    out.flush();
    return 0;
  }

  private ObjectNode json(Scenario s, ThroughputPrediction p, Predictor predictor, RooflineResult r) {
    ObjectNode n = Json.object();
    n.put("tokens_per_s", p.tokensPerSecond());
    n.put("roofline_tokens_per_s", p.rooflineTokensPerSecond());
    n.put("bound", p.bound().id());
    n.put("capped", p.capped());
    n.put("confidence", p.confidence());
    Json.put(n, "interval", p.interval());
    ArrayNode top = n.putArray("top_features");
    for (FeatureImportance f : p.topFeatures()) {
      top.addObject().put("name", f.feature()).put("importance", f.importance());
    }
    ModelInfo info = predictor.model().model().info();
    n.putObject("model")
        .put("id", p.modelId())
        .put("schema", info.schema().toString())
        .put("provider", info.providerId())
        .put("output_kind", info.outputKind().id())
        .put("fallback", predictor.isFallback());
    n.set("assumptions", Json.strings(p.assumptions()));
    n.set("warnings", Json.strings(warnings(s)));
    n.set("scenario", Describe.scenarioJson(s));
    n.set("interconnect", interconnectJson(s, r));
    if (explain) {
      ObjectNode e = n.putObject("roofline");
      e.put("weight_bytes", r.weightBytes());
      e.put("weight_passes", r.detail().weightPasses());
      e.put("kv_bytes_per_step", r.kvBytesPerStep());
      e.put("bytes_per_step", r.bytesPerStep());
      e.put("tokens_per_step", r.tokensPerStep());
      e.put("flops_per_token", r.flopsPerToken());
      Json.put(e, "memory_roof_tokens_per_s", r.memoryRoof());
      Json.put(e, "compute_roof_tokens_per_s", r.computeRoof());
      Json.put(e, "interconnect_roof_tokens_per_s", r.interconnectRoof());
      e.put("experts_touched_per_layer", r.detail().expertsTouched());
      e.put("expert_weight_bytes", r.detail().expertWeightBytes());
      e.put("active_params", r.detail().activeParams());
      e.put("interconnect_seconds_per_step", r.detail().interconnectSeconds());
      e.put("bound", r.bound().id());
      e.put("peak_tflops", r.peakTflops());
      e.put("vector_tflops", r.vectorTflops());
      e.put("arithmetic_intensity", r.arithmeticIntensity());
      Json.put(e, "ridge_point", ridge(s, r));
    }
    return n;
  }

  /**
   * The collectives of one step on the scenario's layout: what the link moves and how long it takes, and the roof
   * it sets (null when it sets none: one device, or a link of unknown bandwidth).
   */
  static ObjectNode interconnectJson(Scenario s, RooflineResult r) {
    ObjectNode n = Json.object();
    n.put("link", s.device().interconnect());
    Json.put(n, "gbs_per_direction", s.device().interconnectGBs());
    n.put("collectives_per_step", r.detail().collectives());
    n.put("bytes_per_device_per_step", r.detail().collectiveBytes());
    n.put("seconds_per_step", r.detail().interconnectSeconds());
    n.put("share_of_step", r.detail().interconnectShare());
    Json.put(n, "roof_tokens_per_s", r.interconnectRoof());
    return n;
  }

  /**
   * What the user should know although the prediction stands, also on stderr: a configuration that does not fit in
   * the device's memory (same rule as {@code recommend}; {@link MemoryEstimate#doesNotFit}, which the prediction's
   * assumptions carry) is predicted as if it did, which no single device can run; and a mixture of experts in plain
   * MXFP4, which llama.cpp has no file of: its MXFP4 files of such models are MXFP4_MOE (the rest in Q8_0) or, as a
   * checkpoint converted at F16, MXFP4_EXPERTS_F16, twice apart from plain MXFP4 on prompts (gpt-oss-20b on a DGX
   * Spark).
   */
  static List<String> warnings(Scenario s) {
    List<String> out = new java.util.ArrayList<>();
    MemoryEstimate.doesNotFit(s).ifPresent(out::add);
    if (plainMxfp4Mixture(s)) {
      out.add("llama.cpp keeps a mixture of experts' MXFP4 weights in file type MXFP4_MOE (experts in MXFP4, the rest in"
          + " Q8_0, as llama-quantize writes it) or, converted from the checkpoint at F16, with the rest in 16 bits:"
          + " --quant MXFP4_MOE or MXFP4_EXPERTS_F16 predicts such a file; MXFP4 reads every weight at 4.25 bits");
    }
    return List.copyOf(out);
  }

  /** A mixture of experts in plain MXFP4, every weight at 4.25 bits, which neither its checkpoints nor GGUFs are. */
  static boolean plainMxfp4Mixture(Scenario s) {
    return s.model().moe().isMoe() && s.quant().name().equals("MXFP4");
  }

  /** The CSV header: the prediction, then every scenario input under its JSON key, in the JSON's order. */
  static final List<String> CSV_COLUMNS = List.of("tokens_per_s", "roofline_tokens_per_s", "bound", "capped",
      "confidence", "interval_level", "interval_low", "interval_high", "model_id", "fallback", "model", "device",
      "quant", "kv_cache_type", "batch", "context", "depth", "phase", "devices", "tp", "pp", "ep", "n_ubatch",
      "flash_attn", "backend", "blas", "build_date", "build", "cuda_graphs", "kernel", "zero_copy", "top_features",
      "assumptions");

  private static Table csv(Scenario s, ThroughputPrediction p, Predictor predictor) {
    Table t = new Table(CSV_COLUMNS.toArray(String[]::new));
    String features = p.topFeatures().stream()
        .map(f -> f.feature() + "=" + f.importance()).collect(Collectors.joining(";"));
    EngineSettings e = s.engine();
    // an unknown build month is a blank cell where the JSON leaves the key out
    t.row(p.tokensPerSecond(), p.rooflineTokensPerSecond(), p.bound().id(), p.capped(), p.confidence(),
        p.interval().level(), p.interval().low(), p.interval().high(), p.modelId(), predictor.isFallback(),
        s.model().name(), s.device().name(), s.quant().name(), s.kvCache().id(), s.batch(), s.context(), s.depth(),
        s.phase().id(), s.parallel().devices(), s.parallel().tp(), s.parallel().pp(), s.parallel().ep(),
        e.nUbatch(), e.flashAttention(), e.backend().id(), e.blas().id(),
        e.buildDate().map(Object::toString).orElse(""), e.build(), s.cudaGraphs(),
        s.kernel().map(k -> k.id()).orElse(""), s.zeroCopy(), features, String.join("; ", p.assumptions()));
    return t;
  }

  private void table(PrintWriter out, Scenario s, ThroughputPrediction p, Predictor predictor, RooflineResult r) {
    out.println("Scenario");
    Describe.scenarioTable(s).printText(out, "  ");
    out.println();
    out.println("Prediction");
    String unit = s.phase() == Phase.DECODE ? "(aggregate over " + s.batch() + " sequence"
        + (s.batch() == 1 ? ")" : "s)") : "(prompt tokens/s)";
    ModelInfo info = predictor.model().model().info();
    new Table("", "")
        .row("tokens/s", Text.num(p.tokensPerSecond()) + " " + unit)
        .row("interval", Text.interval(p.interval()) + " tokens/s")
        .row("roofline", Text.num(p.rooflineTokensPerSecond()) + " tokens/s, " + p.bound().id() + "-bound")
        .row("capped", p.capped() ? "yes: the model's answer was above the roofline and was lowered to it" : "no")
        .row("confidence", String.format(Locale.ROOT, "%.2f", p.confidence()))
        .row("model", p.modelId() + " (provider " + info.providerId() + ", schema " + info.schema() + ", output "
            + info.outputKind().id() + (predictor.isFallback() ? "; roofline-only: no trained model)" : ")"))
        .printText(out, "  ");
    if (explain) {
      out.println();
      out.println("Roofline arithmetic");
      explain(s, r).row("model's reference", reference(s, r, predictor.model().reference()))
          .printText(out, "  ");
    }
    // --top-features 0 asks for none: no section, rather than one saying the model cannot attribute
    if (topFeatures > 0) {
      out.println();
      out.println("Top features");
      if (p.topFeatures().isEmpty()) {
        out.println("  (this model does not attribute its predictions)");
      } else {
        // a one-hot slot the scenario does not set (backend_metal for a CUDA card) can rank high: the trees split on
        // it on the way to this answer; without the legend a reader takes it for a claim that the card is a Mac
        out.println("  (how much of this prediction each feature decided, whatever its value: a one-hot such as"
            + " backend_metal counts by being off too)");
        Table t = new Table("#", "feature", "importance");
        int i = 1;
        for (FeatureImportance f : p.topFeatures()) {
          t.row(i++, f.feature(), String.format(Locale.ROOT, "%.3f", f.importance()));
        }
        t.printText(out, "  ");
      }
    }
    if (!p.assumptions().isEmpty()) {
      out.println();
      out.println("Assumptions");
      for (String a : p.assumptions()) {
        out.println("  - " + a);
      }
    }
  }

  private static Table explain(Scenario s, RooflineResult r) {
    ModelSpec m = s.model();
    StepDetail step = r.detail();
    ParallelLayout layout = s.parallel();
    boolean decode = s.phase() == Phase.DECODE;
    double bits = s.quant().bitsPerWeight();
    String kv;
    if (r.kvBytesPerStep() > 0) {
      kv = Text.bytes(r.kvBytesPerStep()) + " = " + Text.plain(r.tokensPerStep() / (decode ? 1 : s.context()))
          + " seq × " + Text.plain(step.kvElementsPerSequence()) + " elements × "
          + Text.plain(s.kvCache().bytesPerElement()) + " B (" + kvShape(s)
          + (decode ? ", over the mean cached length " + Text.plain(s.depth() + s.context() / 2.0)
              : ", " + s.context() + " written" + (s.depth() > 0 ? " + " + s.depth() + " cached read once" : ""))
          + ")";
    } else {
      kv = "not counted (KV shape unknown)";
    }
    Table t = new Table("", "")
        .row("weights", Text.bytes(r.weightBytes()) + " = " + passes(step) + "body "
            + Text.bytes(step.denseWeightBytes())
            + (step.expertWeightBytes() > 0 ? " + experts " + Text.bytes(step.expertWeightBytes()) : "")
            + (step.weightPasses() > 1 ? ")" : "") + " + LM head " + Text.bytes(step.lmHeadBytes())
            + (step.gatherBytes() > 0 ? " + gathered embedding rows " + Text.bytes(step.gatherBytes()) : "")
            + " at " + Text.plain(bits) + " bits per weight");
    if (m.moe().isMoe()) {
      double tokens = r.tokensPerStep() / step.weightPasses();
      // the count of experts is the formula's result; the tokens routing to them are its exponent
      t.row("experts", Text.plain(step.expertsTouched()) + " of " + m.moe().experts() + " routed experts touched per"
          + " MoE layer by " + Text.plain(tokens) + (tokens == 1 ? " token" : " tokens")
          + (step.weightPasses() > 1 ? " per pass" : "") + " = " + m.moe().experts() + " × (1 − (1 − "
          + m.moe().expertsPerToken() + "/" + m.moe().experts() + ")^" + Text.plain(tokens) + ")"
          + ", uniform routing assumed"
          + (m.moe().sharedExperts() > 0 ? "; " + m.moe().sharedExperts() + " shared expert(s) in the body" : ""));
    }
    if (m.mtpParamsB() > 0) {
      t.row("not read", Text.plain(m.mtpParamsB()) + "e9 parameters of multi-token prediction: in the file and in"
          + " memory, never run by plain decoding");
    }
    t.row("KV cache per step", kv)
        .row("bytes per step", Text.bytes(r.bytesPerStep()) + " = weights + KV cache"
            + (layout.isSingle() ? "" : ", per replica of " + layout.tp() + " × " + layout.pp() + " devices"))
        .row("tokens per step", Text.plain(r.tokensPerStep())
            + (decode ? " (one per sequence" : " (sequences × prompt length")
            + (step.replicas() > 1 ? ", per replica; " + step.replicas() + " replicas)" : ")"))
        .row("FLOPs per token", Text.flops(r.flopsPerToken()) + " = 2 × " + Text.plain(step.activeParams() / 1e9)
            + "e9 active params (embeddings gathered, LM head " + (decode ? "every token" : "last prompt token only")
            + ") + attention over " + Text.plain(s.depth() + s.context() / 2.0) + " mean cached tokens")
        .row("memory roof", Text.num(r.memoryRoof()) + " tokens/s (" + Text.num(step.memorySeconds() * 1e3)
            + " ms per step" + bandwidths(s) + (layout.tp() > 1 ? ", weights over tp = " + layout.tp() : "")
            + (layout.pp() > 1 ? "; " + pipelined(step, layout.pp()) : "") + ")")
        .row("compute roof", Double.isInfinite(r.computeRoof()) ? "not applied (no compute peak known)"
            : Text.num(r.computeRoof()) + " tokens/s = " + Text.num(r.peakTflops()) + " TFLOPS × "
                + layout.tp() + " device(s)" + (pipeline(step, layout.pp()) > 1 ? " × "
                + Text.num(pipeline(step, layout.pp())) : "") + " / "
                + Text.flops(r.flopsPerToken()) + " per token" + (layout.pp() > 1 ? " (" + pipelined(step,
                layout.pp()) + ")" : ""));
    if (!layout.isSingle()) {
      t.row("interconnect", Double.isInfinite(r.interconnectRoof())
          ? "not counted (" + (s.device().interconnectGBs().isEmpty() ? "link bandwidth unknown" : "no collective")
              + ")"
          : Text.num(r.interconnectRoof()) + " tokens/s: " + step.collectives() + " collectives ("
              + (layout.tp() > 1 ? "2 all-reduces × " + m.layers() + " layers, each 2 × (" + layout.tp() + " − 1)/"
                  + layout.tp() + " of the activations; " : "")
              + (layout.pp() > 1 ? (layout.pp() - 1) + " stage hand-offs; " : "")
              + (layout.ep() > 1 && m.moe().isMoe() ? "2 all-to-alls per MoE layer; " : "")
              + Text.bytes(step.collectiveBytes()) + " per device at "
              + Text.plain(s.device().interconnectGBs().getAsDouble()) + " GB/s + "
              + Text.plain(Roofline.COLLECTIVE_LATENCY_S * 1e6) + " µs each) = "
              + Text.num(step.interconnectSeconds() * 1e6) + " µs per step");
    }
    double ridge = ridge(s, r);
    return t
        .row("binds", r.bound().id() + " (the lowest roof: " + Text.num(r.tokensPerSecond()) + " tokens/s)")
        .row("peak used", r.peakTflops() > 0 ? Text.num(r.peakTflops()) + " TFLOPS ("
            + s.quant().activation().name() + " arithmetic)" : "none")
        .row("vector peak", r.vectorTflops() > 0 ? Text.num(r.vectorTflops()) + " TFLOPS FP32 on the non-tensor ALUs"
            + " (not a roof); " + Text.num(r.vectorTflops() * 1000 / s.device().memBandwidthGBs())
            + " FLOP per byte of bandwidth" : "unknown")
        .row("arithmetic intensity", Text.num(r.arithmeticIntensity()) + " FLOP/byte"
            + (Double.isFinite(ridge) ? "; ridge point " + Text.num(ridge) + " FLOP/byte" : ""));
  }

  /**
   * What the model's output is a share of, in words: the roofline, the decode serial roof with its step overhead (of
   * one sequence for a batched step when the model says so), or the prefill roofline at a peak capped by the vendor's
   * rate per compute unit.
   */
  private static String reference(Scenario s, RooflineResult r, Reference ref) {
    double tokens = ref.tokensPerSecond(s, r);
    String of = Text.num(tokens) + " tokens/s, what the model predicts a share of: ";
    if (!ref.kind().usesSerialRoof()) {
      return of + "the roofline";
    }
    if (s.phase() == Phase.DECODE) {
      int sequences = ref.decodeSequences(s);
      boolean one = sequences != s.batch();
      return of + (one ? "one sequence's serial roof " : "the serial roof ")
          + Text.num(ref.decodeStep(s, r).serialRoof()) + " tokens/s (memory time, then the FLOPs at the vector"
          + " peak)" + (ref.kvReadFactor() != 1 ? ", its KV-cache reads taking " + Text.plain(ref.kvReadFactor())
          + " times their time at the bandwidth," : "")
          + (ref.stepOverheadSecondsPerLayer() <= 0 ? "" : s.model().layers() == 0 ? ", without its step overhead"
          + " of " + Text.num(ref.stepOverheadSecondsPerLayer() * 1e6) + " µs per layer and step (layer count unknown)"
          : " with a step overhead of " + Text.num(ref.stepOverheadSecondsPerLayer() * 1e6)
          + " µs per layer and step over " + s.model().layers() + " layers"
          + (s.parallel().pp() > 1 ? " (every pipeline stage's in turn)" : "") + ", shared by " + sequences
          + " sequence(s)")
          + (one ? "; the model predicts the gain of a batch of " + s.batch() + " over it" : "");
    }
    Double rate = ref.prefillTflopsPerUnit().get(s.device().vendor());
    if (tokens < r.tokensPerSecond()) {
      return of + "the roofline at the compute peak capped at " + Text.num(rate) + " TFLOPS × "
          + s.device().computeUnits() + " compute units = " + Text.num(rate * s.device().computeUnits())
          + " TFLOPS (the " + s.device().vendor() + " rate per unit this model chose for llama.cpp's prompt kernels)";
    }
    return of + "the roofline" + (rate == null ? "" : " (the " + s.device().vendor() + " cap of " + Text.num(rate)
        + " TFLOPS per compute unit does not bind for " + s.quant().activation().name() + " arithmetic on "
        + s.device().computeUnits() + " units)");
  }

  /** How a step's pipeline stages overlap, for the roofs' arithmetic ({@link Roofline#pipelineSpeedup}). */
  private static String pipelined(StepDetail step, int stages) {
    double chunks = step.weightPasses();
    return chunks <= 1 ? "one chunk: its " + stages + " pipeline stages run one after another"
        : Text.plain(chunks) + " chunks through " + stages + " pipeline stages, " + Text.num(pipeline(step, stages))
            + " times one device's pace";
  }

  private static double pipeline(StepDetail step, int stages) {
    return Roofline.pipelineSpeedup(Math.max(1, step.weightPasses()), stages);
  }

  /**
   * The bandwidths a step's memory time was taken at: zero-copy weights cross the host link when it is slower than
   * the device's memory, while the KV cache stays in device memory; otherwise both are read at the memory's.
   */
  private static String bandwidths(Scenario s) {
    double memory = s.device().memBandwidthGBs();
    double weights = Roofline.weightBandwidthGBs(s);
    if (weights < memory) {
      return ": weights at " + Text.plain(weights) + " GB/s over the host link, KV cache at " + Text.plain(memory)
          + " GB/s";
    }
    return " at " + Text.plain(memory) + " GB/s" + (!s.zeroCopy() ? ""
        : Scenario.isUnifiedMemory(s.device()) ? ", zero-copy weights read in place on unified memory"
        : ", zero-copy weights over a host link no slower");
  }

  /** "N n_ubatch passes × (" when a prompt's chunks each read the weights again, else nothing. */
  private static String passes(StepDetail step) {
    return step.weightPasses() > 1 ? Text.plain(step.weightPasses()) + " n_ubatch passes × (" : "";
  }

  /** What one cached token holds, in words. */
  private static String kvShape(Scenario s) {
    ModelSpec m = s.model();
    AttentionSpec a = m.attention();
    String entry = a.kind() == AttentionKind.MLA
        ? "MLA latent " + a.kvLoraRank() + " + RoPE key " + a.ropeHeadDim() + " per layer"
        : "2 × " + m.kvHeads() + " KV heads × " + m.effectiveHeadDim() + " per layer";
    String layers = m.layers() + " layers";
    if (a.localLayers() > 0) {
      layers += ", " + a.localLayers() + " of them over a " + a.slidingWindow() + "-token window";
    }
    if (a.linearLayers() > 0) {
      layers += ", " + a.linearLayers() + " linear with " + a.linearStateDim() + " state elements";
    }
    return entry + "; " + layers;
  }

  /** FLOP/byte above which the compute roof binds; infinite without a peak. */
  private static double ridge(Scenario s, RooflineResult r) {
    return r.peakTflops() > 0 ? r.peakTflops() * 1e12 / (s.device().memBandwidthGBs() * 1e9)
        : Double.POSITIVE_INFINITY;
  }
}
