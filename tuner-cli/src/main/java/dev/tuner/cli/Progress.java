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
 * bars stay readable. Silent when disabled or when stderr is not a terminal.
 */
final class Progress implements ProgressListener, AutoCloseable {
  private final boolean enabled;
  private final PrintWriter err;
  private ProgressBar bar;
  private String task = "";

  private Progress(boolean enabled, PrintWriter err) {
    this.enabled = enabled;
    this.err = err;
  }

  static Progress create(boolean wanted, PrintWriter err) {
    return new Progress(wanted && System.console() != null, err);
  }

  @Override
  public synchronized void progress(String name, long done, long total) {
    if (!enabled) {
      return;
    }
    boolean topLevel = name.startsWith("cv ") || name.equals("final model");
    if (topLevel && !name.equals(task)) {
      open(name, total);
    } else if (!topLevel && !task.equals("final model")) {
      return;
    } else if (!topLevel && bar.getMax() != total) {
      open("final model", total);
    }
    bar.stepTo(done);
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
