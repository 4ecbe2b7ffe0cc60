package dev.tuner.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuner.api.ModelProvider;
import dev.tuner.api.TunerApi;
import dev.tuner.core.plugin.PluginProblem;
import dev.tuner.core.plugin.ProviderRegistry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tuner plugins}: the model providers found, and each one that could not be used with its code and why. */
@Command(
    name = "plugins",
    mixinStandardHelpOptions = true,
    description = {
        "Lists the model providers found, and each one that failed to load with why.",
        "%nProviders come from the class path and --plugin-dir; each shows its id, version and the plugin API "
            + "version it needs. A provider that failed has a stable code: BROKEN, MISSING_CLASS, DUPLICATE_ID, "
            + "INCOMPATIBLE_API, INVALID_DESCRIPTOR, and for files of --plugin-dir UNREADABLE_JAR or NO_PROVIDER."},
    footerHeading = "%nExamples:%n",
    footer = {"  tuner plugins", "  tuner plugins --plugin-dir ./plugins --format json"})
final class PluginsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  OutputFormat.Mixin output = new OutputFormat.Mixin();

  @Override
  public Integer call() {
    ProviderRegistry registry = TunerCli.of(spec).session().registry();
    PrintWriter out = spec.commandLine().getOut();
    switch (output.format) {
      case JSON -> Json.print(out, json(registry));
      case CSV -> csv(registry).printCsv(out);
      default -> table(out, registry);
    }
    out.flush();
    return 0;
  }

  private static void table(PrintWriter out, ProviderRegistry registry) {
    out.println("Providers (" + registry.providers().size() + "; this host implements plugin API "
        + TunerApi.VERSION + ")");
    if (registry.providers().isEmpty()) {
      out.println("  none found: predictions fall back to the roofline-only model");
    } else {
      Table t = new Table("id", "version", "api", "description");
      for (ModelProvider p : registry.providers().values()) {
        t.row(p.id(), p.version(), p.requiredApiVersion(), p.description());
      }
      t.printText(out, "  ");
    }
    if (!registry.problems().isEmpty()) {
      out.println();
      out.println("Failed to load (" + registry.problems().size() + ")");
      Table t = new Table("provider", "code", "why");
      for (PluginProblem p : registry.problems()) {
        t.row(p.provider(), p.code().name(), p.message());
      }
      t.printText(out, "  ");
    }
  }

  private static ObjectNode json(ProviderRegistry registry) {
    ObjectNode n = Json.object();
    n.put("host_api_version", TunerApi.VERSION);
    ArrayNode providers = n.putArray("providers");
    for (ModelProvider p : registry.providers().values()) {
      providers.addObject().put("id", p.id()).put("version", p.version()).put("api_version", p.requiredApiVersion())
          .put("description", p.description()).put("class", p.getClass().getName());
    }
    ArrayNode problems = n.putArray("problems");
    for (PluginProblem p : registry.problems()) {
      problems.addObject().put("provider", p.provider()).put("code", p.code().name()).put("message", p.message());
    }
    return n;
  }

  private static Table csv(ProviderRegistry registry) {
    Table t = new Table("status", "id", "version", "api_version", "description", "code", "message");
    for (ModelProvider p : registry.providers().values()) {
      t.row("loaded", p.id(), p.version(), p.requiredApiVersion(), p.description(), "", "");
    }
    for (PluginProblem p : registry.problems()) {
      t.row("failed", p.provider(), "", "", "", p.code().name(), p.message());
    }
    return t;
  }
}
