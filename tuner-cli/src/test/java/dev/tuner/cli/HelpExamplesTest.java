package dev.tuner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A pasted --help example must run: no example is wrapped inside a command by the help layout. */
class HelpExamplesTest {
  /** The examples section of {@code cmd}'s usage, as rendered. */
  private static List<String> examples(CommandLine cmd) {
    String usage = cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
    int at = usage.indexOf("Examples:");
    if (at < 0) {
      return List.of();
    }
    List<String> lines = new ArrayList<>(usage.substring(at).lines().skip(1).toList());
    int end = lines.indexOf("");
    return end < 0 ? lines : lines.subList(0, end);
  }

  @Test
  void everyExampleLineIsACommandOrAnExplicitContinuation() {
    CommandLine root = TunerCli.commandLine();
    List<CommandLine> all = new ArrayList<>(List.of(root));
    all.addAll(root.getSubcommands().values());
    List<String> wrapped = new ArrayList<>();
    for (CommandLine cmd : all) {
      String previous = "";
      for (String line : examples(cmd)) {
        boolean command = line.startsWith("  tuner ") || line.startsWith("  ./tuner ");
        boolean continuation = line.startsWith("      ") && previous.endsWith(" \\");
        boolean heading = line.endsWith(":") && !line.startsWith(" ") && !previous.endsWith(" \\");
        if (!(command || continuation || heading) || line.length() > CommandLine.Model.UsageMessageSpec.DEFAULT_USAGE_WIDTH) {
          wrapped.add(cmd.getCommandSpec().qualifiedName() + ": " + line);
        }
        previous = line;
      }
    }
    assertThat(wrapped).isEmpty();
  }

  @Test
  void anOptionWhoseValueOverflowsALineGetsItsValueOnTheNextLine() {
    String path = "a/" + "b".repeat(65) + ".json";
    assertThat(TunerCli.fold("  tuner train --data m.csv --out " + path + " --force", 80)).containsExactly(
        "  tuner train --data m.csv --out \\",
        "      " + path + " \\",
        "      --force");
  }
}
