package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import dev.tuner.api.NativeLogLevel;
import dev.tuner.api.TunerApi;
import dev.tuner.api.TunerException;
import dev.tuner.core.config.DefaultModelPrefetch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code tuner} command. A new subcommand is one more class in {@link #COMMANDS}: it finds the shared
 * {@link Session} (configuration, catalog, predictor and the other wired objects) through {@link #of(CommandSpec)},
 * prints to {@code spec.commandLine().getOut()} and throws {@link TunerException}s, which {@link #commandLine()} turns
 * into one line on stderr and an exit code.
 */
@Command(
    name = "tuner",
    mixinStandardHelpOptions = true,
    versionProvider = TunerCli.Version.class,
    description = "Predicts LLM inference tokens/s per accelerator, bounded by the roofline, and serving metrics "
        + "(TTFT, TPOT, requests/s) per engine and workload; recommends the fastest configuration or serving "
        + "deployment.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:failure at run time (a model that cannot be loaded, a file that cannot be written)",
        "2:bad usage (unknown option, invalid value, unknown catalog name)"},
    footerHeading = "%nExamples:%n",
    footer = {
        "  tuner predict --model \"Llama 3 8B\" --device \"RTX 4090\" --quant Q4_K_M \\",
        "      --context 512",
        "  tuner recommend --model \"Llama 3 8B\" --device \"RTX 4090\" \\",
        "      --max-ms-per-token 40 --plot roofline.png",
        "  tuner catalog devices --search h100",
        "  tuner plugins --format json",
        "  tuner train --data data/measurements.csv --out model.json",
        "  tuner evaluate --data new.csv --model-file model.json",
        "  tuner export --model-file model.json --onnx model.onnx",
        "  tuner ingest --format llama-bench bench.jsonl --out measurements.csv",
        "  tuner help predict"})
public final class TunerCli implements Callable<Integer> {
  /** Exit code for a failure at run time. */
  public static final int EXIT_FAILURE = 1;
  /** Exit code for bad usage: picocli's parameter errors and {@link InvalidInputException}. */
  public static final int EXIT_USAGE = 2;
  private static final String PICOCLI_CONVERTER_EXCLUDES = "picocli.converters.excludes";
  /** The built-in picocli converters left out: regular expressions of the class names they convert to. */
  static final String EXCLUDED_CONVERTERS = "java\\.(time|sql)\\..*";

  /** The subcommands, in the order help lists them. */
  static final List<Class<?>> COMMANDS = List.of(
      PredictCommand.class,
      RecommendCommand.class,
      CatalogCommand.class,
      PluginsCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      ExportCommand.class,
      IngestCommand.class,
      CommandLine.HelpCommand.class);

  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Configuration file (.yaml, .yml or .properties); system properties tuner.* and "
          + "command-line flags override it.")
  Path configFile;

  @Option(names = "--model-file", paramLabel = "PATH", scope = ScopeType.INHERIT,
      description = "Model to predict with: a tuner artifact or a foreign model file such as .onnx "
          + "(configuration key artifact; default: the embedded model).")
  Path modelFile;

  @Option(names = "--plugin-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Directory of extra plugin jars (configuration key plugins.dir).")
  Path pluginDir;

  @Option(names = "--catalog", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Your own devices, models or quantizations (CSV with the shipped tables' columns, or YAML with"
          + " devices/models/quants lists), layered over the built-in catalog; repeatable (configuration key"
          + " catalogs, comma-separated).")
  List<Path> catalogFiles;

  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "Print stack traces with errors, and ONNX Runtime's own log from level info (configuration key"
          + " onnx.log_level; without --debug it prints nothing below fatal).")
  boolean debug;

  @Spec
  CommandSpec spec;

  private Session session;
  /** The embedded default model being read in the background, when this invocation will likely use it. */
  private Optional<DefaultModelPrefetch> prefetch = Optional.empty();

  public static void main(String[] args) {
    // Charts render into images only; no display is ever needed.
    System.setProperty("java.awt.headless", "true");
    // Started before anything else: reading the default model then overlaps building the command line, the
    // configuration, the catalog and the predictor, which take about as long.
    Optional<DefaultModelPrefetch> prefetch = usesDefaultModel(args)
        ? Optional.of(DefaultModelPrefetch.start())
        : Optional.empty();
    CommandLine cmd = commandLine(args);
    ((TunerCli) cmd.getCommand()).prefetch = prefetch;
    System.exit(cmd.execute(args));
  }

  /**
   * Whether the arguments run a command that predicts with the embedded default model unless told otherwise:
   * {@code predict} or {@code recommend} without {@code --model-file} or a request for help. A configuration file
   * may still choose another model; the prefetched one is then left unused.
   */
  static boolean usesDefaultModel(String[] args) {
    // A plain loop: the first lambda or stream of a run bootstraps method handles for some milliseconds, which would
    // delay the start of the prefetch.
    boolean predicts = false;
    for (String x : args) {
      if (x.equals("--model-file") || x.startsWith("--model-file=") || x.equals("-h") || x.equals("--help")
          || x.equals("-V") || x.equals("--version") || x.equals("help")) {
        return false;
      }
      predicts |= x.equals("predict") || x.equals("recommend");
    }
    return predicts;
  }

  /** A fully configured command line with every subcommand: converters, error handlers and exit codes. */
  public static CommandLine commandLine() {
    return commandLine(COMMANDS);
  }

  /**
   * The command line for {@code args}: only the subcommands named among the arguments, or all of them when none is.
   * Building picocli's model of a command costs start-up time, so a run does not build the ones it cannot reach;
   * help, suggestions for a mistyped command and the usage message see every command.
   */
  static CommandLine commandLine(String[] args) {
    List<Class<?>> named = new ArrayList<>();
    for (Class<?> c : COMMANDS) {
      String name = c.getAnnotation(Command.class).name();
      if (Arrays.asList(args).contains(name)) {
        named.add(c);
      }
    }
    return commandLine(named.isEmpty() || named.contains(CommandLine.HelpCommand.class) ? COMMANDS : named);
  }

  private static CommandLine commandLine(List<Class<?>> commands) {
    // Every command line picocli builds registers converters for java.time and java.sql types, found by reflection,
    // which loads and initialises those classes: a tenth of building the command line. No tuner option has such a
    // type (TunerCliTest checks), so they are left out with picocli's own property, unless it is set already.
    if (System.getProperty(PICOCLI_CONVERTER_EXCLUDES) == null) {
      System.setProperty(PICOCLI_CONVERTER_EXCLUDES, EXCLUDED_CONVERTERS);
    }
    CommandLine cmd = new CommandLine(new TunerCli());
    for (Class<?> c : commands) {
      cmd.addSubcommand(c);
    }
    // The settings below reach the subcommands added so far, hence after them.
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    // Named classes, not lambdas: JDK 17's class-data sharing crashes when dumping a lambda whose interface comes
    // from a pre-Java-6 class file, as picocli's do (see the launcher script).
    cmd.registerConverter(Double.class, new FiniteDouble());
    cmd.registerConverter(double.class, new FiniteDouble());
    cmd.setParameterExceptionHandler(new BadUsage());
    cmd.setExecutionExceptionHandler(new Failure());
    foldExamples(cmd);
    return cmd;
  }

  /**
   * Help would wrap a long example wherever the line is full, even inside a command, and a pasted example then fails:
   * each example longer than the help width is folded before one of its options, with a shell continuation.
   */
  private static void foldExamples(CommandLine cmd) {
    var usage = cmd.getCommandSpec().usageMessage();
    List<String> folded = new ArrayList<>();
    for (String line : usage.footer()) {
      folded.addAll(fold(line, usage.width()));
    }
    usage.footer(folded.toArray(String[]::new));
    cmd.getSubcommands().values().forEach(TunerCli::foldExamples);
  }

  /** A continuation line starts with this and the space before its part: six spaces, deeper than a command's two. */
  private static final String CONTINUATION = "     ";

  /** {@code line} as lines of at most {@code width} characters, broken before options, " \\" ending all but the last. */
  static List<String> fold(String line, int width) {
    boolean command = line.startsWith("  tuner ") || line.startsWith("  ./tuner ");
    if (!command || line.length() <= width) {
      return List.of(line);
    }
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    List<String> parts = new ArrayList<>();
    for (String part : line.split(" (?=--)")) {
      // an option whose value alone overflows a continuation line (a long path) puts its value on a line of its own
      int space = part.indexOf(' ');
      if (part.startsWith("--") && space > 0 && CONTINUATION.length() + 1 + part.length() + 2 > width) {
        parts.add(part.substring(0, space));
        parts.add(part.substring(space + 1));
      } else {
        parts.add(part);
      }
    }
    for (String part : parts) {
      if (current.length() > 0 && current.length() + 1 + part.length() + 2 > width) {
        out.add(current.append(" \\").toString());
        current = new StringBuilder(CONTINUATION);
      }
      current.append(current.length() == 0 ? "" : " ").append(part);
    }
    out.add(current.toString());
    return out;
  }

  /**
   * Whether a model location (--model-file, the configuration's artifact) names a model inside tuner (the embedded
   * default, a class-path resource) rather than a file.
   */
  static boolean namesEmbeddedModel(String location) {
    return location.equals(dev.tuner.core.config.TunerConfig.DEFAULT_ARTIFACT) || location.startsWith("classpath:");
  }

  /** The top-level command object, from any (sub)command's spec. */
  static TunerCli of(CommandSpec spec) {
    return (TunerCli) spec.root().userObject();
  }

  /** The configuration and wired objects shared by the commands of this invocation, built on first use. */
  Session session() {
    if (session == null) {
      Map<String, String> overrides = new LinkedHashMap<>();
      if (modelFile != null) {
        overrides.put("artifact", modelFile.toString());
      }
      if (pluginDir != null) {
        overrides.put("plugins.dir", pluginDir.toString());
      }
      if (catalogFiles != null && !catalogFiles.isEmpty()) {
        overrides.put("catalogs", String.join(",", catalogFiles.stream().map(Path::toString).toList()));
      }
      if (debug) {
        overrides.put("onnx.log_level", NativeLogLevel.INFO.id());
      }
      session = new Session(Optional.ofNullable(configFile), System.getProperties(), overrides, prefetch);
    }
    return session;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    spec.commandLine().getErr().println("tuner: a command is required (see above)");
    return EXIT_USAGE;
  }

  /** Parses a double and refuses NaN and infinities, so that they fail as bad usage naming the option. */
  static final class FiniteDouble implements CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String text) {
      double v;
      try {
        v = Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("'" + text + "' is not a number");
      }
      if (!Double.isFinite(v)) {
        throw new CommandLine.TypeConversionException("'" + text + "' is not a finite number");
      }
      return v;
    }
  }

  /** Bad options or values: one line on stderr naming the command, exit code 2. */
  static final class BadUsage implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cmd = ex.getCommandLine();
      PrintWriter err = cmd.getErr();
      String name = cmd.getCommandSpec().qualifiedName();
      StringBuilder line = new StringBuilder(name).append(": ").append(oneLine(ex.getMessage()));
      if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
        line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions())).append("?)");
      }
      line.append(" - see '").append(name).append(" --help'");
      err.println(line);
      if (of(cmd.getCommandSpec()).debug) {
        ex.printStackTrace(err);
      }
      err.flush();
      return EXIT_USAGE;
    }
  }

  /**
   * A command failed: one line on stderr (the stack trace only with --debug); exit code 2 when the cause is an
   * {@link InvalidInputException} (a bad value), 1 otherwise.
   */
  static final class Failure implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
      PrintWriter err = cmd.getErr();
      String name = cmd.getCommandSpec().qualifiedName();
      TunerException known = null;
      for (Throwable t = ex; t != null && known == null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof TunerException te) {
          known = te;
        }
      }
      boolean debug = of(cmd.getCommandSpec()).debug;
      if (known != null) {
        err.println(name + ": " + oneLine(known.getMessage()));
      } else {
        // Wrappers (Guice's, for embedders' injectors; unchecked I/O) add context; the innermost cause is what went
        // wrong.
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) {
          root = root.getCause();
        }
        err.println(name + ": unexpected error: " + oneLine(String.valueOf(root))
            + (debug ? "" : " (run with --debug for the stack trace)"));
      }
      if (debug) {
        ex.printStackTrace(err);
      }
      err.flush();
      return known instanceof InvalidInputException ? EXIT_USAGE : EXIT_FAILURE;
    }
  }

  private static String oneLine(String message) {
    return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** The version of the running jar and of the plugin API it implements. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = TunerCli.class.getPackage().getImplementationVersion();
      return new String[] {"tuner " + (v == null ? "(development build)" : v) + ", plugin API " + TunerApi.VERSION};
    }
  }
}
