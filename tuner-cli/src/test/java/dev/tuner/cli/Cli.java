package dev.tuner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the tuner command in-process with captured stdout and stderr. */
final class Cli {
  private Cli() {}

  record Result(int exit, String out, String err) {
    JsonNode json() {
      try {
        return new ObjectMapper().readTree(out);
      } catch (java.io.IOException e) {
        throw new AssertionError("stdout is not JSON: " + out, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  static Result run(String... args) {
    CommandLine cmd = TunerCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  /** A test's fixed arguments followed by this case's. */
  static String[] with(String[] fixed, String... more) {
    String[] args = java.util.Arrays.copyOf(fixed, fixed.length + more.length);
    System.arraycopy(more, 0, args, fixed.length, more.length);
    return args;
  }

  /** {@link #run} of a test's fixed arguments followed by this case's. */
  static Result run(String[] fixed, String... more) {
    return run(with(fixed, more));
  }

  /** The JSON of {@link #run(String[], String...)}; fails, showing the run, on a non-zero exit. */
  static JsonNode json(String[] fixed, String... more) {
    Result r = run(fixed, more);
    if (r.exit() != 0) {
      throw new AssertionError("expected exit 0: " + r);
    }
    return r.json();
  }

  /** The catalog model {@code predict} resolves {@code name} to; fails on a non-zero exit. */
  static String resolvedModel(String name) {
    Result r = run("predict", "--model", name, "--device", "RTX 4090", "--quant", "Q4_K_M", "--context", "128",
        "--format", "json");
    if (r.exit() != 0) {
      throw new AssertionError("expected exit 0 resolving " + name + ": " + r);
    }
    return r.json().get("scenario").get("model").get("name").asText();
  }
}
