package dev.tuner.api;

/**
 * Which roof of the roofline limits a scenario: memory bandwidth, compute peak, or (several devices) the interconnect
 * their collectives cross.
 */
public enum Bound {
  MEMORY,
  COMPUTE,
  INTERCONNECT;

  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
