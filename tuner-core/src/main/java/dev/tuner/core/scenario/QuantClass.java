package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.util.Arrays;

/** The 8 quantization classes of the feature schema's one-hot block, in slot order. */
public enum QuantClass {
  Q4_0,
  Q4_1,
  Q4_K,
  Q5_K,
  Q6_K,
  Q8_0,
  F16,
  F32;

  public static QuantClass parse(String text) {
    for (QuantClass c : values()) {
      if (c.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return c;
      }
    }
    throw new InvalidInputException("quantization class", String.valueOf(text), Arrays.toString(values()));
  }
}
