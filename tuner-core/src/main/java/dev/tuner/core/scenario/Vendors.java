package dev.tuner.core.scenario;

import java.util.List;
import java.util.Optional;

/**
 * The GPU vendors a platform list (a backend's, a serving engine's) can name, and the one rule both apply: a device
 * runs what lists its vendor, and a device of a vendor no list names (a catalog entry of the user's) is not judged.
 */
public final class Vendors {
  /** The vendors the platform lists name: those of the shipped device catalog. */
  public static final List<String> NAMED = List.of("NVIDIA", "AMD", "Apple", "Intel");

  private Vendors() {}

  /**
   * What a prediction on {@code device} says when its vendor is none of {@link #NAMED}: such a vendor is allowed (a
   * new vendor's device, which no backend list names), but a misspelt one ("Nvidiaa") would otherwise lose the
   * vendor's usual backend, its backends' checks and its rates without a word. Empty for a named or blank vendor.
   */
  public static Optional<String> unknownNote(DeviceSpec device) {
    String v = device.vendor();
    if (v.isBlank() || named(device)) {
      return Optional.empty();
    }
    return Optional.of("vendor " + v + " of " + device.name() + " is none tuner knows (" + String.join(", ",
        NAMED) + "): no backend is assumed for it, any backend is allowed on it, and no vendor's figures apply (a"
        + " misspelling? DeviceSpec's vendor, the vendor column of a --catalog file in the CLI)");
  }

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
