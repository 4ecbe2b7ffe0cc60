package dev.tuner.core.scenario;

import dev.tuner.api.InvalidInputException;
import java.util.Locale;

/**
 * The rules a transformer's figures obey whatever its architecture, checked where figures come from a user (explicit
 * figures, user catalogs) or a file; a shape that breaks one is refused naming the rule, never silently predicted.
 */
public final class ModelShape {
  private ModelShape() {}

  /** Checks every rule on {@code m}; figures that are 0 (unknown) are not checked. */
  public static void requirePlausible(ModelSpec m) {
    if (m.headDim() == 0 && m.heads() > 0 && m.hidden() > 0 && m.hidden() % m.heads() != 0) {
      throw new InvalidInputException("model attention heads", Integer.toString(m.heads()),
          "a divisor of the hidden size " + m.hidden() + " when no head dimension is given (rule: head_dim = hidden /"
              + " heads must be whole; for heads that do not span the hidden size, state the head dimension:"
              + " ScenarioRequest's headDim or a catalog's head_dim, --head-dim in the CLI)");
    }
    if (m.kvHeads() > 0 && m.heads() > 0 && m.heads() % m.kvHeads() != 0) {
      throw new InvalidInputException("model KV heads", Integer.toString(m.kvHeads()),
          "a divisor of the " + m.heads() + " attention heads (rule: in grouped-query attention every KV head serves"
              + " the same whole number of query heads)");
    }
    if (m.layers() > 0 && m.hidden() > 0) {
      double perLayer = 2.0 * m.hidden() * (double) m.hidden();
      double least = m.layers() * perLayer;
      if (m.paramsB() * 1e9 < least) {
        throw new InvalidInputException("model layers", Integer.toString(m.layers()), String.format(Locale.ROOT,
            "at most %d for %s billion parameters at hidden size %d (rule: every layer holds at least an input and"
                + " an output projection of hidden x hidden weights, 2 x hidden^2 = %.3g parameters, so layers x 2 x"
                + " hidden^2 <= parameters)",
            (long) Math.floor(m.paramsB() * 1e9 / perLayer), trim(m.paramsB()), m.hidden(), perLayer));
      }
    }
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
