package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.util.Locale;

/** Decode generates one token per sequence per step; prefill processes the prompt. */
public enum Phase {
  DECODE,
  PREFILL;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Phase parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    switch (t) {
      case "decode":
      case "tg":
      case "generation":
        return DECODE;
      case "prefill":
      case "pp":
      case "prompt":
        return PREFILL;
      default:
        throw new InvalidInputException("phase", String.valueOf(text), "decode or prefill");
    }
  }
}
