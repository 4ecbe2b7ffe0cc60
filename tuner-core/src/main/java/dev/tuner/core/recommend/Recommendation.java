package dev.tuner.core.recommend;

import dev.tuner.core.scenario.DeviceSpec;
import dev.tuner.core.scenario.ModelSpec;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The answer of {@link Recommender}. {@code ranked} holds every configuration that fits and meets the latency
 * budget, fastest aggregate tokens/s first; {@code top} is its first {@code request.top()}; {@code pareto} is the
 * front of aggregate tokens/s against per-sequence latency, lowest latency first. {@code dropped} lists the rest of
 * the grid with reasons. {@code memoryCapacityGb} is empty when neither the device nor the request states one
 * ({@code memorySource} {@code UNKNOWN}): then nothing was checked for fit and {@code notes} says so.
 * {@code whyEmpty} explains an empty {@code ranked}. {@code layoutFits} says for each parallel layout searched whether
 * the model fits on it and why (empty when only the one device was considered).
 */
public record Recommendation(
    RecommendRequest request,
    String modelId,
    boolean fallbackModel,
    OptionalDouble memoryCapacityGb,
    MemorySource memorySource,
    int evaluated,
    List<Candidate> ranked,
    List<Candidate> top,
    List<Candidate> pareto,
    List<Dropped> dropped,
    List<String> notes,
    Optional<String> whyEmpty,
    List<LayoutFit> layoutFits) {

  /** A recommendation on one device, whose fit the dropped list already tells. */
  public Recommendation(
      RecommendRequest request, String modelId, boolean fallbackModel, OptionalDouble memoryCapacityGb,
      MemorySource memorySource, int evaluated, List<Candidate> ranked, List<Candidate> top, List<Candidate> pareto,
      List<Dropped> dropped, List<String> notes, Optional<String> whyEmpty) {
    this(request, modelId, fallbackModel, memoryCapacityGb, memorySource, evaluated, ranked, top, pareto, dropped,
        notes, whyEmpty, List.of());
  }

  /** Where the memory capacity came from. */
  public enum MemorySource {
    CATALOG,
    OVERRIDE,
    UNKNOWN;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Recommendation {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(memoryCapacityGb, "memoryCapacityGb");
    Objects.requireNonNull(memorySource, "memorySource");
    ranked = List.copyOf(ranked);
    top = List.copyOf(top);
    pareto = List.copyOf(pareto);
    dropped = List.copyOf(dropped);
    notes = List.copyOf(notes);
    Objects.requireNonNull(whyEmpty, "whyEmpty");
    layoutFits = List.copyOf(layoutFits);
  }

  /** The first layout, fewest devices first, on which some configuration fits (or could not be checked). */
  public Optional<LayoutFit> smallestFitting() {
    return layoutFits.stream()
        .filter(f -> f.status() == LayoutFit.Status.FITS || f.status() == LayoutFit.Status.UNCHECKED)
        .findFirst();
  }

  public ModelSpec model() {
    return request.model();
  }

  public DeviceSpec device() {
    return request.device();
  }

  public boolean memoryChecked() {
    return memoryCapacityGb.isPresent();
  }

  /** The best configuration, if any. */
  public Optional<Candidate> best() {
    return ranked.isEmpty() ? Optional.empty() : Optional.of(ranked.get(0));
  }
}
