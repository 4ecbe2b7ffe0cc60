package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TunerCliTest {

  @Test
  void helpListsTheCommandsExitCodesAndExamples() {
    Cli.Result r = Cli.run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("predict", "recommend", "catalog", "plugins", "--config", "--model-file",
        "--plugin-dir", "--debug", "Exit codes:", "Examples:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"predict", "recommend", "catalog", "plugins", "catalog devices", "catalog models",
      "catalog quants", "train", "evaluate", "export", "ingest"})
  void everyCommandHasHelpWithExamples(String command) {
    String[] args = (command + " --help").split(" ");
    // picocli reports a description that is not a valid format string (a lone %) on System.err, not on the
    // command's error writer
    java.io.PrintStream systemErr = System.err;
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    Cli.Result r;
    try {
      System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
      r = Cli.run(args);
    } finally {
      System.setErr(systemErr);
    }
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: tuner " + command, "Examples:", "  tuner " + command.split(" ")[0]);
    assertThat(warnings.toString(java.nio.charset.StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void versionNamesTheApi() {
    assertThat(Cli.run("--version").out()).contains("tuner", "plugin API " + dev.tuner.api.TunerApi.VERSION);
  }

  @Test
  void noCommandIsBadUsage() {
    Cli.Result r = Cli.run();
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("a command is required");
  }

  @Test
  void anUnknownCommandSuggestsTheClosest() {
    Cli.Result r = Cli.run("predcit");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Unmatched argument", "did you mean predict");
  }

  @Test
  void globalOptionsWorkBeforeTheCommandToo() {
    Cli.Result r = Cli.run("--debug", "--plugin-dir", "/definitely/not/here", "plugins");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("/definitely/not/here", "\tat ");
  }

  @Test
  void aBadConfigurationKeyIsAUsageError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path config = java.nio.file.Files.writeString(dir.resolve("c.yaml"), "modle: forest\n");
    Cli.Result r = Cli.run("--config", config.toString(), "plugins");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("unknown key modle");
  }

  @Test
  void aRunBuildsOnlyTheCommandsItNames() {
    assertThat(TunerCli.commandLine(new String[] {"--debug", "predict", "--context", "512"}).getSubcommands())
        .containsOnlyKeys("predict");
    assertThat(TunerCli.commandLine(new String[] {"predcit"}).getSubcommands())
        .containsOnlyKeys("predict", "recommend", "catalog", "plugins", "train", "evaluate", "export", "ingest",
            "help");
    assertThat(TunerCli.commandLine(new String[] {"help", "predict"}).getSubcommands()).hasSize(9);
    assertThat(TunerCli.commandLine(new String[] {"--help"}).getSubcommands()).hasSize(9);
  }

  /** The command line leaves out picocli's java.time and java.sql converters, so no option may need one. */
  @Test
  void noOptionHasATypeWhoseConverterIsLeftOut() {
    java.util.List<String> types = new java.util.ArrayList<>();
    java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(TunerCli.commandLine()));
    while (!todo.isEmpty()) {
      CommandLine c = todo.pop();
      todo.addAll(c.getSubcommands().values());
      for (CommandLine.Model.ArgSpec arg : c.getCommandSpec().args()) {
        types.add(arg.type().getName());
        for (Class<?> aux : arg.auxiliaryTypes()) {
          types.add(aux.getName());
        }
      }
    }
    assertThat(types).hasSizeGreaterThan(50).contains("java.nio.file.Path")
        .noneMatch(t -> t.matches(TunerCli.EXCLUDED_CONVERTERS));
    assertThat("java.time.Duration").matches(TunerCli.EXCLUDED_CONVERTERS);
    assertThat("java.sql.Timestamp").matches(TunerCli.EXCLUDED_CONVERTERS);
    assertThat("java.nio.file.Path").doesNotMatch(TunerCli.EXCLUDED_CONVERTERS);
  }

  @Test
  void inheritedOptionsReachCommandsAddedForOneRun() {
    CommandLine cmd = TunerCli.commandLine(new String[] {"plugins", "--plugin-dir", "/definitely/not/here"});
    java.io.StringWriter err = new java.io.StringWriter();
    cmd.setErr(new java.io.PrintWriter(err, true));
    cmd.setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
    assertThat(cmd.execute("plugins", "--plugin-dir", "/definitely/not/here")).isEqualTo(2);
    assertThat(err.toString()).startsWith("tuner plugins: plugin directory = /definitely/not/here is invalid");
  }
}
