package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

import java.util.OptionalInt;

/** How requests arrive. */
public sealed interface Load {
  /** Static batching: {@code size} requests start together and the batch ends when all have finished. */
  record Batch(int size) implements Load {
    public Batch {
      requireInRange("batch", size, 1, EngineLimits.MAX, "requests");
    }
  }

  /** A closed loop of {@code clients} that each send their next request when the last one ends. */
  record Concurrency(int clients) implements Load {
    public Concurrency {
      requireInRange("concurrency", clients, 1, EngineLimits.MAX, "requests in flight");
    }
  }

  /** An open stream of {@code perSecond} requests per second. */
  record RequestRate(double perSecond) implements Load {
    public RequestRate {
      requireInRange("request rate", perSecond, 1e-6, 1e7, "requests/s");
    }
  }

  /** Every request at once (an offline throughput run): {@code prompts} requests, or an endless supply if empty. */
  record Offline(OptionalInt prompts) implements Load {
    public Offline {
      if (prompts.isPresent()) {
        requireInRange("prompts", prompts.getAsInt(), 1, Integer.MAX_VALUE, "requests");
      }
    }
  }
}
