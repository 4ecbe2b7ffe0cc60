package dev.tuner.serving;

import static dev.tuner.api.InvalidInputException.requireInRange;

import java.util.OptionalInt;

/** How requests arrive. */
public sealed interface Load {
  /** The load in words, as the CLI prints it ("concurrency 20, 1000 prompts", "5 requests/s"). */
  String description();

  /**
   * The replicas of {@code replicas} this load keeps busy: all of them (a static batch runs on each), but no more than
   * a closed loop's clients (each waits on one request at a time) or a run's prompts (a balancer gives each its own
   * replica): 8 clients on 64 replicas are served by 8 of them, and complete no more requests than 8 clients can.
   */
  int busyReplicas(int replicas);

  private static int atMost(int replicas, OptionalInt prompts) {
    return prompts.isPresent() ? Math.min(replicas, prompts.getAsInt()) : replicas;
  }

  private static String prompts(OptionalInt prompts) {
    return prompts.isPresent() ? ", " + prompts.getAsInt() + " prompts" : "";
  }

  /** Static batching: {@code size} requests start together and the batch ends when all have finished. */
  record Batch(int size) implements Load {
    public Batch {
      requireInRange("batch", size, 1, EngineLimits.MAX, "requests");
    }

    @Override
    public String description() {
      return "static batch of " + size;
    }

    @Override
    public int busyReplicas(int replicas) {
      return replicas;
    }
  }

  /**
   * A closed loop of {@code clients} that each send their next request when the last one ends; {@code prompts}
   * requests in all, or an endless run if empty (the clients all start at once, so the first of them arrive
   * together: a run of known length counts that burst).
   */
  record Concurrency(int clients, OptionalInt prompts) implements Load {
    public Concurrency {
      requireInRange("concurrency", clients, 1, EngineLimits.MAX, "requests in flight");
      if (prompts.isPresent()) {
        requireInRange("prompts", prompts.getAsInt(), 1, Integer.MAX_VALUE, "requests");
      }
    }

    /** An endless closed loop. */
    public Concurrency(int clients) {
      this(clients, OptionalInt.empty());
    }

    @Override
    public String description() {
      return "concurrency " + clients + Load.prompts(prompts);
    }

    @Override
    public int busyReplicas(int replicas) {
      return atMost(Math.min(replicas, clients), prompts);
    }
  }

  /**
   * An open stream of {@code perSecond} requests per second: {@code prompts} requests in all (a benchmark's run, which
   * starts empty and ends when the last request has), or an endless stream in its steady state if empty.
   */
  record RequestRate(double perSecond, OptionalInt prompts) implements Load {
    public RequestRate {
      requireInRange("request rate", perSecond, 1e-6, 1e7, "requests/s");
      if (prompts.isPresent()) {
        requireInRange("prompts", prompts.getAsInt(), 1, Integer.MAX_VALUE, "requests");
      }
    }

    /** An endless stream. */
    public RequestRate(double perSecond) {
      this(perSecond, OptionalInt.empty());
    }

    @Override
    public String description() {
      return java.math.BigDecimal.valueOf(perSecond).stripTrailingZeros().toPlainString() + " requests/s"
          + Load.prompts(prompts);
    }

    @Override
    public int busyReplicas(int replicas) {
      return atMost(replicas, prompts);
    }
  }

  /** Every request at once (an offline throughput run): {@code prompts} requests, or an endless supply if empty. */
  record Offline(OptionalInt prompts) implements Load {
    public Offline {
      if (prompts.isPresent()) {
        requireInRange("prompts", prompts.getAsInt(), 1, Integer.MAX_VALUE, "requests");
      }
    }

    @Override
    public String description() {
      return "offline" + Load.prompts(prompts);
    }

    @Override
    public int busyReplicas(int replicas) {
      return atMost(replicas, prompts);
    }
  }
}
