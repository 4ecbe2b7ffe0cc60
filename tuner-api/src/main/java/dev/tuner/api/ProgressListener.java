package dev.tuner.api;

/** Receives progress of long work; called from any thread. */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (task, done, total) -> {};

  void progress(String task, long done, long total);
}
