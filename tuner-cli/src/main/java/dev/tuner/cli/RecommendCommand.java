package dev.tuner.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.api.InvalidInputException;
import dev.tuner.cli.plot.RooflineChart;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.recommend.Candidate;
import dev.tuner.core.recommend.Dropped;
import dev.tuner.core.recommend.LayoutFit;
import dev.tuner.core.recommend.LayoutSearch;
import dev.tuner.core.recommend.RecommendRequest;
import dev.tuner.core.recommend.Recommendation;
import dev.tuner.core.recommend.Recommender;
import dev.tuner.core.roofline.MemoryEstimate;
import dev.tuner.core.scenario.EngineSettings;
import dev.tuner.core.scenario.KernelType;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.core.scenario.Scenario;
import dev.tuner.core.schema.Quantity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tuner recommend}: the fastest decode configurations that fit, and the throughput/latency Pareto front; with
 * --isl/--osl, the serving deployment that meets the latency budgets at the highest tokens/s per GPU.
 */
@Command(
    name = "recommend",
    mixinStandardHelpOptions = true,
    description = {
        "Recommends the fastest decode configurations of one model on one device, or with --isl and --osl the"
            + " serving deployment (engine × GPUs × layout × precision × concurrency) that meets TTFT/TPOT budgets.",
        "%nEvery quantization × KV-cache type × batch size is checked for memory: weights (params × bits/8) + KV "
            + "cache (batch × context × layers × kv_heads × head_dim × 2 × bytes/element) + overhead (0.5 GiB + 5%% "
            + "of the weights), against the capacity in GiB (--memory-gb, or the device's); and for the "
            + "per-sequence latency budget (ms/token = 1000 × batch / aggregate tokens/s). What passes is ranked by "
            + "predicted aggregate tokens/s.",
        "%nPrints the top configurations, the Pareto front of tokens/s against latency and what was dropped, with "
            + "reasons. --plot draws the roofline chart: arithmetic intensity (FLOP/byte) against attainable TFLOPS, "
            + "log-log, with the device's memory and compute roofs, the ridge point and every candidate.",
        "%nWith --isl and --osl it recommends a serving deployment instead: engine × GPU count × parallel layout "
            + "× precision × concurrency, meeting --max-ttft-ms / --max-tpot-ms at the highest output tokens/s per "
            + "GPU (the lowest cost per million output tokens when --gpu-hour-usd is given); --plot then draws "
            + "tokens/s per GPU against tokens/s per user with the chosen point marked."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  tuner recommend --model \"Llama 3 8B\" --device \"RTX 4090\"",
        "  tuner recommend --model \"Llama 3 8B\" --device \"RTX 4090\" \\",
        "      --max-ms-per-token 40 --top 5",
        "  tuner recommend --model \"Llama 3 70B\" --device \"H100 SXM5 80GB\" \\",
        "      --quants Q4_K_M,Q8_0,FP8 --kv-cache-types f16,fp8 --context 8192 \\",
        "      --format json",
        "  tuner recommend --model \"Llama 3 8B\" --device \"RTX 4090\" --memory-gb 20 \\",
        "      --plot roofline.png --force",
        "  tuner recommend --model \"Llama 3.1 70B\" --device \"H100 SXM5 80GB\" --isl 1000 --osl 200 \\",
        "      --max-ttft-ms 500 --max-tpot-ms 30 --gpu-hour-usd 2.5 --plot serving.png"})
final class RecommendCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  SpecOptions specs = new SpecOptions();

  @Mixin
  OutputFormat.Mixin output = new OutputFormat.Mixin();

  @Option(names = "--memory-gb", paramLabel = "GB",
      description = "Memory available for the model, in GB read as GiB (default: the device's capacity).")
  Double memoryGb;

  @Option(names = "--max-ms-per-token", paramLabel = "MS",
      description = "Per-sequence decode latency budget in ms per token (default: none).")
  Double maxMsPerToken;

  @Option(names = "--quants", paramLabel = "NAME", split = ",",
      description = "Quantizations to consider (default: Q4_K_M,Q5_K_M,Q6_K,Q8_0,F16, and MXFP4_MOE for a mixture"
          + " of experts; with --gguf, the file's own).")
  List<String> quants;

  @Option(names = "--batches", paramLabel = "M", split = ",",
      description = "Batch sizes to consider (default: 1,2,4,...,256).")
  List<Integer> batches;

  @Option(names = "--kv-cache-types", paramLabel = "TYPE", split = ",",
      description = "KV-cache types to consider (default: f16,q8_0, q8_0 and q4_0 with flash attention on, left out"
          + " with --flash-attn false; serving: fp8 with FP8 weights, f16 with the others).")
  List<String> kvCacheTypes;

  @Option(names = "--context", paramLabel = "TOKENS",
      description = "Context length each sequence must hold (default: " + RecommendCommand.DEFAULT_CONTEXT + ").")
  Integer context;

  static final int DEFAULT_CONTEXT = 4096;

  @Option(names = "--cuda-graphs",
      description = "The runtime uses CUDA graphs (llama.cpp on CUDA, or on ROCm built with GGML_HIP_GRAPHS; refused"
          + " on other backends).")
  boolean cudaGraphs;

  @Option(names = "--backend", paramLabel = "NAME",
      description = "The compute API llama.cpp runs on: CUDA, Metal, ROCm, Vulkan, SYCL or CPU (default unknown).")
  String backend;

  @Mixin
  EngineSettingsOptions engineSettings = new EngineSettingsOptions();

  @Option(names = "--kernel", paramLabel = "NAME",
      description = "The reference tuner's kernel variant held fixed over the grid (only models on schema tuner-v1"
          + " or reference-v1 see it; refused otherwise).")
  String kernel;

  @Option(names = "--top", paramLabel = "N", defaultValue = "10",
      description = "How many ranked configurations to print (default: ${DEFAULT-VALUE}).")
  int top;

  @Mixin
  LayoutOptions layout = new LayoutOptions();

  @Option(names = "--max-devices", paramLabel = "N",
      description = "Search device counts and layouts (tp × pp; powers of two) up to N devices, and say why each"
          + " fits or not.")
  Integer maxDevices;

  @Option(names = "--search-ep", description = "With --max-devices, also search expert-parallel layouts (ep > 1) of"
      + " a mixture of experts: llama.cpp runs none, so they are the layout's physics at llama.cpp's learned"
      + " efficiency, not runs it can make.")
  boolean searchEp;

  @Option(names = "--plot", paramLabel = "FILE.png",
      description = "Also draw the roofline chart with the candidates on it into this PNG file.")
  Path plot;

  @Option(names = "--force", description = "Let --plot replace an existing file.")
  boolean force;

  @Mixin
  ServingRecommendOptions serving = new ServingRecommendOptions();

  @Option(names = "--verbose", description = "List every dropped configuration, not only the count by reason (JSON"
      + " and CSV always list them all).")
  boolean verbose;

  @Override
  public Integer call() {
    FilePlan.of(TunerCli.of(spec)).png("--plot", plot).check(force);
    Session session = TunerCli.of(spec).session();
    Catalog catalog = specs.catalog(session.catalog());
    if (serving.active()) {
      String stepOnly = "a step recommendation (no --isl/--osl): serving recommendations compose the engines' own"
          + " terms";
      engineSettings.refuseAll(stepOnly);
      // a serving budget bounds the time per output token after the first, not a step's
      UnreadOptions.refuse("--max-tpot-ms for a serving recommendation (--max-ms-per-token bounds a decode step in a"
          + " step recommendation, without --isl/--osl)", "--max-ms-per-token", maxMsPerToken);
      // what only the llama.cpp grid reads; the serving grid sizes the KV cache from --isl/--osl and searches --gpus
      UnreadOptions.refuse(stepOnly, "--backend", backend, "--context", context, "--batches", batches,
          "--memory-gb", memoryGb, "--max-devices", maxDevices, "--search-ep", UnreadOptions.flag(searchEp),
          "--kernel", kernel, "--cuda-graphs", UnreadOptions.flag(cudaGraphs));
      if (layout.given()) {
        throw new InvalidInputException("layout", "--devices/--tp/--pp/--ep", stepOnly
            + ", which search the GPU counts of --gpus and their layouts themselves");
      }
      Scenario probe = specs.request(quants == null ? "BF16" : quants.get(0).trim(), 1, 1, "decode", null, null,
          null, null).resolve(catalog);
      return serving.run(session, probe.model(), probe.device(), quants, kvCacheTypes(List.of()), top, verbose,
          output.format, plot, force, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
    serving.refuseServingOnly("a serving recommendation: --isl and --osl");
    // checked before the probe, a decode step whose own range starts at 0 and would state that range instead
    int context = RecommendRequest.requireContext(this.context == null ? DEFAULT_CONTEXT : this.context);
    List<KvCacheType> kv = kvCacheTypes(RecommendRequest.DEFAULT_KV_CACHE_TYPES);
    if (maxDevices != null && layout.given()) {
      throw new InvalidInputException("--max-devices", maxDevices.toString(),
          "either a search up to N devices or one layout (--devices/--tp/--pp/--ep), not both");
    }
    // The model, device and layout resolve exactly as predict resolves them.
    List<String> named = quants == null ? List.of() : Text.listed("--quants", quants);
    String probeQuant = !named.isEmpty() ? named.get(0)
        : specs.ggufQuant().map(Quantization::name).orElse(RecommendRequest.DEFAULT_QUANTS.get(0));
    Scenario probe = specs.request(probeQuant, 1, context, "decode", null, null, null, null)
        .withParallel(layout.devices, layout.tp, layout.pp, layout.ep)
        .resolve(catalog);
    List<String> notes = new ArrayList<>();
    List<Quantization> resolvedQuants = quantGrid(catalog, named, probe.model(), notes);
    if (searchEp && maxDevices == null) {
      throw new InvalidInputException("--search-ep", "set without --max-devices", "--max-devices N beside it:"
          + " --search-ep widens that search (one layout states its --ep itself)");
    }
    List<ParallelLayout> layouts = maxDevices == null ? List.of(probe.parallel())
        : LayoutSearch.layouts(probe.model(), maxDevices, searchEp);
    if (maxDevices != null && !searchEp && probe.model().moe().isMoe()) {
      notes.add("layouts: no expert parallelism searched, as llama.cpp runs none; --search-ep adds the ep layouts,"
          + " predicted as their physics at llama.cpp's learned efficiency");
    }
    SettingEffect.require(session.predictor(), "--kernel", kernel, Quantity.KERNEL);
    SettingEffect.require(session.predictor(), "--cuda-graphs", UnreadOptions.flag(cudaGraphs), Quantity.CUDA_GRAPHS);
    engineSettings.requireEffect(session.predictor(), backend);
    EngineSettings engine = engineSettings.settings(backend);
    SettingEffect.requireCudaGraphsOn(cudaGraphs, engine.withUsualBackend(probe.device()), probe.device());
    RecommendRequest request = new RecommendRequest(probe.model(), probe.device(), optional(memoryGb),
        optional(maxMsPerToken), resolvedQuants, batches == null ? RecommendRequest.DEFAULT_BATCHES : batches, kv,
        context, cudaGraphs, kernel == null ? Optional.empty() : Optional.of(KernelType.parse(kernel)), top,
        layouts, engine);
    Recommendation r = session.recommender().recommend(request);
    PrintWriter out = spec.commandLine().getOut();
    switch (output.format) {
      case JSON -> Json.print(out, json(r, notes));
      case CSV -> csv(r).printCsv(out);
      default -> table(out, r, verbose, notes);
    }
    out.flush();
    for (String note : r.notes()) {
      if (note.startsWith(Recommender.ROOFLESS)) {
        spec.commandLine().getErr().println("warning: " + note);
      }
    }
    if (plot != null) {
      new RooflineChart().write(r, plot, force);
      spec.commandLine().getErr().println("wrote " + plot);
    }
    return 0;
  }

  /**
   * The quantizations to search: {@code named} (--quants) as given; a GGUF file's own (one file runs at one
   * quantization); else the default grid for the model (a mixture of experts adds llama.cpp's MXFP4_MOE).
   */
  private List<Quantization> quantGrid(Catalog catalog, List<String> named, ModelSpec model, List<String> notes) {
    if (!named.isEmpty()) {
      return named.stream().map(catalog::quant).toList();
    }
    if (specs.ggufQuant().isPresent()) {
      Quantization own = specs.ggufQuant().get();
      notes.add("quantization: only " + own.name() + " (" + Text.num(own.bitsPerWeight()) + " bits per weight, from"
          + " the file's tensors), as one GGUF file runs at one quantization; --quants compares others, each of which"
          + " needs its own file");
      return List.of(own);
    }
    if (specs.fromGguf()) {
      notes.add("quantization: the GGUF file states none (no general.file_type llama.cpp names), so the default"
          + " grid is searched; --quants chooses others");
    }
    return RecommendRequest.defaultQuants(model).stream().map(catalog::quant).toList();
  }

  private static OptionalDouble optional(Double v) {
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  private static String capacity(Recommendation r) {
    return switch (r.memorySource()) {
      case OVERRIDE -> Text.plain(r.memoryCapacityGb().getAsDouble()) + " GiB (given)";
      case CATALOG -> Text.plain(r.memoryCapacityGb().getAsDouble()) + " GiB (device)";
      case UNKNOWN -> "unknown: not checked";
    };
  }

  private static void table(PrintWriter out, Recommendation r, boolean verbose, List<String> commandNotes) {
    RecommendRequest q = r.request();
    out.println("Recommendation (decode)");
    new Table("", "")
        .row("model", Describe.model(r.model()))
        .row("device", Describe.device(r.device()))
        .row("context", q.context() + " tokens per sequence")
        .row("memory", capacity(r))
        .row("latency budget", q.maxMsPerToken().isPresent() ? Text.plain(q.maxMsPerToken().getAsDouble())
            + " ms per token per sequence" : "none")
        .row("grid", q.quants().size() + " quantizations × " + q.kvCacheTypes().size() + " KV-cache types × "
            + q.batches().size() + " batch sizes" + (q.multiDevice() ? " × " + q.layouts().size() + " layouts" : "")
            + " = " + r.evaluated() + " configurations")
        .row("model used", r.modelId() + (r.fallbackModel() ? " (roofline-only: no trained model)" : ""))
        .printText(out, "  ");
    for (String note : commandNotes) {
      out.println("  note: " + note);
    }
    for (String note : r.notes()) {
      out.println("  note: " + note);
    }
    if (q.multiDevice()) {
      out.println();
      layouts(out, r);
    }
    out.println();
    if (r.whyEmpty().isPresent()) {
      // the reason is a sentence that already says what failed ("no configuration of … fits", "no configuration
      // qualifies: of 90, …"): a heading before it would say it twice
      String why = r.whyEmpty().get();
      out.println(why.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + why.substring(1));
    } else {
      out.println("Top " + r.top().size() + " of " + r.ranked().size() + " (fastest aggregate tokens/s first)");
      candidates(r.top(), true).printText(out, "  ");
      out.println();
      out.println("Pareto front (aggregate tokens/s against per-sequence latency, lowest latency first)");
      candidates(r.pareto(), false).printText(out, "  ");
    }
    if (!r.dropped().isEmpty() && !verbose) {
      out.println();
      out.println("Dropped (" + r.dropped().size() + "; --verbose lists each)");
      Table t = new Table("reason", "configurations", "example");
      Map<Dropped.Reason, List<Dropped>> byReason = new java.util.EnumMap<>(Dropped.Reason.class);
      r.dropped().forEach(d -> byReason.computeIfAbsent(d.reason(), x -> new ArrayList<>()).add(d));
      // the example is the mildest case: the one that missed by the least
      byReason.forEach((reason, list) -> {
        Dropped mildest = list.stream().min(java.util.Comparator.comparingDouble(RecommendCommand::excess))
            .orElseThrow();
        t.row(reason.id(), list.size(), (q.multiDevice() ? Candidate.layoutLabel(mildest.layout()) + " " : "")
            + mildest.quant().name() + " " + mildest.kvCache().id() + " batch " + mildest.batch() + ": "
            + mildest.detail());
      });
      t.printText(out, "  ");
    } else if (!r.dropped().isEmpty()) {
      out.println();
      out.println("Dropped (" + r.dropped().size() + ")");
      Table t = q.multiDevice() ? new Table("layout", "quant", "kv", "batch", "reason", "detail")
          : new Table("quant", "kv", "batch", "reason", "detail");
      for (Dropped d : r.dropped()) {
        if (q.multiDevice()) {
          t.row(Candidate.layoutLabel(d.layout()), d.quant().name(), d.kvCache().id(), d.batch(), d.reason().id(),
              d.detail());
        } else {
          t.row(d.quant().name(), d.kvCache().id(), d.batch(), d.reason().id(), d.detail());
        }
      }
      t.printText(out, "  ");
    }
  }

  /** One line per layout searched: fits or not, and the per-device memory that decides it. */
  private static void layouts(PrintWriter out, Recommendation r) {
    out.println("Layouts (" + r.layoutFits().size() + "; per device: weights + KV cache + engine reserve against "
        + capacity(r) + ")");
    out.println("  smallest that fits: " + r.smallestFitting()
        .map(f -> Describe.layout(f.layout()) + " (" + Candidate.layoutLabel(f.layout()) + ")")
        .orElse("none"));
    Table t = new Table("devices", "layout", "status", "GiB/device", "why");
    for (LayoutFit f : r.layoutFits()) {
      boolean sized = f.status() != LayoutFit.Status.NOT_APPLICABLE;
      t.row(f.layout().devices(), Candidate.layoutLabel(f.layout()), f.status().id(),
          sized ? Text.num(f.smallest().totalGib()) : "", f.detail());
    }
    t.printText(out, "  ");
  }

  /** How far a dropped configuration is from qualifying, as a ratio to its limit. */
  private static double excess(Dropped d) {
    return switch (d.reason()) {
      case MEMORY -> d.memory().totalGib() / d.limit();
      case LATENCY -> d.msPerToken() / d.limit();
      case NO_THROUGHPUT -> Double.POSITIVE_INFINITY;
      case NO_GAIN -> d.batch() / d.limit();
    };
  }

  private static Table candidates(List<Candidate> list, boolean ranked) {
    boolean layouts = list.stream().anyMatch(c -> !c.layout().isSingle());
    List<String> header = new ArrayList<>(List.of("quant", "kv", "batch", "tokens/s", "interval", "ms/token/seq",
        "roofline", "bound", "memory GiB"));
    if (layouts) {
      header.add(0, "layout");
      header.add("tokens/s/device");
    }
    if (ranked) {
      header.add(0, "#");
    }
    Table t = new Table(header.toArray(String[]::new));
    int i = 1;
    for (Candidate c : list) {
      List<Object> cells = new ArrayList<>(List.of(c.quant().name(), c.kvCache().id(), c.batch(),
          Text.num(c.tokensPerSecond()), c.interval().map(v -> Math.round(100 * v.level()) + "%: " + Text.num(v.low())
              + "–" + Text.num(v.high())).orElse(""), Text.num(c.msPerToken()), Text.num(c.rooflineTokensPerSecond()),
          c.bound().id(), Text.num(c.memory().totalGib())));
      if (layouts) {
        cells.add(0, Candidate.layoutLabel(c.layout()));
        cells.add(Text.num(c.tokensPerSecondPerDevice()));
      }
      if (ranked) {
        cells.add(0, i++);
      }
      t.row(cells.toArray());
    }
    return t;
  }

  private static ObjectNode json(Recommendation r, List<String> commandNotes) {
    RecommendRequest q = r.request();
    ObjectNode n = Json.object();
    n.set("model", Describe.modelJson(r.model()));
    n.set("device", Describe.deviceJson(r.device()));
    n.put("phase", "decode");
    n.put("context", q.context());
    Describe.engineJson(n.putObject("engine"), q.engine());
    ObjectNode memory = n.putObject("memory");
    Json.put(memory, "capacity_gib", r.memoryCapacityGb());
    memory.put("source", r.memorySource().id());
    memory.put("checked", r.memoryChecked());
    memory.put("rule", MemoryEstimate.RULE);
    Json.put(n, "max_ms_per_token", q.maxMsPerToken());
    ObjectNode grid = n.putObject("grid");
    grid.set("quants", Json.strings(q.quants().stream().map(Quantization::name).toList()));
    grid.set("kv_cache_types", Json.strings(q.kvCacheTypes().stream().map(KvCacheType::id).toList()));
    ArrayNode b = grid.putArray("batches");
    q.batches().forEach(b::add);
    n.put("evaluated", r.evaluated());
    n.put("qualified", r.ranked().size());
    n.putObject("prediction_model").put("id", r.modelId()).put("fallback", r.fallbackModel());
    ArrayNode top = n.putArray("top");
    int rank = 1;
    for (Candidate c : r.top()) {
      top.add(candidate(c).put("rank", rank++));
    }
    ArrayNode pareto = n.putArray("pareto");
    r.pareto().forEach(c -> pareto.add(candidate(c)));
    ObjectNode byReason = n.putObject("dropped_by_reason");
    r.dropped().forEach(d -> byReason.put(d.reason().id(), byReason.path(d.reason().id()).asInt(0) + 1));
    ArrayNode dropped = n.putArray("dropped");
    for (Dropped d : r.dropped()) {
      ObjectNode o = dropped.addObject().put("quant", d.quant().name()).put("kv_cache_type", d.kvCache().id())
          .put("batch", d.batch()).put("reason", d.reason().id()).put("detail", d.detail());
      o.set("parallel", Describe.layoutJson(d.layout()));
    }
    ArrayNode layouts = n.putArray("layouts");
    for (LayoutFit f : r.layoutFits()) {
      ObjectNode l = Describe.layoutJson(f.layout());
      l.put("status", f.status().id());
      if (f.status() != LayoutFit.Status.NOT_APPLICABLE) {
        ObjectNode m = l.putObject("smallest");
        m.put("quant", f.smallestQuant().name()).put("kv_cache_type", f.smallestKv().id())
            .put("batch", f.smallestBatch());
        memoryJson(m.putObject("memory_gib_per_device"), f.smallest());
        l.put("fitting", f.fitting()).put("configurations", f.configurations());
      }
      l.put("detail", f.detail());
      layouts.add(l);
    }
    if (r.request().multiDevice()) {
      Optional<LayoutFit> smallest = r.smallestFitting();
      if (smallest.isPresent()) {
        n.set("smallest_fitting_layout", Describe.layoutJson(smallest.get().layout()));
      } else {
        n.putNull("smallest_fitting_layout");
      }
    }
    List<String> notes = new ArrayList<>(commandNotes);
    notes.addAll(r.notes());
    n.set("notes", Json.strings(notes));
    if (r.whyEmpty().isPresent()) {
      n.put("why_empty", r.whyEmpty().get());
    } else {
      n.putNull("why_empty");
    }
    return n;
  }

  private static ObjectNode candidate(Candidate c) {
    ObjectNode n = Json.object();
    n.put("quant", c.quant().name());
    n.put("kv_cache_type", c.kvCache().id());
    n.put("batch", c.batch());
    n.put("context", c.context());
    n.put("tokens_per_s", c.tokensPerSecond());
    c.interval().ifPresent(i -> Json.put(n, "interval", i));
    n.put("ms_per_token", c.msPerToken());
    n.put("roofline_tokens_per_s", c.rooflineTokensPerSecond());
    n.put("bound", c.bound().id());
    n.put("arithmetic_intensity", c.arithmeticIntensity());
    memoryJson(n.putObject("memory_gib"), c.memory());
    n.set("parallel", Describe.layoutJson(c.layout()));
    n.put("tokens_per_s_per_device", c.tokensPerSecondPerDevice());
    return n;
  }

  /** Per device when the layout spreads the model. */
  private static void memoryJson(ObjectNode m, MemoryEstimate e) {
    m.put("weights", e.weightBytes() / MemoryEstimate.GIB);
    m.put("kv_cache", e.kvCacheBytes() / MemoryEstimate.GIB);
    m.put("overhead", e.overheadBytes() / MemoryEstimate.GIB);
    m.put("total", e.totalGib());
  }

  private static Table csv(Recommendation r) {
    Table t = new Table("set", "rank", "quant", "kv_cache_type", "batch", "context", "tokens_per_s", "ms_per_token",
        "roofline_tokens_per_s", "bound", "memory_gib", "reason", "detail", "devices", "tp", "pp", "ep");
    int rank = 1;
    for (Candidate c : r.top()) {
      t.row("top", rank++, c.quant().name(), c.kvCache().id(), c.batch(), c.context(), c.tokensPerSecond(),
          c.msPerToken(), c.rooflineTokensPerSecond(), c.bound().id(), c.memory().totalGib(), "", "",
          c.layout().devices(), c.layout().tp(), c.layout().pp(), c.layout().ep());
    }
    for (Candidate c : r.pareto()) {
      t.row("pareto", "", c.quant().name(), c.kvCache().id(), c.batch(), c.context(), c.tokensPerSecond(),
          c.msPerToken(), c.rooflineTokensPerSecond(), c.bound().id(), c.memory().totalGib(), "", "",
          c.layout().devices(), c.layout().tp(), c.layout().pp(), c.layout().ep());
    }
    for (Dropped d : r.dropped()) {
      t.row("dropped", "", d.quant().name(), d.kvCache().id(), d.batch(), r.request().context(), "", "", "", "", "",
          d.reason().id(), d.detail(), d.layout().devices(), d.layout().tp(), d.layout().pp(), d.layout().ep());
    }
    return t;
  }

  /** The types --kv-cache-types names, or {@code defaults} when it names none. */
  private List<KvCacheType> kvCacheTypes(List<KvCacheType> defaults) {
    if (kvCacheTypes == null) {
      return defaults;
    }
    return Text.listed("--kv-cache-types", kvCacheTypes).stream().map(KvCacheType::parse).toList();
  }
}
