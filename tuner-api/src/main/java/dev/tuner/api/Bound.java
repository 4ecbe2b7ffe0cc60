package dev.tuner.api;

/** Which roof of the roofline limits a scenario. */
public enum Bound {
  MEMORY,
  COMPUTE;

  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
