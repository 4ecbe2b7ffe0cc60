package dev.tuner.core.recommend;

import dev.tuner.core.roofline.MemoryEstimate;
import dev.tuner.core.scenario.KvCacheType;
import dev.tuner.core.scenario.ParallelLayout;
import dev.tuner.core.scenario.Quantization;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Whether one parallel layout can hold the model, and why. {@code smallest} is the per-device memory of the smallest
 * configuration of the grid on it ({@code smallestQuant}, {@code smallestKv}, {@code smallestBatch}); it fits when
 * that is at most the capacity. {@code fitting} of {@code configurations} configurations fit. {@code notApplicable}
 * says why an engine cannot split the model this way (then nothing was sized).
 */
public record LayoutFit(
    ParallelLayout layout,
    Status status,
    Optional<String> notApplicable,
    Quantization smallestQuant,
    KvCacheType smallestKv,
    int smallestBatch,
    MemoryEstimate smallest,
    OptionalDouble capacityGib,
    int fitting,
    int configurations) {

  public enum Status {
    FITS,
    DOES_NOT_FIT,
    /** The capacity is unknown: nothing could be checked. */
    UNCHECKED,
    NOT_APPLICABLE;

    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public LayoutFit {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(notApplicable, "notApplicable");
    Objects.requireNonNull(capacityGib, "capacityGib");
  }

  /** The reason in one sentence: per-device weights + KV cache + engine reserve against the capacity. */
  public String detail() {
    if (status == Status.NOT_APPLICABLE) {
      return notApplicable.orElse("not applicable");
    }
    String need = String.format(Locale.ROOT, "%s/%s ×%d needs %.2f GiB per device (weights %.2f + KV cache %.2f +"
        + " reserve %.2f)", smallestQuant.name(), smallestKv.id(), smallestBatch, smallest.totalGib(),
        smallest.weightBytes() / MemoryEstimate.GIB, smallest.kvCacheBytes() / MemoryEstimate.GIB,
        smallest.overheadBytes() / MemoryEstimate.GIB);
    return switch (status) {
      case FITS -> String.format(Locale.ROOT, "fits: the smallest, %s of %s GiB; %d of %d configurations fit", need,
          Recommender.compact(capacityGib.getAsDouble()), fitting, configurations);
      case DOES_NOT_FIT -> String.format(Locale.ROOT, "does not fit: even the smallest, %s, exceeds %s GiB", need,
          Recommender.compact(capacityGib.getAsDouble()));
      default -> "capacity unknown, not checked: the smallest, " + need;
    };
  }
}
