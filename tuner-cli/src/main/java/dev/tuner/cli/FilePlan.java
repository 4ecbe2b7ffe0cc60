package dev.tuner.cli;

import dev.tuner.api.InvalidInputException;
import dev.tuner.core.io.FileChecks;
import dev.tuner.core.io.FileChecks.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The files one command reads and writes, checked together before the command does any work: every input readable,
 * no output equal to an input or to another output, every output writable. The configuration file and the model
 * file given to the root command count as inputs of every subcommand.
 */
final class FilePlan {
  private final List<Role> inputs = new ArrayList<>();
  private final List<Role> outputs = new ArrayList<>();

  static FilePlan of(TunerCli root) {
    FilePlan plan = new FilePlan();
    plan.input("--config", root.configFile);
    if (root.modelFile != null && !TunerCli.namesEmbeddedModel(root.modelFile.toString())) {
      plan.input("--model-file", root.modelFile);
    }
    return plan;
  }

  FilePlan input(String option, Path file) {
    if (file != null) {
      inputs.add(new Role(option, file));
    }
    return this;
  }

  FilePlan inputs(String option, List<Path> files) {
    if (files != null) {
      files.forEach(f -> input(option, f));
    }
    return this;
  }

  /** A chart the command draws: an output whose name ends in .png, so that the name says what the file holds. */
  FilePlan png(String option, Path file) {
    if (file != null && !file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new InvalidInputException(option, file.toString(), "a file name ending in .png (the chart is a PNG)");
    }
    return output(option, file);
  }

  FilePlan output(String option, Path file) {
    if (file != null) {
      outputs.add(new Role(option, file));
    }
    return this;
  }

  /** Runs every check; {@code overwrite} says whether existing outputs may be replaced (--force). */
  void check(boolean overwrite) {
    inputs.forEach(r -> FileChecks.requireReadableFile(r.option(), r.path()));
    FileChecks.requireDistinct(inputs, outputs);
    outputs.forEach(r -> FileChecks.requireWritable(r.option(), r.path(), overwrite));
  }
}
