package dev.tuner.serving;

import dev.tuner.core.scenario.DeviceSpec;

/** The group a device is held out with in leave-one-family-out evaluation. */
final class ChipFamily {
  private ChipFamily() {}

  /** The catalog's chip family (GA100, GH100, ...); a device without one is its own family. */
  static String of(DeviceSpec d) {
    return d.chipFamily();
  }
}
