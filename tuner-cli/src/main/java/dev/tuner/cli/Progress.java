package dev.tuner.cli;

import dev.tuner.api.ProgressListener;
import java.io.PrintWriter;
import java.io.Writer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr for long work: one bar per top-level task (each cross-validation, then the final
 * model, whose trees or steps drive it). Nested per-tree events inside cross-validation folds are ignored so the
 * bars stay readable. When stderr is not a terminal (a log file, CI), a bar would be a mess of carriage returns, so
 * each top-level task prints one line as it starts and one as it ends instead. Silent when disabled.
 */
final class Progress implements ProgressListener, AutoCloseable {
  private final boolean enabled;
  private final boolean terminal;
  private final PrintWriter err;
  private ProgressBar bar;
  private String task = "";
  private long started;

  private Progress(boolean enabled, boolean terminal, PrintWriter err) {
    this.enabled = enabled;
    this.terminal = terminal;
    this.err = err;
  }

  static Progress create(boolean wanted, PrintWriter err) {
    return create(wanted, System.console() != null, err);
  }

  static Progress create(boolean wanted, boolean terminal, PrintWriter err) {
    return new Progress(wanted, terminal, err);
  }

  @Override
  public synchronized void progress(String name, long done, long total) {
    if (!enabled) {
      return;
    }
    boolean topLevel = name.startsWith("cv ") || name.equals("final model");
    if (!terminal) {
      lines(name, topLevel);
      return;
    }
    if (topLevel && !name.equals(task)) {
      open(name, total);
    } else if (!topLevel && !task.equals("final model")) {
      return;
    } else if (!topLevel && bar.getMax() != total) {
      open("final model", total);
    }
    bar.stepTo(done);
  }

  /** One line per top-level task as it starts, and one when it ends (when the next starts, or at close). */
  private void lines(String name, boolean topLevel) {
    if (!topLevel || name.equals(task)) {
      return;
    }
    finishLine();
    task = name;
    started = System.nanoTime();
    err.println("progress: " + name + " ...");
    err.flush();
  }

  private void finishLine() {
    if (!task.isEmpty()) {
      err.printf(java.util.Locale.ROOT, "progress: %s done in %.1f s%n", task, (System.nanoTime() - started) / 1e9);
      err.flush();
      task = "";
    }
  }

  private void open(String name, long total) {
    close();
    task = name;
    bar = new ProgressBarBuilder()
        .setTaskName(name)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(new java.io.PrintStream(new WriterStream(err), true)))
        .build();
  }

  @Override
  public synchronized void close() {
    if (enabled && !terminal) {
      finishLine();
    }
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }

  /** Adapts the command's stderr writer to the stream the progress bar library wants. */
  private static final class WriterStream extends java.io.OutputStream {
    private final Writer w;

    WriterStream(Writer w) {
      this.w = w;
    }

    @Override
    public void write(int b) throws java.io.IOException {
      w.write(b);
    }

    @Override
    public void flush() throws java.io.IOException {
      w.flush();
    }
  }
}
