package dev.tuner.core.learn;

import dev.tuner.api.ThroughputModel;
import dev.tuner.core.predict.Reference;

/** Something cross-validation can fit on a subset of rows: a trainer, or a baseline. */
public interface Candidate {
  String name();

  /** The rows encoded in this candidate's schema. */
  Encoded data();

  /** A model fitted on {@code trainRows} only, with what its raw outputs are relative to. */
  Fitted fit(int[] trainRows);

  /** A fitted model and its reference (which a fit may choose from its training rows). */
  record Fitted(ThroughputModel model, Reference reference) {
    /** A model whose outputs are relative to the plain reference of its output kind. */
    public static Fitted plain(ThroughputModel model) {
      return new Fitted(model, Reference.of(model.info().outputKind()));
    }
  }
}
