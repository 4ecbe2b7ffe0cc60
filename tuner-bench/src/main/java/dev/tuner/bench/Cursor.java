package dev.tuner.bench;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** A per-thread position that walks round a set of inputs, one step per call. */
@State(Scope.Thread)
public class Cursor {
  private int i;

  int next(int size) {
    int v = i;
    i = v + 1 == size ? 0 : v + 1;
    return v;
  }
}
