package dev.tuner.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.core.catalog.Catalog;
import dev.tuner.core.catalog.NameIndex;
import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import dev.tuner.core.scenario.Quantization;
import dev.tuner.serving.EngineDefaults;
import dev.tuner.serving.EngineLimits;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tuner catalog devices|models|quants|engines}: what tuner knows by name, with every column and its source.
 */
@Command(
    name = "catalog",
    mixinStandardHelpOptions = true,
    description = "Lists the shipped catalogs of accelerators, LLM architectures and quantizations.",
    subcommands = {CatalogCommand.Devices.class, CatalogCommand.Models.class, CatalogCommand.Quants.class,
        CatalogCommand.Engines.class},
    footerHeading = "%nExamples:%n",
    footer = {
        "  tuner catalog devices",
        "  tuner catalog devices --search h100",
        "  tuner catalog models --search llama --format csv",
        "  tuner catalog quants --format json",
        "  tuner catalog engines"})
final class CatalogCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    spec.commandLine().getErr().println("tuner catalog: say which catalog: devices, models, quants or engines");
    return TunerCli.EXIT_USAGE;
  }

  /** One catalog printed as a table, JSON array or CSV; {@code --search} filters by name or alias. */
  abstract static class Listing<T> implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--search", paramLabel = "TEXT",
        description = "Only entries whose name or an alias has every word of TEXT (case ignored; rtx4090 also"
            + " matches RTX 4090, a word of letters also a word's start).")
    String search;

    @Mixin
    OutputFormat.Mixin output = new OutputFormat.Mixin();

    abstract String kind();

    abstract NameIndex<T> index(Catalog catalog);

    abstract Table table(List<T> entries);

    abstract ObjectNode json(T entry);

    @Override
    public Integer call() {
      Session session = TunerCli.of(spec).session();
      NameIndex<T> index = index(session.catalog());
      for (var file : session.config().catalogs()) {
        spec.commandLine().getErr().println("tuner catalog: entries of " + file + " layered over the built-in"
            + " catalog");
      }
      List<T> entries = index.search(search);
      PrintWriter out = spec.commandLine().getOut();
      switch (output.format) {
        case JSON -> {
          ArrayNode a = Json.array();
          entries.forEach(e -> a.add(json(e)));
          Json.print(out, a);
        }
        case CSV -> table(entries).printCsv(out);
        default -> {
          if (!entries.isEmpty()) {
            table(entries).printText(out, "");
          }
        }
      }
      out.flush();
      if (entries.isEmpty()) {
        spec.commandLine().getErr().println("tuner catalog " + kind() + ": nothing matches \"" + search
            + "\"; closest: " + String.join(", ", index.closest(search, 5)));
      }
      return 0;
    }
  }

  @Command(name = "devices", mixinStandardHelpOptions = true,
      description = "Accelerators: architecture (the kernels' target, e.g. Ampere sm_86), memory bandwidth (GB/s),"
          + " dense FP16/FP8 tensor peaks and FP32 vector peak (TFLOPS), compute units, L2 (MB), memory (GB);"
          + " blank = unknown.",
      footerHeading = "%nExamples:%n",
      footer = {"  tuner catalog devices --search 4090", "  tuner catalog devices --format csv"})
  static final class Devices extends Listing<DeviceSpec> {
    @Override
    String kind() {
      return "devices";
    }

    @Override
    NameIndex<DeviceSpec> index(Catalog catalog) {
      return catalog.devices();
    }

    @Override
    Table table(List<DeviceSpec> entries) {
      Table t = new Table("device", "vendor", "architecture", "mem_bw_gbs", "fp16_tflops", "fp8_tflops",
          "fp32_tflops", "compute_units", "l2_mb", "mem_gb", "source", "aliases");
      for (DeviceSpec d : entries) {
        t.row(d.name(), d.vendor(), d.architecture(), Text.plain(d.memBandwidthGBs()), Text.plain(d.fp16Tflops()),
            Text.plain(d.fp8Tflops()), Text.plain(d.fp32Tflops()),
            d.computeUnits() > 0 ? Integer.toString(d.computeUnits()) : "",
            Text.plain(d.l2CacheMb()), Text.plain(d.memoryGb()), d.source(), String.join("|", d.aliases()));
      }
      return t;
    }

    @Override
    ObjectNode json(DeviceSpec d) {
      return Describe.deviceJson(d);
    }
  }

  @Command(name = "models", mixinStandardHelpOptions = true,
      description = "LLM architectures: parameters (billions), layers, hidden size, heads, KV heads, head dimension,"
          + " vocabulary, the context its config declares; 0 = unknown.",
      footerHeading = "%nExamples:%n",
      footer = {"  tuner catalog models --search llama", "  tuner catalog models --format json"})
  static final class Models extends Listing<ModelSpec> {
    @Override
    String kind() {
      return "models";
    }

    @Override
    NameIndex<ModelSpec> index(Catalog catalog) {
      return catalog.models();
    }

    @Override
    Table table(List<ModelSpec> entries) {
      Table t = new Table("model", "params_b", "layers", "hidden", "heads", "kv_heads", "head_dim", "vocab",
          "max_context", "source", "aliases");
      for (ModelSpec m : entries) {
        t.row(m.name(), Text.plain(m.paramsB()), m.layers(), m.hidden(), m.heads(), m.kvHeads(), m.headDim(),
            m.vocab(), m.maxContext().orElse(0), m.source(), String.join("|", m.aliases()));
      }
      return t;
    }

    @Override
    ObjectNode json(ModelSpec m) {
      return Describe.modelJson(m);
    }
  }

  @Command(name = "quants", mixinStandardHelpOptions = true,
      description = "Weight quantizations: true bits per weight (block scales included), schema class and the"
          + " arithmetic they compute in.",
      footerHeading = "%nExamples:%n",
      footer = {"  tuner catalog quants", "  tuner catalog quants --search q4"})
  static final class Quants extends Listing<Quantization> {
    @Override
    String kind() {
      return "quants";
    }

    @Override
    NameIndex<Quantization> index(Catalog catalog) {
      return catalog.quants();
    }

    @Override
    Table table(List<Quantization> entries) {
      Table t = new Table("quant", "bits_per_weight", "expert_bits", "other_bits", "class", "activation", "source",
          "aliases");
      for (Quantization q : entries) {
        t.row(q.name(), Text.plain(q.bitsPerWeight()), Text.plain(q.expertBitsPerWeight()),
            Text.plain(q.otherBitsPerWeight()),
            q.quantClass().name(), q.activation().name().toLowerCase(java.util.Locale.ROOT), q.source(),
            String.join("|", q.aliases()));
      }
      return t;
    }

    @Override
    ObjectNode json(Quantization q) {
      return Describe.quantJson(q);
    }
  }

  @Command(name = "engines", mixinStandardHelpOptions = true,
      description = "Serving engines' defaults, as a prediction takes them when no option overrides them: sequences"
          + " per iteration (0 = as many as memory holds), tokens per iteration, chunked prefill, CUDA graphs, the"
          + " KV cache's share of free or total memory; a product built on an engine (ollama) has a row of its own.",
      footerHeading = "%nExamples:%n",
      footer = {"  tuner catalog engines", "  tuner catalog engines --format json"})
  static final class Engines implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputFormat.Mixin output = new OutputFormat.Mixin();

    @Override
    public Integer call() {
      List<EngineDefaults.Row> rows = EngineDefaults.shipped().rows();
      PrintWriter out = spec.commandLine().getOut();
      if (output.format == OutputFormat.JSON) {
        ArrayNode a = Json.array();
        for (EngineDefaults.Row r : rows) {
          EngineLimits l = r.limits();
          a.addObject().put("engine", r.name()).put("runs", r.kind().id()).put("max_batch", l.maxBatch())
              .put("max_tokens_per_step", l.maxTokensPerStep()).put("chunked_prefill", l.chunkedPrefill())
              .put("cuda_graphs", l.cudaGraphs()).put("kv_cache_fraction", l.kvCacheFraction())
              .put("kv_fraction_of", l.fractionOfFree() ? "free" : "total").put("source", r.sourceId())
              .put("notes", r.notes());
        }
        Json.print(out, a);
      } else {
        Table t = new Table("engine", "runs", "max_batch", "tokens_per_step", "chunked_prefill", "cuda_graphs",
            "kv_cache_fraction", "of", "source");
        for (EngineDefaults.Row r : rows) {
          EngineLimits l = r.limits();
          t.row(r.name(), r.kind().id(), l.maxBatch() == 0 ? "memory" : Integer.toString(l.maxBatch()),
              l.maxTokensPerStep() == 0 ? "any" : Integer.toString(l.maxTokensPerStep()), l.chunkedPrefill(),
              l.cudaGraphs(), Text.plain(l.kvCacheFraction()), l.fractionOfFree() ? "free" : "total", r.sourceId());
        }
        if (output.format == OutputFormat.CSV) {
          t.printCsv(out);
        } else {
          t.printText(out, "");
        }
      }
      out.flush();
      return 0;
    }
  }
}
