package dev.tuner.core.scenario;

import java.util.List;

/**
 * The GPU vendors a platform list (a backend's, a serving engine's) can name, and the one rule both apply: a device
 * runs what lists its vendor, and a device of a vendor no list names (a catalog entry of the user's) is not judged.
 */
public final class Vendors {
  /** The vendors the platform lists name: those of the shipped device catalog. */
  public static final List<String> NAMED = List.of("NVIDIA", "AMD", "Apple", "Intel");

  private Vendors() {}

  /**
   * Whether {@code device} is among {@code vendors} (empty: tied to none, so any device is), or of a vendor outside
   * {@link #NAMED}. Every scenario asks, so this allocates nothing.
   */
  public static boolean among(List<String> vendors, DeviceSpec device) {
    if (vendors.isEmpty()) {
      return true;
    }
    String v = device.vendor();
    for (String listed : vendors) {
      if (listed.equalsIgnoreCase(v)) {
        return true;
      }
    }
    return !named(device);
  }

  /** Whether {@code device} is of a vendor in {@link #NAMED}, whose devices the platform lists judge. */
  public static boolean named(DeviceSpec device) {
    String v = device.vendor();
    for (String named : NAMED) {
      if (named.equalsIgnoreCase(v)) {
        return true;
      }
    }
    return false;
  }
}
