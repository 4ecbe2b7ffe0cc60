package dev.tuner.core.learn;

import dev.tuner.api.ThroughputModel;

/** Something cross-validation can fit on a subset of rows: a trainer, or a baseline. */
public interface Candidate {
  String name();

  /** The rows encoded in this candidate's schema. */
  Encoded data();

  /** A model fitted on {@code trainRows} only. */
  ThroughputModel fit(int[] trainRows);
}
