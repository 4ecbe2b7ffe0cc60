package dev.tuner.serving;

import dev.tuner.core.scenario.DeviceSpec;

/** The group a device is held out with in leave-one-family-out evaluation. */
final class ChipFamily {
  private ChipFamily() {}

  /** The device's name until the catalog carries chip families: each device is then its own family. */
  static String of(DeviceSpec d) {
    return d.name();
  }
}
